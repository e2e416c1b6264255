"""Entry point: `python run.py --exp {irls,gd,race}` prints the metrics as one JSON line."""

from __future__ import annotations

import argparse
import json
import math

from experiments import EXPERIMENTS, LAMBDA


def round_sig(x: float, digits: int = 6) -> float | int:
    """Round to `digits` significant digits; integers pass through unchanged."""
    if isinstance(x, int):
        return x
    if x == 0.0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=0, help="seed of the train/test permutation")
    parser.add_argument("--lam", type=float, default=LAMBDA, help="ridge strength lambda")
    args = parser.parse_args(argv)
    metrics = EXPERIMENTS[args.exp](seed=args.seed, lam=args.lam)
    print(json.dumps({k: round_sig(v) for k, v in metrics.items()}))


if __name__ == "__main__":
    main()
