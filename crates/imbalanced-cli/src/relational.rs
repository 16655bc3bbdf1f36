//! `imbalanced relational`: flatten a parent table and its child tables,
//! over-sample by relation blocks, and compare with flat SMOTE.

use std::path::PathBuf;

use clap::Args;
use imbalanced::eval::{evaluate, EvaluateOptions};
use imbalanced::relational::{flatten, synthetic_tables, ChildSpec};
use imbalanced::resample::{RelationGate, Resampler};

use crate::evaluate::{print_table, progress_bar};
use crate::{InputArgs, ModelArgs};

#[derive(Args)]
pub struct RelationalArgs {
    /// The parent table (one row per entity, with its label and key).
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// The parent's key column.
    #[arg(long)]
    pub key: String,
    /// A child table and its foreign key column, FILE:COLUMN; repeatable.
    #[arg(long = "child", value_name = "FILE:COLUMN")]
    pub children: Vec<ChildSpec>,
    /// Write the flat table (one row per parent, the relation blocks) here; with --resample, the
    /// table after RelationalSMOTE.
    #[arg(long, short, value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// Over-sample the flat table with RelationalSMOTE before writing it.
    #[arg(long)]
    pub resample: bool,
    /// With --resample: also write the new rows as relational tables into this folder, one file
    /// per table (the parent's new rows, keyed synthetic-1, ...; each child table's rows for
    /// them, consistent with their counts, min, max, last and, where it can be, mean), to
    /// append to the originals.
    #[arg(long, value_name = "DIR", requires = "resample")]
    pub children_out: Option<PathBuf>,
    /// The relation gate: association (blocks weighed by their tie to the label),
    /// balanced_accuracy (weights learned for leave-one-out k-NN balanced accuracy) or uniform.
    #[arg(long, default_value = "association")]
    pub gate: String,
    /// Cross-validate, with the same folds: no resampling, SMOTE on the flat table, and
    /// RelationalSMOTE with each gate (the learned one fitted on each training fold).
    #[arg(long)]
    pub evaluate: bool,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of stratified folds of --evaluate.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the samplers and the classifier.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print --evaluate's results as JSON on stdout (and nothing else).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RelationalArgs) -> Result<(), Box<dyn std::error::Error>> {
    let flat = flatten(&args.file, &args.key, &args.children, &args.input.options())?;
    let gate: RelationGate = serde_json::from_value(serde_json::json!(args.gate))
        .map_err(|_| format!("--gate {}: use association, balanced_accuracy or uniform", args.gate))?;
    let chosen = flat.sampler(gate, args.seed);
    let data = &flat.data;
    let say = !args.json;
    if say {
        // Shown only: a resampling computes the weights on its own rows.
        let weights = chosen.gate_weights(data.numeric(), data.y(), data.classes().len())?;
        println!(
            "{}: {} rows, {} columns in {} blocks",
            args.file.display(),
            data.n_samples(),
            data.numeric().ncols(),
            flat.blocks.len()
        );
        let (header, rows) = flat.blocks_table(&format!("{} gate weight", args.gate), &weights);
        crate::print_table(header, rows);
        if !flat.skipped.is_empty() {
            let left_out: Vec<String> = flat.skipped.iter().map(|(c, why)| format!("{c} ({why})")).collect();
            println!("left out: {}", left_out.join(", "));
        }
    }
    if args.out.is_some() || args.children_out.is_some() {
        let table = if args.resample {
            chosen.fit_resample_dataset(data)?
        } else {
            data.clone()
        };
        if let Some(out) = &args.out {
            imbalanced::data::write(&table, out)?;
            if say {
                println!("wrote {} ({} rows)", out.display(), table.n_samples());
            }
        }
        if let Some(dir) = &args.children_out {
            std::fs::create_dir_all(dir)?;
            for (name, text) in synthetic_tables(&flat, &table, &args.key) {
                let path = dir.join(&name);
                imbalanced::data::write_text(&path, &text)?;
                if say {
                    println!("wrote {} ({} new rows)", path.display(), text.lines().count() - 1);
                }
            }
        }
    }
    if args.evaluate {
        let methods = flat.comparison(args.seed);
        let opts = EvaluateOptions {
            model: args.model.build(args.seed)?,
            n_splits: args.folds,
            seed: args.seed,
            ..Default::default()
        };
        let bar = progress_bar(methods.len() * opts.n_splits);
        let name = args
            .file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let result = evaluate(data, &name, &methods, &opts, &|| bar.inc(1));
        bar.finish_and_clear();
        let e = result?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&e.to_json())?);
        } else {
            print_table(&e);
        }
    }
    Ok(())
}
