"""`autoexp build`: a research repository plus the commands of its experiments become a task.

Steps: copy the code; run every command once under the profiler (depends_on, call counts and
times) and R times plainly (metrics, and tolerances from their spread); choose and rank the
maskable functions; describe them; propose hidden experiments by turning the seeds and sizes
the commands expose; write task.yaml, the paper and hidden/; record the differential samples;
validate and say what to review.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from autoexp.builder._choose import Candidate, choose_functions, scan_functions
from autoexp.builder._describe import TODO, describe
from autoexp.builder._hidden import entry_file
from autoexp.builder._metrics import FoundMetric, find_metrics
from autoexp.builder._propose import propose_hidden
from autoexp.builder._runs import CommandRuns, Runner, calibrate_metrics
from autoexp.builder._summary import review_points
from autoexp.builder._tolerance import CALIBRATION_FILE, Calibration, ExperimentSpread
from autoexp.builder._types import BuildError, BuildResult, ExperimentReport
from autoexp.builder._validate import Check, validate_task
from autoexp.builder._write import (
    copy_mutants,
    prune_unsampled,
    write_json,
    write_paper,
    write_spec,
)
from autoexp.difftest import record_samples
from autoexp.errors import MaskingError
from autoexp.masking import copy_code, locate
from autoexp.protocols import Model, Sandbox
from autoexp.tasks._load import load_task
from autoexp.tasks._model import SCHEMA_VERSION, Experiment, Function, Metric, TaskSpec

BUILD_FILE = "build.json"
"""In hidden/: what the build found (profiles, candidates, hidden proposals, review)."""
_EXP_FLAGS = ("--exp", "--experiment", "-e", "--name", "--task", "--config", "--mode")
_SLUG = re.compile(r"[^a-z0-9._-]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-._") or "task"


def experiment_id(command: str, taken: set[str]) -> str:
    """An id for an experiment from its command: the value of `--exp` (or a similar flag),
    else its arguments after the script, else the script's name; unique among `taken`
    (which it joins)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    name = ""
    for i, w in enumerate(words):
        for flag in _EXP_FLAGS:
            if w == flag and i + 1 < len(words):
                name = words[i + 1]
            elif w.startswith(flag + "="):
                name = w.split("=", 1)[1]
        if name:
            break
    if not name:
        script = next((i for i, w in enumerate(words) if w.endswith(".py")), None)
        rest = words[script + 1 :] if script is not None else words[1:]
        name = "-".join(w.lstrip("-") for w in rest) or (
            Path(words[script]).stem if script is not None else "exp"
        )
    base = _slug(name)[:40].strip("-._") or "exp"
    out, k = base, 2
    while out in taken:
        out, k = f"{base}-{k}", k + 1
    taken.add(out)
    return out


def _title(paper: str | None) -> str:
    """The paper's first heading (or first line), else a TODO."""
    for line in (paper or "").splitlines():
        text = line.strip().lstrip("#").strip()
        if text:
            return text[:200]
    return f"{TODO} the paper's title"


