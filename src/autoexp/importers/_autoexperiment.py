"""`autoexp import autoexperiment`: read the dataset, turn each paper into a task, write the
tasks and the summary."""

from __future__ import annotations

from pathlib import Path

from autoexp.errors import AutoexpError
from autoexp.importers._read import read_dataset
from autoexp.importers._summary import SUMMARY_FILE, ImportSummary
from autoexp.importers._types import DatasetError, Severity, problem
from autoexp.importers._write import ImportOptions, build_task, write_task


def import_autoexperiment(
    src: str | Path, out: str | Path, options: ImportOptions | None = None
) -> ImportSummary:
    """Import the AutoExperiment dataset at `src` as one task per paper under `out`.

    Only an unusable dataset root or output directory raises (DatasetError); a broken record,
    file or paper is a Problem in the summary and the rest is imported. The summary is also
    written to out/import.json.
    """
    options = options or ImportOptions()
    src, out = Path(src), Path(out)
    dataset = read_dataset(src)
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out}: is a file, not a directory")
    out.mkdir(parents=True, exist_ok=True)
    summary = ImportSummary(source=str(src), out=str(out), papers=len(dataset.papers))
    problems = list(dataset.problems)
    known = set(dataset.papers)
    for k, records in dataset.combos.items():
        for rec in records:
            if rec.paper_id not in known:
                why = f"combo of unknown paper {rec.paper_id!r} (K={k}); left out"
                problems.append(problem(Severity.ERROR, rec.at_file, rec.at_line, why))
    for paper in dataset.papers.values():
        built = build_task(paper, dataset.combos, options)
        problems.extend(built.problems)
        if built.spec is None:
            continue
        try:
            dest = write_task(built.spec, paper, out, options.overwrite)
        except (AutoexpError, OSError) as e:
            problems.append(problem(Severity.ERROR, paper.paper_id, None, f"not written: {e}"))
            continue
        spec = built.spec
        summary.tasks.append(str(dest))
        summary.functions += len(spec.functions)
        summary.experiments += len(spec.experiments)
        summary.needs_extraction += sum(e.needs_extraction for e in spec.experiments)
        for k, n in built.combos.items():
            summary.combos[k] = summary.combos.get(k, 0) + n
    summary.combos = dict(sorted(summary.combos.items()))
    summary.problems = problems
    (out / SUMMARY_FILE).write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    return summary
