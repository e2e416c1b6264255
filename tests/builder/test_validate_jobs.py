"""validate_task runs a task's sandbox commands side by side (issue 14): the checks, their
order and the mutant-kill table are the same whether one command runs at a time or several,
in a pool of its own or one that several tasks share."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from autoexp.builder import validate_task
from autoexp.sandbox import make_sandbox
from autoexp.tasks import load_task

from conftest import TOY


def _shown(result):
    """Each check without its timings (the oracle's detail is its run time)."""
    return [
        (
            c.name,
            c.ok,
            re.sub(r"^\d+\.\d\ds$", "<s>", c.detail) if c.name.startswith("oracle") else c.detail,
        )
        for c in result.checks
    ]


def test_checks_do_not_depend_on_how_many_commands_run_at_once():
    task, sandbox = load_task(TOY), make_sandbox()
    serial = validate_task(task, sandbox, jobs=1)
    assert serial.ok, [c for c in serial.checks if not c.ok]
    with ThreadPoolExecutor(4) as shared:
        parallel = validate_task(task, sandbox, pool=shared)
    assert _shown(parallel) == _shown(serial)
    assert parallel.mutants == serial.mutants
