"""Choosing hidden experiments among the variants of the commands: a variant is kept when it
runs, differs from its experiment beyond tolerance, stays out of the paper and executes a
maskable function (so masking that function, or a mutant of it, fails it too)."""

from __future__ import annotations

from collections.abc import Callable

from autoexp.builder._calls import CommandProfile
from autoexp.builder._hidden import Variant, entry_file, find_knobs, variants
from autoexp.builder._metrics import FoundMetric
from autoexp.builder._runs import CommandRuns, Runner, calibrate_metrics
from autoexp.builder._tolerance import ExperimentSpread
from autoexp.builder._types import HiddenReport
from autoexp.builder._validate import paper_leaks
from autoexp.grading import within
from autoexp.tasks._model import Experiment, HiddenExperiment

MAX_KNOBS = 3
"""Knobs tried per experiment (seeds first)."""
MAX_HIDDEN = 2
"""Hidden experiments kept per visible experiment."""


def knob_variants(runner: Runner, exp: Experiment, profile: CommandProfile) -> list[list[Variant]]:
    """The variants to try for one experiment, per knob: the knobs of its entry point and of
    the files it executed (at most MAX_KNOBS)."""
    files = {fid.split("::")[0] for fid in profile.functions}
    entry = entry_file(exp.command, runner.code_dir)
    ordered = ([entry] if entry else []) + sorted(files - {entry})
    return variants(exp.id, exp.command, find_knobs(runner.code_dir, ordered)[:MAX_KNOBS])


def judge(
    exp: Experiment,
    variant: Variant,
    runs: CommandRuns,
    found: list[FoundMetric],
    chosen: list[str],
    paper: str,
) -> tuple[HiddenExperiment | None, ExperimentSpread | None, str]:
    """(the hidden experiment, its spread, "") for a variant worth keeping, else
    (None, None, why not)."""
    if runs.failure:
        return None, None, f"fails: {runs.failure[:200]}"
    # read as the visible experiment reads them; a metric missing from a run is left out
    metrics, spread, _ = calibrate_metrics([f for f in found if f.name in exp.metrics], runs.plain)
    if not metrics:
        return None, None, "prints none of its experiment's metrics"
    if all(within(m.expected, exp.metrics[k]) for k, m in metrics.items()):
        return None, None, f"every metric equals {exp.id}'s within tolerance"
    executed = [f for f in chosen if f in runs.profile.functions]
    if not executed:
        return None, None, "executes no maskable function"

    def hidden(ms: dict) -> HiddenExperiment:
        return HiddenExperiment(
            id=variant.id,
            of=exp.id,
            description=variant.description,
            command=variant.command,
            timeout_s=max(exp.timeout_s, runs.timeout_s()),
            metrics=ms,
            depends_on=[] if set(executed) == set(exp.depends_on) else executed,
        )

    # a value the paper prints (often one the variant does not change, like an accuracy of
    # 1) is no secret: that metric is left out of the hidden experiment
    leaked = {k for k, m in metrics.items() if paper_leaks(paper, [hidden({k: m})])}
    kept = {k: m for k, m in metrics.items() if k not in leaked}
    if not any(not within(m.expected, exp.metrics[k]) for k, m in kept.items()):
        leak = paper_leaks(paper, [hidden(metrics)])
        return None, None, f"the paper prints its numbers that differ: {leak[0]}"
    assert spread is not None
    for k in leaked:
        spread.metrics.pop(k, None)
    return hidden(kept), spread, ""


def propose_hidden(
    runner: Runner,
    exps: list[Experiment],
    profiles: list[CommandProfile],
    found: dict[str, list[FoundMetric]],
    chosen: list[str],
    paper: str,
    say: Callable[[str], None],
) -> tuple[list[HiddenExperiment], dict[str, ExperimentSpread], list[HiddenReport]]:
    """Hidden variants of every experiment, at most MAX_HIDDEN each: every knob's first value
    in one parallel round, then the second value of the knobs whose first was not kept.
    Variants run twice (more when noisy) and once profiled."""
    pending = {e.id: knob_variants(runner, e, p) for e, p in zip(exps, profiles, strict=True)}
    by_id = {e.id: e for e in exps}
    kept: dict[str, list[HiddenExperiment]] = {e.id: [] for e in exps}
    spreads: dict[str, ExperimentSpread] = {}
    reports: list[HiddenReport] = []
    taken = {e.id for e in exps}
    n_knobs = sum(len(v) for v in pending.values())
    if n_knobs:
        say(f"trying hidden variants: {n_knobs} knob(s) of {len(exps)} experiment(s)")
    for round_ in range(2):
        tries = [
            (by_id[eid], per_knob[round_])
            for eid, knobs in pending.items()
            for per_knob in knobs
            if round_ < len(per_knob) and len(kept[eid]) < MAX_HIDDEN
        ]
        if not tries:
            break
        runs = runner.run(
            [v.command for _, v in tries], [min(2, runner.repeats)] * len(tries), tag=f"h{round_}-"
        )
        done: set[tuple[str, str]] = set()
        for (exp, v), r in zip(tries, runs, strict=True):
            hidden, spread, why = judge(exp, v, r, found[exp.id], chosen, paper)
            if hidden is not None and len(kept[exp.id]) >= MAX_HIDDEN:
                hidden, why = None, f"{exp.id} has {MAX_HIDDEN} hidden experiments already"
            if hidden is not None and spread is not None:
                base, k = hidden.id, 2
                while hidden.id in taken:
                    hidden, k = hidden.model_copy(update={"id": f"{base}-{k}"}), k + 1
                taken.add(hidden.id)
                kept[exp.id].append(hidden)
                spreads[hidden.id] = spread
                done.add((exp.id, v.knob.name))
            reports.append(
                HiddenReport(
                    id=hidden.id if hidden else v.id,
                    of=v.of,
                    command=v.command,
                    kept=hidden is not None,
                    reason=why,
                )
            )
        for eid, knobs in pending.items():  # next round: the knobs whose value was not kept
            pending[eid] = [k for k in knobs if (eid, k[0].knob.name) not in done]
    hidden = [h for e in exps for h in kept[e.id]]
    return hidden, spreads, reports
