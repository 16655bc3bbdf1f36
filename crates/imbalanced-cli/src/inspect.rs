use std::path::PathBuf;

use clap::Args;
use imbalanced::diagnose::associations::association_test;
use imbalanced::diagnose::{profile, Profile};
use imbalanced::losses::{focal_table, FocalRow};

use crate::InputArgs;

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
    /// Also report what focal loss does to this class prior (Shah, Cardone & Dytso 2026):
    /// the focal-entropy minimiser for several gamma, which classes it over-suppresses,
    /// and the largest gamma that suppresses none.
    #[arg(long)]
    pub focal: bool,
    /// Also test whether this synthetic or resampled table (same columns and classes) keeps the
    /// file's strongest associations with the target: an association-guided corruption test
    /// (Pearson r, correlation ratio, Theil's U; after ReTabSyn, our formulation). A balanced
    /// table's r and η are larger than an imbalanced one's: read signs and order then.
    #[arg(long, value_name = "FILE")]
    pub synthetic: Option<PathBuf>,
    /// Features the --synthetic test compares: the strongest by association with the target.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// With --engine datafusion: the rows, features and class counts of a file, folder or glob
    /// too large for memory (no difficulty profile: it needs neighbours).
    #[command(flatten)]
    pub engine: crate::scale::EngineArgs,
}

fn focal_report(p: &Profile) -> Result<(Vec<FocalRow>, f64), imbalanced::losses::LossError> {
    let prior: Vec<f64> = p.classes.iter().map(|c| c.fraction).collect();
    let labels: Vec<String> = p.classes.iter().map(|c| c.label.clone()).collect();
    focal_table(&prior, &labels)
}

pub fn run(args: InspectArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.engine.engine.is_some() {
        return crate::scale::inspect(&args);
    }
    let data = args.input.load(&args.file)?;
    let p = profile(&data, args.k)?;
    if let Some(out) = &args.plot {
        imbalanced::diagnose::plot::save_class_distribution(&p, &args.file.display().to_string(), out)?;
    }
    let focal = if args.focal { Some(focal_report(&p)?) } else { None };
    let associations = match &args.synthetic {
        Some(path) => Some(association_test(&data, &args.input.load(path)?, args.top, 0)?),
        None => None,
    };
    if args.json {
        let mut out = serde_json::json!({"profile": p});
        if let Some((rows, advice)) = &focal {
            out["focal"] = serde_json::json!(rows);
            out["largest_safe_gamma"] = serde_json::json!(advice);
        }
        if let Some(test) = &associations {
            out["associations"] = serde_json::json!(test);
        }
        // Without extra reports, the profile alone, as before.
        let out = if focal.is_none() && associations.is_none() {
            out["profile"].take()
        } else {
            out
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    print_profile(&p, &args.file.display().to_string());
    if let Some((rows, advice)) = &focal {
        print_focal(rows, *advice);
    }
    if let (Some(test), Some(path)) = (&associations, &args.synthetic) {
        println!(
            "{}: keeps {:.0}% of the {} strongest associations with the target (mean change {:.3})",
            path.display(),
            100.0 * test.score,
            test.features.len(),
            test.mean_abs_change
        );
        let (header, rows) = test.table();
        crate::print_table(header, rows);
        println!("kept: the synthetic value is nearer the real one than the value with that column shuffled");
    }
    if let Some(out) = &args.plot {
        println!("plot written to {}", out.display());
    }
    Ok(())
}

fn print_profile(p: &Profile, file: &str) {
    println!(
        "{}: {} rows, {} features, {} classes, imbalance ratio {:.2}",
        file,
        p.n_samples,
        p.n_features,
        p.classes.len(),
        p.imbalance_ratio
    );
    let mut table = crate::table();
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
}

fn print_focal(rows: &[FocalRow], advice: f64) {
    let mut table = crate::table();
    table.set_header(["gamma", "mu", "rarest class q*/p", "over-suppressed rare classes"]);
    for r in rows {
        table.add_row([
            format!("{}", r.gamma),
            format!("{:.4}", r.mu),
            format!("{:.3}", r.rarest_ratio),
            if r.over_suppressed.is_empty() {
                "-".to_string()
            } else {
                r.over_suppressed.join(", ")
            },
        ]);
    }
    println!("focal loss on this prior: the focal-entropy minimiser q* (Shah, Cardone & Dytso 2026)");
    println!("{table}");
    println!(
        "over-suppressed: rare classes (below the peak of p*h(p)) whose q* falls under their share p, which needs mu > 1; \
         largest gamma (up to 5, step 0.1) that over-suppresses no class here: {advice:.1}"
    );
}
