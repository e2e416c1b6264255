"""results.sqlite: one row per attempt, WAL mode, written atomically (one transaction a `put`).

`put` commits each attempt on its own, so a run killed at any point (SIGKILL included) keeps
every attempt whose `put` returned: in WAL mode the commit is written to the -wal file before
`put` returns (`synchronous=NORMAL` leaves the fsync to the next checkpoint, so only an OS
crash or a power cut can undo the last commits). `put_many` writes many attempts in one transaction, for bulk imports
and migrations where all or nothing is the right outcome; a live run does not use it.

The columns are the attempt's flat row (`attempt_row`, `ROW_COLUMNS`) plus the whole record as
JSON; every SQL query of a run lives here, so reports read through these functions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from autoexp.errors import RunError
from autoexp.grading._types import Status
from autoexp.runner._types import ROW_COLUMNS, AttemptRecord, attempt_row

STORE_SCHEMA = 2
"""Version of the results.sqlite table layout (PRAGMA user_version). A store of version 1 is
migrated when opened: its rows are rebuilt from the records it holds."""

_JSON = [k for k, t in ROW_COLUMNS.items() if t.startswith("JSON")]
_FLAGS = ("fabricated", "edited_outside_mask", "overfit", "suspect")
_COLUMNS = ",\n".join(f"{k} {t}" for k, t in ROW_COLUMNS.items()) + ",\nrecord TEXT NOT NULL"
_GRADED = f"status IN ('{Status.PASSED.value}', '{Status.FAILED.value}')"
_NAMES = [*ROW_COLUMNS, "record"]
_INSERT_SQL = (
    f"INSERT INTO attempts ({', '.join(_NAMES)}) VALUES ({', '.join(f':{k}' for k in _NAMES)}) "
    "ON CONFLICT(attempt_id) DO UPDATE SET "
    + ", ".join(f"{k}=excluded.{k}" for k in _NAMES if k != "attempt_id")
)
"""Insert or replace one attempt (built once: the same text every time, so SQLite's statement
cache keeps it compiled)."""

GROUP_FIELDS = (
    "attempts",
    "passed",
    "failed",
    "infra_error",
    "grader_error",
    "fabricated",
    "edited",
    "exp_sum",
    "fc_sum",
    "fc_n",
    "overfit",
    "suspect",
    "integrity",
    "cost_all",
    "cost_all_unknown",
    "cost_graded",
    "cost_graded_unknown",
    "tokens_in",
    "tokens_out",
    "tokens_graded",
    "wall_all",
    "wall_graded",
)
"""The additive counts `group_counts` gives per group, in its order."""

_GROUP_KEYS = ("agent", "agent_name", "model", "setting", "n", "task", "combo")

_GROUP_SQL = f"""
SELECT {", ".join(_GROUP_KEYS)},
  COUNT(*),
  SUM(status = '{Status.PASSED.value}'),
  SUM(status = '{Status.FAILED.value}'),
  SUM(status = '{Status.INFRA_ERROR.value}'),
  SUM(status = '{Status.GRADER_ERROR.value}'),
  TOTAL(CASE WHEN {_GRADED} THEN fabricated END),
  TOTAL(CASE WHEN {_GRADED} THEN edited_outside_mask END),
  TOTAL(CASE WHEN {_GRADED} THEN experiments_passed END),
  TOTAL(CASE WHEN {_GRADED} THEN functions_correct END),
  COUNT(CASE WHEN {_GRADED} THEN functions_correct END),
  TOTAL(CASE WHEN {_GRADED} THEN overfit END),
  TOTAL(CASE WHEN {_GRADED} THEN suspect END),
  TOTAL(CASE WHEN {_GRADED} THEN json_array_length(integrity) > 0 END),
  TOTAL(cost_usd),
  SUM(cost_usd IS NULL),
  TOTAL(CASE WHEN {_GRADED} THEN cost_usd END),
  SUM({_GRADED} AND cost_usd IS NULL),
  TOTAL(tokens_in),
  TOTAL(tokens_out),
  TOTAL(CASE WHEN {_GRADED} THEN tokens_in + tokens_out END),
  TOTAL(wall_s),
  TOTAL(CASE WHEN {_GRADED} THEN wall_s END)
