//! Resampling, class counts, stratified folds, federated partitions and
//! cross-validation of data larger than memory on Apache DataFusion
//! (embedded, out of core) or Apache Ballista (`cluster`, with the
//! `ballista` feature): Parquet or CSV files, a
//! folder or a glob of them, in; one Parquet or CSV file, written
//! atomically, out.
//!
//! Every random choice is a function of the seed and the row
//! ([`keys`]: `u = hash(seed, row_key)`, the row key hashed from the row's
//! values), never of the partitioning: the same seed gives the same rows on
//! any number of partitions. The output is sorted by class, then by each
//! row's draw, so it is the same file too.
//!
//! What runs where:
//! - class counts: one `GROUP BY` of the target;
//! - random under-sampling, exact (each class keeps its `n_c` rows of
//!   smallest draw: a histogram of the draws finds the bucket of the
//!   `n_c`-th, a scan gathers that bucket's few rows to find its draw, and
//!   a filter keeps the rows up to it) or
//!   Bernoulli (each row kept when `u < n_c / N_c`, one pass);
//! - random over-sampling, exact (each row `floor(r_c)` times, and once more
//!   for the rows of smallest draw, as many as the target needs);
//! - SMOTE: the classes it adds to are gathered (they fit: minorities),
//!   resampled by the in-memory engine, and the new rows joined to the
//!   stream; or, for classes too large, resampled in hash buckets one at a
//!   time (approximate); BorderlineSMOTE and ADASYN the same, with the
//!   other classes' rows among the gathered rows' nearest;
//! - the samplers that read rows' nearest rows (module `neighbourhoods`):
//!   TomekLinks on two classes (the minority gathered, the majority
//!   streamed past it twice); ENN and NCR (and the neighbours
//!   BorderlineSMOTE and ADASYN read), exact, every class but the largest
//!   gathered and the largest searched in chunks, a second pass for its
//!   rows near the others; the removed rows dropped by an anti-join;
//! - stratified folds and federated partitions (flwr-datasets' Dirichlet
//!   cut computed from the class counts): a class's rows in draw order
//!   dealt into consecutive blocks, each block's boundary draw found as the
//!   exact selection finds its threshold;
//! - cross-validation ([`EvaluateJob`]): the training folds resampled
//!   here and fitted in memory, the test folds streamed.
//!
//! Every plan is scans, filters, aggregations and sorts (no window
//! function), so the same plans run on Apache Ballista.

#![forbid(unsafe_code)]

#[cfg(feature = "ballista")]
pub mod cluster;
mod evaluate;
pub mod keys;
mod neighbourhoods;
mod stores;

pub use evaluate::EvaluateJob;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};
use datafusion::common::DataFusionError;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::SortExpr;
use datafusion::prelude::*;
use imbalanced_data::{sort_labels, Dataset, Feature, FeatureKind};
use imbalanced_federated::partition::DirichletPartitioner;
use imbalanced_resample::{ClassChange, ResampleError, ResampleSummary, SamplerSpec, SamplingKind, SamplingStrategy};

pub use keys::{hash_bytes, splitmix64, uniform};

/// What cannot be done, naming the input, the column or the setting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScaleError {
    #[error("{input}: no column {target:?} to use as the target; its columns are: {columns}")]
    MissingTarget {
        input: String,
        target: String,
        columns: String,
    },
    #[error("{input}: {message}")]
    Input { input: String, message: String },
    #[error("{0}")]
    Strategy(#[from] ResampleError),
    #[error("{0}")]
    Unsupported(String),
    #[error("writing {path}: {message}")]
    Write { path: String, message: String },
    #[error("DataFusion: {0}")]
    Engine(#[from] DataFusionError),
    #[error("Ballista: {0}")]
    Cluster(String),
    #[error("Arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
}

pub type Result<T, E = ScaleError> = std::result::Result<T, E>;

/// How the engine runs: its partitions (threads of work) and, optionally, a
/// memory limit beyond which sorts and aggregations spill to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// Partitions each scan is cut into. Default: the number of cores.
    pub partitions: usize,
    /// Bytes of memory the plans may hold; `None`: no limit. Default: `None`.
    pub memory_limit: Option<usize>,
    /// Where spills go; `None`: the system's temporary folder. Default: `None`.
    pub spill_dir: Option<PathBuf>,
    /// Rows of the largest class that the samplers reading neighbours (ENN,
    /// NCR, BorderlineSMOTE, ADASYN) search together (held in
    /// memory with their neighbour lists; the search is quadratic in them).
    /// Larger chunks settle more rows in the first pass. `None`: of order
    /// the square root of the class's rows (`sqrt(1024 n)`, within 8,192 to
    /// 1,048,576). Default: `None`.
    pub chunk_rows: Option<usize>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            partitions: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_limit: None,
            spill_dir: None,
            chunk_rows: None,
        }
    }
}

/// An embedded DataFusion session and the runtime that drives it.
pub struct Engine {
    ctx: SessionContext,
    runtime: tokio::runtime::Runtime,
    staged: Staged,
    /// Whether [`Engine::write`] writes the plan's sorted stream here
    /// (Ballista) rather than letting the engine write it: Ballista 55's
    /// distributed write drops the final merge of the sort (the rows come
    /// out in another order), and its executors need not see the output's
    /// folder.
    writes_here: bool,
    /// [`EngineOptions::chunk_rows`].
    chunk_rows: Option<usize>,
}

/// Rows the engine made (SMOTE's new rows) that its plans read back: they
/// are written to Parquet files, not held as an in-memory table, because a
/// file scan is what a Ballista plan can carry to its executors. Removed
/// when the engine is dropped.
struct Staged {
    dir: PathBuf,
    files: std::sync::Mutex<Vec<PathBuf>>,
}

impl Staged {
    fn new(opts: &EngineOptions) -> Staged {
        Staged {
            dir: opts.spill_dir.clone().unwrap_or_else(std::env::temp_dir),
            files: Default::default(),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for f in self.files.get_mut().map(std::mem::take).unwrap_or_default() {
            let _ = std::fs::remove_dir_all(f);
        }
    }
}

/// A table read by [`Engine::read`]: its plan, where it came from, its
/// target column and its feature columns.
#[derive(Clone)]
pub struct Table {
    df: DataFrame,
    input: String,
    target: String,
    features: Vec<String>,
    /// Whether `df` is `input` as read (so it can be read again with
    /// another schema), not a plan over it.
    scanned: bool,
}

impl Table {
    /// The target column's name.
    pub fn target(&self) -> &str {
        &self.target
    }
    /// The other columns, in order.
    pub fn features(&self) -> &[String] {
        &self.features
    }
    /// The table's rows as read (its plan).
    pub fn frame(&self) -> DataFrame {
        self.df.clone()
    }
}

/// Class counts: each label (as text) and its rows, in the in-memory
/// engine's class order (`imbalanced_data::sort_labels`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassCounts(pub Vec<(String, u64)>);

/// What `imbalanced inspect --engine datafusion` reports: the table's size
/// and its classes (one `GROUP BY`; the difficulty profile needs
/// neighbours, which the engine does not compute).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Inspection {
    pub input: String,
    pub target: String,
    pub n_samples: u64,
    pub n_features: usize,
    /// Largest class count divided by the smallest.
    pub imbalance_ratio: f64,
    pub classes: ClassCounts,
}

impl Inspection {
    /// One line: the input, its rows, features and classes, and the
    /// imbalance ratio.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} rows, {} features, {} classes, imbalance ratio {:.2}",
            self.input,
            self.n_samples,
            self.n_features,
            self.classes.0.len(),
            self.imbalance_ratio
        )
    }

    /// Each class's count and share of the rows, as a table (header, rows).
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = ["class", "count", "share"].map(String::from).to_vec();
        let rows = self
            .classes
            .0
            .iter()
            .map(|(label, n)| {
                let share = 100.0 * *n as f64 / self.n_samples.max(1) as f64;
                vec![label.clone(), n.to_string(), format!("{share:.1}%")]
            })
            .collect();
        (header, rows)
    }
}

impl ClassCounts {
    fn labels(&self) -> Vec<String> {
        self.0.iter().map(|(l, _)| l.clone()).collect()
    }
    fn by_code(&self) -> BTreeMap<usize, usize> {
        self.0.iter().enumerate().map(|(c, (_, n))| (c, *n as usize)).collect()
    }
    /// Rows in all.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

/// A file to resample: what `imbalanced resample --engine datafusion` asks.
#[derive(Debug, Clone)]
pub struct FileJob<'a> {
    /// A Parquet or CSV file, a folder or a glob of them.
    pub input: &'a str,
    /// The target column (`None`: the last).
    pub target: Option<&'a str>,
    /// The sampler, by its catalogue name or an alias.
    pub method: &'a str,
    /// Its parameters (imbalanced-learn's names).
    pub params: &'a [(String, serde_json::Value)],
    /// How the engine runs the sampler.
    pub how: Execution,
    pub seed: u64,
    /// The output file (`.parquet` or `.csv`).
    pub out: &'a Path,
}

