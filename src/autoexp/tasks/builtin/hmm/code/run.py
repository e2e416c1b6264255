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
    parser = argparse.ArgumentParser(description="Discrete hidden Markov model experiments.")
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--test-seed", type=int, help="seed of the test sequences (default 1)")
    parser.add_argument("--train-seed", type=int, help="seed of the training sequences (default 0)")
    parser.add_argument("--init-seed", type=int, help="seed of the Baum-Welch start (default 2)")
    args = parser.parse_args(argv)
    seeds = {
        name: value
        for name in ("test_seed", "train_seed", "init_seed")
        if (value := getattr(args, name)) is not None
    }
    if args.exp != "baum-welch" and set(seeds) - {"test_seed"}:
        parser.error("--train-seed and --init-seed apply to baum-welch only")
    metrics = EXPERIMENTS[args.exp](**seeds)
    print(json.dumps({k: _round(v) for k, v in metrics.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
