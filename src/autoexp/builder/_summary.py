"""What a build tells its author: the points to review in the new task, and a short report."""

from __future__ import annotations

from autoexp.builder._types import BuildResult
from autoexp.tasks._model import TaskSpec


def review_points(result: BuildResult, spec: TaskSpec, *, paper: bool, samples: bool) -> list[str]:
    """What the author should check or write in the new task before using it."""
    out: list[str] = []
    if not paper:
        out.append("paper.md is a placeholder: put the paper's text there (or give --paper)")
    todo = [f for f, how in result.descriptions.items() if how == "todo"]
    if todo:
        out.append(
            f"{len(todo)} function(s) have no docstring, so their description is a TODO "
            f"(write it, or build with --model): {', '.join(todo)}"
        )
    by_model = [f for f, how in result.descriptions.items() if how == "model"]
    if by_model:
        out.append(f"{len(by_model)} description(s) were written by the model: read them")
    out.append("the experiment descriptions are TODOs: say what each does, in the paper's terms")
    for e in result.experiments:
        if e.metrics_source == "text":
            out.append(f"{e.id}: metrics {e.metrics} were read from plain text by regex")
        if e.noisy:
            out.append(
                f"{e.id}: {e.noisy} varied over {e.runs} runs, so their tolerances are loose "
                "(seed the code for tight ones)"
            )
        if e.dropped_metrics:
            out.append(f"{e.id}: not taken as metrics: {'; '.join(e.dropped_metrics[:5])}")
    varied = {h.of for h in spec.hidden_experiments}
    for e in spec.experiments:
        if e.id not in varied:
            out.append(
                f"{e.id}: no hidden experiment (no seed or size knob gave a variant that "
                "differs): add one by hand"
            )
        if not e.depends_on:
            out.append(f"{e.id}: executes no maskable function, so no attempt will include it")
    if not samples:
        out.append("no differential samples: record them with `autoexp tasks record`")
    elif result.samples is not None:
        for f in result.samples.functions:
            if not f.samples:
                why = "; ".join(f.skipped[:2])
                out.append(f"{f.function}: left out, it got no differential sample ({why})")
    return out


def summary_lines(result: BuildResult) -> list[str]:
    """The build's report in a few lines: functions, experiments, hidden ones, review."""
    chosen = [c for c in result.candidates if c.chosen]
    left = [c for c in result.candidates if not c.chosen]
    lines = [f"task {result.task} written to {result.path}"]
    lines.append(f"{len(chosen)} maskable function(s), best first:")
    lines += [
        f"  {c.id} (in {', '.join(c.experiments)}; description from "
        f"{result.descriptions.get(c.id, '?')})"
        for c in chosen
    ]
    if left:
        lines.append(f"{len(left)} left out, e.g.:")
        lines += [f"  {c.id}: {c.reason}" for c in left[:8]]
    for e in result.experiments:
        noisy = f", noisy: {', '.join(e.noisy)}" if e.noisy else ""
        lines.append(
            f"experiment {e.id}: {len(e.metrics)} metric(s) from {e.metrics_source}{noisy}"
        )
    kept = [h for h in result.hidden if h.kept]
    lines.append(f"{len(kept)} hidden experiment(s) of {len(result.hidden)} proposed:")
    lines += [f"  {h.id}: {h.command}" for h in kept]
    if result.samples is not None:
        n = sum(f.samples for f in result.samples.functions)
        lines.append(f"{n} differential sample(s) recorded in {result.samples.seconds:.0f}s")
    if result.review:
        lines.append("to review:")
        lines += [f"  - {r}" for r in result.review]
    if result.validation is not None:
        bad = [c for c in result.validation.checks if not c.ok]
        state = "validated" if not bad else f"{len(bad)} check(s) failed"
        lines.append(f"{state} ({len(result.validation.checks)} checks)")
    return lines