/// Each partition's (or fold's) rows of each class.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PartitionCounts {
    /// The classes, in the engine's order.
    pub classes: Vec<String>,
    /// Per partition (or fold), its rows of each class.
    pub counts: Vec<Vec<u64>>,
}

/// Checks that `opts` asks the engine only for what it does: the target. The
/// other reader options (categorical columns, imputation, column
/// selection, delimiter, decimal comma, no header) are refused by name,
/// with the CLI flag that sets them.
pub fn check_read_options(opts: &imbalanced_data::ReadOptions) -> Result<()> {
    let given = [
        ("--categorical", "categorical", !opts.categorical.is_empty()),
        ("--impute", "impute", opts.impute),
        ("--drop", "drop", !opts.drop.is_empty()),
        ("--keep", "keep", !opts.keep.is_empty()),
        ("--delimiter", "delimiter", opts.delimiter.is_some()),
        ("--decimal ,", "decimal_comma", opts.decimal_comma),
        ("--no-header", "no_header", opts.no_header),
    ];
    match given.iter().find(|(_, _, g)| *g) {
        Some((flag, field, _)) => Err(ScaleError::Unsupported(format!(
            "{flag} is not supported with the DataFusion engine (ReadOptions::{field}): the engine reads the \
             columns as the files type them"
        ))),
        None => Ok(()),
    }
}

/// The partitions, once the options are checked (none may be 0).
fn check_options(opts: &EngineOptions) -> Result<usize> {
    if opts.chunk_rows == Some(0) {
        return Err(ScaleError::Unsupported("chunk_rows=0: give at least 1".into()));
    }
    match opts.partitions {
        0 => Err(ScaleError::Unsupported("partitions=0: give at least 1".into())),
        n => Ok(n),
    }
}

/// How the engine runs a sampler, beyond the sampler's own parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Execution {
    /// RandomUnderSampler: exact or Bernoulli. Default: exact.
    pub selection: Selection,
    /// SMOTE: the hash buckets the grown classes are resampled in, one at
    /// a time ([`Engine::over_sample_in_memory`]). Default: 1 (each class
    /// whole: exact).
    pub buckets: usize,
}

impl Execution {
    /// How `--bernoulli` and `--buckets` (or Python's `bernoulli=` and
    /// `buckets=`) ask a sampler to run.
    pub fn new(bernoulli: bool, buckets: usize) -> Execution {
        Execution {
            selection: if bernoulli {
                Selection::Bernoulli
            } else {
                Selection::Exact
            },
            buckets,
        }
    }
}

impl Default for Execution {
    fn default() -> Self {
        Execution {
            selection: Selection::Exact,
            buckets: 1,
        }
    }
}

/// Random under-sampling's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// Each class keeps exactly its target: its rows of smallest draw.
    #[default]
    Exact,
    /// Each row is kept with probability target / count (one pass; the
    /// counts are the target's in expectation).
    Bernoulli,
}

const KEY: &str = "__imbalanced_key";
const U: &str = "__imbalanced_u";
const LABEL: &str = "__imbalanced_label";
const BUCKET: &str = "__imbalanced_bucket";
const COPY: &str = "__imbalanced_copy";
/// Mixed into the seed for the buckets of [`Engine::over_sample_in_memory`],
/// so that a row's bucket is not tied to its draw.
const BUCKET_SEED: u64 = 0xB0C4_E75E_ED00_0001;
/// The over-samplers that read only the rows of the classes they add to
/// and (BorderlineSMOTE, ADASYN) those rows' nearest rows, so gathering
/// these is enough: their new rows are the same as on the whole table.
pub const LOCAL_SAMPLERS: &[&str] = &["SMOTE", "BorderlineSMOTE", "ADASYN"];

/// Buckets of a class's draws' histogram, at most: the exact selection
/// orders one bucket in memory, about `N_c / 65,536` rows of a large class.
const MAX_BUCKETS: u64 = 65_536;
/// Rows per bucket of a smaller class: fewer buckets keep the histogram's
/// aggregation small (it must fit the memory limit).
const ROWS_PER_BUCKET: u64 = 64;

impl Engine {
    /// A session with `opts`.
    pub fn new(opts: &EngineOptions) -> Result<Engine> {
        let partitions = check_options(opts)?;
        let mut runtime_env = RuntimeEnvBuilder::new();
        let mut config = SessionConfig::new().with_target_partitions(partitions);
        if let Some(limit) = opts.memory_limit {
            runtime_env = runtime_env.with_memory_limit(limit, 1.0);
            // A sort's merge keeps this much aside; DataFusion's 10 MB would not fit a small limit.
            config = config.with_sort_spill_reservation_bytes((limit / 16).min(10 << 20));
        }
        if let Some(dir) = &opts.spill_dir {
            runtime_env = runtime_env.with_temp_file_path(dir.clone());
        }
        let ctx = SessionContext::new_with_config_rt(config, runtime_env.build_arc()?);
        keys::register(&ctx);
        // Timers and sockets: object stores' clients need them.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(partitions)
            .enable_all()
            .build()
            .map_err(|e| ScaleError::Unsupported(format!("cannot start the engine's threads: {e}")))?;
        Ok(Engine {
            ctx,
            runtime,
            staged: Staged::new(opts),
            writes_here: false,
            chunk_rows: opts.chunk_rows,
        })
    }

    /// The same engine on Apache Ballista: with `scheduler` `None`, an
    /// in-process cluster (a scheduler and an executor on loopback), else
    /// the scheduler at that address (`host:port`), whose executors must
    /// know our functions (the `imbalanced-scheduler` and
    /// `imbalanced-executor` binaries, [`cluster`]). An unreachable
    /// scheduler is an error here, not a wait. The plans reach our
    /// functions by name.
    #[cfg(feature = "ballista")]
    pub fn ballista(opts: &EngineOptions, scheduler: Option<&str>) -> Result<Engine> {
        use ballista::prelude::SessionContextExt;
        let partitions = check_options(opts)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(partitions)
            .enable_all()
            .build()
            .map_err(|e| ScaleError::Unsupported(format!("cannot start the engine's threads: {e}")))?;
        let state = cluster::session_state(SessionConfig::new().with_target_partitions(partitions));
        let ctx = match scheduler {
            None => runtime.block_on(SessionContext::standalone_with_state(state))?,
            Some(address) => {
                let (host, port) = cluster::parse_address(address)?;
                cluster::check_reachable(&host, port, std::time::Duration::from_secs(5))?;
                runtime.block_on(SessionContext::remote_with_state(&format!("df://{host}:{port}"), state))?
            }
        };
        keys::register(&ctx);
        Ok(Engine {
            ctx,
            runtime,
            staged: Staged::new(opts),
            writes_here: true,
            chunk_rows: opts.chunk_rows,
        })
    }

