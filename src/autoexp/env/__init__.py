# ruff: noqa: F401
"""A Gymnasium-style reinforcement-learning environment over autoexp's tasks (docs/rl.md).

`ResearchEnv` runs one (task, combo) episode through the react agent's tools in the task's
sandbox and rewards it from the verified grade (`reward`, a pure function of a Grade);
`BatchEnv` steps several in parallel. Names are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoexp._lazy import lazy_exports

_PUBLIC = {
    "ResearchEnv": "autoexp.env._env",
    "draw_combo": "autoexp.env._env",
    "BatchEnv": "autoexp.env._vector",
    "Action": "autoexp.env._types",
    "EnvConfig": "autoexp.env._types",
    "EnvError": "autoexp.env._types",
    "Observation": "autoexp.env._types",
    "TOOLS": "autoexp.env._types",
    "GRADE_TOOL": "autoexp.env._types",
    "RewardBreakdown": "autoexp.env._reward",
    "RewardConfig": "autoexp.env._reward",
    "RewardWeights": "autoexp.env._reward",
    "Violation": "autoexp.env._reward",
    "reward": "autoexp.env._reward",
    "violations": "autoexp.env._reward",
}
"""Public name -> the module that defines it."""

__all__ = [*_PUBLIC]

if TYPE_CHECKING:  # for type checkers only; the names are served by __getattr__
    from autoexp.env._env import ResearchEnv, draw_combo
    from autoexp.env._reward import (
        RewardBreakdown,
        RewardConfig,
        RewardWeights,
        Violation,
        reward,
        violations,
    )
    from autoexp.env._types import (
        GRADE_TOOL,
        TOOLS,
        Action,
        EnvConfig,
        EnvError,
        Observation,
    )
    from autoexp.env._vector import BatchEnv

__getattr__ = lazy_exports(__name__, _PUBLIC)
