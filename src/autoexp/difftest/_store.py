"""Writing a task's samples to hidden/samples/, within a size budget."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from autoexp.difftest._index import INDEX_FILE, function_slug, samples_dir
from autoexp.difftest._replay import SampleFiles
from autoexp.difftest._runner import canonical
from autoexp.difftest._types import FunctionRecord, FunctionSamples, SampleIndex
from autoexp.tasks._model import Task

BLOB_DIR = "_blobs"
"""Folder of hidden/samples/ with the large arrays of the inputs (one file per content)."""
RANDOM_DIR = "_random"
"""Folder of hidden/samples/ with the random-state pickles (deduplicated by content)."""


def _cost(
    entries: dict[str, FunctionSamples], sources: dict[str, list[SampleFiles]], only: str | None
) -> int:
    """Bytes on disk of the samples (of function `only`, or all), shared files counted once."""
    files: dict[Path, int] = {}
    size = 0
    for fid, entry in entries.items():
        if only is not None and fid != only:
            continue
        for sample, f in zip(entry.samples, sources[fid], strict=True):
            size += len(canonical(sample.expected))
            for path in (f.input, f.random, *f.blobs):
                if path is not None and path not in files:
                    files[path] = path.stat().st_size
    return size + sum(files.values())


def trim(
    entries: dict[str, FunctionSamples],
    sources: dict[str, list[SampleFiles]],
    records: dict[str, FunctionRecord],
    max_bytes: int,
) -> None:
    """Drop the last samples of the largest functions until all fit in `max_bytes`."""
    while _cost(entries, sources, None) > max_bytes:
        shrinkable = [fid for fid, e in entries.items() if len(e.samples) > 1]
        if not shrinkable:
            return
        fid = max(shrinkable, key=lambda f: _cost(entries, sources, f))
        sample = entries[fid].samples.pop()
        sources[fid].pop()
        records[fid].skipped.append(
            f"{sample.experiment} call {sample.call}: dropped to keep the task's samples "
            f"under {max_bytes} bytes"
        )


def write(
    task: Task,
    entries: dict[str, FunctionSamples],
    sources: dict[str, list[SampleFiles]],
    records: dict[str, FunctionRecord],
) -> Path:
    """Write hidden/samples/ afresh (built aside, then swapped in); return the index path."""
    final = samples_dir(task)
    new = final.with_name(".samples-new")
    old = final.with_name(".samples-old")
    for d in (new, old):
        shutil.rmtree(d, ignore_errors=True)
    new.mkdir(parents=True)
    for fid, entry in entries.items():
        slug = function_slug(fid)
        for k, (sample, files) in enumerate(zip(entry.samples, sources[fid], strict=True)):
            (new / slug).mkdir(exist_ok=True)
            shutil.copyfile(files.input, new / slug / f"{k}.pkl")
            sample.file = f"{slug}/{k}.pkl"
            if files.random is not None:  # shared by every sample with the same states
                blob = files.random.read_bytes()
                name = f"{RANDOM_DIR}/{hashlib.sha256(blob).hexdigest()[:16]}.pkl"
                (new / RANDOM_DIR).mkdir(exist_ok=True)
                (new / name).write_bytes(blob)
                sample.random_file = name
            for blob in files.blobs:  # named by content: shared by every sample using them
                name = f"{BLOB_DIR}/{blob.name}"
                (new / BLOB_DIR).mkdir(exist_ok=True)
                if not (new / name).exists():
                    shutil.copyfile(blob, new / name)
                sample.blobs.append(name)
        entry.skipped = list(records[fid].skipped)
        records[fid].samples = len(entry.samples)
        records[fid].bytes = sum(s.bytes for s in entry.samples)
    index = SampleIndex(task=task.id, functions=entries)
    (new / INDEX_FILE).write_text(index.model_dump_json(by_alias=True), encoding="utf-8")
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final / INDEX_FILE
