"""What an importer reads and reports: the AutoExperiment records and the problems found."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from autoexp.errors import AutoexpError


class DatasetError(AutoexpError):
    """The dataset cannot be imported at all (e.g. its root is not a directory)."""


class Severity(StrEnum):
    """How bad a problem found while importing is."""

    ERROR = "error"
    """Something was left out of the import (a record, a combo, a paper)."""
    WARNING = "warning"
    """It was imported, but a person should check it (stale line numbers, zero gold values,
    copies of a record that disagree)."""


class Problem(BaseModel):
    """One problem found while importing, located in the dataset."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    severity: Severity
    """error: left out; warning: imported, check it."""
    file: str
    """Dataset file it is about, relative to the dataset root (e.g. `2110.03485/functions.jsonl`)."""
    line: int | None = None
    """Line of that file (1-based) when it is about one record."""
    message: str
    """What is wrong and what the importer did about it."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{self.severity.value}: {where}: {self.message}"


def problem(severity: Severity, file: str, line: int | None, message: str) -> Problem:
    """A Problem (`line` 0 or None: about the whole file)."""
    return Problem(severity=severity, file=file, line=line or None, message=message)


def _blank_to_none(value: Any) -> Any:
    """A CSV cell or JSON value that holds no number ('' or whitespace) as None."""
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str):
        return value.strip()
    return value


class _Record(BaseModel):
    """A record of the dataset; unknown keys are ignored, `at_file`/`at_line` say where it is."""

    model_config = ConfigDict(
        extra="ignore", coerce_numbers_to_str=True, use_attribute_docstrings=True
    )

    at_file: str = ""
    """Dataset file the record was read from (set by the reader)."""
    at_line: int = 0
    """Line of that file where the record starts (set by the reader)."""
    paper_id: str
    """The paper (an arXiv id), also the name of its folder."""


class FunctionRecord(_Record):
    """One line of functions.jsonl (or row of mlrc_funcs.csv)."""

    func_id: str
    """Id of the function within the paper ("0", "1", ...)."""
    file: str
    """File of the function, relative to code/."""
    name: str
    """Bare name of the function (`__init__` may be ambiguous within a file)."""
    header_line: int | None = None
    """Recorded line of the `def` (1-based; a hint only, may be stale)."""
    line_start: int | None = None
    """Recorded first line of the body (a hint only)."""
    line_end: int | None = None
    """Recorded last line of the body (a hint only)."""
    relevant_paper: str = ""
    """Excerpt of the paper about this function (may be empty)."""
    description: str = ""
    """Docstring-like description of what the function does."""

    @field_validator("header_line", "line_start", "line_end", mode="before")
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return _blank_to_none(v)

    @field_validator("relevant_paper", "description", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else v

    @property
    def recorded_lines(self) -> list[int]:
        """The line numbers that were recorded (any of them may be missing)."""
        return [n for n in (self.header_line, self.line_start, self.line_end) if n is not None]


class ExperimentRecord(_Record):
    """One line of experiments.jsonl (or row of mlrc_exps.csv)."""

    exp_id: str
    """Id of the experiment within the paper."""
    description: str = ""
    """What to run and report; ends with the JSON format of the answer."""
    result: str | dict[str, Any]
    """The gold numbers: a JSON object, encoded as a string in the published data."""
    func_dependencies: list[str] = Field(default_factory=list)
    """Ids of the functions the experiment executes (comma-separated in the data; may be
    empty)."""
    solution: str = ""
    """Shell command that runs the experiment, from the root of code/."""

    @field_validator("func_dependencies", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        return _id_list(v)

    @field_validator("description", "solution", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else v

    def gold(self) -> dict[str, Any]:
        """The decoded `result`; ValueError saying why when it is not a JSON object."""
        raw = self.result
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except (ValueError, RecursionError) as e:
                raise ValueError(f"result is not valid JSON: {e}") from None
        if not isinstance(raw, dict):
            raise ValueError(f"result must be a JSON object, got {type(raw).__name__}")
        return raw


class ComboRecord(_Record):
    """One line of mlrc_n=K.jsonl: a published combo of functions masked together."""

    func_ids: list[str] = Field(default_factory=list)
    """Ids of the masked functions ("0,1" in the data; empty for K = 0)."""
    experiments: list[str] = Field(default_factory=list)
    """Ids of the experiments of the combo (objects with `exp_id`, or ids)."""

    @field_validator("func_ids", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        return _id_list(v)

    @field_validator("experiments", mode="before")
    @classmethod
    def _exps(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(e.get("exp_id", "")) if isinstance(e, dict) else e for e in v]
        return _id_list(v)


class PaperMeta(BaseModel):
    """One row of metadata.csv."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    paper_id: str
    """The paper."""
    title: str = ""
    """Its title."""
    repository: str | None = None
    """URL of its code repository."""
    conda_env: str | None = None
    """Name of the conda environment its experiments ran in."""


def _id_list(v: Any) -> Any:
    """Ids given as "0,1", 3, ["0", 1] or ""/None, as a list of strings."""
    if v is None:
        return []
    if isinstance(v, int | float) and not isinstance(v, bool):
        return [str(int(v))]
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    if isinstance(v, list):
        return [str(x).strip() for x in v if str(x).strip()]
    return v
