#!/usr/bin/env python3
"""Data IO and the user's whole command: ours against pandas, pyarrow and imbalanced-learn.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install -r scripts/fixtures/requirements.txt pandas==3.1.1 pyarrow==26.0.1
    /tmp/bench-venv/bin/python bench/make_data.py 100000 1000000
    cargo build --release -p imbalanced-cli
    cargo build --release -p imbalanced-data --features parquet --example io_timing --example parse_floor
    /tmp/bench-venv/bin/python bench/io.py io --sizes 100000 1000000 --repeats 5
    /tmp/bench-venv/bin/python bench/io.py e2e --sizes 100000 1000000 --repeats 3

`io`: reading bench/data/clf_N.csv and writing the table read, as CSV and as Parquet.
Python: pandas.read_csv (its C parser), pyarrow.csv.read_csv / write_csv, pandas to_csv,
pyarrow.parquet read_table / write_table. Ours: imbalanced_data::read / write (the
io_timing example, which is the library the CLI calls). Each timing is in-process (no
interpreter or process start, no imports), in a fresh process per run; the sides take
turns and the table gives medians. The last row is the parse_floor example:
what any correctly rounded reader must do (the file mapped and cut in one piece per
thread, every field parsed by fast-float2 into one matrix; no types, checks or labels).

`e2e`: what a user runs to resample a CSV file. Python: pandas.read_csv, imbalanced-learn
fit_resample, pyarrow.csv.write_csv, timed in-process from the read to the written file
(imports and interpreter start excluded). Ours: the whole `imbalanced resample IN --method
M --out OUT.csv` process, wall clock. Both sides use the default parameters (the main
table's exceptions for KMeansSMOTE and SMOTENC) and seed 0.

`overwrite`: writing CSV (pyarrow.csv.write_csv, imbalanced_data::write) to a new path, and over
the file that the same writer has just written there.

In `io` and `e2e` every output file is deleted before each run (both sides), untimed:
replacing a file costs ext4 a forced allocation of its blocks in the call that replaces
it (about 50 ms for an 80 MB output here), which lands on whichever side writes over a
file that a previous run left.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from run import SPECIAL  # noqa: E402  (the main table's per-sampler data and parameters)
CLI = ROOT / "target" / "release" / "imbalanced"
IO_TIMING = ROOT / "target" / "release" / "examples" / "io_timing"
PARSE_FLOOR = ROOT / "target" / "release" / "examples" / "parse_floor"
E2E_SAMPLERS = ["RandomOverSampler", "SMOTE", "BorderlineSMOTE", "ADASYN", "RandomUnderSampler", "NearMiss",
                "TomekLinks"]


def python_side(kind, path, out, sampler=None):
    """One Python measurement in this process: seconds."""
    if kind == "e2e":
        import pandas as pd
        import pyarrow as pa
        import pyarrow.csv as pacsv
        from imblearn_one import make
        kwargs = SPECIAL.get(sampler, ("clf", {}, []))[1]
        est = make(sampler, kwargs)
        t = time.perf_counter()
        df = pd.read_csv(path)
        X, y = df.iloc[:, :-1].to_numpy(), df.iloc[:, -1].to_numpy()
        Xr, yr = est.fit_resample(X, y)
        out_df = pd.DataFrame(Xr, columns=df.columns[:-1])
        out_df[df.columns[-1]] = yr
        pacsv.write_csv(pa.Table.from_pandas(out_df, preserve_index=False), out)
        return time.perf_counter() - t
    import pandas as pd
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    if kind == "pandas.read_csv":
        t = time.perf_counter(); pd.read_csv(path); return time.perf_counter() - t
    if kind == "pyarrow.csv.read_csv":
        t = time.perf_counter(); pacsv.read_csv(path); return time.perf_counter() - t
    if kind == "pyarrow.csv.write_csv":
        table = pacsv.read_csv(path)
        t = time.perf_counter(); pacsv.write_csv(table, out); return time.perf_counter() - t
    if kind == "pandas.to_csv":
        df = pd.read_csv(path)
        t = time.perf_counter(); df.to_csv(out, index=False); return time.perf_counter() - t
    if kind == "pyarrow.parquet.write_table":
        table = pacsv.read_csv(path)
        t = time.perf_counter(); pq.write_table(table, out); return time.perf_counter() - t
    if kind == "pyarrow.parquet.read_table":
        t = time.perf_counter(); pq.read_table(path); return time.perf_counter() - t
    raise ValueError(kind)


def run_python(kind, path, out, sampler=None, fresh=True):
    if fresh:
        Path(out).unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "one", kind, str(path), str(out)] + ([sampler] if sampler else [])
    return float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def run_ours_io(path, out, fresh=True):
    if fresh:
        Path(out).unlink(missing_ok=True)
    p = subprocess.run([str(IO_TIMING), str(path), str(out)], check=True, capture_output=True, text=True)
    return json.loads(p.stdout)


def run_ours_e2e(path, out, sampler):
    params = [a for p in SPECIAL.get(sampler, ("clf", {}, []))[2] for a in ("--param", p)]
    Path(out).unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run([str(CLI), "resample", str(path), "--method", sampler, *params, "--seed", "0", "--out", str(out)],
                   check=True, capture_output=True)
    return time.perf_counter() - t


def median_of(fn, repeats):
    return statistics.median(fn() for _ in range(repeats))


def io_table(sizes, repeats):
    print("| operation | rows | MB | theirs | theirs s | ours s | ours vs theirs |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in sizes:
            csv = ROOT / "bench" / "data" / f"clf_{n}.csv"
            mb = csv.stat().st_size / 1e6
            pq_file = tmp / "in.parquet"
            run_ours_io(csv, pq_file)  # a Parquet file of the same table for the Parquet reads
            rows = []
            ours = {"csv": [], "parquet": [], "read_parquet": [], "floor": []}
            theirs = {k: [] for k in ["pandas.read_csv", "pyarrow.csv.read_csv", "pyarrow.csv.write_csv",
                                      "pandas.to_csv", "pyarrow.parquet.write_table", "pyarrow.parquet.read_table"]}
            for _ in range(repeats):
                for kind in theirs:
                    src = pq_file if kind == "pyarrow.parquet.read_table" else csv
                    out = tmp / ("o.parquet" if "parquet" in kind else "o.csv")
                    theirs[kind].append(run_python(kind, src, out))
                ours["csv"].append(run_ours_io(csv, tmp / "o.csv"))
                ours["parquet"].append(run_ours_io(csv, tmp / "o.parquet"))
                ours["read_parquet"].append(run_ours_io(pq_file, tmp / "o2.csv"))
                floor = subprocess.run([str(PARSE_FLOOR), str(csv)], check=True, capture_output=True, text=True)
                ours["floor"].append(json.loads(floor.stdout)["floor"])
            med = lambda xs: statistics.median(xs)
            read_csv = med([r["read"] for r in ours["csv"]])
            write_csv = med([r["write"] for r in ours["csv"]])
            write_pq = med([r["write"] for r in ours["parquet"]])
            read_pq = med([r["read"] for r in ours["read_parquet"]])
            for op, kind, our in [("read CSV", "pandas.read_csv", read_csv),
                                  ("read CSV", "pyarrow.csv.read_csv", read_csv),
                                  ("write CSV", "pyarrow.csv.write_csv", write_csv),
                                  ("write CSV", "pandas.to_csv", write_csv),
                                  ("write Parquet", "pyarrow.parquet.write_table", write_pq),
                                  ("read Parquet", "pyarrow.parquet.read_table", read_pq)]:
                t = med(theirs[kind])
                print(f"| {op} | {n} | {mb:.0f} | `{kind}` | {t:.3f} | {our:.3f} | {t / our:.1f}x |", flush=True)
            t, floor = med(theirs["pandas.read_csv"]), med(ours["floor"])
            print(f"| read CSV, floor (parse_floor) | {n} | {mb:.0f} | `pandas.read_csv` | {t:.3f} | {floor:.3f} "
                  f"| {t / floor:.1f}x |", flush=True)


def overwrite_table(sizes, repeats):
    """Writing CSV to a new path and over the file the same call has just written."""
    print("| writer | rows | new file s | over its own file s | difference s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "o.csv"
        for n in sizes:
            csv = ROOT / "bench" / "data" / f"clf_{n}.csv"
            times = {"pyarrow.csv.write_csv": ([], []), "imbalanced_data::write": ([], [])}
            for _ in range(repeats):
                for fresh, k in [(True, 0), (False, 1)]:
                    times["pyarrow.csv.write_csv"][k].append(run_python("pyarrow.csv.write_csv", csv, out, fresh=fresh))
                    times["imbalanced_data::write"][k].append(run_ours_io(csv, out, fresh=fresh)["write"])
            for writer, (new, over) in times.items():
                a, b = statistics.median(new), statistics.median(over)
                print(f"| `{writer}` | {n} | {a:.3f} | {b:.3f} | {b - a:+.3f} |", flush=True)


def e2e_table(sizes, repeats, samplers):
    print("| sampler | rows | Python end to end s | ours end to end s | ours vs Python |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for s in samplers:
                prefix = SPECIAL.get(s, ("clf", {}, []))[0]
                csv = ROOT / "bench" / "data" / f"{prefix}_{n}.csv"
                py, ours = [], []
                for _ in range(repeats):
                    py.append(run_python("e2e", csv, Path(tmp) / "py.csv", s))
                    ours.append(run_ours_e2e(csv, Path(tmp) / "ours.csv", s))
                p, o = statistics.median(py), statistics.median(ours)
                print(f"| {s} | {n} | {p:.3f} | {o:.3f} | {p / o:.1f}x |", flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        print(python_side(sys.argv[2], sys.argv[3], sys.argv[4], *sys.argv[5:]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["io", "e2e", "overwrite"])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--samplers", nargs="+", default=E2E_SAMPLERS)
    args = ap.parse_args()
    if args.mode == "io":
        io_table(args.sizes, args.repeats)
    elif args.mode == "overwrite":
        overwrite_table(args.sizes, args.repeats)
    else:
        e2e_table(args.sizes, args.repeats, args.samplers)


if __name__ == "__main__":
    main()
