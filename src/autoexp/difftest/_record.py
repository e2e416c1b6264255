"""Recording differential-test samples from the original code's visible experiments.

Two traced runs of every visible experiment, each on a fresh copy of code/ in the sandbox:
the first counts each function's calls, the second pickles the arguments of the chosen calls
(`_select.priority`: first, last and evenly between, spread over the experiments). The
expected outputs then come from replaying the pickles on the original code, twice, in the
sandbox: a call is kept when it returns, and returns the same, both times. The host copies
the pickles but never loads them; it reads only JSON.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autoexp.difftest._index import module_for, samples_dir
from autoexp.difftest._replay import SampleFiles, replay
from autoexp.difftest._runner import canonical
from autoexp.difftest._select import priority
from autoexp.difftest._sketch import shrink
from autoexp.difftest._store import trim, write
from autoexp.difftest._traced import run_traced
from autoexp.difftest._types import FunctionRecord, FunctionSamples, RecordSummary, Sample
from autoexp.protocols import Sandbox
from autoexp.tasks._model import Task

MAX_EXPECTED_BYTES = 512 * 1024
"""A call whose expected output encodes to more than this is not kept."""


def _same(a: dict, b: dict) -> bool:
    return canonical({k: a.get(k) for k in ("return", "after")}) == canonical(
        {k: b.get(k) for k in ("return", "after")}
    )


def _judge_replays(first: list, second: list, i: int) -> tuple[dict | None, str]:
    """The expected output of candidate `i`, or (None, why it is not kept)."""
    if i >= len(first) or i >= len(second):
        return None, "replay ended early"
    a, b = first[i], second[i]
    if not isinstance(a, dict) or not isinstance(b, dict):
        return None, "replay gave no result"
    for r in (a, b):
        if r.get("error"):
            return None, f"replay: {r['error']}"
        if r.get("raised"):
            return None, f"raises on replay: {r['raised']}"
    if not _same(a, b):
        return None, "not deterministic on replay"
    after = a.get("after") if isinstance(a.get("after"), dict) else {}
    expected = {
        "return": shrink(a.get("return")),
        "after": {k: shrink(v) for k, v in after.items()},
    }
    size = len(canonical(expected))
    if size > MAX_EXPECTED_BYTES:
        return None, f"expected output too large: {size} bytes > {MAX_EXPECTED_BYTES}"
    return expected, ""


@dataclass
class _Recording:
    """One recording of one task: its settings and what has been found so far."""

    task: Task
    sandbox: Sandbox
    scratch: Path
    max_sample_bytes: int
    say: Callable[[str], None]
    keys: dict[str, str] = field(default_factory=dict)
    """Function id -> short key used by the tracer."""
    records: dict[str, FunctionRecord] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """Function id -> experiment -> calls."""
    modules: dict[str, str] = field(default_factory=dict)
    sys_path: dict[str, list[str]] = field(default_factory=dict)
    got: dict[tuple[str, str, int], SampleFiles] = field(default_factory=dict)
    """(function, experiment, call index) -> the files recorded for that call."""
    sizes: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def spec(self, pick: dict[str, list[int]] | None) -> dict:
        fns = self.task.spec.functions
        targets = [[fn.path, fn.qualname, self.keys[fn.id]] for fn in fns]
        return {"targets": targets, "pick": pick, "max_bytes": self.max_sample_bytes}

    def count(self) -> None:
        """First pass: every function's calls in every visible experiment."""
        for exp in self.task.spec.experiments:
            self.say(f"counting calls in {exp.id}")
            traced = run_traced(
                self.task, exp, self.spec(None), self.sandbox, self.scratch / "count", None
            )
            if traced.error:
                self.errors.append(f"{exp.id}: {traced.error}")
                continue
            for fid, key in self.keys.items():
                n = traced.counts.get(key, 0)
                if n:
                    self.counts[fid][exp.id] = n
                    self.modules.setdefault(fid, traced.modules.get(key, ""))
                    for entry in traced.sys_path:
                        if entry not in self.sys_path[fid]:
                            self.sys_path[fid].append(entry)

    def pick(self, chosen: dict[str, list[tuple[str, int]]]) -> None:
        """Second pass: pickle the chosen calls."""
        for exp in self.task.spec.experiments:
            pick = {
                self.keys[fid]: [i for e, i in calls if e == exp.id]
                for fid, calls in chosen.items()
                if any(e == exp.id for e, _ in calls)
            }
            if not pick:
                continue
            self.say(f"recording inputs in {exp.id}")
            traced = run_traced(
                self.task,
                exp,
                self.spec(pick),
                self.sandbox,
                self.scratch / "pick",
                self.scratch / "pickles" / exp.id,
            )
            if traced.error:
                self.errors.append(f"{exp.id} (second run): {traced.error}")
            for fid, key in self.keys.items():
                first, second = self.counts[fid].get(exp.id, 0), traced.counts.get(key, 0)
                if first != second:
                    self.records[fid].skipped.append(
                        f"{exp.id}: {second} calls on the second run, {first} on the first "
                        "(not deterministic)"
                    )
                    continue
                for i in pick.get(key, []):
                    if (key, i) in traced.pickles:
                        self.got[(fid, exp.id, i)] = traced.pickles[(key, i)]
                        self.sizes[(fid, exp.id, i)] = traced.sizes[(key, i)]
                    else:
                        why = traced.skips.get((key, i), "not recorded")
                        self.records[fid].skipped.append(f"{exp.id} call {i}: {why}")

    def candidates(self, fid: str, chosen: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """The recorded calls of `fid` in priority order, without repeated arguments."""
        out: list[tuple[str, int]] = []
        seen: set[bytes] = set()
        repeated = 0
        for e, i in chosen:
            if (fid, e, i) not in self.got:
                continue
            digest = hashlib.sha256(self.got[(fid, e, i)].input.read_bytes()).digest()
            if digest in seen:  # random states aside: they rarely matter and often differ
                repeated += 1
                continue
            seen.add(digest)
            out.append((e, i))
        if repeated:
            self.records[fid].skipped.append(
                f"{repeated} call(s) had the same arguments as an earlier sample"
            )
        return out

    def keep(
        self, fid: str, chosen: list[tuple[str, int]], max_samples: int
    ) -> tuple[FunctionSamples, list[SampleFiles]]:
        """Replay the candidates of `fid` on the original twice and keep up to `max_samples`
        that return, and return the same, both times."""
        fn = self.task.function(fid)
        rec = self.records[fid]
        rec.calls = sum(self.counts[fid].values())
        module, import_root = module_for(fn.path, self.modules.get(fid))
        entry = FunctionSamples(
            module=module,
            import_root=import_root,
            sys_path=self.sys_path[fid],
            calls=self.counts[fid],
        )
        if not rec.calls:
            rec.skipped.append("never called by a visible experiment")
        cands = self.candidates(fid, chosen)
        if not cands:
            return entry, []
        self.say(f"replaying {len(cands)} call(s) of {fid}")
        files = [self.got[(fid, e, i)] for e, i in cands]
        exps = self.task.spec.experiments
        timeout = sum(x.timeout_s for x in exps if x.id in self.counts[fid]) + 30.0
        work = self.scratch / "replay"
        t0 = time.monotonic()
        args = (self.task, self.task.code_dir, fid, entry, files, self.sandbox, work)
        runs = [replay(*args, timeout_s=timeout)]
        entry.replay_seconds = round(time.monotonic() - t0, 3)
        runs.append(replay(*args, timeout_s=timeout))
        for r in runs:
            why = r.problem if r.results is None else r.results.get("error")
            if why:
                rec.skipped.append(f"replay failed: {why} {r.stderr_tail[-300:]}".strip())
        kept: list[SampleFiles] = []
        for k, (e, i) in enumerate(cands):
            if len(entry.samples) >= max_samples:
                break
            expected, why = _judge_replays(runs[0].samples, runs[1].samples, k)
            if expected is None:
                rec.skipped.append(f"{e} call {i}: {why}")
                continue
            size = self.sizes[(fid, e, i)]
            entry.samples.append(
                Sample(file="", experiment=e, call=i, bytes=size, expected=expected)
            )
            kept.append(files[k])
        return entry, kept


def record_samples(
    task: Task,
    sandbox: Sandbox,
    *,
    max_samples: int = 5,
    max_sample_bytes: int = 256 * 1024,
    max_task_bytes: int = 1_000_000,
    candidates: int | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> RecordSummary:
    """Record up to `max_samples` calls of every function of `task` from its visible
    experiments into hidden/samples/ (replacing what was there) and return what was found.

    Inputs over `max_sample_bytes` (compressed, shared arrays included) are skipped; when all
    samples together exceed `max_task_bytes`, the last samples of the largest functions are
    dropped (every function keeps at least one). `candidates` calls per function are pickled
    (default 2 * max_samples + 2) so that calls lost to replay, size or repetition can be
    replaced.
    """
    t0 = time.monotonic()
    fns = task.spec.functions
    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-record-{task.id}-"))
    scratch.chmod(0o755)
    run = _Recording(
        task=task,
        sandbox=sandbox,
        scratch=scratch,
        max_sample_bytes=max_sample_bytes,
        say=on_progress or (lambda _msg: None),
        keys={fn.id: f"f{i}" for i, fn in enumerate(fns)},
        records={fn.id: FunctionRecord(function=fn.id) for fn in fns},
        counts={fn.id: {} for fn in fns},
        sys_path={fn.id: [] for fn in fns},
    )
    entries: dict[str, FunctionSamples] = {}
    sources: dict[str, list[SampleFiles]] = {}
    try:
        run.count()
        n_cand = candidates or 2 * max_samples + 2
        chosen = {fn.id: priority(run.counts[fn.id], n_cand) for fn in fns}
        run.pick(chosen)
        for fn in fns:
            entries[fn.id], sources[fn.id] = run.keep(fn.id, chosen[fn.id], max_samples)
        trim(entries, sources, run.records, max_task_bytes)
        index_file = write(task, entries, sources, run.records)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    total = sum(p.stat().st_size for p in samples_dir(task).rglob("*") if p.is_file())
    return RecordSummary(
        task=task.id,
        index=str(index_file),
        functions=[run.records[fn.id] for fn in fns],
        errors=run.errors,
        total_bytes=total,
        seconds=round(time.monotonic() - t0, 2),
    )
