//! `imbalanced-executor`: an Apache Ballista executor that knows
//! imbalanced's functions, working for an `imbalanced-scheduler`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use imbalanced_datafusion::cluster::{self, ExecutorOptions};

/// A Ballista executor for imbalanced's plans: registers with the scheduler
/// and runs the tasks it is given.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The scheduler, as HOST:PORT.
    #[arg(long, default_value = "localhost:50050")]
    scheduler: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The Arrow Flight port (other executors fetch shuffle data here).
    #[arg(long, default_value_t = 50051)]
    bind_port: u16,
    /// The gRPC port (the scheduler sends tasks here).
    #[arg(long, default_value_t = 50052)]
    bind_grpc_port: u16,
    /// Where shuffle files go. Default: a temporary folder.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Tasks run at once. Default: the number of cores.
    #[arg(long)]
    concurrent_tasks: Option<usize>,
    /// Stop after this many seconds (tests, batch jobs). Default: run until
    /// stopped.
    #[arg(long, value_name = "SECONDS")]
    exit_after: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(seconds) = args.exit_after {
        cluster::exit_after(Duration::from_secs(seconds));
    }
    let scheduler = match cluster::parse_address(&args.scheduler) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("imbalanced-executor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let defaults = ExecutorOptions::default();
    let opts = ExecutorOptions {
        scheduler,
        bind_host: args.bind_host,
        port: args.bind_port,
        grpc_port: args.bind_grpc_port,
        work_dir: args.work_dir,
        concurrent_tasks: args.concurrent_tasks.unwrap_or(defaults.concurrent_tasks),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("imbalanced-executor: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cluster::run_executor(opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imbalanced-executor: {e}");
            ExitCode::FAILURE
        }
    }
}
