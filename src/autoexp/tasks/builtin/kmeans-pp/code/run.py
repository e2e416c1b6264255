"""Entry point: `python run.py --exp {pp,uniform,seeding-cost}` prints one JSON line of metrics."""

from __future__ import annotations

import argparse
import json
import math

from experiments import EXPERIMENTS


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
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the synthetic data set")
    parser.add_argument("--seed", type=int, help="generator seed (default: the experiment's own)")
    args = parser.parse_args(argv)
    kwargs = {"data_seed": args.data_seed}
    if args.seed is not None:
        kwargs["seed"] = args.seed
    metrics = EXPERIMENTS[args.exp](**kwargs)
    print(json.dumps({k: round_sig(v) for k, v in metrics.items()}))


if __name__ == "__main__":
    main()
