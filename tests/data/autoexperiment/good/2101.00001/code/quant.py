"""A tiny scalar quantiser: a codebook of centres, an encoder, and Lloyd updates."""

import random


class Codebook:
    """Centres on the real line."""

    def __init__(self, k, seed):
        rng = random.Random(seed)
        self.centres = sorted(rng.uniform(0.0, 10.0) for _ in range(k))

    def __call__(self, x):
        best = 0
        for i, c in enumerate(self.centres):
            if abs(x - c) < abs(x - self.centres[best]):
                best = i
        return best


class Encoder:
    """Maps a batch of values to codes."""

    def __init__(self, codebook):
        self.codebook = codebook

    def __call__(self, xs):
        return [self.codebook(x) for x in xs]


def distortion(xs, codes, centres):
    total = 0.0
    for x, c in zip(xs, codes):
        total += (x - centres[c]) ** 2
    return total / len(xs)


def update(xs, codes, k, centres):
    new = []
    for i in range(k):
        members = [x for x, c in zip(xs, codes) if c == i]
        new.append(sum(members) / len(members) if members else centres[i])
    return new
