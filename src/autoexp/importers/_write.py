"""Turning one paper's records into an autoexp task (TaskSpec) and writing its directory."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from autoexp.errors import AutoexpError, MaskingError
from autoexp.importers._needs import find_needs, prints_json
from autoexp.importers._read import PAPER_FILE, PaperData
from autoexp.importers._resolve import resolve
from autoexp.importers._types import ComboRecord, ExperimentRecord, Problem, Severity, problem
from autoexp.masking import copy_code, mask_source
from autoexp.tasks._load import load_task
from autoexp.tasks._model import (
    Experiment,
    Function,
    MeanRelativeError,
    Metric,
    Origin,
    TaskSpec,
)

DATASET = "autoexperiment"
"""The `origin.dataset` of imported tasks."""
RULE_SOURCE = "AutoExperiment (arXiv 2506.19724)"
"""The `rule.source` of imported tasks."""
_SLUG_BAD = re.compile(r"[^a-z0-9._-]+")


class ImportOptions(BaseModel):
    """How records become tasks."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    rtol: float = Field(default=0.05, ge=0.0)
    """autoexp's relative tolerance on every imported metric."""
    zero_atol: float = Field(default=1e-3, gt=0.0)
    """Absolute tolerance of a metric whose gold value is 0 (relative error is undefined)."""
    max_mean_relative_error: float = Field(default=0.05, ge=0.0)
    """The published rule's bound on the mean relative error of an experiment."""
    timeout_s: float = Field(default=3600.0, gt=0)
    """Timeout of each imported experiment, in seconds."""
    overwrite: bool = False
    """Replace a task directory that already exists in the output."""


class Built(BaseModel):
    """A paper turned into a task (or not)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    spec: TaskSpec | None
    """The task, None when the paper cannot become one."""
    problems: list[Problem] = Field(default_factory=list)
    """What was found on the way."""
    combos: dict[int, int] = Field(default_factory=dict)
    """K -> published combos kept."""


def slug(text: str) -> str:
    """`text` as an autoexp id (lower case; letters, digits, '.', '_', '-')."""
    s = _SLUG_BAD.sub("-", text.strip().lower()).strip("-._")
    return s or "x"


def _metrics(
    rec: ExperimentRecord, options: ImportOptions, problems: list[Problem]
) -> dict[str, Metric]:
    """The metrics of an experiment's `result`; a zero or negative gold value is flagged."""

    def warn(message: str) -> None:
        problems.append(
            problem(Severity.WARNING, rec.at_file, rec.at_line, f"exp_id {rec.exp_id!r}: {message}")
        )

    gold = rec.gold()
    out: dict[str, Metric] = {}
    for name, value in gold.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            warn(f"metric {name!r} is not a number ({value!r}); left out")
            continue
        value = float(value)
        if not math.isfinite(value):
            warn(f"metric {name!r} is not finite ({value}); left out")
            continue
        atol = 0.0
        if value == 0:
            atol = options.zero_atol
            warn(
                f"gold value of {name!r} is 0: its relative error is undefined (the published "
                f"rule fails any non-zero answer); autoexp uses atol={options.zero_atol:g}"
            )
        elif value < 0:
            warn(f"gold value of {name!r} is negative ({value:g}): relative error uses |gold|")
        out[name] = Metric(expected=value, rtol=options.rtol, atol=atol)
    return out


