//! Apache Ballista: the session our plans need (this crate's functions
//! registered by name), and the scheduler and executor processes that know
//! those functions. A stock Ballista executor would fail our plans ("no
//! function row_key"): the binaries `imbalanced-scheduler` and
//! `imbalanced-executor`, which this crate builds with the `ballista`
//! feature, run [`run_scheduler`] and [`run_executor`].

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ballista_core::registry::BallistaFunctionRegistry;
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::prelude::SessionConfig;

use crate::{keys, Result, ScaleError};

/// A DataFusion session with `config`, the default functions and ours.
pub fn session_state(config: SessionConfig) -> SessionState {
    SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .with_scalar_functions(keys::functions().into_iter().map(Arc::new).collect())
        .build()
}

/// Ballista's function registry (the default functions) with ours: what an
/// executor decodes a plan's function names with.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in keys::functions() {
        registry.scalar_functions.insert(f.name().to_string(), Arc::new(f));
    }
    registry
}

/// `host:port` (a scheduler's address, as `--engine ballista://host:port`
/// gives it) split and checked.
pub fn parse_address(text: &str) -> Result<(String, u16)> {
    let bad = || {
        ScaleError::Cluster(format!(
            "{text:?} is not a scheduler address: give host:port, as in ballista://localhost:50050"
        ))
    };
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

/// An error unless something listens at `host:port` (within `timeout`):
/// Ballista's client would otherwise wait on an unreachable scheduler.
pub fn check_reachable(host: &str, port: u16, timeout: Duration) -> Result<()> {
    let unreachable = |why: String| {
        ScaleError::Cluster(format!(
            "cannot reach a Ballista scheduler at {host}:{port} ({why}); start one with `imbalanced-scheduler \
             --bind-port {port}` and at least one `imbalanced-executor --scheduler {host}:{port}`, or check the address"
        ))
    };
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = String::from("the host has no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(unreachable(last))
}

/// Runs a Ballista scheduler on `bind` whose sessions know our functions,
/// until the process ends. Jobs wait for executors to register.
pub async fn run_scheduler(bind: SocketAddr) -> Result<()> {
    use ballista_scheduler::cluster::BallistaCluster;
    use ballista_scheduler::config::SchedulerConfig;
    let config = SchedulerConfig::default()
        .with_hostname(bind.ip().to_string())
        .with_port(bind.port())
        .with_override_session_builder(Arc::new(|config| Ok(session_state(config))));
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| ScaleError::Cluster(e.to_string()))?;
    ballista_scheduler::scheduler_process::start_server(cluster, bind, Arc::new(config))
        .await
        .map_err(|e| ScaleError::Cluster(e.to_string()))
}

/// Where an executor listens, which scheduler it serves, and how much work
/// it takes at once.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host and port.
    pub scheduler: (String, u16),
    /// The address the executor binds. Default: `127.0.0.1`.
    pub bind_host: String,
    /// Its Arrow Flight port (shuffle data). Default: 50051.
    pub port: u16,
    /// Its gRPC port (tasks). Default: 50052.
    pub grpc_port: u16,
    /// Where its shuffle files go. Default: a temporary folder.
    pub work_dir: Option<PathBuf>,
    /// Tasks it runs at once. Default: the number of cores.
    pub concurrent_tasks: usize,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            scheduler: ("localhost".into(), 50050),
            bind_host: "127.0.0.1".into(),
            port: 50051,
            grpc_port: 50052,
            work_dir: None,
            concurrent_tasks: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Runs a Ballista executor that knows our functions, registered with the
/// scheduler of `opts`, until the process ends or the scheduler stops it.
pub async fn run_executor(opts: ExecutorOptions) -> Result<()> {
    use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
    let config = ExecutorProcessConfig {
        scheduler_host: opts.scheduler.0,
        scheduler_port: opts.scheduler.1,
        bind_host: opts.bind_host,
        port: opts.port,
        grpc_port: opts.grpc_port,
        work_dir: opts.work_dir.map(|d| d.to_string_lossy().into_owned()),
        vcores: opts.concurrent_tasks.max(1),
        // Wait for a scheduler that starts at the same time.
        scheduler_connect_timeout_seconds: 30,
        override_function_registry: Some(Arc::new(function_registry())),
        ..Default::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| ScaleError::Cluster(e.to_string()))
}

/// The body of the `imbalanced-scheduler` and `imbalanced-executor`
/// binaries: runs `work` (a scheduler or an executor, or the error that
/// stopped its setup) on a multi-threaded runtime until it ends, printing
/// an error after `name`. With `exit_after` (seconds), the process ends
/// then: a cluster started for a test or a batch job stops by itself, even
/// when whatever started it is gone.
pub fn serve<F: std::future::Future<Output = Result<()>>>(
    name: &str,
    exit_after: Option<u64>,
    work: Result<F>,
) -> std::process::ExitCode {
    if let Some(seconds) = exit_after {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(seconds));
            std::process::exit(0);
        });
    }
    let done = work.and_then(|work| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| ScaleError::Cluster(e.to_string()))?
            .block_on(work)
    });
    match done {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
