"""summary(run_dir): aggregate results.sqlite through the store's queries, then roll up."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from autoexp.errors import RunError
from autoexp.report import _stats as st
from autoexp.report._models import FunctionStat, Summary, SummaryRow, usage_source
from autoexp.runner._store import SqliteStore

STORE_FILE = "results.sqlite"
"""The store's file name inside a run directory."""


@dataclass
class _Counts:
    """Additive counts of one (agent, model, setting, n, task, combo) group."""

    attempts: int = 0
    passed: int = 0
    failed: int = 0
    infra_error: int = 0
    grader_error: int = 0
    fabricated: int = 0
    edited: int = 0
    exp_sum: float = 0.0
    fc_sum: float = 0.0
    fc_n: int = 0
    overfit: int = 0
    suspect: int = 0
    integrity: int = 0
    cost_all: float = 0.0
    cost_all_unknown: int = 0
    cost_graded: float = 0.0
    cost_graded_unknown: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_graded: int = 0
    wall_all: float = 0.0
    wall_graded: float = 0.0

    @property
    def graded(self) -> int:
        return self.passed + self.failed

    def add(self, other: _Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


_INT_FIELDS = {f.name for f in fields(_Counts) if f.type == "int"}


@dataclass(frozen=True)
class _Group:
    agent: str
    agent_name: str
    model: str | None
    setting: str
    n: int
    task: str
    combo: tuple[str, ...]
    counts: _Counts


def open_store(run_dir: str | Path) -> SqliteStore:
    """The run's store; a clear RunError when the directory holds none."""
    path = Path(run_dir) / STORE_FILE
    if not path.is_file():
        raise RunError(f"{run_dir}: no {STORE_FILE} here; is this a run directory?")
    return SqliteStore(path)


def run_label(run_dir: str | Path) -> str:
    """How a run is named in tables: its directory's name."""
    return Path(run_dir).resolve().name


def _groups(store: SqliteStore) -> list[_Group]:
    out = []
    for key, values in store.group_counts():
        counts = _Counts(**{k: int(v) if k in _INT_FIELDS else float(v) for k, v in values.items()})
        out.append(_Group(**key, counts=counts))
    return out


def _row(run: str, groups: list[_Group], n: int | None, reasons: dict[str, int]) -> SummaryRow:
    first = groups[0]
    c = _Counts()
    for g in groups:
        c.add(g.counts)
    graded = c.graded
    low, high = st.wilson_interval(c.passed, graded) if graded else (None, None)
    pairs = [(g.counts.graded, g.counts.passed) for g in groups if g.counts.graded > 0]
    at_k, hat_k = st.pass_curves(pairs)
    cost_all = None if c.cost_all_unknown else c.cost_all
    cost_graded = None if c.cost_graded_unknown else c.cost_graded
    return SummaryRow(
        run=run,
        agent=first.agent,
        agent_name=first.agent_name,
        model=first.model,
        setting=first.setting,
        n=n,
        attempts=c.attempts,
        passed=c.passed,
        failed=c.failed,
        infra_error=c.infra_error,
        grader_error=c.grader_error,
        graded=graded,
        success_rate=st.success_rate(c.passed, graded),
        ci_low=low,
        ci_high=high,
        trials=st.max_k(pairs),
        groups=len(pairs),
        pass_at_k=at_k,
        pass_hat_k=hat_k,
        experiments_passed=st.per_unit(c.exp_sum, graded),
        functions_correct=st.per_unit(c.fc_sum, c.fc_n),
        fabricated=c.fabricated,
        fabrication_rate=st.rate(c.fabricated, graded),
        edited_outside_mask=c.edited,
        overfit=c.overfit,
        suspect=c.suspect,
        integrity=c.integrity,
        usage_source=usage_source(first.agent_name),
        cost_usd=cost_all,
        cost_unknown=c.cost_all_unknown,
        cost_per_attempt=st.per_unit(cost_graded, graded),
        cost_per_success=st.per_unit(cost_graded, c.passed),
        tokens_in=c.tokens_in,
        tokens_out=c.tokens_out,
        tokens_per_attempt=st.per_unit(c.tokens_graded, graded),
        tokens_per_success=st.per_unit(c.tokens_graded, c.passed),
        wall_s=c.wall_all,
        wall_s_per_attempt=st.per_unit(c.wall_graded, graded),
        wall_s_per_success=st.per_unit(c.wall_graded, c.passed),
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _bucket(groups: Iterable[_Group], key: Callable[[_Group], Hashable]) -> dict:
    out: dict = {}
    for g in groups:
        out.setdefault(key(g), []).append(g)
    return out


def _sort_key(k: tuple) -> tuple:
    return tuple((v is None, v if v is not None else "") for v in k)


def summary(run_dir: str | Path, *, label: str | None = None) -> Summary:
    """Aggregate a run's results.sqlite: rows per (agent, model, setting, n), totals per
    (agent, model, setting) and per-function difficulty.

    SQL does the per-attempt work (GROUP BY over the store's columns); no attempt record is
    decoded in Python. `label` names the run in rows (default: the directory's name).
    """
    run = label or run_label(run_dir)
    with open_store(run_dir) as store:
        groups = _groups(store)
        reasons = store.reason_counts()
        diffs = store.function_verdicts()
        graders = store.grader_counts()
    rows, totals, functions = [], [], []
    by_row = _bucket(groups, lambda g: (g.agent, g.model, g.setting, g.n))
    for key in sorted(by_row, key=_sort_key):
        rows.append(_row(run, by_row[key], key[3], reasons.get(key, {})))
    by_series = _bucket(groups, lambda g: (g.agent, g.model, g.setting))
    for key in sorted(by_series, key=_sort_key):
        pooled: dict[str, int] = {}
        for (a, m, s, _n), rs in reasons.items():
            if (a, m, s) == key:
                for r, count in rs.items():
                    pooled[r] = pooled.get(r, 0) + count
        members = by_series[key]
        totals.append(_row(run, members, None, pooled))
        by_task = _bucket(members, lambda g: g.task)
        for task in sorted(by_task):
            diff = st.function_difficulty(
                (g.combo, g.counts.graded, g.counts.passed) for g in by_task[task]
            )
            for fn, (solved, masked) in diff.items():
                tested, diff_passed = diffs.get((*key, task, fn), (0, 0))
                functions.append(
                    FunctionStat(
                        run=run,
                        agent=key[0],
                        model=key[1],
                        setting=key[2],
                        task=task,
                        function=fn,
                        masked=masked,
                        solved=solved,
                        solved_rate=st.rate(solved, masked),
                        diff_tested=tested,
                        diff_passed=diff_passed,
                    )
                )
    return Summary(
        run=run,
        run_dir=str(run_dir),
        attempts=sum(g.counts.attempts for g in groups),
        rows=rows,
        totals=totals,
        functions=functions,
        graders=graders,
    )
