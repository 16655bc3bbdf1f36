use std::path::PathBuf;

use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use imbalanced::diagnose::profile;

use crate::{plot, InputArgs};

#[derive(Args)]
pub struct InspectArgs {
    /// CSV, KEEL .dat, ARFF or Parquet file.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Neighbourhood size of the difficulty profile.
    #[arg(long, default_value_t = 5)]
    pub k: usize,
    /// Draw the class distribution with each class's difficulty mix to an .svg or .png file.
    #[arg(long, value_name = "OUT")]
    pub plot: Option<PathBuf>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> Result<(), Box<dyn std::error::Error>> {
    let data = args.input.load(&args.file)?;
    let p = profile(&data, args.k)?;
    if let Some(out) = &args.plot {
        plot::class_distribution(&p, &args.file.display().to_string(), out)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&p)?);
        return Ok(());
    }
    println!(
        "{}: {} rows, {} features, {} classes, imbalance ratio {:.2}",
        args.file.display(),
        p.n_samples,
        p.n_features,
        p.classes.len(),
        p.imbalance_ratio
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["class", "count", "share", "safe", "borderline", "rare", "outlier"]);
    let pct = |v: f64| format!("{:.1}%", 100.0 * v);
    for c in &p.classes {
        table.add_row([
            c.label.clone(),
            c.count.to_string(),
            pct(c.fraction),
            pct(c.safe),
            pct(c.borderline),
            pct(c.rare),
            pct(c.outlier),
        ]);
    }
    println!("{table}");
    println!(
        "difficulty: share of each class's samples by how many of their {} nearest neighbours share their class \
         (Napierala & Stefanowski 2016)",
        p.k
    );
    if let Some(out) = &args.plot {
        println!("plot written to {}", out.display());
    }
    Ok(())
}
