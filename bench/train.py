#!/usr/bin/env python3
"""Seconds per epoch: our MlpClassifier against the same PyTorch loop, one run.

    /tmp/torch-venv/bin/python bench/train.py --threads 2

Softmax regression (one linear layer) and a 2-layer MLP (256 hidden ReLU),
Adam lr 1e-3, batch 256, shuffled each epoch, cross-entropy, on 100k x 50
Gaussian features with 10 classes; PyTorch in float32 (its default) and in
float64 (ours is float64), torch.set_num_threads(threads). Ours:
`cargo run --release -p imbalanced-models --example epoch_bench`.
"""
import argparse
import json
import subprocess
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def torch_epoch(n, d, hidden, dtype, epochs):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g, dtype=dtype)
    y = (x[:, 0].abs() * 3).long() % 10
    layers = [torch.nn.Linear(d, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)] if hidden else [torch.nn.Linear(d, 10)]
    model = torch.nn.Sequential(*layers).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, 256):
            idx = perm[i : i + 256]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    return (time.perf_counter() - start) / epochs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "imbalanced-models", "--example", "epoch_bench"], cwd=ROOT, check=True)
    out = subprocess.run([str(ROOT / "target" / "release" / "examples" / "epoch_bench"), str(args.rows), "50", str(args.epochs)],
                         check=True, capture_output=True, text=True).stdout
    ours = {r["model"]: r["seconds_per_epoch"] for r in map(json.loads, out.splitlines())}
    print(f"| model | PyTorch {torch.__version__} f32 s/epoch | PyTorch f64 s/epoch | ours (f64) s/epoch | vs f32 | vs f64 |")
    print("|---|---|---|---|---|---|")
    for name, hidden in (("softmax regression", 0), ("MLP 256", 256)):
        t32 = torch_epoch(args.rows, 50, hidden, torch.float32, args.epochs)
        t64 = torch_epoch(args.rows, 50, hidden, torch.float64, args.epochs)
        o = ours[name]
        print(f"| {name} | {t32:.3f} | {t64:.3f} | {o:.3f} | {t32 / o:.2f}x | {t64 / o:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
