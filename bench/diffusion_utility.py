#!/usr/bin/env python3
"""Train on synthetic, test on real: how useful are the diffusion sampler's
minority rows, against SMOTE's? On each binary dataset of the shared KEEL
collection (stratified halves; standardised on the training half), each
sampler over-samples the training half; a classifier is trained on the
real majority rows plus only the sampler's synthetic minority rows (the
real minority rows left out), and scored on the real test half by balanced
accuracy. The real-minority baseline (train on the training half as it is)
is shown too.

    /tmp/testvenv/bin/pip install ./python
    /tmp/testvenv/bin/python bench/diffusion_utility.py [--keel ../shared/data/keel/binary] [--models knn,forest]
"""
import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from imbalanced.over_sampling import SMOTE
from imbalanced.synthesis import DiffusionOverSampler

from keel import BINARY, binary_datasets, load  # noqa: E402  (bench/keel.py, beside this script)
MODELS = {"knn": lambda: KNeighborsClassifier(), "forest": lambda: RandomForestClassifier(random_state=0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keel", default=str(BINARY))
    parser.add_argument("--models", default="knn,forest")
    args = parser.parse_args()
    names = binary_datasets(args.keel)
    models = args.models.split(",")
    scores = {m: {"real": [], "SMOTE": [], "diffusion": []} for m in models}
    seconds = {"SMOTE": 0.0, "diffusion": 0.0}
    used = 0
    for name in names:
        X, y = load(Path(args.keel) / f"{name}.csv")
        Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
        minority = np.argmin(np.bincount(ya))
        if np.sum(ya == minority) < 6:
            continue
        used += 1
        scaler = StandardScaler().fit(Xa)
        Xa, Xb = scaler.transform(Xa), scaler.transform(Xb)
        sets = {"real": (Xa, ya)}
        for label, sampler in [("SMOTE", SMOTE(random_state=0)), ("diffusion", DiffusionOverSampler(random_state=0))]:
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(Xa, ya)
            seconds[label] += time.perf_counter() - start
            keep = np.r_[ya != minority, np.zeros(len(y_res) - len(ya), dtype=bool)] | (np.arange(len(y_res)) >= len(ya))
            sets[label] = (X_res[keep], y_res[keep])
        for m in models:
            for label, (Xt, yt) in sets.items():
                model = MODELS[m]().fit(Xt, yt)
                scores[m][label].append(balanced_accuracy_score(yb, model.predict(Xb)))
    print(f"{used} KEEL binary datasets (6+ minority rows in the training half); balanced accuracy on the real test half\n")
    print("| classifier | real minority | SMOTE's minority only | diffusion's minority only | diffusion > SMOTE on |")
    print("|---|---|---|---|---|")
    for m in models:
        s = scores[m]
        wins = sum(d > q for d, q in zip(s["diffusion"], s["SMOTE"]))
        print(f"| {m} | {np.mean(s['real']):.4f} | {np.mean(s['SMOTE']):.4f} | {np.mean(s['diffusion']):.4f} | "
              f"{wins} of {used} |")
    print(f"\nsampler time over all datasets: SMOTE {seconds['SMOTE']:.1f} s, diffusion {seconds['diffusion']:.1f} s")


if __name__ == "__main__":
    main()
