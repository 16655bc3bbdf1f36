//! `imbalanced-scheduler`: an Apache Ballista scheduler whose sessions know
//! imbalanced's functions. Clients reach it with `--engine
//! ballista://HOST:PORT`; `imbalanced-executor` processes do the work.

use std::net::ToSocketAddrs;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use imbalanced_datafusion::cluster;

/// A Ballista scheduler for imbalanced's plans (`imbalanced resample --engine
/// ballista://HOST:PORT`). Start one or more `imbalanced-executor
/// --scheduler HOST:PORT` beside it.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The port clients and executors connect to.
    #[arg(long, default_value_t = 50050)]
    bind_port: u16,
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
    let bind = match (args.bind_host.as_str(), args.bind_port).to_socket_addrs() {
        Ok(mut addresses) => addresses.next(),
        Err(_) => None,
    };
    let Some(bind) = bind else {
        eprintln!(
            "imbalanced-scheduler: cannot listen on {}:{}",
            args.bind_host, args.bind_port
        );
        return ExitCode::FAILURE;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("imbalanced-scheduler: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("imbalanced-scheduler: listening on {bind}");
    match runtime.block_on(cluster::run_scheduler(bind)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imbalanced-scheduler: {e}");
            ExitCode::FAILURE
        }
    }
}