    /// The engine `location` names, as `--engine` takes it: `datafusion`
    /// (embedded, [`Engine::new`]), `ballista` (an in-process cluster) or
    /// `ballista://HOST:PORT` (a scheduler, [`Engine::ballista`]; a build
    /// without the `ballista` feature says how to get it).
    pub fn connect(location: &str, opts: &EngineOptions) -> Result<Engine> {
        match location.strip_prefix("ballista") {
            None if location == "datafusion" => Engine::new(opts),
            #[cfg(feature = "ballista")]
            Some(rest) if rest.is_empty() || rest.starts_with("://") => {
                Engine::ballista(opts, rest.strip_prefix("://"))
            }
            #[cfg(not(feature = "ballista"))]
            Some(rest) if rest.is_empty() || rest.starts_with("://") => Err(ScaleError::Unsupported(
                "--engine ballista: this build of imbalanced has no Ballista client; build it with `cargo build \
                 --release -p imbalanced-cli --features ballista`"
                    .into(),
            )),
            _ => Err(ScaleError::Unsupported(format!(
                "engine {location:?}: give datafusion, ballista://HOST:PORT (a Ballista scheduler) or ballista (an \
                 in-process cluster)"
            ))),
        }
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Reads `input`: a Parquet or CSV file (by extension: `.parquet`,
    /// `.csv`, `.tsv`), a folder of them, or a glob (`data/*.parquet`);
    /// `target` must be one of its columns (`None`: the last column, as the
    /// in-memory reader's default).
    pub fn read(&self, input: &str, target: Option<&str>) -> Result<Table> {
        let df = self.scan(input, None)?;
        let columns: Vec<String> = df.schema().fields().iter().map(|f| f.name().clone()).collect();
        let target = target
            .or(columns.last().map(String::as_str))
            .unwrap_or_default()
            .to_string();
        if !columns.contains(&target) {
            return Err(ScaleError::MissingTarget {
                input: input.to_string(),
                target: target.to_string(),
                columns: columns.join(", "),
            });
        }
        let features = columns.into_iter().filter(|c| *c != target).collect();
        Ok(Table {
            df,
            input: input.to_string(),
            target,
            features,
            scanned: true,
        })
    }

    /// The files of `input` as a table, with `schema` where given (the
    /// reader converts the columns to it).
    fn scan(&self, input: &str, schema: Option<&Schema>) -> Result<DataFrame> {
        stores::register(&self.ctx, input)?;
        let input_error = |e: DataFusionError| ScaleError::Input {
            input: input.to_string(),
            message: e.to_string(),
        };
        Ok(match Format::of(input)? {
            Format::Parquet => {
                let mut options = ParquetReadOptions::default();
                if let Some(schema) = schema {
                    options = options.schema(schema);
                }
                self.block_on(self.ctx.read_parquet(input, options))
                    .map_err(input_error)?
            }
            Format::Csv(delimiter, extension) => {
                let mut options = CsvReadOptions::new().delimiter(delimiter).file_extension(extension);
                if let Some(schema) = schema {
                    options = options.schema(schema);
                }
                self.block_on(self.ctx.read_csv(input, options)).map_err(input_error)?
            }
        })
    }

    /// The rows of each class (one `GROUP BY`).
    pub fn class_counts(&self, t: &Table) -> Result<ClassCounts> {
        let grouped =
            t.df.clone()
                .aggregate(vec![label_expr(t)], vec![count(lit(1)).alias("n")])?;
        let batches = self.block_on(grouped.collect()).map_err(|e| t.error(e))?;
        let mut counts = BTreeMap::new();
        for b in &batches {
            let labels = cast(b.column(0), &DataType::Utf8)?;
            let n = cast(b.column(1), &DataType::Int64)?;
            for i in 0..b.num_rows() {
                if labels.is_null(i) {
                    return Err(ScaleError::Input {
                        input: t.input.clone(),
                        message: format!("the target {:?} is missing on some rows: drop them first", t.target),
                    });
                }
                let label = labels.as_string::<i32>().value(i).to_string();
                counts.insert(label, n.as_primitive::<Int64Type>().value(i) as u64);
            }
        }
        let mut order: Vec<String> = counts.keys().cloned().collect();
        sort_labels(&mut order);
        Ok(ClassCounts(
            order.into_iter().map(|l| (l.clone(), counts[&l])).collect(),
        ))
    }

    /// The rows, features and class counts of `input` ([`Inspection`]).
    pub fn inspect(&self, input: &str, target: Option<&str>) -> Result<Inspection> {
        let t = self.read(input, target)?;
        let classes = self.class_counts(&t)?;
        let (most, least) = classes
            .0
            .iter()
            .fold((0, u64::MAX), |(hi, lo), (_, n)| (hi.max(*n), lo.min(*n)));
        Ok(Inspection {
            input: input.to_string(),
            target: t.target.clone(),
            n_samples: classes.total(),
            n_features: t.features.len(),
            imbalance_ratio: most as f64 / least.max(1) as f64,
            classes,
        })
    }

    /// Random under-sampling to `strategy` (imbalanced-learn's forms),
    /// seeded; `selection` exact or Bernoulli.
    pub fn under_sample(
        &self,
        t: &Table,
        strategy: &SamplingStrategy,
        selection: Selection,
        seed: u64,
    ) -> Result<DataFrame> {
        let counts = self.class_counts(t)?;
        let labels = counts.labels();
        let keep = strategy.resolve(&counts.by_code(), SamplingKind::Under, &labels)?;
        let reduced: Vec<(String, u64, u64)> = keep
            .iter()
            .filter(|(&c, &n)| (n as u64) < counts.0[c].1)
            .map(|(&c, &n)| (labels[c].clone(), n as u64, counts.0[c].1))
            .collect();
        let df = with_draws(t, seed)?;
        let untouched = not_in(&reduced.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
        let kept = match selection {
            Selection::Bernoulli => {
                let keep = reduced.iter().fold(untouched, |e, (label, n, total)| {
                    e.or(is_label(label).and(col(U).lt(lit(*n as f64 / *total as f64))))
                });
                df.filter(keep)?
            }
            Selection::Exact => {
                let quotas: Vec<(String, u64)> = reduced.iter().map(|(l, n, _)| (l.clone(), *n)).collect();
                let lowest = self.lowest(t, &df, &counts, &quotas)?;
                lowest.with_straddling(&df, df.clone().filter(untouched.or(lowest.keep.clone()))?)?
            }
        };
        finish(t, kept)
    }

    /// Random over-sampling to `strategy`, seeded and exact: each row of a
    /// class with target `n_c` and count `N_c` appears `floor(n_c / N_c)`
    /// times, and once more if it is among the `n_c mod N_c` rows of its
    /// class of smallest draw.
    pub fn over_sample(&self, t: &Table, strategy: &SamplingStrategy, seed: u64) -> Result<DataFrame> {
        let counts = self.class_counts(t)?;
        let labels = counts.labels();
        let add = strategy.resolve(&counts.by_code(), SamplingKind::Over, &labels)?;
        let df = with_draws(t, seed)?;
        let mut copies = lit(1u32);
        let mut extra = Vec::new();
        for (&c, &a) in add.iter().filter(|(_, &a)| a > 0) {
            let (label, total) = (&labels[c], counts.0[c].1);
            let wanted = total + a as u64;
            copies = when(is_label(label), lit((wanted / total) as u32)).otherwise(copies)?;
            extra.push((label.clone(), wanted % total));
        }
        // One copy more for the rows of smallest draw: in the same pass (a
        // union of a second scan is also what Ballista 55 runs twice).
        let lowest = self.lowest(t, &df, &counts, &extra)?;
        let copies = copies + cast_expr(lowest.keep.clone(), DataType::UInt32);
        let repeated = df
            .clone()
            .with_column(COPY, keys::CopyIndices::udf().call(vec![copies]))?
            .unnest_columns(&[COPY])?
            .drop_columns(&[COPY])?;
        finish(t, lowest.with_straddling(&df, repeated)?)
    }

    /// An over-sampler of [`LOCAL_SAMPLERS`] (`spec`, with its own
    /// parameters) to `strategy` computed on all the rows: the rows of the
    /// classes it adds to are gathered in file order; for BorderlineSMOTE
    /// (borderline-1) and ADASYN, also the other classes' rows among each
    /// of those rows' nearest in the whole table (`m_neighbors`,
    /// `n_neighbors`: found as ENN finds them); and one row of each class
    /// not yet there, so that the sampler sees every class. The sampler
    /// makes the new rows in memory: the rows it would make on the whole
    /// table, since it reads no other rows (each grown row's nearest in
    /// the gathered rows are its nearest in the table). They join the
    /// others. The features must be numeric: the output's are `Float64`.
    ///
    /// With `buckets` above 1, for classes too large to gather: their rows
    /// are dealt into that many buckets by a seeded hash of the row, and
    /// each bucket is gathered and resampled in turn (seed `seed + b`),
    /// making its share of each class's new rows (in proportion to its
    /// rows, largest remainders first; the totals are exact). Approximate:
    /// a row's neighbours are sought among its bucket's rows only, as if
    /// the class were `buckets` times sparser.
    pub fn over_sample_in_memory(
        &self,
        t: &Table,
        spec: &SamplerSpec,
        strategy: &SamplingStrategy,
        seed: u64,
        buckets: usize,
    ) -> Result<DataFrame> {
        if !LOCAL_SAMPLERS.contains(&spec.name.as_str()) {
            return Err(ScaleError::Unsupported(format!(
                "{} does not run on DataFusion yet (it looks at the rows of every class, which need not fit in \
                 memory); the samplers that do are RandomUnderSampler, RandomOverSampler, TomekLinks, \
                 EditedNearestNeighbours, NeighbourhoodCleaningRule, {}",
                spec.name,
                LOCAL_SAMPLERS.join(", ")
            )));
        }
        if buckets == 0 {
            return Err(ScaleError::Unsupported("0 buckets: give at least 1".into()));
        }
        let counts = self.class_counts(t)?;
        let labels = counts.labels();
        let add = strategy.resolve(&counts.by_code(), SamplingKind::Over, &labels)?;
        let grown: Vec<usize> = add.iter().filter(|(_, &a)| a > 0).map(|(&c, _)| c).collect();
        let grown_labels: Vec<String> = grown.iter().map(|&c| labels[c].clone()).collect();
        let numeric = self.numeric(t)?;
        let labelled = numeric.clone().with_column(LABEL, label_expr(t))?;
        // The other classes' rows among the grown rows' nearest, for the
        // samplers that read them (BorderlineSMOTE, ADASYN).
        let mut others = match neighbourhoods::neighbourhood_width(spec)? {
            Some(_) if buckets > 1 => {
                return Err(ScaleError::Unsupported(format!(
                    "{}: buckets are for SMOTE, which reads only the rows of the classes it grows",
                    spec.name
                )))
            }
            Some(width) => self.nearest_others(t, &counts, &grown, width)?,
            None => Vec::new(),
        };
        // And one row of every other class not among them: the sampler needs to see every class, and leaves
        // them be.
        let mut seen: Vec<String> = grown_labels.clone();
        for b in &others {
            let labels = b.column_by_name(LABEL).expect("the label column").as_string::<i32>();
            seen.extend(labels.iter().flatten().map(str::to_string));
        }
        seen.sort();
        seen.dedup();
        let one_each = labelled
            .clone()
            .filter(not_in(&seen))?
            .aggregate(vec![col(LABEL)], first_rows(t))?;
        others.extend(self.block_on(one_each.collect())?);
        // Each bucket's rows of each grown class, and its share of the class's new rows.
        let shares: Vec<(DataFrame, Share)> = if buckets == 1 {
            let all = grown
                .iter()
                .map(|&c| (labels[c].clone(), (counts.0[c].1, add[&c] as u64)))
                .collect();
            vec![(labelled.filter(is_in(&grown_labels))?, all)]
        } else {
            let bucketed = add_draws(t, labelled.clone().filter(is_in(&grown_labels))?, seed ^ BUCKET_SEED)?
                .with_column(BUCKET, cast_expr(col(U) * lit(buckets as f64), DataType::Int64))?;
            let sizes = self.block_on(
                bucketed
                    .clone()
                    .aggregate(vec![col(LABEL), col(BUCKET)], vec![count(lit(1)).alias("n")])?
                    .collect(),
            )?;
            let mut rows: BTreeMap<String, Vec<u64>> = BTreeMap::new();
            for b in &sizes {
                let (l, k, n) = (
                    b.column(0).as_string::<i32>(),
                    b.column(1).as_primitive::<Int64Type>(),
                    b.column(2).as_primitive::<Int64Type>(),
                );
                for i in 0..b.num_rows() {
                    rows.entry(l.value(i).to_string()).or_insert_with(|| vec![0; buckets])[k.value(i) as usize] =
                        n.value(i) as u64;
                }
            }
            let mut per_bucket = vec![BTreeMap::new(); buckets];
            for &c in &grown {
                let in_bucket = &rows[&labels[c]];
                for (b, new) in shares_of(add[&c] as u64, in_bucket).into_iter().enumerate() {
                    if in_bucket[b] > 0 {
                        per_bucket[b].insert(labels[c].clone(), (in_bucket[b], new));
                    }
                }
            }
            let columns: Vec<Expr> = labelled.schema().fields().iter().map(|f| col_named(f.name())).collect();
            per_bucket
                .into_iter()
                .enumerate()
                .filter(|(_, share)| !share.is_empty())
                .map(|(b, share)| {
                    let rows = bucketed
                        .clone()
                        .filter(col(BUCKET).eq(lit(b as i64)))?
                        .select(columns.clone())?;
                    Ok((rows, share))
                })
                .collect::<Result<_>>()?
        };
        let sampler_for = |share: &Share, seed: u64| {
            let mut params = spec.params.clone();
            let desired = share
                .iter()
                .map(|(label, (n, new))| (label.clone(), serde_json::Value::from(n + new)))
                .collect();
            params.insert("sampling_strategy".into(), serde_json::Value::Object(desired));
            let given: Vec<(String, serde_json::Value)> = params.into_iter().collect();
            imbalanced_resample::SAMPLERS
                .build(
                    &spec.name,
                    &given,
                    &imbalanced_resample::randomness(seed, Default::default()),
                )
                .map_err(|e| ScaleError::Unsupported(e.to_string()))
        };
        let n_shares = shares.len();
        let synthetic = self.stage_parts(shares.into_iter().enumerate().map(|(b, (rows, share))| {
            let mut batches = self.block_on(rows.collect_partitioned())?.concat();
            batches.extend(others.iter().cloned());
            let data = to_dataset(t, &batches, &labels)?;
            let sampler = sampler_for(&share, seed.wrapping_add(b as u64))?;
            let out = sampler
                .fit_resample_dataset(&data)
                .map_err(|e| match (n_shares > 1, e) {
                    (true, e @ ResampleError::TooFewSamples { .. }) => {
                        ScaleError::Unsupported(format!("{e} in one of the {buckets} buckets: give fewer buckets"))
                    }
                    (_, e) => e.into(),
                })?;
            synthetic_batch(t, &out, data.n_samples(), &numeric)
        }))?;
        let all = numeric.union(synthetic)?;
        finish_with_draws(t, all, seed)
    }

    /// Runs `f` on every batch of `df`, partition by partition.
    fn for_each_batch(&self, df: DataFrame, mut f: impl FnMut(&RecordBatch) -> Result<()>) -> Result<()> {
        use futures::StreamExt;
        self.block_on(async {
            for mut stream in df.execute_stream_partitioned().await? {
                while let Some(batch) = stream.next().await {
                    f(&batch?)?;
                }
            }
            Ok(())
        })
    }

    /// The table with a `fold` column: a class's rows in draw order dealt
    /// into `k` consecutive blocks, the first `N_c mod k` of
    /// `floor(N_c / k) + 1` rows, the others of `floor(N_c / k)` (the fold
    /// sizes of scikit-learn's `StratifiedKFold`). Exact duplicate rows
    /// share a draw and so a fold: they never sit on both sides of a split.
    pub fn stratified_folds(&self, t: &Table, k: usize, seed: u64) -> Result<DataFrame> {
        if k < 2 {
            return Err(ScaleError::Unsupported(format!("{k} folds: give at least 2")));
        }
        let counts = self.class_counts(t)?;
        let cuts = fold_cuts(&counts, k);
        let with_fold = self.dealt(t, with_draws(t, seed)?, &counts, &cuts, "fold")?;
        let mut columns: Vec<Expr> = t.df.schema().fields().iter().map(|f| col_named(f.name())).collect();
        columns.push(col("fold"));
        Ok(with_fold.sort(order(t))?.select(columns)?)
    }

    /// The table with a `partition` column: flwr-datasets' Dirichlet
    /// partitioning computed from the class counts
    /// ([`DirichletPartitioner::cut_points`]: the same clients x classes
    /// counts as flwr-datasets for the same seed and counts), a class's
    /// rows dealt to partitions in order of their draw (seeded with the
    /// partitioner's seed). Sorted by partition, class, draw.
    pub fn dirichlet_partitions(&self, t: &Table, p: &DirichletPartitioner) -> Result<DataFrame> {
        let counts = self.class_counts(t)?;
        let sizes: Vec<usize> = counts.0.iter().map(|(_, n)| *n as usize).collect();
        let cut_points = p
            .cut_points(&sizes)
            .map_err(|e| ScaleError::Unsupported(e.to_string()))?;
        let cuts: Vec<(String, Vec<u64>)> = counts
            .0
            .iter()
            .zip(&cut_points)
            .map(|((label, _), points)| (label.clone(), points.iter().map(|&b| b as u64).collect()))
            .collect();
        let dealt = self.dealt(t, with_draws(t, p.seed)?, &counts, &cuts, "partition")?;
        let mut columns: Vec<Expr> = t.df.schema().fields().iter().map(|f| col_named(f.name())).collect();
        columns.push(col("partition"));
        let mut sort = vec![col("partition").sort(true, true)];
        sort.extend(order(t));
        Ok(dealt.sort(sort)?.select(columns)?)
    }

    /// `imbalanced partition --engine datafusion`: reads `input`, assigns
    /// the partitions of the partitioner `name` of the catalogue with
    /// parameters `given` (flwr-datasets' names; `DirichletPartitioner`
    /// only: [`Engine::dirichlet_partitions`]), writes them to `out` where
    /// given (the rows with their `partition` column), and counts each
    /// partition's rows of each class.
    pub fn partition_file(
        &self,
        input: &str,
        target: Option<&str>,
        name: &str,
        given: &[(String, serde_json::Value)],
        out: Option<&Path>,
    ) -> Result<PartitionCounts> {
        let unsupported = |e: &dyn std::fmt::Display| ScaleError::Unsupported(e.to_string());
        let entry = imbalanced_federated::PARTITIONERS
            .find(name)
            .map_err(|e| unsupported(&e))?;
        let params = entry.configure(given, &[]).map_err(|e| unsupported(&e))?;
        let partitioner: DirichletPartitioner = match entry.info.name {
            "DirichletPartitioner" => serde_json::from_value(params).map_err(|e| unsupported(&e))?,
            name => {
                return Err(ScaleError::Unsupported(format!(
                    "{name} does not run on DataFusion yet; DirichletPartitioner does"
                )))
            }
        };
        let t = self.read(input, target)?;
        let df = self.dirichlet_partitions(&t, &partitioner)?;
        self.write_counted(&t, df, "partition", partitioner.num_partitions, out)
    }

    /// `imbalanced.scale.stratified_folds` in Python: reads `input`,
    /// assigns `k` stratified folds ([`Engine::stratified_folds`], seeded),
    /// writes the rows with their `fold` column to `out` where given, and
    /// counts each fold's rows of each class.
    pub fn folds_file(
        &self,
        input: &str,
        target: Option<&str>,
        k: usize,
        seed: u64,
        out: Option<&Path>,
    ) -> Result<PartitionCounts> {
        let t = self.read(input, target)?;
        let df = self.stratified_folds(&t, k, seed)?;
        self.write_counted(&t, df, "fold", k, out)
    }

    /// Writes `df` (rows of `t` with a `column` of `n` groups) to `out`
    /// where given, and counts each group's rows of each class (in the
    /// written file, or in the plan).
    fn write_counted(
        &self,
        t: &Table,
        df: DataFrame,
        column: &str,
        n: usize,
        out: Option<&Path>,
    ) -> Result<PartitionCounts> {
        let labels = self.class_counts(t)?.labels();
        let counted = match out {
            Some(out) => {
                self.write(df, out)?;
                self.read(&out.to_string_lossy(), Some(t.target()))?.df
            }
            None => df,
        };
        let grouped = counted.aggregate(vec![col(column), label_expr(t)], vec![count(lit(1)).alias("n")])?;
        let mut counts = vec![vec![0u64; labels.len()]; n];
        for b in self.block_on(grouped.collect())? {
            let p = cast(b.column(0), &DataType::Int64)?;
            let n = cast(b.column(2), &DataType::Int64)?;
            for i in 0..b.num_rows() {
                let label = b.column(1).as_string::<i32>().value(i);
                let c = labels.iter().position(|l| l == label).expect("a counted label");
                counts[p.as_primitive::<Int64Type>().value(i) as usize][c] =
                    n.as_primitive::<Int64Type>().value(i) as u64;
            }
        }
        Ok(PartitionCounts {
            classes: labels,
            counts,
        })
    }

    /// Writes `df` to `out` (Parquet, or CSV by extension) atomically: into a
    /// temporary file beside it, renamed when complete. Returns the rows.
    pub fn write(&self, df: DataFrame, out: &Path) -> Result<u64> {
        let write_error = |message: String| ScaleError::Write {
            path: out.display().to_string(),
            message,
        };
        let name = out
            .file_name()
            .ok_or_else(|| write_error("not a file name".into()))?
            .to_string_lossy()
            .into_owned();
        let location = out.to_string_lossy();
        if stores::is_url(&location) {
            return self.write_object(df, &location, &name);
        }
        let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let tmp_text = tmp.to_string_lossy().into_owned();
        let options = DataFrameWriteOptions::new().with_single_file_output(true);
        let format = Format::of(&name)?;
        if matches!(format, Format::Csv(delimiter, _) if delimiter != b',') {
            return Err(write_error(
                "write .csv or .parquet (tab-separated output is not supported here)".into(),
            ));
        }
        let written = match format {
            _ if self.writes_here => self.block_on(stream_to_file(df, &tmp, &format)),
            Format::Parquet => self
                .block_on(df.write_parquet(&tmp_text, options, None))
                .and_then(|batches| Ok(rows_written(&batches)?)),
            Format::Csv(..) => self
                .block_on(df.write_csv(&tmp_text, options, None))
                .and_then(|batches| Ok(rows_written(&batches)?)),
        };
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(write_error(e.to_string()));
            }
        };
        std::fs::rename(&tmp, out).map_err(|e| write_error(e.to_string()))?;
        Ok(rows)
    }

    /// [`Engine::write`] to an object store: written there directly (an
    /// object appears only when its upload completes, so no temporary name
    /// is needed).
    fn write_object(&self, df: DataFrame, location: &str, name: &str) -> Result<u64> {
        let write_error = |message: String| ScaleError::Write {
            path: location.to_string(),
            message,
        };
        if self.writes_here {
            return Err(write_error(
                "on Ballista the output is written by this process: give a local path".into(),
            ));
        }
        stores::register(&self.ctx, location)?;
        let options = DataFrameWriteOptions::new().with_single_file_output(true);
        let written = match Format::of(name)? {
            Format::Parquet => self.block_on(df.write_parquet(location, options, None)),
            Format::Csv(b',', _) => self.block_on(df.write_csv(location, options, None)),
            Format::Csv(..) => return Err(write_error("write .csv or .parquet".into())),
        };
        written
            .and_then(|batches| Ok(rows_written(&batches)?))
            .map_err(|e| write_error(e.to_string()))
    }

    /// The sampler `method` of the catalogue with parameters `given` (its
    /// imbalanced-learn names), as this engine runs it: `RandomUnderSampler`
    /// ([`Engine::under_sample`], `how.selection` exact or Bernoulli),
    /// `RandomOverSampler` ([`Engine::over_sample`]), `TomekLinks`
    /// ([`Engine::tomek_links`]) and the
    /// [`LOCAL_SAMPLERS`] ([`Engine::over_sample_in_memory`], in
    /// `how.buckets`); any other is
    /// an error that says which run here.
    pub fn resample(
        &self,
        t: &Table,
        method: &str,
        given: &[(String, serde_json::Value)],
        how: Execution,
        seed: u64,
    ) -> Result<DataFrame> {
        let entry = imbalanced_resample::SAMPLERS
            .find(method)
            .map_err(|e| ScaleError::Unsupported(e.to_string()))?;
        let params = entry
            .configure(given, &[])
            .map_err(|e| ScaleError::Unsupported(e.to_string()))?;
        let strategy: SamplingStrategy = match params.get("sampling_strategy") {
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| ScaleError::Unsupported(e.to_string()))?,
            None => SamplingStrategy::Auto,
        };
        let refuse = |param: &str, why: &str| {
            Err(ScaleError::Unsupported(format!(
                "{}: {param} is not supported on DataFusion ({why})",
                entry.info.name
            )))
        };
        if how.selection == Selection::Bernoulli && entry.info.name != "RandomUnderSampler" {
            return refuse("Bernoulli selection", "it is RandomUnderSampler's");
        }
        if how.buckets != 1 && !LOCAL_SAMPLERS.contains(&entry.info.name) {
            return refuse(
                "buckets",
                "they are for the samplers that gather the classes they grow, as SMOTE",
            );
        }
        match entry.info.name {
            "RandomUnderSampler" => {
                if params["replacement"] == serde_json::Value::Bool(true) {
                    return refuse("replacement=true", "each row is kept at most once");
                }
                self.under_sample(t, &strategy, how.selection, seed)
            }
            "TomekLinks" => {
                if !matches!(strategy, SamplingStrategy::Auto) {
                    return refuse("sampling_strategy", "the majority of two classes is cleaned");
                }
                self.tomek_links(t)
            }
            "EditedNearestNeighbours" => self.edited_nearest_neighbours(t, &entry_params(entry, &params)?),
            "NeighbourhoodCleaningRule" => self.neighbourhood_cleaning_rule(t, &entry_params(entry, &params)?),
            "RandomOverSampler" => {
                if !params["shrinkage"].is_null() {
                    return refuse("shrinkage", "rows are copied, not smoothed");
                }
                self.over_sample(t, &strategy, seed)
            }
            name => {
                let mut own = serde_json::Map::new();
                for (k, v) in given.iter().filter(|(k, _)| k != "sampling_strategy") {
                    own.insert(k.clone(), v.clone());
                }
                let mut spec = SamplerSpec::named(name);
                spec.params = own;
                self.over_sample_in_memory(t, &spec, &strategy, seed, how.buckets)
            }
        }
    }

