"""Inspect's entry point (`[project.entry-points.inspect_ai] autoexp = ...`): importing this
module registers the `autoexp` sandbox environment, the scorer and the `autoexp_suite` task."""

from autoexp.inspect._sandbox import AutoexpSandboxEnvironment
from autoexp.inspect._scorer import autoexp_scorer, pass_k
from autoexp.inspect._task import autoexp_suite

__all__ = ["AutoexpSandboxEnvironment", "autoexp_scorer", "autoexp_suite", "pass_k"]
