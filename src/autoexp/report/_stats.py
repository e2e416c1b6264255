"""Statistics of a run, as pure functions over counts (no I/O, no SQL).

Conventions used everywhere in the report:

- An attempt is *graded* when its status is `passed` or `failed`. `infra_error` (sandbox, model
  API) and `grader_error` (autoexp or the task is broken) are nobody's fault on the agent's
  side, so they are excluded from every denominator; they are still counted and shown.
- A cost of `None` means *unknown* (no price for the model). Sums that include an unknown cost
  are unknown, never silently zero.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from autoexp.grading._types import Reason, Status

Z95 = 1.959963984540054
"""Two-sided 95 % standard normal quantile."""

GRADED_STATUSES: frozenset[Status] = frozenset({Status.PASSED, Status.FAILED})
"""Statuses that count in denominators (the agent's own outcomes)."""


def is_graded(status: Status | str) -> bool:
    """True for `passed` and `failed`; False for infra and grader errors."""
    return Status(status) in GRADED_STATUSES


def success_rate(passed: int, graded: int) -> float | None:
    """passed / graded, or None when nothing was graded."""
    _check_counts(graded, passed)
    return passed / graded if graded else None


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95 % by default).

    With no trials there is no information: the interval is the whole of [0, 1].
    """
    _check_counts(trials, successes)
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    denom = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one group: 1 - C(n-c, k) / C(n, k).

    The chance that at least one of k trials drawn without replacement from the n trials
    (c of which passed) passed. Computed as a product, never with factorials.
    """
    _check_k(n, c, k)
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Unbiased pass^k of one group: C(c, k) / C(n, k).

    The chance that all of k trials drawn without replacement from the n trials passed
    (consistency rather than coverage).
    """
    _check_k(n, c, k)
    if c < k:
        return 0.0
    prod = 1.0
    for i in range(k):
        prod *= (c - i) / (n - i)
    return prod


def mean_pass_at_k(groups: Sequence[tuple[int, int]], k: int) -> float:
    """pass@k averaged over groups of (trials, passed), e.g. one group per (task, combo)."""
    if not groups:
        raise ValueError("pass@k needs at least one group with graded trials")
    return sum(pass_at_k(n, c, k) for n, c in groups) / len(groups)


def mean_pass_hat_k(groups: Sequence[tuple[int, int]], k: int) -> float:
    """pass^k averaged over groups of (trials, passed)."""
    if not groups:
        raise ValueError("pass^k needs at least one group with graded trials")
    return sum(pass_hat_k(n, c, k) for n, c in groups) / len(groups)


def max_k(groups: Sequence[tuple[int, int]]) -> int:
    """Largest k every group supports: the fewest graded trials of any group (0 if none)."""
    return min((n for n, _ in groups), default=0)


def pass_curves(groups: Sequence[tuple[int, int]]) -> tuple[dict[int, float], dict[int, float]]:
    """pass@k and pass^k for every k from 1 to `max_k(groups)`.

    Groups with no graded trial (all infra errors) carry no information and are dropped.
    """
    kept = [(n, c) for n, c in groups if n > 0]
    top = max_k(kept)
    at = {k: mean_pass_at_k(kept, k) for k in range(1, top + 1)}
    hat = {k: mean_pass_hat_k(kept, k) for k in range(1, top + 1)}
    return at, hat


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0 (e.g. fabrication rate over graded attempts)."""
    _check_counts(whole, part)
    return part / whole if whole else None


def sum_known(values: Iterable[float | None]) -> float | None:
    """Sum, or None as soon as one value is unknown (None). An empty sum is 0."""
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def mean_known(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None (None when there are none).

    For quantities where None means *not applicable* (e.g. functions_correct on a task without
    differential tests), not unknown.
    """
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def per_unit(total: float | None, count: int) -> float | None:
    """total / count (cost per success, tokens per attempt...); None if unknown or count is 0."""
    if total is None or count <= 0:
        return None
    return total / count


def count_reasons(reasons: Iterable[Reason | str]) -> dict[str, int]:
    """Failure reasons as counts, most frequent first; `none` (passed) is not a reason."""
    counts = Counter(Reason(r).value for r in reasons)
    counts.pop(Reason.NONE.value, None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def function_difficulty(
    groups: Iterable[tuple[Sequence[str], int, int]],
) -> dict[str, tuple[int, int]]:
    """Per function: (solved, masked) over graded attempts where it was masked.

    `groups` holds (combo, graded, passed) counts; a function counts as solved in an attempt
    when the attempt passed (every experiment that depends on it reproduced).
    """
    out: dict[str, list[int]] = {}
    for combo, graded, passed in groups:
        _check_counts(graded, passed)
        for fn in combo:
            acc = out.setdefault(fn, [0, 0])
            acc[0] += passed
            acc[1] += graded
    return {fn: (s, m) for fn, (s, m) in sorted(out.items())}


def status_counts(statuses: Iterable[Status | str]) -> Mapping[Status, int]:
    """How many attempts have each status (every status present, zeros included)."""
    counts = Counter(Status(s) for s in statuses)
    return {s: counts.get(s, 0) for s in Status}


def _check_counts(total: int, part: int) -> None:
    if total < 0 or part < 0 or part > total:
        raise ValueError(f"invalid counts: {part} out of {total}")


def _check_k(n: int, c: int, k: int) -> None:
    _check_counts(n, c)
    if k < 1:
        raise ValueError(f"k must be at least 1, got k={k}")
    if k > n:
        raise ValueError(
            f"k={k} exceeds the {n} trial(s) available; pass@k and pass^k need trials >= k "
            f"(run with more trials or ask for a smaller k)"
        )
