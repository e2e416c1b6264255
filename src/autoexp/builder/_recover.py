"""Comparing a task built from bare code with the hand-made task it came from (the built-in
suite is the reference: `bench/bench_build_builtin.py`, tests/builder)."""

from __future__ import annotations

from pathlib import Path

from autoexp.difftest import load_index
from autoexp.grading import within
from autoexp.grading._metrics import tolerance
from autoexp.tasks._load import load_task
from autoexp.tasks._model import Task


def compare_with_builtin(reference: Task, built_dir: Path, *, tighter: bool = False) -> list[str]:
    """What the task at `built_dir` misses of `reference` (empty: nothing).

    It must list every function of the reference; each experiment (matched by command) must
    depend on exactly the reference's functions that the reference lists for it, and give
    every metric of the reference an expected value within the reference's tolerance (with
    `tighter`, a tolerance no looser than the reference's too: then every mutant that the
    reference's tolerances catch is caught); it must have a hidden experiment turning a seed
    when the reference has one, and differential samples for each of its functions when it
    has samples at all.
    """
    built = load_task(built_dir)
    problems: list[str] = []
    ref_fns = {f.id for f in reference.spec.functions}
    got_fns = {f.id for f in built.spec.functions}
    if ref_fns - got_fns:
        problems.append(f"functions not proposed: {sorted(ref_fns - got_fns)}")
    by_command = {e.command: e for e in built.spec.experiments}
    for ref in reference.spec.experiments:
        exp = by_command.get(ref.command)
        if exp is None:
            problems.append(f"{ref.id}: no built experiment runs {ref.command!r}")
            continue
        got = set(exp.depends_on) & ref_fns
        if got != set(ref.depends_on):
            problems.append(
                f"{ref.id}: depends_on differs on the reference's functions: missing "
                f"{sorted(set(ref.depends_on) - got)}, extra {sorted(got - set(ref.depends_on))}"
            )
        for name, m in ref.metrics.items():
            b = exp.metrics.get(name)
            if b is None:
                problems.append(f"{ref.id}.{name}: not found as a metric")
            elif not within(b.expected, m):
                problems.append(
                    f"{ref.id}.{name}: expected {b.expected:g}, reference {m.expected:g}"
                )
            elif tighter and tolerance(b) > tolerance(m) + 1e-12 * max(1.0, abs(m.expected)):
                problems.append(
                    f"{ref.id}.{name}: tolerance {tolerance(b):.3g} looser than the reference's "
                    f"{tolerance(m):.3g}"
                )
    if any("seed" in h.command for h in reference.spec.hidden_experiments) and not any(
        "seed" in h.command for h in built.spec.hidden_experiments
    ):
        problems.append("no hidden experiment turns a seed")
    index = load_index(built)
    if index is not None:
        empty = [f for f in got_fns if f not in index.functions or not index.functions[f].samples]
        if empty:
            problems.append(f"functions without differential samples: {sorted(empty)}")
    return problems