    /// `imbalanced resample --engine datafusion`: reads `job.input`,
    /// resamples it ([`Engine::resample`]), writes `job.out` atomically and
    /// counts the classes written.
    pub fn resample_file(&self, job: &FileJob<'_>) -> Result<ResampleSummary> {
        let started = std::time::Instant::now();
        let t = self.read(job.input, job.target)?;
        let before = self.class_counts(&t)?;
        let df = self.resample(&t, job.method, job.params, job.how, job.seed)?;
        let out_text = job.out.to_string_lossy();
        self.write(df, job.out)?;
        let after = self.class_counts(&self.read(&out_text, Some(t.target()))?)?;
        let after: BTreeMap<&str, u64> = after.0.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        let classes: Vec<ClassChange> = before
            .0
            .iter()
            .map(|(label, n)| ClassChange {
                label: label.clone(),
                before: *n as usize,
                after: after.get(label.as_str()).copied().unwrap_or(0) as usize,
            })
            .collect();
        let name = imbalanced_resample::SAMPLERS
            .find(job.method)
            .map_err(|e| ScaleError::Unsupported(e.to_string()))?
            .info
            .name;
        Ok(ResampleSummary {
            method: name,
            params: job.params.to_vec(),
            seed: job.seed,
            rng: Default::default(),
            input: job.input.to_string(),
            output: out_text.into_owned(),
            rows_before: classes.iter().map(|c| c.before).sum(),
            rows_after: classes.iter().map(|c| c.after).sum(),
            seconds: started.elapsed().as_secs_f64(),
            classes,
        })
    }

