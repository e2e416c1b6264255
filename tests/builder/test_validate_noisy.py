"""An experiment whose output varies between runs of the original code: plain validation
(`autoexp tasks validate`, `validate_task`) rejects it as not deterministic, unless
`autoexp build` calibrated its tolerances to that spread (hidden/calibration.json); then both
oracle runs must be within the tolerance, and the mask check runs on it as on any other."""

from __future__ import annotations

import json
import textwrap

from autoexp.builder import validate_task
from autoexp.sandbox import make_sandbox
from autoexp.tasks import load_task

from conftest import autoexp

CODE = '''\
import json
import time


def jitter(scale):
    """A value near 1 that changes from run to run by less than `scale`."""
    tick = time.perf_counter_ns() % 1000
    noise = tick * scale / 1000
    return 1.0 + noise


print(json.dumps({"x": jitter(1e-6)}))
'''


def _task(root, *, calibrated: bool):
    (root / "code").mkdir(parents=True)
    (root / "code" / "run.py").write_text(CODE, encoding="utf-8")
    (root / "paper.md").write_text("We report a value close to one.\n", encoding="utf-8")
    (root / "task.yaml").write_text(
        textwrap.dedent(
            """\
            schema: 1
            id: noisy
            title: A noisy value
            experiments:
              - id: e
                description: Print the value.
                command: python run.py
                metrics:
                  x: {expected: 1.0, rtol: 0.001}
                depends_on: [run.py::jitter]
            functions:
              - id: run.py::jitter
                description: A value near 1 that varies by less than scale.
            """
        ),
        encoding="utf-8",
    )
    if calibrated:  # what `autoexp build` writes after seeing the output vary
        (root / "hidden").mkdir()
        spread = {"runs": 3, "output_varies": True}
        cal = {"schema": 1, "repeats": 3, "experiments": {"e": spread}}
        (root / "hidden" / "calibration.json").write_text(json.dumps(cal), encoding="utf-8")
    return load_task(root)


def _checks(result):
    return {c.name: c for c in result.checks}


def test_varying_output_is_not_deterministic_without_calibration(tmp_path):
    result = validate_task(_task(tmp_path / "t", calibrated=False), make_sandbox())
    checks = _checks(result)
    assert not result.ok
    assert not checks["oracle e"].ok and "not deterministic" in checks["oracle e"].detail
    # nothing reproduces, so masking cannot be shown to be caught
    assert not checks["mask run.py::jitter"].ok
    proc = autoexp("tasks", "validate", str(tmp_path / "t"), "--no-mutants", check=False)
    assert proc.returncode != 0 and "not deterministic" in proc.stdout


def test_calibrated_varying_output_validates_within_its_tolerance(tmp_path):
    result = validate_task(_task(tmp_path / "t", calibrated=True), make_sandbox())
    checks = _checks(result)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert "within the calibrated tolerance" in checks["oracle e"].detail
    assert checks["mask run.py::jitter"].ok  # the mask check ran on the noisy experiment
    assert checks["no TODO left"].ok
