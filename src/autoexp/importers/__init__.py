"""Importers: other benchmarks' datasets -> autoexp tasks.

`import_autoexperiment` reads the published AutoExperiment dataset (paper folders with
paper.txt, code/, functions.jsonl, experiments.jsonl; root mlrc_n=K.jsonl and CSV copies) and
writes one task per paper. Names load on first use, so that the CLI stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoexp._lazy import lazy_exports

_PUBLIC = {
    "import_autoexperiment": "autoexp.importers._autoexperiment",
    "ImportOptions": "autoexp.importers._write",
    "ImportSummary": "autoexp.importers._summary",
    "summary_lines": "autoexp.importers._summary",
    "read_dataset": "autoexp.importers._read",
    "Dataset": "autoexp.importers._read",
    "resolve": "autoexp.importers._resolve",
    "Problem": "autoexp.importers._types",
    "Severity": "autoexp.importers._types",
    "DatasetError": "autoexp.importers._types",
}

__all__ = [
    "Dataset",
    "DatasetError",
    "ImportOptions",
    "ImportSummary",
    "Problem",
    "Severity",
    "import_autoexperiment",
    "read_dataset",
    "resolve",
    "summary_lines",
]

if TYPE_CHECKING:
    from autoexp.importers._autoexperiment import import_autoexperiment
    from autoexp.importers._read import Dataset, read_dataset
    from autoexp.importers._resolve import resolve
    from autoexp.importers._summary import ImportSummary, summary_lines
    from autoexp.importers._types import DatasetError, Problem, Severity
    from autoexp.importers._write import ImportOptions


__getattr__ = lazy_exports(__name__, _PUBLIC)
