"""SqliteStore on real SQLite files: `put` is durable one attempt at a time (a SIGKILLed writer
loses no attempt whose put returned), `put_many` writes the same rows in one all-or-nothing
transaction, and `rows(columns)` reads only the columns asked for."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autoexp.grading import Status
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import ROW_COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from report_helpers import make_record


def _records(count: int = 6) -> list:
    statuses = [Status.PASSED, Status.FAILED, Status.INFRA_ERROR]
    return [
        make_record(combo=("a.py::f", "b.py::g")[: 1 + i % 2], trial=i, status=statuses[i % 3])
        for i in range(count)
    ]


def test_put_many_writes_the_rows_put_writes(tmp_path: Path) -> None:
    records = _records()
    with SqliteStore(tmp_path / "one.sqlite") as one, SqliteStore(tmp_path / "many.sqlite") as many:
        for r in records:
            one.put(r)
        assert many.put_many(iter(records)) == len(records)
        assert list(many.rows()) == list(one.rows())
        assert many.all() == one.all() == records


def test_put_many_replaces_in_place_and_is_all_or_nothing(tmp_path: Path) -> None:
    records = _records(4)
    path = tmp_path / "results.sqlite"
    with SqliteStore(path) as store:
        store.put_many(records[:2])
        changed = records[0].model_copy(update={"wall_s": 99.0})
        store.put_many([changed, records[2]])
        assert [r.attempt_id for r in store.all()] == [r.attempt_id for r in records[:3]]
        assert store.get(records[0].attempt_id).wall_s == 99.0  # type: ignore[union-attr]
    # a row SQLite refuses half-way through the batch: nothing of the batch is kept
    with sqlite3.connect(path) as raw:
        raw.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON attempts "
            f"WHEN NEW.attempt_id = '{records[3].attempt_id}' BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    fresh = [r.model_copy(update={"attempt_id": r.attempt_id + "-x"}) for r in records[:2]]
    with SqliteStore(path) as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.put_many([fresh[0], records[3], fresh[1]])
        assert len(store.all()) == 3
        store.put(fresh[0])  # the store is still writable
        assert len(store.all()) == 4


def test_every_put_survives_a_sigkill_of_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    helpers = Path(__file__).resolve().parents[1] / "report"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(helpers)!r})
        from report_helpers import make_record
        from autoexp.runner._store import SqliteStore
        store = SqliteStore({str(path)!r})
        for trial in range(25):
            store.put(make_record(trial=trial))
            print(trial, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr
    acknowledged = proc.stdout.split()
    assert len(acknowledged) == 25
    with SqliteStore(path) as store:
        assert sorted(r.spec.trial for r in store.all()) == list(range(25))


def test_rows_reads_only_the_columns_asked_for(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "results.sqlite") as store:
        store.put_many(_records())
        full = list(store.rows())
        some = list(store.rows(("attempt_id", "combo", "fabricated", "status")))
        assert [set(r) for r in some] == [{"attempt_id", "combo", "fabricated", "status"}] * 6
        assert some == [{k: r[k] for k in some[0]} for r in full]
        assert isinstance(some[0]["combo"], list) and isinstance(some[0]["fabricated"], bool)
        assert set(full[0]) == set(ROW_COLUMNS)
        with pytest.raises(ValueError, match="not a column of the store: nope"):
            list(store.rows(("status", "nope")))
