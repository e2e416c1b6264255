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
    parser = argparse.ArgumentParser(description="ALS matrix factorisation experiments.")
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--data-seed", type=int, help="seed of the synthetic ratings matrix")
    parser.add_argument("--split-seed", type=int, help="seed of the train/test split")
    parser.add_argument("--init-seed", type=int, help="seed of the ALS factor initialisation")
    args = parser.parse_args(argv)
    seeds = {"data_seed": args.data_seed, "split_seed": args.split_seed, "init_seed": args.init_seed}
    metrics = EXPERIMENTS[args.exp](**{k: v for k, v in seeds.items() if v is not None})
    print(json.dumps({k: _round(v) for k, v in metrics.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
