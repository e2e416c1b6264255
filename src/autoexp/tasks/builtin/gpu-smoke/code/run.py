"""Entry point: `python run.py --exp {mix,mix-large} [--seed S]` prints the metrics as one JSON
line. Needs a CUDA GPU; without one it fails with the reason (there is no CPU fallback)."""

from __future__ import annotations

import argparse
import json
import sys

import cuda
from host import grid_size, make_input, pack_u32, unpack_u32
from reduce import bit_count, checksum

EXPERIMENTS = {
    "mix": {"n": 1000, "seed": 1, "block": 256},
    "mix-large": {"n": 100_003, "seed": 2, "block": 128},
}
"""Input length, default seed and threads per block of each experiment."""


def run(n: int, seed: int, block: int) -> dict[str, int]:
    """Build the input on the host, transform it on the GPU, reduce the output on the host."""
    words = make_input(n, seed)
    out = cuda.run_mix(pack_u32(words), n, grid_size(n, block), block)
    result = unpack_u32(out)
    return {"checksum": checksum(result), "ones": bit_count(result)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=None, help="seed of the input sequence")
    args = parser.parse_args(argv)
    exp = dict(EXPERIMENTS[args.exp])
    if args.seed is not None:
        exp["seed"] = args.seed
    try:
        devices = cuda.device_count()
    except cuda.CudaUnavailable as e:
        sys.exit(f"CUDA is not visible, this experiment needs a GPU: {e}")
    print(f"{devices} CUDA device(s) visible", file=sys.stderr)
    print(json.dumps(run(**exp)))


if __name__ == "__main__":
    main()
