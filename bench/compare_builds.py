#!/usr/bin/env python3
"""Two builds of `imbalanced`, every sampler, the same data, in one run.

    git worktree add /tmp/old REV && (cd /tmp/old && cargo build --release -p imbalanced-cli)
    cargo build --release -p imbalanced-cli
    python bench/make_data.py 100000
    python bench/compare_builds.py /tmp/old/target/release/imbalanced target/release/imbalanced \\
        --data bench/data/clf_100000.csv --repeats 5

For each sampler of bench/run.py (same parameters), the two binaries run
`resample --json` in turn, REPEATS times each; the table gives each side's
median `seconds` (fit_resample alone, as in the main table; with `--whole`, the
whole process, wall clock: reading, resampling and writing) and whether the
two wrote the same bytes. Every output is deleted before each run, untimed. A
refactoring that leaves the kernels alone should show equal outputs and
medians within the machine's noise.
"""
import argparse
import hashlib
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from run import SAMPLERS, SPECIAL


def once(binary, data, sampler, params, out, whole):
    cmd = [binary, "resample", str(data), "--method", sampler, "--seed", "0", "--out", str(out), "--json"]
    for p in params:
        cmd += ["--param", p]
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1]
    seconds = wall if whole else json.loads(proc.stdout)["seconds"]
    return seconds, hashlib.sha256(out.read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--data", type=Path, required=True, help="bench/data/clf_N.csv")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--samplers", nargs="*", default=SAMPLERS)
    ap.add_argument("--whole", action="store_true", help="time the whole process, not fit_resample")
    args = ap.parse_args()
    print("| sampler | before s | after s | after / before | output |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for sampler in args.samplers:
            prefix, _, params = SPECIAL.get(sampler, ("clf", {}, []))
            data = args.data.with_name(args.data.name.replace("clf_", f"{prefix}_", 1))
            times = {"before": [], "after": []}
            digests = {}
            for _ in range(args.repeats):
                for side in ("before", "after"):
                    out = Path(tmp) / f"{side}.csv"
                    seconds, digest = once(getattr(args, side), data, sampler, params, out, args.whole)
                    if seconds is None:
                        digests[side] = f"error: {digest}"
                        continue
                    times[side].append(seconds)
                    digests[side] = digest
            med = {s: statistics.median(t) if t else float("nan") for s, t in times.items()}
            same = "same bytes" if digests["before"] == digests["after"] else f"DIFFERENT ({digests})"
            print(f"| {sampler} | {med['before']:.4f} | {med['after']:.4f} | {med['after'] / med['before']:.2f} | {same} |",
                  flush=True)


if __name__ == "__main__":
    main()
