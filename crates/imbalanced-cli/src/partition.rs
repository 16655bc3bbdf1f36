use std::path::PathBuf;

use clap::Args;
use imbalanced::catalog::Value;
use imbalanced::federated::{partition_dataset, LongTail, Profile, Split, PARTITIONERS};

use crate::InputArgs;

#[derive(Args)]
pub struct PartitionArgs {
    /// CSV (any delimiter), TSV, KEEL .dat, ARFF or Parquet file, optionally
    /// .gz / .zst / .bz2 compressed; - reads standard input.
    #[arg(required_unless_present = "list")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Partitioner: flwr-datasets' class name, any case (DirichletPartitioner,
    /// PathologicalPartitioner, ShardPartitioner, IidPartitioner, ...) or an alias
    /// (dirichlet, pathological, shard, iid, inner-dirichlet, linear, square,
    /// exponential, size, natural-id). See --list.
    #[arg(long, required_unless_present = "list")]
    pub partitioner: Option<String>,
    /// Number of partitions (clients): the partitioner's num_partitions.
    #[arg(long, short = 'n', value_name = "N")]
    pub num_partitions: Option<usize>,
    /// A partitioner parameter in flwr-datasets' name, repeatable: alpha=0.3,
    /// alpha=[0.1,0.5,1], min_partition_size=5, self_balancing=true,
    /// num_classes_per_partition=2, class_assignment_mode=deterministic,
    /// shard_size=100, partition_sizes=[100,200], partition_by=COLUMN (a client-id
    /// column for natural-id; default the label). See --list.
    #[arg(long = "param", short, value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Seed of the partitioner (flwr-datasets' seed; its default is 42), and of
    /// --long-tail's draws.
    #[arg(long)]
    pub seed: Option<u64>,
    /// First make the data long-tailed, then partition: PROFILE:RATIO, with
    /// PROFILE exponential or step and RATIO the rows of the first class over
    /// those of the last (e.g. exponential:100, as CIFAR-10-LT).
    #[arg(long, value_name = "PROFILE:RATIO", value_parser = parse_long_tail)]
    pub long_tail: Option<(Profile, f64)>,
    /// Write one file per client (client_<i>.csv, or --format's extension) and
    /// manifest.json to this new or empty folder. Without it (and --json) the
    /// command prints the clients' class counts only.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The clients' file format with --out: csv, tsv, dat, arff, parquet, optionally
    /// .gz / .zst / .bz2 (e.g. csv.gz).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Print {"partitions": [[row, ...], ...]}: each client's rows of the input
    /// (0-based, in flwr-datasets' order).
    #[arg(long)]
    pub json: bool,
    /// Draw the clients x classes counts as a heat map (.png or .svg).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// List the partitioners with their parameters, one entry each.
    #[arg(long)]
    pub list: bool,
    /// With --engine datafusion (DirichletPartitioner only): --out names one .parquet or .csv
    /// file, the rows with their `partition` column.
    #[command(flatten)]
    pub engine: crate::scale::EngineArgs,
}

/// `exponential:100` as a profile and an imbalance ratio.
pub(crate) fn parse_long_tail(text: &str) -> Result<(Profile, f64), String> {
    let (profile, ratio) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?}: give PROFILE:RATIO, e.g. exponential:100 or step:10"))?;
    let ratio: f64 = ratio
        .parse()
        .map_err(|_| format!("{ratio:?} is not a number: give the imbalance ratio, e.g. exponential:100"))?;
    Ok((profile.parse()?, ratio))
}

fn list() {
    let width = PARTITIONERS
        .entries
        .iter()
        .map(|e| e.info.name.len())
        .max()
        .unwrap_or(0);
    for e in PARTITIONERS.entries {
        println!("{:width$}  {}", e.info.name, e.info.summary);
        println!("{:width$}  {}", "", e.signature());
    }
}

pub fn run(args: PartitionArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.list {
        list();
        return Ok(());
    }
    let (Some(file), Some(name)) = (&args.file, &args.partitioner) else {
        unreachable!("clap requires FILE and --partitioner without --list");
    };
    let entry = PARTITIONERS.find(name)?;
    let mut given = crate::parse_params(&args.params, "--param")?;
    if let Some(n) = args.num_partitions {
        given.push(("num_partitions".into(), Value::from(n)));
    }
    if let Some(seed) = args.seed {
        given.push(("seed".into(), Value::from(seed)));
    }
    let params = entry.configure(&given, &[])?;
    if args.engine.engine.is_some() {
        let counts = crate::scale::partition(&args, file, entry.info.name, &given)?;
        println!("{}", counts_table(entry.info.name, &counts.classes, &counts.counts));
        if let Some(out) = &args.out {
            println!("wrote {}", out.display());
        }
        return Ok(());
    }
    let partitioner = entry.build(params.clone())?;
    let data = args.input.load(file)?;
    let long_tail = args.long_tail.map(|(profile, imbalance_ratio)| LongTail {
        profile,
        imbalance_ratio,
        seed: args.seed.unwrap_or(42),
    });
    let partitions = partition_dataset(&data, partitioner.as_ref(), long_tail.as_ref())?;
    let mut split = Split::new(entry.info.name, params, &file.display().to_string(), &data, &partitions);
    if let Some(dir) = &args.out {
        split.write(&data, &partitions, dir, &args.format)?;
    }
    if let Some(out) = &args.plot {
        split.save_heatmap(out)?;
    }
    if args.json {
        println!("{}", serde_json::json!({ "partitions": partitions }));
        return Ok(());
    }
    println!("{}", summary_table(&split));
    if let Some(dir) = &args.out {
        println!(
            "wrote {} client files and manifest.json to {}",
            partitions.len(),
            dir.display()
        );
    }
    if let Some(out) = &args.plot {
        println!("plot written to {}", out.display());
    }
    Ok(())
}

/// One row per client: its rows and its rows of each class.
fn summary_table(split: &Split) -> String {
    let counts: Vec<Vec<u64>> = split
        .clients
        .iter()
        .map(|c| c.class_counts.iter().map(|&n| n as u64).collect())
        .collect();
    counts_table(&split.partitioner, &split.classes, &counts)
}

/// The clients x classes `counts` as a table: a row per client, its rows and
/// its rows of each class.
fn counts_table(partitioner: &str, classes: &[String], counts: &[Vec<u64>]) -> String {
    let mut table = crate::table();
    let mut header = vec!["client".to_string(), "rows".to_string()];
    header.extend(classes.iter().cloned());
    table.set_header(header);
    for (client, row_counts) in counts.iter().enumerate() {
        let mut row = vec![client.to_string(), row_counts.iter().sum::<u64>().to_string()];
        row.extend(row_counts.iter().map(u64::to_string));
        table.add_row(row);
    }
    format!("{partitioner} over {} clients\n{table}", counts.len())
}
