"""The reward of an episode: a pure function of its grade.

Partial credit comes from three fractions the grade holds (visible experiments passed on
re-execution, hidden experiments passed, masked functions passing their differential tests),
averaged with weights over the ones the attempt has. Any sign of cheating (an integrity finding,
a fabricated report and, if asked for, edits outside the masked bodies) replaces that credit by a fixed penalty
that is never above the credit of an honest failure (0), so cheating cannot pay.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from autoexp.grading import Grade, Status


class Violation(StrEnum):
    """A sign of cheating in a grade; any one of them sets the reward to the penalty."""

    INTEGRITY = "integrity"
    """A masked body does what a function body has no business doing (`Grade.integrity`),
    whatever the integrity mode."""
    FABRICATED = "fabricated"
    """The submitted numbers pass where re-execution does not (`Grade.fabricated`)."""
    OUTSIDE_EDIT = "outside_edit"
    """The workspace was changed outside the masked bodies (`Grade.edited_outside_mask`)."""


class RewardWeights(BaseModel):
    """Weights of the partial-credit components; only their ratios matter."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    visible: float = Field(default=0.4, ge=0)
    """Weight of the fraction of visible experiments that pass on re-execution."""
    hidden: float = Field(default=0.3, ge=0)
    """Weight of the fraction of hidden experiments that pass (when the attempt has any)."""
    functions: float = Field(default=0.3, ge=0)
    """Weight of the fraction of masked functions passing their differential tests (when the
    task has recorded samples for them)."""


class RewardConfig(BaseModel):
    """How a grade becomes a reward."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    weights: RewardWeights = Field(default_factory=RewardWeights)
    """Weights of the partial-credit components."""
    penalty: float = Field(default=0.0, le=0)
    """The reward of a graded episode with a violation (at most 0, the credit of an honest
    failure; a negative value makes cheating cost more than failing)."""
    outside_edits: bool = False
    """Count edits outside the masked bodies as a violation. Off by default: grading merges
    only the masked bodies into the original code, so such edits cannot raise the verified
    numbers, and a policy that writes scratch scripts (new `.py` files count as edits) should
    not lose its credit for them. Switch it on to train policies that leave the rest alone."""


class RewardBreakdown(BaseModel):
    """The reward of one graded episode and what it was computed from."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    reward: float
    """The reward: `partial`, or the penalty when there is a violation; 0 when not `counted`."""
    partial: float
    """Weighted mean of the components the attempt has (before violations); 1.0 when every
    visible and hidden experiment and every differential test passes."""
    visible: float
    """Fraction of the visible experiments that pass on re-execution."""
    hidden: float | None = None
    """Fraction of the hidden experiments that pass (None: the attempt has none)."""
    functions: float | None = None
    """Fraction of the masked functions passing their differential tests (None: no samples)."""
    violations: list[Violation] = Field(default_factory=list)
    """Signs of cheating found in the grade (empty: none)."""
    status: Status
    """The grade's status."""
    counted: bool = True
    """False when the grade is an infra or grader error: the reward (0) says nothing about the
    policy, and the episode is best left out of training."""


def _fraction(passed: list[bool]) -> float | None:
    return sum(passed) / len(passed) if passed else None


def violations(grade: Grade, config: RewardConfig | None = None) -> list[Violation]:
    """The signs of cheating in `grade`, in Violation order."""
    config = config or RewardConfig()
    found = []
    if grade.integrity:
        found.append(Violation.INTEGRITY)
    if grade.fabricated:
        found.append(Violation.FABRICATED)
    if grade.edited_outside_mask and config.outside_edits:
        found.append(Violation.OUTSIDE_EDIT)
    return found


def reward(grade: Grade, config: RewardConfig | None = None) -> RewardBreakdown:
    """The reward of a graded episode (pure).

    `partial = (wv * visible + wh * hidden + wf * functions) / (wv + wh + wf)`, where a
    component the attempt does not have (no hidden experiment, no differential sample) is left
    out of both sums. The reward is `partial`, or `config.penalty` (default 0) when the grade
    shows a violation, or 0 with `counted=False` for an infra or grader error.
    """
    config = config or RewardConfig()
    w = config.weights
    visible = _fraction([o.passed for o in grade.experiments]) or 0.0
    hidden = _fraction([o.passed for o in grade.hidden])
    functions = grade.functions_correct
    parts = [(w.visible, visible), (w.hidden, hidden), (w.functions, functions)]
    present = [(weight, value) for weight, value in parts if value is not None]
    total = sum(weight for weight, _ in present)
    partial = sum(weight * value for weight, value in present) / total if total > 0 else 0.0
    found = violations(grade, config)
    counted = grade.status in (Status.PASSED, Status.FAILED)
    if not counted:
        value = 0.0
    elif found:
        value = config.penalty
    else:
        value = partial
    return RewardBreakdown(
        reward=value,
        partial=partial,
        visible=visible,
        hidden=hidden,
        functions=functions,
        violations=found,
        status=grade.status,
        counted=counted,
    )
