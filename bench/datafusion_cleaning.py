#!/usr/bin/env python3
"""The samplers that read neighbours on the engine: `imbalanced resample DIR
--engine datafusion -m enn|ncr|adasyn|borderlinesmote` against the same
sampler in memory (`imbalanced resample FILE -m ...`) and pandas +
imbalanced-learn, end to end (read Parquet, resample, write Parquet). Wall seconds and peak resident MB (GNU time's
maximum RSS) of each, each in a process of its own, one after the other.

    cargo build --release -p imbalanced-cli --features datafusion
    /tmp/bench-venv/bin/pip install pyarrow pandas imbalanced-learn==0.14.2
    /tmp/bench-venv/bin/python bench/datafusion_cleaning.py --rows 200000,1000000,5000000 [--imblearn-rows 200000] [--in-memory-rows 1000000]

The data (our formulation): 20 float64 features, a binary label positive with
probability 0.01, positives shifted by 1.0 in every feature (classes that
overlap near their edges), in 4 Parquet files under bench/data/cleaning_ROWS/.
The three should give the same number of rows (the over-samplers' new rows
differ from imbalanced-learn's: another random generator).
Prints a Markdown table for BENCHMARKS.md.
"""
import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target" / "release" / "imbalanced"


def generate(rows, folder, files=4, seed=1):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if folder.exists():
        return
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for f in range(files):
        n = rows // files + (rows % files if f == files - 1 else 0)
        label = (rng.random(n) < 0.01).astype(np.int64)
        x = rng.standard_normal((n, 20)) + label[:, None] * 1.0
        pq.write_table(pa.table({**{f"f{j}": x[:, j] for j in range(20)}, "label": label}),
                       folder / f"part-{f}.parquet")


def run(cmd):
    """Wall seconds, peak MB and stdout of `cmd` under GNU time."""
    started = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if p.returncode != 0:
        sys.exit(f"{cmd[:4]} failed: {p.stderr[-2000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return seconds, peak_kb / 1024, p.stdout


IMBLEARN = """
import sys, pandas as pd
from imblearn.over_sampling import ADASYN, BorderlineSMOTE
from imblearn.under_sampling import EditedNearestNeighbours, NeighbourhoodCleaningRule
df = pd.read_parquet(sys.argv[1])
X, y = df.drop(columns="label"), df["label"]
sampler = {"enn": EditedNearestNeighbours(n_jobs=-1), "ncr": NeighbourhoodCleaningRule(n_jobs=-1),
           "adasyn": ADASYN(random_state=0), "borderlinesmote": BorderlineSMOTE(random_state=0)}[sys.argv[3]]
Xr, yr = sampler.fit_resample(X, y)
Xr.assign(label=yr).to_parquet(sys.argv[2])
print(len(yr))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="200000,1000000,5000000")
    parser.add_argument("--imblearn-rows", type=int, default=200_000)
    parser.add_argument("--in-memory-rows", type=int, default=1_000_000)
    parser.add_argument("--methods", default="enn,ncr", help="comma-separated: enn, ncr, adasyn, borderlinesmote")
    args = parser.parse_args()
    print("| rows | method | tool | seconds | peak MB | rows out |")
    print("|---|---|---|---|---|---|")
    out = ROOT / "bench" / "data" / "cleaning_out.parquet"
    for rows in map(int, args.rows.split(",")):
        folder = ROOT / "bench" / "data" / f"cleaning_{rows}"
        generate(rows, folder)
        whole = folder.with_suffix(".parquet")
        if not whole.exists():
            import pyarrow.parquet as pq

            pq.write_table(pq.read_table(folder), whole)
        for method in args.methods.split(","):
            sides = [("imbalanced (DataFusion)", [str(BIN), "resample", str(folder), "--engine", "datafusion",
                                                  "-m", method, "--target", "label", "-o", str(out), "--json"])]
            if rows <= args.in_memory_rows:
                sides.append(("imbalanced (in memory)", [str(BIN), "resample", str(whole), "-m", method,
                                                         "--target", "label", "-o", str(out), "--json"]))
            if rows <= args.imblearn_rows:
                sides.append(("pandas + imbalanced-learn", [sys.executable, "-c", IMBLEARN, str(whole), str(out),
                                                            method]))
            for tool, cmd in sides:
                seconds, peak, stdout = run(cmd)
                kept = stdout.strip().splitlines()[-1]
                kept = int(kept) if kept.isdigit() else int(re.search(r'"rows_after":\s*(\d+)', stdout).group(1))
                print(f"| {rows:,} | {method} | {tool} | {seconds:.1f} | {peak:,.0f} | {kept:,} |", flush=True)
                out.unlink(missing_ok=True)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
