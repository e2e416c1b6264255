"""A benchmark's own pass rule, graded alongside autoexp's tolerances (pure): AutoExperiment's
mean relative error over an experiment's metrics, at most a bound."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from autoexp.grading._types import ExperimentOutcome, RuleOutcome
from autoexp.tasks._model import MeanRelativeError


def mean_relative_error(
    values: Mapping[str, float | None], gold: Mapping[str, float]
) -> float | None:
    """Mean over the gold metrics of |value - gold| / |gold|; None when a value is missing or
    not finite. A zero gold value gives a term of 0 for a value of exactly 0, else infinity."""
    if not gold:
        return None
    terms = []
    for name, g in gold.items():
        v = values.get(name)
        if v is None or not math.isfinite(v):
            return None
        terms.append(abs(v - g) / abs(g) if g != 0 else (0.0 if v == 0 else math.inf))
    return sum(terms) / len(terms)


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def rule_outcome(outcome: ExperimentOutcome, rule: MeanRelativeError) -> RuleOutcome:
    """One experiment under the rule, on its reported and on its verified numbers."""
    gold = {k: m.expected for k, m in outcome.metrics.items()}
    rep = mean_relative_error({k: m.reported for k, m in outcome.metrics.items()}, gold)
    ver = mean_relative_error({k: m.verified for k, m in outcome.metrics.items()}, gold)
    return RuleOutcome(
        id=outcome.id,
        reported=_finite(rep),
        verified=_finite(ver),
        reported_ok=rep is not None and rep <= rule.max,
        verified_ok=ver is not None and ver <= rule.max,
        zero_gold=sorted(k for k, g in gold.items() if g == 0),
        negative_gold=sorted(k for k, g in gold.items() if g < 0),
    )


def rule_outcomes(
    outcomes: Sequence[ExperimentOutcome], rule: MeanRelativeError | None
) -> list[RuleOutcome]:
    """Every experiment under the rule (none without a rule)."""
    return [] if rule is None else [rule_outcome(o, rule) for o in outcomes]


def rule_detail(outcomes: Sequence[RuleOutcome], rule: MeanRelativeError) -> str:
    """One line for a grade's detail: how many experiments pass the rule, as reported and as
    verified."""
    n = len(outcomes)
    rep = sum(o.reported_ok for o in outcomes)
    ver = sum(o.verified_ok for o in outcomes)
    flagged = sorted({m for o in outcomes for m in [*o.zero_gold, *o.negative_gold]})
    note = f", zero or negative gold: {', '.join(flagged)}" if flagged else ""
    name = f" ({rule.source})" if rule.source else ""
    return (
        f"rule mean_relative_error <= {rule.max:g}{name}: reported {rep}/{n}, "
        f"verified {ver}/{n}{note}"
    )