def build_experiments(
    paper: PaperData,
    code_dir: Path,
    functions: dict[str, str],
    options: ImportOptions,
    problems: list[Problem],
) -> list[Experiment]:
    """The paper's experiments; `functions`: func_id -> function id of those resolved."""
    out: list[Experiment] = []
    seen: set[str] = set()
    for rec in paper.experiments:

        def report(severity: Severity, message: str, rec: ExperimentRecord = rec) -> None:
            problems.append(
                problem(severity, rec.at_file, rec.at_line, f"exp_id {rec.exp_id!r}: {message}")
            )

        if not rec.solution.strip():
            report(Severity.ERROR, "no command (solution is empty); left out")
            continue
        try:
            metrics = _metrics(rec, options, problems)
        except ValueError as e:
            report(Severity.ERROR, f"{e}; left out")
            continue
        if not metrics:
            report(Severity.ERROR, "result holds no number to grade; left out")
            continue
        eid = slug(rec.exp_id)
        if eid in seen:
            report(Severity.ERROR, f"id {eid!r} is taken by another experiment; left out")
            continue
        seen.add(eid)
        depends: list[str] = []
        for fid in rec.func_dependencies:
            if fid not in functions:
                report(Severity.WARNING, f"depends on func_id {fid!r}, which was not imported")
            elif functions[fid] not in depends:
                depends.append(functions[fid])
        extract = not prints_json(code_dir, rec.solution, metrics)
        out.append(
            Experiment(
                id=eid,
                description=rec.description.strip() or f"Run `{rec.solution.strip()}`.",
                command=rec.solution.strip(),
                timeout_s=options.timeout_s,
                metrics=metrics,
                depends_on=depends,
                needs_extraction=extract,
            )
        )
    return out


def resolve_functions(
    paper: PaperData, code_dir: Path, problems: list[Problem]
) -> tuple[list[Function], dict[str, str]]:
    """The paper's functions that can be found by parsing, and func_id -> function id."""
    functions: list[Function] = []
    ids: dict[str, str] = {}
    for rec in paper.functions:
        res = resolve(rec, code_dir)
        problems.extend(res.problems)
        if res.function_id is None:
            continue
        if res.function_id in ids.values():
            other = next(k for k, v in ids.items() if v == res.function_id)
            why = f"func_id {rec.func_id!r} is the same function as func_id {other!r}"
            problems.append(
                problem(Severity.WARNING, rec.at_file, rec.at_line, f"{why} ({res.function_id})")
            )
            ids[rec.func_id] = res.function_id
            continue
        ids[rec.func_id] = res.function_id
        functions.append(
            Function(
                id=res.function_id,
                description=rec.description.strip(),
                paper_excerpt=rec.relevant_paper.strip() or None,
            )
        )
    return functions, ids


def check_masking(
    code_dir: Path, functions: list[Function], problems: list[Problem], where: str
) -> list[Function]:
    """The functions whose masking gives Python that compiles, masking all of them at once
    (one that cannot be masked is reported and dropped)."""
    by_file: dict[str, list[Function]] = {}
    for f in functions:
        by_file.setdefault(f.path, []).append(f)
    bad: set[str] = set()
    for path, fns in by_file.items():
        source = (code_dir / path).read_bytes().decode("utf-8")
        keep = list(fns)
        for f in fns:  # each alone first, so an error names its function
            try:
                mask_source(source, [(f.qualname, f.description)], filename=path)
            except MaskingError as e:
                bad.add(f.id)
                keep.remove(f)
                why = f"{f.id} cannot be masked: {e}; left out"
                problems.append(problem(Severity.ERROR, where, None, why))
        try:
            masked = mask_source(source, [(f.qualname, f.description) for f in keep], filename=path)
            compile(masked, path, "exec", dont_inherit=True)
        except (MaskingError, SyntaxError, ValueError) as e:
            bad.update(f.id for f in keep)
            why = f"{path}: masked, it does not compile ({e}); its functions are left out"
            problems.append(problem(Severity.ERROR, where, None, why))
    return [f for f in functions if f.id not in bad]


def build_combos(
    combos: dict[int, list[ComboRecord]],
    paper_id: str,
    ids: dict[str, str],
    experiments: list[Experiment],
    problems: list[Problem],
) -> tuple[list[list[str]], dict[int, int]]:
    """The paper's published combos as lists of function ids (K -> how many were kept).
    A combo naming a function that was not imported is left out; one whose listed experiments
    differ from those autoexp runs for it is flagged."""
    out: list[list[str]] = []
    counts: dict[int, int] = {}
    for k, records in combos.items():
        for rec in records:
            if rec.paper_id != paper_id:
                continue

            def report(severity: Severity, message: str, rec: ComboRecord = rec) -> None:
                name = ",".join(rec.func_ids) or "(none)"
                why = f"combo {name} of {paper_id}: {message}"
                problems.append(problem(severity, rec.at_file, rec.at_line, why))

            missing = [f for f in rec.func_ids if f not in ids]
            if missing:
                report(Severity.ERROR, f"func_ids {missing} were not imported; left out")
                continue
            combo = sorted({ids[f] for f in rec.func_ids})
            if len(combo) != k:
                report(Severity.WARNING, f"has {len(combo)} distinct functions, not {k}")
            if combo in out:
                continue
            ours = {e.id for e in experiments if not combo or set(combo) & set(e.depends_on)}
            listed = {slug(e) for e in rec.experiments}
            if rec.experiments and listed != ours:
                report(
                    Severity.WARNING,
                    f"lists experiments {sorted(listed)}, but autoexp runs {sorted(ours)} for "
                    "it (those whose depends_on meets the combo)",
                )
            out.append(combo)
            counts[len(combo)] = counts.get(len(combo), 0) + 1
    return out, counts


