"""A small study: a least-squares line on seeded data, and Monte Carlo estimates of pi.

`python main.py --exp fit` prints one JSON line; `python main.py --exp pi` too, but its draws
are not seeded, so every run prints another estimate.
"""

import argparse
import json

from fitting import fit_line, make_data, residual_rms
from montecarlo import estimate_pi


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--exp", required=True, choices=["fit", "pi"])
    ap.add_argument("--seed", type=int, default=0, help="seed of the data")
    ap.add_argument("--n-points", type=int, default=200, help="points of the data set")
    args = ap.parse_args()
    if args.exp == "fit":
        xs, ys = make_data(args.n_points, args.seed)
        slope, intercept = fit_line(xs, ys)
        rms = residual_rms(xs, ys, slope, intercept)
        out = {"slope": round(slope, 6), "intercept": round(intercept, 6), "rms": round(rms, 6)}
    else:
        out = {"pi": estimate_pi(20_000), "draws": 20_000}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
