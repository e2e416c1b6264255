"""Reading an AutoExperiment dataset: paper folders, their JSONL files, the root CSV copies and
the published combos, with a Problem for every record that cannot be read."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autoexp.importers._types import (
    ComboRecord,
    DatasetError,
    ExperimentRecord,
    FunctionRecord,
    PaperMeta,
    Problem,
    Severity,
    problem,
)

FUNCTIONS_FILE = "functions.jsonl"
"""In a paper folder: one maskable function per line."""
EXPERIMENTS_FILE = "experiments.jsonl"
"""In a paper folder: one experiment per line."""
PAPER_FILE = "paper.txt"
"""In a paper folder: the paper's text."""
FUNCS_CSV = "mlrc_funcs.csv"
"""At the root: every paper's functions as CSV."""
EXPS_CSV = "mlrc_exps.csv"
"""At the root: every paper's experiments as CSV."""
META_CSV = "metadata.csv"
"""At the root: title, repository, paper id and conda environment of each paper."""
COMBO_FILE = re.compile(r"^mlrc_n=(\d+)\.jsonl$")
"""At the root: the published combos of K functions."""

_COMPARED = {
    "functions": ("file", "name", "header_line", "line_start", "line_end", "description"),
    "experiments": ("description", "result", "func_dependencies", "solution"),
}
"""Fields compared between the JSONL and CSV copies of a record."""

_META_COLUMNS = {
    "paper_id": ("paper_id", "paper", "id", "arxiv_id", "arxiv"),
    "title": ("title", "paper_title"),
    "repository": ("repository", "repo", "repo_url", "repository_url", "url", "github"),
    "conda_env": ("conda_env", "env", "environment", "conda", "conda_env_name", "env_name"),
}
"""metadata.csv: field -> accepted column names (lower case, spaces as '_')."""

R = TypeVar("R", bound=BaseModel)


class PaperData(BaseModel):
    """Everything read about one paper."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    paper_id: str
    """The paper's id (its folder's name)."""
    folder: Path | None = None
    """Its folder, None when only the CSV files mention it."""
    functions: list[FunctionRecord] = Field(default_factory=list)
    """Its functions, in file order."""
    experiments: list[ExperimentRecord] = Field(default_factory=list)
    """Its experiments, in file order."""
    meta: PaperMeta | None = None
    """Its row of metadata.csv."""


class Dataset(BaseModel):
    """An AutoExperiment dataset as read from disk."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    root: Path
    """The dataset root."""
    papers: dict[str, PaperData] = Field(default_factory=dict)
    """Paper id -> its records, sorted by id."""
    combos: dict[int, list[ComboRecord]] = Field(default_factory=dict)
    """K -> the published combos of K functions (all papers)."""
    problems: list[Problem] = Field(default_factory=list)
    """Everything that could not be read, or disagrees between copies."""