def build_task(
    paper: PaperData, combos: dict[int, list[ComboRecord]], options: ImportOptions
) -> Built:
    """The task of one paper, validated as far as possible without running anything."""
    problems: list[Problem] = []
    where = paper.paper_id

    def fail(message: str) -> Built:
        problems.append(problem(Severity.ERROR, where, None, f"{message}; paper left out"))
        return Built(spec=None, problems=problems)

    if paper.folder is None:
        return fail("no paper folder (only the CSV files mention it)")
    code_dir = paper.folder / "code"
    if not code_dir.is_dir():
        return fail("code/ is missing")
    if not (paper.folder / PAPER_FILE).is_file():
        return fail(f"{PAPER_FILE} is missing")
    functions, ids = resolve_functions(paper, code_dir, problems)
    kept = check_masking(code_dir, functions, problems, where)
    ids = {k: v for k, v in ids.items() if v in {f.id for f in kept}}
    experiments = build_experiments(paper, code_dir, ids, options, problems)
    if not experiments:
        return fail("no experiment could be imported")
    fixed, counts = build_combos(combos, paper.paper_id, ids, experiments, problems)
    meta = paper.meta
    try:
        spec = TaskSpec(
            schema=1,
            id=slug(paper.paper_id),
            title=(meta.title if meta and meta.title else f"arXiv {paper.paper_id}"),
            topic=f"AutoExperiment paper {paper.paper_id}",
            experiments=experiments,
            functions=kept,
            combos=fixed,
            rule=MeanRelativeError(max=options.max_mean_relative_error, source=RULE_SOURCE),
            needs=find_needs(code_dir, meta.conda_env if meta else None),
            origin=Origin(
                dataset=DATASET,
                paper_id=paper.paper_id,
                repository=meta.repository if meta else None,
            ),
        )
    except ValueError as e:
        return fail(f"the task does not validate: {e}")
    return Built(spec=spec, problems=problems, combos=counts)


def task_yaml(spec: TaskSpec) -> str:
    """task.yaml text of a spec (defaults left out), with a header saying where it came from."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {"schema": spec.schema_, **data}
    for name in ("rule", "needs"):  # in full, so that a reader sees the bound and every need
        value = getattr(spec, name)
        if value is not None:
            data[name] = value.model_dump(mode="json")
    origin = spec.origin
    head = (
        f"# Imported from the AutoExperiment dataset (paper {origin.paper_id}) by "
        "`autoexp import autoexperiment`.\n"
        "# No hidden experiments or differential samples yet: run `autoexp tasks record` on a\n"
        "# machine that can run the experiments (see docs/import.md).\n"
        if origin
        else ""
    )
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_task(spec: TaskSpec, paper: PaperData, out: Path, overwrite: bool) -> Path:
    """Write the task directory out/<id>/ (task.yaml, paper.txt, code/) and load it back;
    AutoexpError when it exists (without `overwrite`) or does not load."""
    assert paper.folder is not None
    dest = out / spec.id
    if dest.exists():
        if not overwrite:
            raise AutoexpError(f"{dest}: exists (give --overwrite to replace it)")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copyfile(paper.folder / PAPER_FILE, dest / PAPER_FILE)
    copy_code(paper.folder / "code", dest / "code")
    (dest / "task.yaml").write_text(task_yaml(spec), encoding="utf-8")
    load_task(dest)
    return dest
