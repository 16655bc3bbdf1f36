#!/usr/bin/env python3
"""Data larger than memory: class counts and random under-sampling to 1:1 of
a generated Parquet dataset, `imbalanced resample --engine datafusion`
against Spark's `sampleBy` (pyspark, local mode, the same cores) and, where
the table fits in memory, pandas + imbalanced-learn. Wall time, rows per
second and peak memory (the largest resident set of the process and its
descendants, sampled from /proc every 0.1 s) of each, each run in a process of its own.

    cargo build --release -p imbalanced-cli --features datafusion
    /tmp/bench-venv/bin/pip install pyarrow pandas imbalanced-learn pyspark==4.0.1   # Java 17+
    /tmp/bench-venv/bin/python bench/datafusion_scale.py --rows 100000000 [--pandas-rows 10000000]

The data (our formulation): `--rows` rows of 20 float64 features and a
binary `label`, positive with probability 0.001, in 10 Parquet files of
row groups of 1M rows, under bench/data/scale_ROWS/ (reused when
bench/data/scale_ROWS.done says it is complete).
Prints a Markdown table for BENCHMARKS.md.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "imbalanced"


def generate(rows, folder, files=10, seed=0):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    done = folder.with_name(folder.name + ".done")
    if done.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    per_file = rows // files
    chunk = 1_000_000
    for f in range(files):
        writer = None
        left = per_file + (rows - per_file * files if f == files - 1 else 0)
        while left > 0:
            n = min(chunk, left)
            label = (rng.random(n) < 0.001).astype(np.int64)
            x = rng.standard_normal((n, 20)) + label[:, None] * 0.5
            table = pa.table({**{f"f{j}": x[:, j] for j in range(20)}, "label": label})
            if writer is None:
                writer = pq.ParquetWriter(folder / f"part-{f:02d}.parquet", table.schema)
            writer.write_table(table, row_group_size=chunk)
            left -= n
        writer.close()
    done.write_text("")


def measured(cmd, env=None):
    """Runs `cmd`; its wall seconds and stdout."""
    started = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = p.communicate()
    seconds = time.perf_counter() - started
    if p.returncode != 0:
        sys.exit(f"{cmd[:3]} failed: {err[-2000:]}")
    return seconds, out


def tree_rss_mb(root):
    """Resident MB of process `root` and all its descendants, from /proc."""
    parents, rss = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            parents[int(pid)] = int(fields["PPid"])
            rss[int(pid)] = int(fields.get("VmRSS", "0 kB").split()[0])
        except (OSError, KeyError, ValueError):
            continue
    total, frontier = rss.get(root, 0), [root]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        total += sum(rss.get(p, 0) for p in frontier)
    return total / 1024


def child(kind, args):
    """Runs one side in this process (called as `datafusion_scale.py --child KIND ...`);
    its peak is the largest resident total of this process and its descendants, sampled
    every 0.1 s (the JVM of Spark is a descendant)."""
    import threading

    peak = [0.0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mb(os.getpid()))
            stop.wait(0.1)

    threading.Thread(target=sample, daemon=True).start()

    if kind == "ours":
        cmd = [str(BIN), "resample", args.folder, "--engine", "datafusion", "-m", "RandomUnderSampler",
               "--target", "label", "-o", args.out, "--json"] + (["--bernoulli"] if args.bernoulli else []) + \
              (["--memory-limit", args.memory_limit] if args.memory_limit else [])
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows_out = json.loads(out)["rows_after"]
    elif kind == "spark":
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master(f"local[{args.cores}]").config("spark.driver.memory", "4g")
                 .config("spark.ui.enabled", "false").getOrCreate())
        df = spark.read.parquet(args.folder)
        counts = {r["label"]: r["count"] for r in df.groupBy("label").count().collect()}
        minority = min(counts.values())
        fractions = {k: minority / v for k, v in counts.items()}
        df.stat.sampleBy("label", fractions, seed=0).write.mode("overwrite").parquet(args.out)
        rows_out = spark.read.parquet(args.out).count()
        spark.stop()
    else:  # pandas + imbalanced-learn
        import pandas as pd
        from imblearn.under_sampling import RandomUnderSampler

        df = pd.read_parquet(args.folder)
        X, y = df.drop(columns="label"), df["label"]
        Xr, yr = RandomUnderSampler(random_state=0).fit_resample(X, y)
        Xr.assign(label=yr).to_parquet(args.out)
        rows_out = len(yr)
    stop.set()
    print(json.dumps({"rows_out": rows_out, "peak_mb": peak[0]}))


def run_side(kind, folder, out, cores, bernoulli=False, memory_limit=None):
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--out", str(out),
           "--cores", str(cores)] + (["--bernoulli"] if bernoulli else []) + \
          (["--memory-limit", memory_limit] if memory_limit else [])
    seconds, text = measured(cmd)
    result = json.loads(text.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True) if Path(out).is_dir() else Path(out).unlink(missing_ok=True)
    return seconds, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--pandas-rows", type=int, default=10_000_000)
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--memory-limit", default="512M")
    parser.add_argument("--skip", default="", help="comma-separated sides to skip: spark, pandas")
    parser.add_argument("--child")
    parser.add_argument("--folder")
    parser.add_argument("--out")
    parser.add_argument("--bernoulli", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args)
    print("| rows | tool | what | seconds | rows/s | peak MB | rows out |")
    print("|---|---|---|---|---|---|---|")
    for rows in sorted({args.pandas_rows, args.rows}):
        folder = ROOT / "bench" / "data" / f"scale_{rows}"
        generate(rows, folder)
        out = ROOT / "bench" / "data" / "scale_out.parquet"
        sides = [("ours", "exact, 1:1", {}),
                 ("ours", f"exact, 1:1, --memory-limit {args.memory_limit}", {"memory_limit": args.memory_limit}),
                 ("ours", "Bernoulli, 1:1", {"bernoulli": True})]
        if "spark" not in args.skip:
            sides.append(("spark", "sampleBy (Bernoulli), 1:1", {}))
        if rows <= args.pandas_rows and "pandas" not in args.skip:
            sides.append(("pandas", "read_parquet + RandomUnderSampler", {}))
        for kind, what, extra in sides:
            seconds, r = run_side(kind, folder, out, args.cores, **extra)
            tool = {"ours": "imbalanced (DataFusion)", "spark": "Spark local", "pandas": "pandas + imbalanced-learn"}[kind]
            print(f"| {rows:,} | {tool} | {what} | {seconds:.1f} | {rows / seconds:,.0f} | "
                  f"{r['peak_mb']:,.0f} | {r['rows_out']:,} |", flush=True)


if __name__ == "__main__":
    main()
