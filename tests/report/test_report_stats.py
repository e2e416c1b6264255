"""Statistics against hand-computed values and an independent brute-force computation."""

from __future__ import annotations

import itertools
import math

import pytest

from autoexp.grading import Reason, Status
from autoexp.report import stats


def brute_pass_at_k(outcomes: list[bool], k: int) -> float:
    """Fraction of all k-subsets of the trials that contain at least one pass."""
    subsets = list(itertools.combinations(outcomes, k))
    return sum(any(s) for s in subsets) / len(subsets)


def brute_pass_hat_k(outcomes: list[bool], k: int) -> float:
    """Fraction of all k-subsets of the trials in which every trial passed."""
    subsets = list(itertools.combinations(outcomes, k))
    return sum(all(s) for s in subsets) / len(subsets)


def test_wilson_hand_computed() -> None:
    # 3/10: p=0.3, z=1.96: centre=(0.3+0.19208)/1.38415, half=1.96*sqrt(0.021+0.0009604)/1.38415
    low, high = stats.wilson_interval(3, 10)
    assert low == pytest.approx(0.10779, abs=1e-5)
    assert high == pytest.approx(0.60322, abs=1e-5)
    # 0/5: the lower end is exactly 0, upper = z^2/n / (1 + z^2/n) = 0.76829/1.76829
    low, high = stats.wilson_interval(0, 5)
    assert low == 0.0
    assert high == pytest.approx(0.43448, abs=1e-5)
    # 5/5 mirrors 0/5
    low, high = stats.wilson_interval(5, 5)
    assert (low, high) == (pytest.approx(1 - 0.43448, abs=1e-5), 1.0)
    # no trials: no information
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_contains_rate_and_narrows_with_more_trials() -> None:
    lo1, hi1 = stats.wilson_interval(5, 10)
    lo2, hi2 = stats.wilson_interval(50, 100)
    assert lo1 < 0.5 < hi1 and lo2 < 0.5 < hi2
    assert hi2 - lo2 < hi1 - lo1


@pytest.mark.parametrize("n", range(1, 9))
def test_pass_at_k_and_pass_hat_k_match_brute_force(n: int) -> None:
    for c in range(n + 1):
        outcomes = [True] * c + [False] * (n - c)
        for k in range(1, n + 1):
            assert stats.pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(outcomes, k))
            assert stats.pass_hat_k(n, c, k) == pytest.approx(brute_pass_hat_k(outcomes, k))


def test_pass_at_k_hand_values() -> None:
    # n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10; pass^2 = C(2,2)/C(5,2) = 1/10
    assert stats.pass_at_k(5, 2, 2) == pytest.approx(0.7)
    assert stats.pass_hat_k(5, 2, 2) == pytest.approx(0.1)
    assert stats.pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert stats.pass_at_k(5, 2, 4) == 1.0  # only 3 failures: any 4 contain a pass
    assert stats.pass_hat_k(5, 2, 3) == 0.0


def test_pass_at_k_is_numerically_stable_for_large_n() -> None:
    # C(2000, 1000) overflows floats; the product form must not.
    value = stats.pass_at_k(2000, 10, 1000)
    assert 0.0 < value <= 1.0 and math.isfinite(value)
    assert stats.pass_hat_k(2000, 1990, 1000) > 0.0


def test_mean_over_groups_with_mixed_outcomes() -> None:
    groups = [(3, 1), (3, 3), (3, 0)]
    per = [[True, False, False], [True] * 3, [False] * 3]
    for k in (1, 2, 3):
        expected_at = sum(brute_pass_at_k(o, k) for o in per) / 3
        expected_hat = sum(brute_pass_hat_k(o, k) for o in per) / 3
        assert stats.mean_pass_at_k(groups, k) == pytest.approx(expected_at)
        assert stats.mean_pass_hat_k(groups, k) == pytest.approx(expected_hat)
    # hand: k=2 -> (2/3 + 1 + 0) / 3
    assert stats.mean_pass_at_k(groups, 2) == pytest.approx((2 / 3 + 1) / 3)


def test_k_larger_than_trials_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"k=4 exceeds the 3 trial"):
        stats.pass_at_k(3, 1, 4)
    with pytest.raises(ValueError, match=r"k=4 exceeds the 3 trial"):
        stats.pass_hat_k(3, 1, 4)
    with pytest.raises(ValueError, match=r"k=3 exceeds the 2 trial"):
        stats.mean_pass_at_k([(5, 1), (2, 1)], 3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        stats.pass_at_k(3, 1, 0)
    with pytest.raises(ValueError, match="invalid counts"):
        stats.pass_at_k(3, 4, 1)


def test_pass_curves_stop_at_the_fewest_trials_and_drop_empty_groups() -> None:
    at, hat = stats.pass_curves([(3, 1), (2, 2), (0, 0)])
    assert sorted(at) == [1, 2] == sorted(hat)
    assert at[1] == pytest.approx((1 / 3 + 1) / 2)
    assert at[2] == pytest.approx((2 / 3 + 1) / 2)
    assert hat[2] == pytest.approx((0 + 1) / 2)
    assert stats.pass_curves([]) == ({}, {})


def test_infra_and_grader_errors_are_out_of_denominators() -> None:
    statuses = (
        [Status.PASSED] * 3 + [Status.FAILED] + [Status.INFRA_ERROR] * 5 + [Status.GRADER_ERROR]
    )
    counts = stats.status_counts(statuses)
    graded = sum(v for s, v in counts.items() if stats.is_graded(s))
    assert graded == 4
    assert counts[Status.INFRA_ERROR] == 5
    assert stats.success_rate(counts[Status.PASSED], graded) == 0.75
    assert not stats.is_graded("infra_error") and stats.is_graded("failed")
    assert stats.success_rate(0, 0) is None


def test_costs_unknown_are_never_zero() -> None:
    assert stats.sum_known([0.5, None, 1.0]) is None
    assert stats.sum_known([0.5, 1.0]) == 1.5
    assert stats.sum_known([]) == 0.0
    assert stats.per_unit(None, 3) is None
    assert stats.per_unit(3.0, 0) is None
    assert stats.per_unit(3.0, 2) == 1.5


def test_partial_credit_rates_reasons_and_difficulty() -> None:
    assert stats.mean_known([1.0, None, 0.5]) == 0.75
    assert stats.mean_known([None]) is None
    assert stats.rate(1, 4) == 0.25 and stats.rate(0, 0) is None
    reasons = [Reason.NONE, Reason.CRASH, "wrong_result", Reason.CRASH, Reason.SANDBOX]
    assert stats.count_reasons(reasons) == {"crash": 2, "sandbox": 1, "wrong_result": 1}
    assert next(iter(stats.count_reasons(reasons))) == "crash"
    difficulty = stats.function_difficulty([(("a", "b"), 4, 1), (("a",), 2, 2), (("c",), 0, 0)])
    assert difficulty == {"a": (3, 6), "b": (1, 4), "c": (0, 0)}