def _visible(
    runner: Runner, ids: list[str], commands: list[str], say: Callable[[str], None]
) -> tuple[list[CommandRuns], list[ExperimentReport], dict, dict, dict]:
    """Profile and repeat every command: runs, reports, metrics, spreads, found metrics."""
    say(
        f"running {len(commands)} command(s): once profiled and {runner.repeats} time(s) "
        f"plainly, {runner.workers} at a time"
    )
    runs = runner.run(commands, [runner.repeats] * len(commands), tag="v")
    reports: list[ExperimentReport] = []
    metrics: dict[str, dict[str, Metric]] = {}
    spreads: dict[str, ExperimentSpread] = {}
    found_by: dict[str, list[FoundMetric]] = {}
    for exp_id, r in zip(ids, runs, strict=True):
        if r.failure:
            raise BuildError(f"experiment {exp_id} (`{r.command}`) {r.failure}")
        found = find_metrics(r.plain[0].stdout)
        if not found.metrics:
            raise BuildError(
                f"experiment {exp_id} (`{r.command}`) prints no number to take as a metric; "
                f"its output ends: {r.plain[0].stdout[-300:]!r}"
            )
        m, spread, dropped = calibrate_metrics(found.metrics, r.plain)
        if not m:
            raise BuildError(f"experiment {exp_id}: no metric is printed by every run")
        metrics[exp_id], spreads[exp_id], found_by[exp_id] = m, spread, found.metrics
        report = ExperimentReport(
            id=exp_id,
            command=r.command,
            metrics_source=found.source,
            metrics=list(m),
            dropped_metrics=[*found.dropped, *dropped],
            noisy=[k for k, s in spread.metrics.items() if s.noisy],
            runs=len(r.plain),
            seconds=round(r.plain[0].duration_s, 3),
            functions=r.profile.functions,
        )
        reports.append(report)
        noisy = f", noisy over {report.runs} runs: {report.noisy}" if report.noisy else ""
        say(
            f"  {exp_id}: {len(m)} metric(s) from {found.source}, "
            f"{len(r.profile.functions)} repository function(s) executed, "
            f"{r.plain[0].duration_s:.1f}s{noisy}"
        )
    return runs, reports, metrics, spreads, found_by


def _choose(
    code: Path,
    commands: list[str],
    ids: list[str],
    runs: list[CommandRuns],
    functions: list[str] | None,
    max_functions: int | None,
) -> tuple[list[Candidate], list[str], dict[str, str | None]]:
    """Candidates (ranked), the chosen ids, and their docstrings."""
    infos = scan_functions(code)
    entries = {e for e in (entry_file(c, code) for c in commands) if e}
    executed = {i: r.profile.functions for i, r in zip(ids, runs, strict=True)}
    cands = choose_functions(
        infos, executed, entries, override=functions, max_functions=max_functions
    )
    for c in cands:  # masking must find it (libcst, byte for byte)
        if c.chosen:
            path, qual = c.id.split("::")
            try:
                locate((code / path).read_text(encoding="utf-8"), qual, filename=path)
            except (MaskingError, OSError, UnicodeDecodeError) as e:
                c.chosen, c.reason = False, f"cannot be masked: {e}"
    chosen = [c.id for c in cands if c.chosen]
    if functions:
        why = {c.id: c.reason for c in cands}
        missing = [f for f in functions if f not in chosen]
        if missing:
            raise BuildError(
                "--functions: " + "; ".join(f"{f}: {why.get(f) or 'not found'}" for f in missing)
            )
    if not chosen:
        raise BuildError(
            "no maskable function: the commands execute no non-trivial function defined in "
            "the repository"
        )
    return cands, chosen, {fid: infos[fid].docstring for fid in chosen}


