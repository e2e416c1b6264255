"""Entry point of the toy study: prints one JSON line of metrics."""

import argparse
import json

import numpy as np

from stats import Scaler, mean, variance


def data(seed=0):
    rng = np.random.default_rng(seed)
    return [float(v) for v in rng.normal(3.0, 2.0, size=200)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exp", required=True, choices=["moments", "scaled"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    xs = data(args.seed)
    if args.exp == "moments":
        out = {"mean": round(mean(xs), 6), "var": round(variance(xs), 6)}
    else:
        z = Scaler().fit(xs).transform(xs)
        out = {"max_z": round(max(z), 6)}
    print("toy study", args.exp)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
