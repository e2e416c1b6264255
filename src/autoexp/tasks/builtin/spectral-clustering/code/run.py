"""Entry point: `python run.py --exp <name>` prints the experiment's metrics as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from experiments import EXPERIMENTS


def _round(value: float) -> float:
    """Round to 6 significant digits so the printed numbers are stable and readable."""
    return float(f"{float(value):.6g}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Spectral clustering vs k-means experiments.")
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=0, help="seed of the data generator")
    args = parser.parse_args(argv)
    metrics = EXPERIMENTS[args.exp](args.seed)
    print(json.dumps({k: _round(v) for k, v in metrics.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
