"""Executors: where attempts run. `LocalExecutor` is a process pool on this machine."""

from __future__ import annotations

import ctypes
import signal
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import TypeVar

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


class LocalExecutor:
    """A process pool of `workers` processes; each attempt runs in a worker.

    If a worker dies (e.g. killed by the OOM killer) or `fn` raises, the attempt's result is
    `on_crash(spec, error, started_at)` (started_at: when the attempt was handed to a worker,
    UTC) and, after a death, the pool is rebuilt for the remaining attempts. At most `workers`
    attempts are submitted at a time, so a dead worker (which breaks the whole pool) charges
    only the attempts that were running, never one still waiting in the pool's queue.
    """

    def __init__(self, workers: int, on_crash: Callable[[S, BaseException, datetime], R]) -> None:
        self.workers = max(1, workers)
        self.on_crash = on_crash

    def map(self, fn: Callable[[S], R], specs: Iterable[S]) -> Generator[R, None, None]:
        """Run `fn` on every spec, yielding results as they complete; closing the generator
        kills the workers (and the attempts in flight with them)."""
        pending = list(specs)
        pending.reverse()
        while pending:
            pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_die_with_parent)
            running: dict[Future[R], tuple[S, datetime]] = {}
            broken = False
            interrupted = False
            try:
                while pending or running:
                    while pending and len(running) < self.workers and not broken:
                        spec = pending.pop()
                        running[pool.submit(fn, spec)] = (spec, datetime.now(UTC))
                    if not running:
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in done:
                        spec, started = running.pop(fut)
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
                if interrupted:
                    for proc in list(getattr(pool, "_processes", {}).values()):
                        proc.kill()  # their sandboxes die with them (--die-with-parent)
                pool.shutdown(wait=not interrupted, cancel_futures=True)
