//! `imbalanced-scheduler`: an Apache Ballista scheduler whose sessions know
//! imbalanced's functions. Clients reach it with `--engine
//! ballista://HOST:PORT`; `imbalanced-executor` processes do the work.

use std::net::ToSocketAddrs;
use std::process::ExitCode;

use clap::Parser;
use imbalanced_datafusion::{cluster, ScaleError};

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
    let bind = (args.bind_host.as_str(), args.bind_port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(|| ScaleError::Cluster(format!("cannot listen on {}:{}", args.bind_host, args.bind_port)));
    if let Ok(bind) = &bind {
        eprintln!("imbalanced-scheduler: listening on {bind}");
    }
    cluster::serve(
        "imbalanced-scheduler",
        args.exit_after,
        bind.map(cluster::run_scheduler),
    )
}