    /// Writes one batch of rows to `out` ([`Engine::write`]).
    pub fn write_batch(&self, batch: RecordBatch, out: &Path) -> Result<u64> {
        self.write(self.stage(batch)?, out)
    }

    /// `batch` as a table the plans can read ([`Engine::stage_parts`]).
    fn stage(&self, batch: RecordBatch) -> Result<DataFrame> {
        self.stage_parts(std::iter::once(Ok(batch)))
    }

    /// Batches (of one schema) as a table the plans can read: a folder of
    /// Parquet files in the spill folder ([`Staged`]), one per batch, each
    /// written as it comes (so only one need be in memory).
    fn stage_parts(&self, parts: impl IntoIterator<Item = Result<RecordBatch>>) -> Result<DataFrame> {
        use datafusion::parquet::arrow::ArrowWriter;
        let dir = {
            let mut files = self.staged.files.lock().unwrap_or_else(|e| e.into_inner());
            let dir = self.staged.dir.join(format!(
                ".imbalanced-staged-{}-{:p}-{}",
                std::process::id(),
                &self.staged,
                files.len()
            ));
            files.push(dir.clone());
            dir
        };
        let error = |message: String| ScaleError::Write {
            path: dir.display().to_string(),
            message,
        };
        std::fs::create_dir_all(&dir).map_err(|e| error(e.to_string()))?;
        let mut schema = None;
        for (i, batch) in parts.into_iter().enumerate() {
            let batch = batch?;
            schema.get_or_insert_with(|| batch.schema());
            let file =
                std::fs::File::create(dir.join(format!("part-{i:05}.parquet"))).map_err(|e| error(e.to_string()))?;
            let mut writer = ArrowWriter::try_new(file, batch.schema(), None).map_err(|e| error(e.to_string()))?;
            writer.write(&batch).map_err(|e| error(e.to_string()))?;
            writer.close().map_err(|e| error(e.to_string()))?;
        }
        let schema = schema.ok_or_else(|| error("nothing to stage".into()))?;
        let options = ParquetReadOptions::default().schema(&schema);
        Ok(self.block_on(self.ctx.read_parquet(dir.to_string_lossy().as_ref(), options))?)
    }

