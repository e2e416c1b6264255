"""A statistic computed only after 10 seconds of waiting (a stand-in for a long training
run): prints it as plain text, `late statistic: <value>`."""

import time

from fitting import make_data


def trimmed_mean(xs: list[float], trim: float) -> float:
    """Mean of xs without the lowest and highest `trim` share of the values."""
    k = int(len(xs) * trim)
    kept = sorted(xs)[k : len(xs) - k]
    return sum(kept) / len(kept)


if __name__ == "__main__":
    xs, _ = make_data(200, 3)
    start = time.monotonic()
    while time.monotonic() - start < 10.0:
        time.sleep(0.2)
    print("waited; now the statistic")
    print(f"late statistic: {trimmed_mean(xs, 0.1):.6f}")
