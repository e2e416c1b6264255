"""Experiments of the tiny quantiser paper."""

import argparse
import json
import random

from quant import Codebook, Encoder, distortion, update


def data(n, seed):
    rng = random.Random(seed)
    return [rng.gauss(mu, 0.5) for mu in (2.0, 5.0, 8.0) for _ in range(n)]


def train(steps, k=3):
    xs = data(50, 0)
    codebook = Codebook(k, 1)
    encoder = Encoder(codebook)
    losses = []
    for _ in range(steps):
        codes = encoder(xs)
        losses.append(distortion(xs, codes, codebook.centres))
        codebook.centres = update(xs, codes, k, codebook.centres)
    return xs, encoder, losses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exp", choices=["train", "usage", "size"], required=True)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    if args.exp == "train":
        _, _, losses = train(args.steps)
        out = {"first_distortion_loss": losses[0], "last_distortion_loss": losses[-1]}
    elif args.exp == "usage":
        xs, encoder, _ = train(args.steps)
        used = set(encoder(xs))
        out = {"empty_clusters": 3 - len(used), "used_clusters": len(used)}
    else:
        out = {"n_points": len(data(50, 0))}
    print(json.dumps({k: round(v, 6) for k, v in out.items()}))


if __name__ == "__main__":
    main()