    /// Collects `df` (a small result: tests, reports).
    pub fn collect(&self, df: DataFrame) -> Result<Vec<RecordBatch>> {
        Ok(self.block_on(df.collect())?)
    }

    /// Which rows of each class `label` are among its `quota` of smallest
    /// draw (`(u, key)` order): each class's draw of rank `quota`
    /// ([`Engine::draws_at_ranks`]) is its threshold, and the rows at or
    /// below it are kept: a filter ([`Lowest`]), no window and no sort, so
    /// it runs in parallel and on Ballista.
    fn lowest(&self, t: &Table, df: &DataFrame, counts: &ClassCounts, quotas: &[(String, u64)]) -> Result<Lowest> {
        let wanted: Vec<(String, Vec<u64>)> = quotas
            .iter()
            .filter(|(_, q)| *q > 0)
            .map(|(l, q)| (l.clone(), vec![*q]))
            .collect();
        let cuts = self.draws_at_ranks(t, df, counts, &wanted)?;
        let mut keep = lit(false);
        let mut straddling = Vec::new();
        for ((label, _), cut) in wanted.iter().zip(cuts) {
            let cut = cut.into_iter().next().expect("one rank per class");
            if cut.below + cut.equal == cut.rank {
                keep = keep.or(is_label(label).and(cut.at_or_below()));
            } else {
                keep = keep.or(is_label(label).and(cut.below()));
                straddling.push((label.clone(), cut));
            }
        }
        Ok(Lowest { keep, straddling })
    }

    /// For each class and each rank `r` (from 1) of `wanted`, the draw
    /// `(u, key)` of the class's `r`-th row in draw order, from two scans
    /// of `df` (a table [`with_draws`] whose class sizes are `counts`): a
    /// histogram of each class's draws (`N_c / 64` buckets, at most 65,536)
    /// finds the bucket that holds each rank; the second scan gathers the
    /// rows of those buckets (64 rows each, or `N_c / 65,536` for a large
    /// class) to order them here. Ranks of 0 or beyond the class's rows
    /// give the cuts below or above every row.
    fn draws_at_ranks(
        &self,
        t: &Table,
        df: &DataFrame,
        counts: &ClassCounts,
        wanted: &[(String, Vec<u64>)],
    ) -> Result<Vec<Vec<Cut>>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut bucket = lit(0i64);
        for (label, n) in counts.0.iter().filter(|(l, _)| wanted.iter().any(|(w, _)| w == l)) {
            let buckets = (n / ROWS_PER_BUCKET).clamp(1, MAX_BUCKETS) as f64;
            bucket = when(is_label(label), cast_expr(col(U) * lit(buckets), DataType::Int64)).otherwise(bucket)?;
        }
        let df = df.clone().with_column(BUCKET, bucket)?;
        let labels: Vec<String> = wanted.iter().map(|(l, _)| l.clone()).collect();
        let histogram = df
            .clone()
            .filter(is_in(&labels))?
            .aggregate(vec![col(LABEL), col(BUCKET)], vec![count(lit(1)).alias("n")])?;
        let mut per_class: BTreeMap<String, Vec<(i64, u64)>> = BTreeMap::new();
        for b in self.block_on(histogram.collect()).map_err(|e| t.error(e))? {
            let (l, k, n) = (
                b.column(0).as_string::<i32>(),
                b.column(1).as_primitive::<Int64Type>(),
                b.column(2).as_primitive::<Int64Type>(),
            );
            for i in 0..b.num_rows() {
                per_class
                    .entry(l.value(i).to_string())
                    .or_default()
                    .push((k.value(i), n.value(i) as u64));
            }
        }
        // Each wanted rank: its bucket and the rows of the class before that bucket.
        let mut located: Vec<Vec<Option<(i64, u64)>>> = Vec::new();
        let mut gather = lit(false);
        for (label, ranks) in wanted {
            let mut buckets = per_class.remove(label).unwrap_or_default();
            buckets.sort_unstable();
            let mut places = Vec::new();
            let mut needed = Vec::new();
            for &r in ranks {
                let mut before = 0;
                let place = buckets.iter().find_map(|&(k, n)| {
                    if r > 0 && before + n >= r {
                        Some((k, before))
                    } else {
                        before += n;
                        None
                    }
                });
                if let Some((k, _)) = place {
                    needed.push(lit(k));
                }
                places.push(place);
            }
            if !needed.is_empty() {
                gather = gather.or(is_label(label).and(col(BUCKET).in_list(needed, false)));
            }
            located.push(places);
        }
        let rows = df
            .filter(gather)?
            .select(vec![col(LABEL), col(BUCKET), col(U), col(KEY)])?;
        let mut in_bucket: BTreeMap<(String, i64), Vec<(f64, u64)>> = BTreeMap::new();
        for b in self.block_on(rows.collect()).map_err(|e| t.error(e))? {
            let (l, k) = (b.column(0).as_string::<i32>(), b.column(1).as_primitive::<Int64Type>());
            let u = b.column(2).as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            let key = b.column(3).as_primitive::<datafusion::arrow::datatypes::UInt64Type>();
            for i in 0..b.num_rows() {
                in_bucket
                    .entry((l.value(i).to_string(), k.value(i)))
                    .or_default()
                    .push((u.value(i), key.value(i)));
            }
        }
        for rows in in_bucket.values_mut() {
            rows.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        let mut cuts = Vec::new();
        for ((label, ranks), places) in wanted.iter().zip(located) {
            let mut class_cuts = Vec::new();
            for (&rank, place) in ranks.iter().zip(places) {
                class_cuts.push(match place {
                    None => Cut {
                        rank,
                        draw: None,
                        below: rank,
                        equal: 0,
                    },
                    Some((k, before)) => {
                        let rows = &in_bucket[&(label.clone(), k)];
                        let at = rows[(rank - before - 1) as usize];
                        let below = before + rows.iter().filter(|r| **r < at).count() as u64;
                        let equal = rows.iter().filter(|r| **r == at).count() as u64;
                        Cut {
                            rank,
                            draw: Some(at),
                            below,
                            equal,
                        }
                    }
                });
            }
            cuts.push(class_cuts);
        }
        Ok(cuts)
    }

