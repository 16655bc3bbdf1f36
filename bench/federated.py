#!/usr/bin/env python3
"""Federated simulation: ours (the library, through the `federated_timing`
example) against the same FedAvg loop written with NumPy, on the same data,
in one run.

    cargo build --release -p imbalanced-federated --example federated_timing
    python bench/make_data.py 100000
    python bench/federated.py --size 100000 [--rounds 100] [--clients 10]

Both sides: features standardised, rows split into CLIENTS contiguous
shards (flwr-datasets' IidPartitioner), ROUNDS of FedAvg, every client
each round, one local epoch of mini-batch SGD (batches of 32, step 0.1) on
softmax cross-entropy from the global model, the models averaged weighted
by rows. Times are the simulation alone (not reading the file); the
balanced accuracy of the final model on all rows is a sanity check (the
two sides shuffle with different generators, so they agree only roughly).
NumPy runs the clients one after another (its small matrix products do
not use threads); ours trains them in parallel on every core.
"""
import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "target" / "release" / "examples" / "federated_timing"


def fedavg_numpy(X, y, parts, n_classes, rounds, epochs=1, batch=32, lr=0.1, seed=0):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    W = np.zeros((n_classes, d + 1))
    clients = [(X[p], y[p]) for p in parts]
    total = sum(len(p) for p in parts)
    for _ in range(rounds):
        new = np.zeros_like(W)
        for Xc, yc in clients:
            w = W.copy()
            n = len(yc)
            for _ in range(epochs):
                order = rng.permutation(n)
                for s in range(0, n, batch):
                    b = order[s:s + batch]
                    xb, yb = Xc[b], yc[b]
                    z = xb @ w[:, :d].T + w[:, d]
                    z -= z.max(axis=1, keepdims=True)
                    p = np.exp(z)
                    p /= p.sum(axis=1, keepdims=True)
                    p[np.arange(len(b)), yb] -= 1.0
                    p /= len(b)
                    w[:, :d] -= lr * (p.T @ xb)
                    w[:, d] -= lr * p.sum(axis=0)
            new += w * (n / total)
        W = new
    return W


def balanced_accuracy(y, pred, n_classes):
    return float(np.mean([np.mean(pred[y == c] == c) for c in range(n_classes) if np.any(y == c)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--clients", type=int, default=10)
    args = ap.parse_args()
    path = ROOT / "bench" / "data" / f"clf_{args.size}.csv"
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    X, y = table[:, :-1], table[:, -1].astype(int)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    n_classes = int(y.max()) + 1
    parts = np.array_split(np.arange(len(y)), args.clients)
    started = time.perf_counter()
    W = fedavg_numpy(X, y, parts, n_classes, args.rounds)
    theirs = time.perf_counter() - started
    d = X.shape[1]
    theirs_score = balanced_accuracy(y, np.argmax(X @ W[:, :d].T + W[:, d], axis=1), n_classes)
    out = subprocess.run([str(EXAMPLE), str(path), str(args.rounds), str(args.clients)],
                         capture_output=True, text=True, check=True)
    ours = json.loads(out.stdout)
    print("| rows | clients | rounds | NumPy loop s | ours s | ours vs NumPy | balanced acc. NumPy / ours |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(y)} | {args.clients} | {args.rounds} | {theirs:.2f} | {ours['seconds']:.2f} | "
          f"{theirs / ours['seconds']:.1f}x | {theirs_score:.3f} / {ours['balanced_accuracy']:.3f} |")


if __name__ == "__main__":
    main()
