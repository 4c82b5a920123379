#!/usr/bin/python3
"""v1's accuracy judged against scikit-learn on the same 9 features and the same split.

Features: the seed extractor's values for every message (src-main/features/fixtures/
v1-expected.json.gz, made by v1_features.py); labels: the dataset CSV. Split: as
src-main/training/dataset.ts does it (messages in file order, shuffled by our mulberry32 PRNG
with the run's seed, the first 20 % held out). Models: RandomForestClassifier as v1 trains it
(10 trees, depth 10, 3 features per split) and a few others, each seed as random_state.

    ./v1_sklearn.py /work/shared/raw_data/raw_dataset.csv
"""
import csv
import gzip
import json
import os
import statistics
import sys

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, '..', '..', 'src-main', 'features', 'fixtures', 'v1-expected.json.gz')
M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


class Mulberry32:
    """src-main/training/rng.ts, step for step"""

    def __init__(self, seed):
        self.s = (seed & M32) or 0x9E3779B9

    def next(self):
        self.s = (self.s + 0x6D2B79F5) & M32
        t = self.s
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = int(self.next() * (i + 1))
            a[i], a[j] = a[j], a[i]


def load(dataset):
    feats = json.load(gzip.open(FIXTURE, 'rt'))['features']
    X, y, ids = [], [], []
    with open(dataset, encoding='utf8', newline='') as f:
        for r in csv.DictReader(f):
            cap_r, nal_r, bits = feats[r['sms_id']]
            X.append([cap_r, nal_r] + [(bits >> (6 - i)) & 1 for i in range(7)])
            y.append(1 if r['label'].strip().lower() == 'spam' else 0)
            ids.append(r['sms_id'])
    return np.array(X), np.array(y), ids


def split(n, seed, test_size=0.2):
    order = list(range(n))
    Mulberry32(seed).shuffle(order)
    n_test = max(1, round(n * test_size))
    return np.array(order[n_test:]), np.array(order[:n_test])


def main():
    X, y, ids = load(sys.argv[1])
    youtube = np.array([int(i[3:]) >= 15573 for i in ids])
    models = {
        'RandomForest 10 trees depth 10': lambda s: RandomForestClassifier(n_estimators=10, max_depth=10, max_features=3, random_state=s),
        'RandomForest 100 trees': lambda s: RandomForestClassifier(n_estimators=100, random_state=s),
        'GradientBoosting': lambda s: GradientBoostingClassifier(random_state=s),
        'HistGradientBoosting': lambda s: HistGradientBoostingClassifier(random_state=s),
        'LogisticRegression': lambda s: LogisticRegression(max_iter=1000),
    }
    for name, make in models.items():
        accs = {}
        for seed in range(10):
            train, test = split(len(y), seed)
            accs[seed] = make(seed).fit(X[train], y[train]).score(X[test], y[test])
        vals = list(accs.values())
        print(f'{name}: seeds 0-9 mean {statistics.mean(vals):.4f} +- {statistics.stdev(vals):.4f}; '
              f'median over seeds 1-5 {statistics.median(accs[s] for s in range(1, 6)):.4f}')
    # each collection on its own (v1 trained and tested on it), the forest as v1 trains it
    for part, mask in (('SMS', ~youtube), ('YouTube', youtube)):
        Xp, yp = X[mask], y[mask]
        vals = []
        for seed in range(1, 6):
            train, test = split(len(yp), seed)
            vals.append(RandomForestClassifier(n_estimators=10, max_depth=10, max_features=3, random_state=seed).fit(Xp[train], yp[train]).score(Xp[test], yp[test]))
        print(f'{part} part only: median over seeds 1-5 {statistics.median(vals):.4f}')


if __name__ == '__main__':
    main()