    /// `df` (a table [`with_draws`]) with column `name`: the number of
    /// `cuts` (ranks, from 1, within the row's class, in draw order) that
    /// the row's rank passes. A class's rows in draw order are so dealt
    /// into consecutive blocks: folds and federated partitions. Exact
    /// duplicate rows share a draw, and so a block.
    fn dealt(
        &self,
        t: &Table,
        df: DataFrame,
        counts: &ClassCounts,
        cuts: &[(String, Vec<u64>)],
        name: &str,
    ) -> Result<DataFrame> {
        let draws = self.draws_at_ranks(t, &df, counts, cuts)?;
        let mut index = lit(0u32);
        for ((label, _), class_cuts) in cuts.iter().zip(&draws) {
            let passed = class_cuts.iter().fold(lit(0u32), |sum, cut| {
                sum + cast_expr(cut.at_or_below().not(), DataType::UInt32)
            });
            index = when(is_label(label), passed).otherwise(index)?;
        }
        Ok(df.with_column(name, index)?)
    }

    /// The table with its features read as `Float64` (an error naming a
    /// feature that is not numeric). The scan itself converts them (the
    /// input read again with that schema), not a projection above it: a
    /// union of a projection with a scan is what Ballista 55 runs wrongly
    /// (the scan's rows come back twice).
    fn numeric(&self, t: &Table) -> Result<DataFrame> {
        let schema = t.df.schema().as_arrow();
        let floats = t.float_schema()?;
        if &floats == schema {
            return Ok(t.df.clone());
        }
        if !t.scanned {
            let cast: Vec<Expr> = floats
                .fields()
                .iter()
                .map(|f| cast_expr(col_named(f.name()), f.data_type().clone()).alias(f.name()))
                .collect();
            return Ok(t.df.clone().select(cast)?);
        }
        self.scan(&t.input, Some(&floats))
    }
}

/// The rows of smallest draw, as [`Engine::lowest`] finds them: those
/// where `keep` holds, and, for a class whose threshold falls inside a group
/// of exact duplicate rows (one draw), as many of that group's copies as
/// its quota still needs.
struct Lowest {
    keep: Expr,
    straddling: Vec<(String, Cut)>,
}

impl Lowest {
    /// `out` with the straddling groups' missing copies, taken from `df`
    /// (they are the same row, so which ones does not matter).
    fn with_straddling(&self, df: &DataFrame, mut out: DataFrame) -> Result<DataFrame> {
        for (label, cut) in &self.straddling {
            let copies = df
                .clone()
                .filter(is_label(label).and(cut.at()))?
                .limit(0, Some((cut.rank - cut.below) as usize))?;
            out = out.union(copies)?;
        }
        Ok(out)
    }
}

/// A class's draw of some rank: its rows at or below it (in `(u, key)`
/// order) are its first `rank` rows, unless exact duplicates straddle it.
#[derive(Debug, Clone)]
struct Cut {
    rank: u64,
    /// `None`: no row has this rank (0: the cut is below every row; past
    /// the class's rows: above every row).
    draw: Option<(f64, u64)>,
    /// The class's rows of smaller draw.
    below: u64,
    /// The class's rows of this draw (more than one: exact duplicates).
    equal: u64,
}

impl Cut {
    fn at_or_below(&self) -> Expr {
        match self.draw {
            None => lit(self.rank > 0),
            Some((u, key)) => col(U).lt(lit(u)).or(col(U).eq(lit(u)).and(col(KEY).lt_eq(lit(key)))),
        }
    }

    fn below(&self) -> Expr {
        match self.draw {
            None => lit(self.rank > 0),
            Some((u, key)) => col(U).lt(lit(u)).or(col(U).eq(lit(u)).and(col(KEY).lt(lit(key)))),
        }
    }

    fn at(&self) -> Expr {
        match self.draw {
            None => lit(false),
            Some((u, key)) => col(U).eq(lit(u)).and(col(KEY).eq(lit(key))),
        }
    }
}

impl Table {
    /// The table's schema with its numeric features as `Float64`, or the
    /// error naming a feature that is not numeric.
    fn float_schema(&self) -> Result<Schema> {
        let (t, schema) = (self, self.df.schema().as_arrow());
        let mut fields = Vec::new();
        for f in schema.fields() {
            let name = f.name();
            if name == &t.target || f.data_type() == &DataType::Float64 {
                fields.push(f.as_ref().clone());
            } else if f.data_type().is_numeric() {
                fields.push(f.as_ref().clone().with_data_type(DataType::Float64));
            } else {
                return Err(ScaleError::Unsupported(format!(
                    "{}: column {name:?} is {}: the samplers that make new rows take numeric features here; drop it or \
                     encode it first",
                    t.input,
                    f.data_type()
                )));
            }
        }
        Ok(Schema::new(fields))
    }

    fn error(&self, e: DataFusionError) -> ScaleError {
        ScaleError::Input {
            input: self.input.clone(),
            message: e.to_string(),
        }
    }
}

/// The file formats read and written, by extension.
enum Format {
    Parquet,
    /// Delimiter and the extension the files of a folder carry.
    Csv(u8, &'static str),
}

impl Format {
    fn of(path: &str) -> Result<Format> {
        let lower = path.to_ascii_lowercase();
        let p = Path::new(&lower);
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "parquet" | "pq" => Ok(Format::Parquet),
            "csv" => Ok(Format::Csv(b',', ".csv")),
            "tsv" => Ok(Format::Csv(b'\t', ".tsv")),
            // An object store's prefix: its Parquet files.
            _ if stores::is_url(path) => Ok(Format::Parquet),
            // A folder (or a glob of one): its files decide, Parquet first.
            _ if Path::new(path).is_dir() => {
                let files: Vec<String> = std::fs::read_dir(path)
                    .map_err(|e| ScaleError::Input {
                        input: path.to_string(),
                        message: e.to_string(),
                    })?
                    .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_ascii_lowercase()))
                    .collect();
                if files.iter().any(|f| f.ends_with(".parquet")) {
                    Ok(Format::Parquet)
                } else if files.iter().any(|f| f.ends_with(".csv")) {
                    Ok(Format::Csv(b',', ".csv"))
                } else {
                    Err(ScaleError::Input {
                        input: path.to_string(),
                        message: "no .parquet or .csv files in this folder".into(),
                    })
                }
            }
            _ => Err(ScaleError::Input {
                input: path.to_string(),
                message: "give a .parquet, .csv or .tsv file, a folder of them, a glob, or an object store's URL"
                    .into(),
            }),
        }
    }
}

/// A bucket's rows of each grown class and the new rows it makes of it.
type Share = BTreeMap<String, (u64, u64)>;

/// `total` new rows shared among buckets in proportion to their `rows`:
/// floors first, then one more for the largest remainders (the earlier
/// bucket on ties), only for buckets with rows. The shares sum to `total`
/// when any bucket has rows.
fn shares_of(total: u64, rows: &[u64]) -> Vec<u64> {
    let all: u64 = rows.iter().sum();
    if all == 0 {
        return vec![0; rows.len()];
    }
    let exact: Vec<u128> = rows.iter().map(|&n| total as u128 * n as u128).collect();
    let mut shares: Vec<u64> = exact.iter().map(|e| (e / all as u128) as u64).collect();
    let mut order: Vec<usize> = (0..rows.len()).filter(|&b| rows[b] > 0).collect();
    order.sort_by_key(|&b| (std::cmp::Reverse(exact[b] % all as u128), b));
    let missing = total - shares.iter().sum::<u64>();
    for &b in order.iter().take(missing as usize) {
        shares[b] += 1;
    }
    shares
}

/// Where each class's rows, in draw order, pass from one of `k` folds to
/// the next: the first `N_c mod k` folds one row larger (scikit-learn's
/// `StratifiedKFold` sizes).
fn fold_cuts(counts: &ClassCounts, k: usize) -> Vec<(String, Vec<u64>)> {
    let k = k as u64;
    counts
        .0
        .iter()
        .map(|(label, n)| (label.clone(), (1..k).map(|f| f * (n / k) + f.min(n % k)).collect()))
        .collect()
}

/// The rows a DataFusion write reports (one count per file).
fn rows_written(batches: &[RecordBatch]) -> Result<u64, datafusion::arrow::error::ArrowError> {
    batches
        .iter()
        .map(|b| {
            cast(b.column(0), &DataType::UInt64)
                .map(|c| c.as_primitive::<datafusion::arrow::datatypes::UInt64Type>().value(0))
        })
        .sum()
}

