use std::path::PathBuf;

use clap::Args;
use imbalanced::data::{is_stdio, write};

use crate::InputArgs;

#[derive(Args)]
pub struct ConvertArgs {
    /// Input: CSV (any delimiter), TSV, KEEL .dat, ARFF or Parquet, optionally
    /// .gz / .zst / .bz2 compressed; - reads standard input.
    pub input: PathBuf,
    /// Output; its extension picks the format and compression
    /// (data.parquet, data.tsv, data.csv.gz, ...); - writes CSV to standard output.
    pub output: PathBuf,
    #[command(flatten)]
    pub read: InputArgs,
}

pub fn run(args: ConvertArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Any table converts: without --target no column is singled out as the label.
    let mut opts = args.read.options();
    opts.unlabelled = args.read.target.is_none();
    let data = imbalanced::data::read(&args.input, &opts)?;
    write(&data, &args.output)?;
    if !is_stdio(&args.output) {
        eprintln!(
            "wrote {} ({} rows, {} columns)",
            args.output.display(),
            data.n_samples(),
            data.features().len() + usize::from(data.is_labelled())
        );
    }
    Ok(())
}