def _check_args(src: Path, out: Path, commands: list[str], repeats: int) -> None:
    if not src.is_dir():
        raise BuildError(f"{src}: not a directory")
    if not commands:
        raise BuildError("give at least one --command")
    if repeats < 1:
        raise BuildError("--repeats must be at least 1")
    if out == src or src in out.parents:
        raise BuildError(f"{out}: the task directory must be outside the repository {src}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BuildError(f"{out}: exists and is not empty")


def build_task(
    src: Path,
    commands: list[str],
    sandbox: Sandbox,
    *,
    out: Path | None = None,
    paper: Path | None = None,
    repeats: int = 3,
    functions: list[str] | None = None,
    max_functions: int | None = None,
    model: Model | None = None,
    task_id: str | None = None,
    mutants: Path | None = None,
    workers: int | None = None,
    timeout_s: float = 3600.0,
    samples: bool = True,
    validate: bool = True,
    on_progress: Callable[[str], None] | None = None,
    on_check: Callable[[Check], None] | None = None,
) -> BuildResult:
    """Turn the repository `src` and its experiments' `commands` into a task at `out`
    (default: `<src>-task` beside `src`), validate it and return what was found and what to
    review (hidden/build.json keeps the same record, validation included).

    `functions` makes exactly those maskable; `model` writes the descriptions of functions
    without a docstring (else they are TODO); `mutants` is a directory of mutant files to copy
    in; `timeout_s` limits each run of the build; `samples=False` skips recording the
    differential samples and `validate=False` the validation. Raises BuildError when a command
    fails or prints no number, or nothing is maskable (the task directory is then removed).
    """
    say = on_progress or (lambda _m: None)
    src = Path(src).resolve()
    out = Path(out).resolve() if out else src.with_name(f"{src.name}-task")
    _check_args(src, out, commands, repeats)
    paper_text = None
    if paper is not None:
        try:
            paper_text = Path(paper).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise BuildError(f"--paper {paper}: cannot be read: {e}") from None
    tid = task_id or _slug(src.name)
    taken: set[str] = set()
    ids = [experiment_id(c, taken) for c in commands]
    scratch = Path(tempfile.mkdtemp(prefix="autoexp-build-"))
    scratch.chmod(0o755)
    runner = Runner(
        code_dir=out / "code", scratch=scratch, sandbox=sandbox, timeout_s=timeout_s,
        repeats=repeats, workers=workers or max(1, os.cpu_count() or 1),
    )  # fmt: skip
    result = BuildResult(task=tid, path=str(out))
    out.mkdir(parents=True, exist_ok=True)
    try:
        copy_code(src, runner.code_dir)
        runs, result.experiments, metrics, spreads, found = _visible(runner, ids, commands, say)
        result.candidates, chosen, docstrings = _choose(
            runner.code_dir, commands, ids, runs, functions, max_functions
        )
        say(f"{len(chosen)} maskable function(s): {', '.join(chosen)}")
        exps = [
            Experiment(
                id=exp_id,
                description=f"{TODO} what this experiment does and reports, in the paper's "
                f"terms (it runs `{r.command}`).",
                command=r.command,
                timeout_s=r.timeout_s(),
                metrics=metrics[exp_id],
                depends_on=[f for f in chosen if f in r.profile.functions],
            )
            for exp_id, r in zip(ids, runs, strict=True)
        ]
        hidden, hidden_spreads, result.hidden = propose_hidden(
            runner, exps, [r.profile for r in runs], found, chosen, paper_text or "", say
        )
        spreads.update(hidden_spreads)
        descriptions, result.descriptions = describe(
            chosen, docstrings, runner.code_dir, paper_text or "", model, on_note=say
        )
        spec = TaskSpec(
            schema=SCHEMA_VERSION,
            id=tid,
            title=_title(paper_text),
            experiments=exps,
            hidden_experiments=hidden,
            functions=[Function(id=f, description=descriptions[f]) for f in chosen],
        )
        write_paper(out, paper, paper_text)
        write_json(
            out / "hidden" / CALIBRATION_FILE, Calibration(repeats=repeats, experiments=spreads)
        )
        if mutants is not None:
            copy_mutants(out, mutants)
        write_spec(out, spec, src.name)
        if samples:
            say("recording differential samples")
            result.samples = record_samples(
                load_task(out), sandbox, on_progress=lambda m: say(f"  {m}")
            )
            pruned = prune_unsampled(out, result.samples, spec)
            if pruned is not spec:
                spec = pruned
                write_spec(out, spec, src.name)
        result.review = review_points(result, spec, paper=paper_text is not None, samples=samples)
        write_json(out / "hidden" / BUILD_FILE, result)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if validate:
        say("validating")
        result.validation = validate_task(load_task(out), sandbox, on_check=on_check)
        result.review += [
            f"failed: {c.name}: {c.detail}" for c in result.validation.checks if not c.ok
        ]
        write_json(out / "hidden" / BUILD_FILE, result)
    return result
