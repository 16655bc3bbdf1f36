#!/usr/bin/env python3
"""Does the label-consistency filter raise the share of synthetic rows a
held-out classifier agrees with? On each binary dataset of the shared KEEL
collection: a stratified half of the rows (standardised on that half) feeds
SMOTE and LabelConsistentOverSampler(SMOTE); a random forest fitted on the
other half judges their synthetic rows; the share it gives their intended
class is reported for both.

    /tmp/testvenv/bin/pip install ./python
    /tmp/testvenv/bin/python bench/label_consistency.py [--keel ../shared/data/keel/binary]
"""
import argparse
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from imbalanced.over_sampling import SMOTE
from imbalanced.synthesis import LabelConsistentOverSampler

from keel import BINARY, binary_datasets, load  # noqa: E402  (bench/keel.py, beside this script)


def agreement(sampler, Xa, ya, forest):
    X_res, y_res = sampler.fit_resample(Xa, ya)
    new_x, new_y = X_res[len(Xa):], y_res[len(Xa):]
    return float(np.mean(forest.predict(new_x) == new_y)), len(new_y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keel", default=str(BINARY))
    args = parser.parse_args()
    names = binary_datasets(args.keel)
    rows = []
    for name in names:
        X, y = load(Path(args.keel) / f"{name}.csv")
        Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
        scaler = StandardScaler().fit(Xa)
        Xa, Xb = scaler.transform(Xa), scaler.transform(Xb)
        if np.bincount(ya).min() < 6:
            continue
        forest = RandomForestClassifier(random_state=0).fit(Xb, yb)
        smote = agreement(SMOTE(random_state=0), Xa, ya, forest)
        kept = agreement(LabelConsistentOverSampler(shortfall="keep", random_state=0), Xa, ya, forest)
        rows.append((name, smote, kept))
    print(f"{len(rows)} KEEL binary datasets (those with 6+ minority rows in the half); held-out forest agreement\n")
    print("| dataset | SMOTE agreement | filtered agreement | filtered rows / SMOTE rows |")
    print("|---|---|---|---|")
    for name, (s, ns), (k, nk) in rows:
        print(f"| {name} | {s:.3f} | {k:.3f} | {nk}/{ns} |")
    s_mean = np.mean([r[1][0] for r in rows])
    k_mean = np.mean([r[2][0] for r in rows])
    higher = sum(r[2][0] > r[1][0] for r in rows)
    ties = sum(r[2][0] == r[1][0] for r in rows)
    print(f"\nmean: SMOTE {s_mean:.3f}, filtered {k_mean:.3f}; filtered higher on {higher} of {len(rows)} "
          f"({ties} equal)")


if __name__ == "__main__":
    main()
