"""Executors: where attempts run. `LocalExecutor` is a process pool on this machine."""

from __future__ import annotations

import ctypes
import functools
import os
import signal
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import TypeVar

from autoexp.errors import AutoexpError, InfraError
from autoexp.runner._gpus import ASSIGNED_ENV, GpuPool, machine_gpus

S = TypeVar("S")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Worker initializer: get SIGKILL when the parent dies, so a killed run leaves no orphans."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


@functools.cache
def _task_gpus(task_root: str) -> int:
    from autoexp.tasks._load import load_task

    try:
        return load_task(task_root).spec.needs.gpus
    except AutoexpError:  # the attempt itself reports the broken task, in its worker
        return 0


def task_gpus(spec: object) -> int:
    """GPUs an attempt needs: its task's `needs.gpus` (task.yaml read once per task root); 0
    for a spec without a `task_root` or whose task does not load."""
    root = getattr(spec, "task_root", None)
    return 0 if root is None else _task_gpus(str(root))


def _with_gpus(fn: Callable[[S], R], gpus: list[int], spec: S) -> R:
    """In the worker: announce the attempt's GPUs (see `assigned_gpus`), then run it. Set on
    every call, since a worker process runs one attempt after another."""
    os.environ[ASSIGNED_ENV] = ",".join(map(str, gpus))
    return fn(spec)


class LocalExecutor:
    """A process pool of `workers` processes; each attempt runs in a worker.

    If a worker dies (e.g. killed by the OOM killer) or `fn` raises, the attempt's result is
    `on_crash(spec, error, started_at)` (started_at: when the attempt was handed to a worker,
    UTC) and, after a death, the pool is rebuilt for the remaining attempts. At most `workers`
    attempts are submitted at a time, so a dead worker (which breaks the whole pool) charges
    only the attempts that were running, never one still waiting in the pool's queue.

    GPUs: an attempt needing k GPUs (`gpus_for(spec)`, default: its task's `needs.gpus`) starts
    only when k of `gpus` (default: `machine_gpus()`) are free, takes them for its lifetime and
    gives them back when it ends, crashes or is killed, so no two running attempts share one.
    Attempts that fit start first, in order: one waiting for a GPU never holds back the CPU-only
    attempts behind it. The worker sees its GPUs in `$AUTOEXP_ASSIGNED_GPUS`. An attempt that
    needs more GPUs than `gpus` holds is `on_crash(spec, InfraError, ...)` without running
    (planning normally leaves such tasks out, see `gpu_skip_reason`).
    """

    def __init__(
        self,
        workers: int,
        on_crash: Callable[[S, BaseException, datetime], R],
        *,
        gpus: Sequence[int] | None = None,
        gpus_for: Callable[[S], int] = task_gpus,
    ) -> None:
        self.workers = max(1, workers)
        self.on_crash = on_crash
        self.gpus = GpuPool(machine_gpus() if gpus is None else gpus)
        """Who holds which GPU."""
        self.gpus_for = gpus_for

    def most_gpus(self) -> int:
        """The most GPUs one attempt can be given: all of the pool's."""
        return len(self.gpus.all)

    def _next(self, pending: list[S]) -> tuple[S, list[int]] | None:
        """The first pending spec whose GPUs are free, removed from `pending`, with its GPUs."""
        for i, spec in enumerate(pending):
            ids = self.gpus.take(self.gpus_for(spec))
            if ids is not None:
                del pending[i]
                return spec, ids
        return None

    def _impossible(self, pending: list[S]) -> list[S]:
        """Specs that need more GPUs than the pool has at all, removed from `pending`."""
        fits = [self.gpus_for(s) <= len(self.gpus.all) for s in pending]
        bad = [s for s, ok in zip(pending, fits, strict=True) if not ok]
        pending[:] = [s for s, ok in zip(pending, fits, strict=True) if ok]
        return bad

    def map(self, fn: Callable[[S], R], specs: Iterable[S]) -> Generator[R, None, None]:
        """Run `fn` on every spec, yielding results as they complete; closing the generator
        kills the workers (and the attempts in flight with them)."""
        pending = list(specs)
        for spec in self._impossible(pending):
            need = self.gpus_for(spec)
            yield self.on_crash(
                spec,
                InfraError(f"needs {need} GPU(s), this executor has {len(self.gpus.all)}"),
                datetime.now(UTC),
            )
        while pending:
            pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_die_with_parent)
            running: dict[Future[R], tuple[S, datetime, list[int]]] = {}
            broken = False
            interrupted = False
            try:
                while pending or running:
                    while pending and len(running) < self.workers and not broken:
                        picked = self._next(pending)
                        if picked is None:
                            break  # every pending attempt waits for a GPU
                        spec, ids = picked
                        try:
                            fut = pool.submit(_with_gpus, fn, ids, spec)
                        except BaseException:
                            self.gpus.give(ids)
                            pending.insert(0, spec)
                            raise
                        running[fut] = (spec, datetime.now(UTC), ids)
                    if not running:
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in done:
                        spec, started, ids = running.pop(fut)
                        self.gpus.give(ids)
                        try:
                            yield fut.result()
                        except BrokenProcessPool as e:
                            broken = True
                            yield self.on_crash(spec, e, started)
                        except Exception as e:
                            yield self.on_crash(spec, e, started)
                    if broken and not running:
                        break
            except BaseException:  # Ctrl-C, or the consumer stopped: do not wait for attempts
                interrupted = True
                raise
            finally:
                for _, _, ids in running.values():  # killed below (or already dead)
                    self.gpus.give(ids)
                if interrupted:
                    for proc in list(getattr(pool, "_processes", {}).values()):
                        proc.kill()  # their sandboxes die with them (--die-with-parent)
                pool.shutdown(wait=not interrupted, cancel_futures=True)