/// Writes the rows of `df`, in its order, to `path` in `format`, from this
/// process (Arrow's Parquet and CSV writers). Returns the rows.
async fn stream_to_file(df: DataFrame, path: &Path, format: &Format) -> datafusion::common::Result<u64> {
    use datafusion::parquet::arrow::ArrowWriter;
    use futures::StreamExt;
    let schema = Arc::new(df.schema().as_arrow().clone());
    let mut stream = df.execute_stream().await?;
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut rows = 0;
    match format {
        Format::Parquet => {
            let mut writer = ArrowWriter::try_new(file, schema, None)?;
            while let Some(batch) = stream.next().await {
                let batch = batch?;
                rows += batch.num_rows() as u64;
                writer.write(&batch)?;
            }
            writer.close()?;
        }
        Format::Csv(..) => {
            let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(file);
            while let Some(batch) = stream.next().await {
                let batch = batch?;
                rows += batch.num_rows() as u64;
                writer.write(&batch)?;
            }
        }
    }
    Ok(rows)
}

/// A column by its exact name (no identifier normalisation).
fn col_named(name: &str) -> Expr {
    Expr::Column(Column::from_name(name))
}

fn cast_expr(e: Expr, to: DataType) -> Expr {
    Expr::Cast(datafusion::logical_expr::Cast::new(Box::new(e), to))
}

/// The target as text.
fn label_expr(t: &Table) -> Expr {
    cast_expr(col_named(&t.target), DataType::Utf8).alias(LABEL)
}

fn is_label(label: &str) -> Expr {
    col(LABEL).eq(lit(label))
}

fn is_in(labels: &[String]) -> Expr {
    col(LABEL).in_list(labels.iter().map(|l| lit(l.as_str())).collect(), false)
}

fn not_in(labels: &[String]) -> Expr {
    if labels.is_empty() {
        return lit(true);
    }
    col(LABEL).in_list(labels.iter().map(|l| lit(l.as_str())).collect(), true)
}

/// `first_value` of every column, per class: one row of each.
fn first_rows(t: &Table) -> Vec<Expr> {
    use datafusion::functions_aggregate::expr_fn::first_value;
    t.df.schema()
        .fields()
        .iter()
        .map(|f| first_value(col_named(f.name()), vec![]).alias(f.name()))
        .collect()
}

/// The table with its label, row key and draw.
fn with_draws(t: &Table, seed: u64) -> Result<DataFrame> {
    add_draws(t, t.df.clone(), seed)
}

fn add_draws(t: &Table, df: DataFrame, seed: u64) -> Result<DataFrame> {
    let values: Vec<Expr> = df.schema().fields().iter().map(|f| col_named(f.name())).collect();
    Ok(df
        .with_column(LABEL, label_expr(t))?
        .with_column(KEY, keys::RowKey::udf().call(values))?
        .with_column(U, keys::SeededUniform::udf().call(vec![col(KEY), lit(seed)]))?)
}

/// The output order: by class (the target's own order), then by draw.
fn order(t: &Table) -> Vec<SortExpr> {
    vec![
        col_named(&t.target).sort(true, true),
        col(U).sort(true, true),
        col(KEY).sort(true, true),
    ]
}

/// Sorted into the output order, the helper columns dropped.
fn finish(t: &Table, df: DataFrame) -> Result<DataFrame> {
    let columns: Vec<Expr> = t.df.schema().fields().iter().map(|f| col_named(f.name())).collect();
    Ok(df.sort(order(t))?.select(columns)?)
}

fn finish_with_draws(t: &Table, df: DataFrame, seed: u64) -> Result<DataFrame> {
    let columns: Vec<Expr> = df.schema().fields().iter().map(|f| col_named(f.name())).collect();
    Ok(add_draws(t, df, seed)?.sort(order(t))?.select(columns)?)
}

/// A batch's features (`Float64`, row-major) and row keys.
fn batch_rows(t: &Table, b: &RecordBatch) -> Result<(Vec<f64>, Vec<u64>)> {
    let d = t.features.len();
    let mut x = vec![0.0; b.num_rows() * d];
    for (j, name) in t.features.iter().enumerate() {
        let column = b.column_by_name(name).expect("a feature column");
        let values = column.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        if values.null_count() > 0 {
            return Err(ScaleError::Input {
                input: t.input.clone(),
                message: format!("column {name:?} has missing values: impute or drop them first"),
            });
        }
        for (i, v) in values.values().iter().enumerate() {
            x[i * d + j] = *v;
        }
    }
    let keys = b
        .column_by_name(KEY)
        .expect("the key column")
        .as_primitive::<datafusion::arrow::datatypes::UInt64Type>()
        .values()
        .to_vec();
    Ok((x, keys))
}

/// A sampler's parameters, as the catalogue configured them, read into its
/// own type; a bad value is the catalogue's error, naming the parameter.
fn entry_params<T: serde::de::DeserializeOwned>(
    entry: &imbalanced_catalog::Entry<dyn imbalanced_resample::Resampler>,
    params: &serde_json::Value,
) -> Result<T> {
    let unsupported = |e: String| ScaleError::Unsupported(e);
    entry.build(params.clone()).map_err(|e| unsupported(e.to_string()))?;
    serde_json::from_value(params.clone()).map_err(|e| unsupported(e.to_string()))
}

/// The gathered rows (numeric features, the target) as a dataset whose
/// class codes are those of `labels`.
fn to_dataset(t: &Table, batches: &[RecordBatch], labels: &[String]) -> Result<Dataset> {
    let n: usize = batches.iter().map(|b| b.num_rows()).sum();
    let d = t.features.len();
    let mut x = ndarray::Array2::<f64>::zeros((n, d));
    let mut y = Vec::with_capacity(n);
    let mut row = 0;
    for b in batches {
        let target = cast(b.column_by_name(&t.target).expect("the target column"), &DataType::Utf8)?;
        let target = target.as_string::<i32>();
        for (j, name) in t.features.iter().enumerate() {
            let column = b.column_by_name(name).expect("a feature column");
            let values = column.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            for i in 0..b.num_rows() {
                if values.is_null(i) {
                    return Err(ScaleError::Input {
                        input: t.input.clone(),
                        message: format!("column {name:?} has missing values: impute or drop them first"),
                    });
                }
                x[(row + i, j)] = values.value(i);
            }
        }
        for i in 0..b.num_rows() {
            let label = target.value(i);
            y.push(labels.iter().position(|l| l == label).expect("a counted label"));
        }
        row += b.num_rows();
    }
    let features = t
        .features
        .iter()
        .enumerate()
        .map(|(index, name)| Feature {
            name: name.clone(),
            kind: FeatureKind::Numeric,
            index,
        })
        .collect();
    Dataset::from_parts(
        features,
        x,
        ndarray::Array2::zeros((n, 0)),
        Vec::new(),
        t.target.clone(),
        d,
        labels.to_vec(),
        y,
    )
    .map_err(|e| ScaleError::Input {
        input: t.input.clone(),
        message: e.to_string(),
    })
}

/// The rows a sampler added to `out` (those past the first `n`) as a batch
/// with `like`'s schema (features `Float64`, the target its own type).
fn synthetic_batch(t: &Table, out: &Dataset, n: usize, like: &DataFrame) -> Result<RecordBatch> {
    use datafusion::arrow::array::{Float64Array, StringArray};
    let schema: Arc<Schema> = Arc::new(like.schema().as_arrow().clone());
    let rows = n..out.n_samples();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        if field.name() == &t.target {
            let labels: StringArray = rows.clone().map(|r| Some(out.classes()[out.y()[r]].as_str())).collect();
            columns.push(cast(&labels, field.data_type())?);
        } else {
            let j = t.features.iter().position(|f| f == field.name()).expect("a feature");
            let values: Float64Array = rows.clone().map(|r| Some(out.numeric()[(r, j)])).collect();
            columns.push(Arc::new(values) as _);
        }
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

#[cfg(test)]
mod tests {
    use super::shares_of;

    #[test]
    fn shares_sum_to_the_total_and_stay_within_one_of_proportional() {
        let mut state = 3u64;
        for _ in 0..200 {
            state = crate::splitmix64(state);
            let buckets = 1 + (state % 9) as usize;
            let rows: Vec<u64> = (0..buckets)
                .map(|b| {
                    let r = crate::splitmix64(state ^ b as u64);
                    if r.is_multiple_of(4) {
                        0
                    } else {
                        r % 1000
                    }
                })
                .collect();
            let total = crate::splitmix64(state ^ 99) % 5000;
            let shares = shares_of(total, &rows);
            let all: u64 = rows.iter().sum();
            if all == 0 {
                assert!(shares.iter().all(|&s| s == 0));
                continue;
            }
            assert_eq!(shares.iter().sum::<u64>(), total, "{rows:?}");
            for (s, n) in shares.iter().zip(&rows) {
                let exact = total as f64 * *n as f64 / all as f64;
                assert!((*s as f64 - exact).abs() < 1.0, "{s} vs {exact}");
                if *n == 0 {
                    assert_eq!(*s, 0);
                }
            }
        }
    }
}
