#!/usr/bin/env python3
"""Times every sampler against imbalanced-learn on the same data, in one run.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install -r scripts/fixtures/requirements.txt
    /tmp/bench-venv/bin/python bench/make_data.py 10000 100000 1000000
    /tmp/bench-venv/bin/python bench/run.py --sizes 10000 100000 --timeout 300 --repeats 5

Each run is its own process: imbalanced-learn 0.14.2 through bench/imblearn_one.py,
ours through the release `imbalanced resample ... --json` (default generator). Both
report the time of fit_resample alone; peak memory is the process's maximum resident
set size (loading the data included, on both sides). Prints a Markdown table.

With --repeats N, each side runs N times, the two sides taking turns, and the table
gives the median time and the median peak: a shared machine's speed moves between
runs, most of all for runs of a few milliseconds. A side whose first run takes more
than REPEAT_UNDER seconds runs once.
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
BIN = ROOT / "target" / "release" / "imbalanced"
SAMPLERS = ["RandomOverSampler", "SMOTE", "BorderlineSMOTE", "SVMSMOTE", "KMeansSMOTE", "ADASYN", "SMOTENC",
            "RandomUnderSampler", "ClusterCentroids", "NearMiss", "InstanceHardnessThreshold", "TomekLinks",
            "EditedNearestNeighbours", "RepeatedEditedNearestNeighbours", "AllKNN", "CondensedNearestNeighbour",
            "OneSidedSelection", "NeighbourhoodCleaningRule", "SMOTEENN", "SMOTETomek"]


# Samplers that need other data or parameters than the defaults, on both sides:
# (data file prefix, imbalanced-learn keyword arguments, our --param list).
SPECIAL = {
    "SMOTENC": ("clf_nc", {"categorical_features": [17, 18, 19]}, ["categorical_features=f17,f18,f19"]),
    # With the default 'auto' threshold (half the cluster must be minority) no cluster qualifies
    # on this data, on both sides.
    "KMeansSMOTE": ("clf", {"cluster_balance_threshold": 0.1}, ["cluster_balance_threshold=0.1"]),
}


def measure(cmd, timeout):
    """(seconds or a reason, peak RSS in MB or None) of one run."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return f"> {timeout:.0f}", None
            time.sleep(0.05)
        out.seek(0)
        if status != 0:
            return "error", None
        return json.loads(out.read().decode())["seconds"], usage.ru_maxrss / 1024


# Runs longer than this (seconds) are not repeated: their noise is small next to them.
REPEAT_UNDER = 10.0


class Side:
    """The runs of one side of one table row."""

    def __init__(self, cmd):
        self.cmd, self.runs = cmd, []

    def wants_more(self, repeats):
        if not self.runs:
            return True
        first = self.runs[0][0]
        return len(self.runs) < repeats and isinstance(first, float) and first < REPEAT_UNDER

    def result(self):
        """(median seconds, or the first run's failure; median peak MB or None)."""
        times = [t for t, _ in self.runs]
        if not all(isinstance(t, float) for t in times):
            return next(t for t in times if not isinstance(t, float)), None
        return statistics.median(times), statistics.median(mb for _, mb in self.runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--samplers", nargs="+", default=SAMPLERS)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--skip-imblearn", action="store_true")
    ap.add_argument("--repeats", type=int, default=1, help="runs per side; the median is reported")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "imbalanced-cli"], cwd=ROOT, check=True)
    print("| sampler | rows | imblearn s | ours s | speed-up | imblearn peak MB | ours peak MB |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for name in args.samplers:
            prefix, kwargs, ours_params = SPECIAL.get(name, ("clf", {}, []))
            data = ROOT / "bench" / "data" / f"{prefix}_{n}.csv"
            if not data.exists():
                sys.exit(f"{data} is missing: run bench/make_data.py {n}")
            extra = [a for p in ours_params for a in ("--param", p)]
            with tempfile.TemporaryDirectory() as tmp:
                sides = [Side([str(BIN), "resample", str(data), "--method", name, *extra,
                               "--out", f"{tmp}/out.csv", "--json"])]
                if not args.skip_imblearn:
                    sides.append(Side([sys.executable, str(ROOT / "bench" / "imblearn_one.py"), name, str(data),
                                       json.dumps(kwargs)]))
                while any(side.wants_more(args.repeats) for side in sides):
                    for side in sides:
                        if side.wants_more(args.repeats):
                            side.runs.append(measure(side.cmd, args.timeout))
            ours, ours_mb = sides[0].result()
            ref, ref_mb = sides[1].result() if len(sides) > 1 else ("-", None)
            fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else v
            if isinstance(ours, float) and isinstance(ref, float):
                speed = f"{ref / ours:.1f}x"
            elif isinstance(ours, float) and ref.startswith(">"):
                speed = f"> {args.timeout / ours:.0f}x"
            else:
                speed = "-"
            mb = lambda v: f"{v:.0f}" if v else "-"
            print(f"| {name} | {n} | {fmt(ref)} | {fmt(ours)} | {speed} | {mb(ref_mb)} | {mb(ours_mb)} |", flush=True)


if __name__ == "__main__":
    main()
