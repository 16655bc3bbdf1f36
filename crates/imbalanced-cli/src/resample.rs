use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use imbalanced::data::{is_stdio, Format};
use imbalanced::resample::{
    randomness, resample_file, take_categorical_features, ClassChange, FileResampled, ResampleSummary, RngKind,
    SAMPLERS,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::InputArgs;

#[derive(Args)]
pub struct ResampleArgs {
    /// CSV (any delimiter), TSV, KEEL .dat, ARFF or Parquet file, optionally
    /// .gz / .zst / .bz2 compressed; - reads standard input.
    #[arg(required_unless_present = "list")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Sampler: imbalanced-learn's class name, any case (SMOTE, TomekLinks, NearMiss, ...),
    /// or an alias (smote-tomek, rus, enn, ...). See --list.
    #[arg(long, short, required_unless_present = "list")]
    pub method: Option<String>,
    /// A sampler parameter in imbalanced-learn's name, repeatable:
    /// k_neighbors=3, kind_sel=mode, version=2, sampling_strategy=minority,
    /// sampling_strategy='{"0":100,"1":50}' (labels as in the file); a nested
    /// step's with `__`: smote__k_neighbors=3. SMOTENC's categorical_features=a,b
    /// (column names) works like --categorical a,b. See --list for each sampler's.
    #[arg(long = "param", short, value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Seed of randomised samplers (imbalanced-learn's random_state).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Random generator: `numpy` reproduces imbalanced-learn's output for the same
    /// seed; `default` is a faster xoshiro256++.
    #[arg(long, default_value = "default")]
    pub rng: RngKind,
    /// Output file; its extension (.csv, .tsv, .dat, .arff, .parquet, then
    /// optionally .gz, .zst, .bz2) picks the format; - writes CSV to standard
    /// output (the summary then goes to standard error). Text with the input's
    /// delimiter gets the input rows kept copied as they stand (samplers that
    /// only pick rows then read only the labels).
    #[arg(long, short, required_unless_present = "list")]
    pub out: Option<PathBuf>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// List the samplers, one line each.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub engine: crate::scale::EngineArgs,
    /// With --engine and RandomUnderSampler: keep each row with probability target / count in
    /// one pass, instead of exactly the target's rows.
    #[arg(long, requires = "engine")]
    pub bernoulli: bool,
    /// With --engine and SMOTE, for classes too large to gather: resample them in N hash buckets,
    /// one at a time (approximate: neighbours are sought within a bucket). Default: 1 (exact).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "engine")]
    pub buckets: usize,
}

fn list() {
    let width = SAMPLERS.entries.iter().map(|e| e.info.name.len()).max().unwrap_or(0);
    for e in SAMPLERS.entries {
        println!("{:width$}  {:10}  {}", e.info.name, e.info.kind, e.info.summary);
        println!("{:width$}  {:10}  {}", "", "", e.signature());
    }
}

pub fn run(args: ResampleArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.list {
        list();
        return Ok(());
    }
    let (Some(file), Some(method), Some(out)) = (&args.file, &args.method, &args.out) else {
        unreachable!("clap requires FILE, --method and --out without --list");
    };
    if !is_stdio(out) {
        Format::from_path(out)?;
    }
    let mut params = crate::parse_params(&args.params, "--param")?;
    if args.engine.engine.is_some() {
        let report = crate::scale::resample(&args, file, method, &params, out)?;
        return print_report(&report, args.json, out);
    }
    // SMOTENC's categorical_features name columns: the reader declares them.
    let mut input = args.input.clone();
    input.categorical.extend(take_categorical_features(&mut params));
    let sampler = SAMPLERS.build(method, &params, &randomness(args.seed, args.rng))?;
    let spinner = ProgressBar::new_spinner();
    let result = resample_file(sampler.as_ref(), file, &input.options(), out, |data| {
        crate::warn_identifiers(data);
        spinner.set_message(format!("{} on {} rows", sampler.name(), data.n_samples()));
        spinner.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
        spinner.enable_steady_tick(Duration::from_millis(120));
    });
    spinner.finish_and_clear();
    let FileResampled {
        input: data,
        output: resampled,
        seconds,
    } = result?;

    let report = ResampleSummary {
        method: sampler.name(),
        params,
        seed: args.seed,
        rng: args.rng,
        input: file.display().to_string(),
        output: out.display().to_string(),
        rows_before: data.n_samples(),
        rows_after: resampled.n_samples(),
        seconds,
        classes: ClassChange::between(&data, &resampled),
    };
    print_report(&report, args.json, out)
}

/// The summary on stdout (stderr where the data went to stdout), as a table
/// or JSON.
fn print_report(report: &ResampleSummary, json: bool, out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let text = match json {
        true => serde_json::to_string_pretty(report)?,
        false => report_table(report),
    };
    match (is_stdio(out), json) {
        (true, _) => eprintln!("{text}"),
        (false, true) => println!("{text}"),
        (false, false) => println!("{text}\nwrote {}", out.display()),
    }
    Ok(())
}

/// The summary: method and time, then the table of class counts.
fn report_table(report: &ResampleSummary) -> String {
    let (header, rows) = report.table();
    let mut table = crate::table();
    table.set_header(header);
    rows.into_iter().for_each(|r| {
        table.add_row(r);
    });
    format!("{} ({:.3} s)\n{table}", report.method, report.seconds)
}