FROM attempts
GROUP BY {", ".join(_GROUP_KEYS)}
"""

_DIFF_SQL = f"""
SELECT agent, model, setting, task, f.key, COUNT(*), SUM(f.value = 'passed')
FROM attempts, json_each(attempts.functions) AS f
WHERE {_GRADED}
GROUP BY 1, 2, 3, 4, 5
"""

_REASON_SQL = """
SELECT agent, model, setting, n, reason, COUNT(*)
FROM attempts WHERE reason != 'none'
GROUP BY agent, model, setting, n, reason
"""


class SqliteStore:
    """The `Store` of a run: `results.sqlite` in the run directory.

    Columns hold what reports aggregate with SQL; `record` holds the whole AttemptRecord as JSON.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, STORE_SCHEMA):
            raise RunError(
                f"{self.path}: store schema {version} is not supported (this autoexp reads "
                f"1 to {STORE_SCHEMA})"
            )
        if version == 1:
            self._migrate()
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS attempts ({_COLUMNS})")
        self._conn.execute("CREATE INDEX IF NOT EXISTS by_agent_n ON attempts(agent, n)")
        self._conn.execute(f"PRAGMA user_version={STORE_SCHEMA}")

    def _migrate(self) -> None:
        """Rebuild a version-1 table from its records (they migrate as they load), in place."""
        try:
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                old = [
                    r for (r,) in self._conn.execute("SELECT record FROM attempts ORDER BY rowid")
                ]
                self._conn.execute("DROP TABLE attempts")
                self._conn.execute(f"CREATE TABLE attempts ({_COLUMNS})")
                for text in old:
                    self._insert(AttemptRecord.model_validate_json(text))
                self._conn.execute(f"PRAGMA user_version={STORE_SCHEMA}")
        except sqlite3.Error as e:
            raise RunError(
                f"{self.path}: cannot migrate the store to schema {STORE_SCHEMA}: {e}"
            ) from None

    def put(self, record: AttemptRecord) -> None:
        """Insert or replace one attempt (keeps its original insertion position), committed
        before this returns: a run killed afterwards still has it."""
        row = _sql_row(record)
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(_INSERT_SQL, row)

    def put_many(self, records: Iterable[AttemptRecord]) -> int:
        """Insert or replace many attempts in one transaction (all or none of them); return how
        many. For bulk imports: a live run calls `put` once per finished attempt instead."""
        rows = [_sql_row(r) for r in records]  # encode first: the write lock is held briefly
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(_INSERT_SQL, rows)
        return len(rows)

    def _insert(self, record: AttemptRecord) -> None:
        self._conn.execute(_INSERT_SQL, _sql_row(record))

    def get(self, attempt_id: str) -> AttemptRecord | None:
        """One attempt, or None."""
        cur = self._conn.execute("SELECT record FROM attempts WHERE attempt_id=?", (attempt_id,))
        row = cur.fetchone()
        return AttemptRecord.model_validate_json(row[0]) if row else None

    def all(self) -> list[AttemptRecord]:
        """Every attempt, in insertion order."""
        cur = self._conn.execute("SELECT record FROM attempts ORDER BY rowid")
        return [AttemptRecord.model_validate_json(r[0]) for r in cur]

    def statuses(self) -> dict[str, tuple[str, int]]:
        """attempt_id -> (status, retries), cheaply (no JSON decoding)."""
        cur = self._conn.execute("SELECT attempt_id, status, retries FROM attempts")
        return {a: (s, r) for a, s, r in cur}

    def rows(self, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every attempt's flat row (see `attempt_row`), in insertion order, from the columns
        alone (no record is decoded). `columns`: only these keys (names of ROW_COLUMNS), which
        spares decoding the JSON columns a caller does not read."""
        names = list(ROW_COLUMNS) if columns is None else list(columns)
        unknown = [k for k in names if k not in ROW_COLUMNS]
        if unknown:
            raise ValueError(f"not a column of the store: {', '.join(unknown)}")
        json_cols = [k for k in _JSON if k in names]
        flags = [k for k in _FLAGS if k in names]
        cur = self._conn.execute(f"SELECT {', '.join(names)} FROM attempts ORDER BY rowid")
        for values in cur:
            row = dict(zip(names, values, strict=True))
            for k in json_cols:
                row[k] = json.loads(row[k]) if row[k] is not None else None
            for k in flags:
                row[k] = bool(row[k])
            yield row

    def group_counts(self) -> Iterator[tuple[dict[str, Any], dict[str, float]]]:
        """Per (agent, agent_name, model, setting, n, task, combo): the key (combo as a tuple)
        and the additive counts named in GROUP_FIELDS (infra and grader errors count only in
        attempts, cost_all, tokens and wall_all)."""
        for values in self._conn.execute(_GROUP_SQL):
            key = dict(zip(_GROUP_KEYS, values[: len(_GROUP_KEYS)], strict=True))
            key["combo"] = tuple(json.loads(key["combo"]))
            counts = dict(zip(GROUP_FIELDS, values[len(_GROUP_KEYS) :], strict=True))
            yield key, {k: v or 0 for k, v in counts.items()}

    def function_verdicts(self) -> dict[tuple[str, str | None, str, str, str], tuple[int, int]]:
        """(agent, model, setting, task, function) -> (graded attempts with a differential test
        of it, how many of those passed it)."""
        return {tuple(r[:5]): (r[5], r[6]) for r in self._conn.execute(_DIFF_SQL)}

    def reason_counts(self) -> dict[tuple[str, str | None, str, int], dict[str, int]]:
        """(agent, model, setting, n) -> reason -> attempts (reason `none` left out)."""
        out: dict[tuple[str, str | None, str, int], dict[str, int]] = {}
        for agent, model, setting, n, reason, count in self._conn.execute(_REASON_SQL):
            out.setdefault((agent, model, setting, n), {})[reason] = count
        return out

    def grader_counts(self) -> dict[str, int]:
        """autoexp version that computed the grades -> attempts ('' before autoexp 0.2)."""
        cur = self._conn.execute("SELECT grader, COUNT(*) FROM attempts GROUP BY grader")
        return dict(sorted(cur))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sql_row(record: AttemptRecord) -> dict[str, Any]:
    """The parameters of `_INSERT_SQL` for one attempt: its flat row, JSON columns as text, and
    the whole record as JSON."""
    row = attempt_row(record)
    for k in _JSON:
        row[k] = json.dumps(row[k])
    row["record"] = record.model_dump_json()
    return row
