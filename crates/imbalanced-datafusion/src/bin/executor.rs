//! `imbalanced-executor`: an Apache Ballista executor that knows
//! imbalanced's functions, working for an `imbalanced-scheduler`.

use std::path::PathBuf;
use std::process::ExitCode;

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
    let opts = cluster::parse_address(&args.scheduler).map(|scheduler| ExecutorOptions {
        scheduler,
        bind_host: args.bind_host,
        port: args.bind_port,
        grpc_port: args.bind_grpc_port,
        work_dir: args.work_dir,
        concurrent_tasks: args
            .concurrent_tasks
            .unwrap_or(ExecutorOptions::default().concurrent_tasks),
    });
    cluster::serve("imbalanced-executor", args.exit_after, opts.map(cluster::run_executor))
}
