"""results.sqlite: one row per attempt, WAL mode, written atomically (one transaction a row)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from autoexp.errors import RunError
from autoexp.runner._types import AttemptRecord

STORE_SCHEMA = 1
"""Version of the results.sqlite table layout (PRAGMA user_version)."""

_COLUMNS = """
    attempt_id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    agent TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    model TEXT,
    setting TEXT NOT NULL,
    n INTEGER NOT NULL,
    combo TEXT NOT NULL,
    trial INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    fabricated INTEGER NOT NULL,
    edited_outside_mask INTEGER NOT NULL,
    experiments_passed REAL NOT NULL,
    wall_s REAL NOT NULL,
    agent_wall_s REAL NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost_usd REAL,
    steps INTEGER NOT NULL,
    isolation TEXT NOT NULL,
    retries INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    record TEXT NOT NULL
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
        if version not in (0, STORE_SCHEMA):
            raise RunError(
                f"{self.path}: store schema {version} is not supported (this autoexp reads "
                f"{STORE_SCHEMA})"
            )
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS attempts ({_COLUMNS})")
        self._conn.execute("CREATE INDEX IF NOT EXISTS by_agent_n ON attempts(agent, n)")
        self._conn.execute(f"PRAGMA user_version={STORE_SCHEMA}")

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for SQL aggregation by reports."""
        return self._conn

    def put(self, record: AttemptRecord) -> None:
        """Insert or replace one attempt (keeps its original insertion position)."""
        s = record.spec
        grade = record.grade
        row = {
            "attempt_id": record.attempt_id,
            "task": s.task_id,
            "agent": s.agent.label,
            "agent_name": s.agent.name,
            "model": record.model or s.agent.model,
            "setting": s.setting.label,
            "n": s.n,
            "combo": json.dumps(list(s.combo)),
            "trial": s.trial,
            "status": record.status.value,
            "reason": record.reason.value,
            "fabricated": int(record.fabricated),
            "edited_outside_mask": int(record.edited_outside_mask),
            "experiments_passed": grade.experiments_passed if grade else 0.0,
            "wall_s": record.wall_s,
            "agent_wall_s": record.agent_wall_s,
            "tokens_in": record.tokens_in,
            "tokens_out": record.tokens_out,
            "cost_usd": record.cost_usd,
            "steps": record.steps,
            "isolation": record.isolation,
            "retries": record.retries,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "record": record.model_dump_json(),
        }
        cols = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        updates = ", ".join(f"{k}=excluded.{k}" for k in row if k != "attempt_id")
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                f"INSERT INTO attempts ({cols}) VALUES ({marks}) "
                f"ON CONFLICT(attempt_id) DO UPDATE SET {updates}",
                row,
            )

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

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