def _why(error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"]) or "record"
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {'missing' if e['type'] == 'missing' else msg}")
    return "; ".join(parts)


def read_jsonl(
    path: Path, model: type[R], rel: str, problems: list[Problem], defaults: dict[str, Any]
) -> list[R]:
    """The records of a JSONL file; a line that is not a JSON object of the model's fields is a
    Problem naming the file and line (and is left out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(problem(Severity.ERROR, rel, None, f"cannot be read: {e}"))
        return []
    out: list[R] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError) as e:
            problems.append(problem(Severity.ERROR, rel, number, f"not valid JSON ({e}); skipped"))
            continue
        out.extend(_record(raw, model, rel, number, problems, defaults))
    return out


def _record(
    raw: Any, model: type[R], rel: str, line: int, problems: list[Problem], defaults: dict
) -> Iterator[R]:
    if not isinstance(raw, dict):
        problems.append(
            problem(Severity.ERROR, rel, line, f"not a JSON object ({type(raw).__name__}); skipped")
        )
        return
    try:
        yield model.model_validate({**defaults, **raw, "at_file": rel, "at_line": line})
    except ValidationError as e:
        problems.append(problem(Severity.ERROR, rel, line, f"{_why(e)}; skipped"))


def read_csv(path: Path, rel: str, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """(first line, row) of each row of a CSV file with a header."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = []
            start = 2
            for row in reader:
                rows.append((start, {(k or "").strip(): v for k, v in row.items()}))
                start = reader.line_num + 1
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        problems.append(problem(Severity.ERROR, rel, None, f"cannot be read as CSV: {e}"))
        return []


def _csv_records(
    root: Path, name: str, model: type[R], problems: list[Problem]
) -> dict[str, list[R]]:
    """Paper id -> the records of a root CSV file (empty when the file is absent)."""
    path = root / name
    if not path.is_file():
        return {}
    out: dict[str, list[R]] = {}
    for line, row in read_csv(path, name, problems):
        for rec in _record(row, model, name, line, problems, {}):
            out.setdefault(rec.paper_id, []).append(rec)  # type: ignore[attr-defined]
    return out


def read_metadata(root: Path, problems: list[Problem]) -> dict[str, PaperMeta]:
    """Paper id -> its row of metadata.csv (empty when there is no such file)."""
    path = root / META_CSV
    if not path.is_file():
        return {}
    out: dict[str, PaperMeta] = {}
    for line, row in read_csv(path, META_CSV, problems):
        norm = {k.lower().replace(" ", "_"): (v or "").strip() for k, v in row.items()}
        fields = {
            field: next((norm[n] for n in names if norm.get(n)), None)
            for field, names in _META_COLUMNS.items()
        }
        if not fields["paper_id"]:
            problems.append(problem(Severity.WARNING, META_CSV, line, "no paper id; skipped"))
            continue
        fields["title"] = fields["title"] or ""
        out[str(fields["paper_id"])] = PaperMeta.model_validate(fields)
    return out


def _is_paper_folder(path: Path) -> bool:
    names = (PAPER_FILE, "code", FUNCTIONS_FILE, EXPERIMENTS_FILE)
    return (
        path.is_dir() and not path.name.startswith(".") and any((path / n).exists() for n in names)
    )


def _unique(records: list[R], key: str, problems: list[Problem]) -> list[R]:
    """The records without repeated ids (a repeat is a Problem and is left out)."""
    seen: dict[str, R] = {}
    for rec in records:
        rid = getattr(rec, key)
        if rid in seen:
            first = seen[rid]
            problems.append(
                problem(
                    Severity.ERROR,
                    rec.at_file,  # type: ignore[attr-defined]
                    rec.at_line,  # type: ignore[attr-defined]
                    f"{key} {rid!r} was already given on line {first.at_line}; skipped",  # type: ignore[attr-defined]
                )
            )
            continue
        seen[rid] = rec
    return list(seen.values())


def _compare(
    kind: str, jsonl: list[R], csv_rows: list[R], key: str, problems: list[Problem]
) -> None:
    """A warning for every record on which the JSONL and CSV copies disagree."""
    by_id = {getattr(r, key): r for r in csv_rows}
    for rec in jsonl:
        other = by_id.pop(getattr(rec, key), None)
        where = f"{rec.at_file}:{rec.at_line}"  # type: ignore[attr-defined]
        if other is None:
            continue
        for field in _COMPARED[kind]:
            a, b = _norm(getattr(rec, field)), _norm(getattr(other, field))
            if a != b:
                problems.append(
                    problem(
                        Severity.WARNING,
                        other.at_file,  # type: ignore[attr-defined]
                        other.at_line,  # type: ignore[attr-defined]
                        f"{key} {getattr(rec, key)!r}: {field} is {_short(b)} here but "
                        f"{_short(a)} in {where} (the JSONL copy is used)",
                    )
                )
    for rid, other in by_id.items():
        problems.append(
            problem(
                Severity.WARNING,
                other.at_file,  # type: ignore[attr-defined]
                other.at_line,  # type: ignore[attr-defined]
                f"{key} {rid!r} is not in the paper's JSONL file (the JSONL copy is used)",
            )
        )


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip().startswith(("{", "[")) else value.strip()
        except ValueError:
            return value.strip()
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _paper_records(
    kind: str,
    folder: Path | None,
    file_name: str,
    model: type[R],
    key: str,
    csv_rows: list[R] | None,
    paper_id: str,
    problems: list[Problem],
) -> list[R]:
    """A paper's records from its JSONL file, else from the root CSV; both copies compared."""
    path = folder / file_name if folder is not None else None
    rel = f"{paper_id}/{file_name}"
    if path is not None and path.is_file():
        records = _unique(
            read_jsonl(path, model, rel, problems, {"paper_id": paper_id}), key, problems
        )
        for rec in records:
            if rec.paper_id != paper_id:  # type: ignore[attr-defined]
                why = f"paper_id {rec.paper_id!r} is not the folder's; taken as {paper_id!r}"  # type: ignore[attr-defined]
                problems.append(problem(Severity.WARNING, rel, rec.at_line, why))  # type: ignore[attr-defined]
        records = [r.model_copy(update={"paper_id": paper_id}) for r in records]
        if csv_rows:
            _compare(kind, records, csv_rows, key, problems)
        return records
    if csv_rows:
        csv_name = csv_rows[0].at_file  # type: ignore[attr-defined]
        problems.append(
            problem(Severity.WARNING, rel, None, f"missing; using the rows of {csv_name}")
        )
        return _unique(csv_rows, key, problems)
    problems.append(problem(Severity.ERROR, rel, None, f"missing (and no {kind} in the CSV files)"))
    return []


def read_combos(root: Path, problems: list[Problem]) -> dict[int, list[ComboRecord]]:
    """K -> the records of mlrc_n=K.jsonl, for every such file at the root."""
    out: dict[int, list[ComboRecord]] = {}
    for path in sorted(root.iterdir()):
        m = COMBO_FILE.match(path.name)
        if m and path.is_file():
            out[int(m.group(1))] = read_jsonl(path, ComboRecord, path.name, problems, {})
    return dict(sorted(out.items()))


def read_dataset(root: str | Path) -> Dataset:
    """Read the dataset at `root`. Only an unusable root raises (DatasetError); every other
    problem is recorded on the result and the rest is read."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a directory (expected an AutoExperiment dataset root)")
    problems: list[Problem] = []
    funcs_csv = _csv_records(root, FUNCS_CSV, FunctionRecord, problems)
    exps_csv = _csv_records(root, EXPS_CSV, ExperimentRecord, problems)
    meta = read_metadata(root, problems)
    folders = {p.name: p for p in sorted(root.iterdir()) if _is_paper_folder(p)}
    ids = sorted(set(folders) | set(funcs_csv) | set(exps_csv))
    if not ids:
        raise DatasetError(
            f"{root}: holds no paper folder (a folder with {PAPER_FILE}, code/, "
            f"{FUNCTIONS_FILE} or {EXPERIMENTS_FILE}) and no {FUNCS_CSV} / {EXPS_CSV}"
        )
    papers: dict[str, PaperData] = {}
    for pid in ids:
        folder = folders.get(pid)
        functions = _paper_records(
            "functions",
            folder,
            FUNCTIONS_FILE,
            FunctionRecord,
            "func_id",
            funcs_csv.get(pid),
            pid,
            problems,
        )
        experiments = _paper_records(
            "experiments",
            folder,
            EXPERIMENTS_FILE,
            ExperimentRecord,
            "exp_id",
            exps_csv.get(pid),
            pid,
            problems,
        )
        papers[pid] = PaperData(
            paper_id=pid,
            folder=folder,
            functions=functions,
            experiments=experiments,
            meta=meta.get(pid),
        )
    return Dataset(root=root, papers=papers, combos=read_combos(root, problems), problems=problems)
