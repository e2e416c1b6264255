"""autoexp inside Inspect AI (`pip install 'autoexp[inspect]'`; see docs/inspect.md).

- `autoexp_suite`: the suite as an Inspect task (`inspect eval autoexp/autoexp_suite`).
- `AutoexpSandboxEnvironment`: the `autoexp` sandbox (a sample's Session).
- `autoexp_scorer`, `pass_k`: autoexp's grading and its pass@k / pass^k over epochs.
- `import_inspect_log`: an Inspect log -> an autoexp run directory.

Only this package imports inspect_ai; `import autoexp` does not load it.
"""

from autoexp.inspect._import import import_inspect_log
from autoexp.inspect._sandbox import AutoexpSandboxEnvironment
from autoexp.inspect._scorer import GradingError, autoexp_scorer, pass_k
from autoexp.inspect._task import autoexp_suite, sample_id, suite_samples
from autoexp.inspect._types import AutoexpSandboxConfig, SampleInfo

__all__ = [
    "AutoexpSandboxConfig",
    "AutoexpSandboxEnvironment",
    "GradingError",
    "SampleInfo",
    "autoexp_scorer",
    "autoexp_suite",
    "import_inspect_log",
    "pass_k",
    "sample_id",
    "suite_samples",
]
