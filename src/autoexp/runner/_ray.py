"""The Ray executor: each attempt is one Ray task, on whichever node of a cluster has room.

Ray is imported only here and only when the executor is made (`pip install 'autoexp[ray]'`).
Task files travel with the attempt: each task directory is packed once (a tar in Ray's object
store) and unpacked on the worker's node into a cache keyed by its content hash; the attempt
runs into a temporary run directory there and its attempt directory comes back, packed, with
its record. The driver unpacks it into the run directory, so the driver alone writes the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import shutil
import socket
import tarfile
import tempfile
from collections.abc import Callable, Generator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from autoexp._io import atomic_write_text
from autoexp.errors import ConfigError, InfraError
from autoexp.runner._executor import task_gpus
from autoexp.runner._gpus import ASSIGNED_ENV
from autoexp.runner._types import AttemptRecord, AttemptSpec

if TYPE_CHECKING:
    from autoexp.runner._run import AttemptWork

INSTALL_HINT = "pip install 'autoexp[ray]'"
"""What installs Ray for autoexp (named in errors)."""

CACHE_ENV = "AUTOEXP_RAY_CACHE"
"""Env var (on a worker node) naming the directory of unpacked task copies; default: a
per-user directory in the system's temporary directory."""

OnCrash = Callable[[AttemptSpec, BaseException, datetime], AttemptRecord]


class _Packed(BaseModel):
    """A task directory packed for the trip to the workers."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    ref: Any
    """The tar's ObjectRef in Ray's object store."""
    digest: str
    """sha256 of the tar: the name of its unpacked copy in a node's cache."""
    name: str
    """The task directory's own name (kept in the copy)."""


def import_ray() -> Any:
    """The `ray` module, or a ConfigError naming --executor ray and how to install it."""
    try:
        import ray
    except ImportError as e:
        raise ConfigError(
            f"--executor ray: Ray is not importable ({e}); install it with {INSTALL_HINT}"
        ) from None
    return ray


def connect(address: str | None) -> bool:
    """Join the Ray cluster at `address` (`auto`, `host:port`, `ray://head:10001`; None: start
    a local instance) unless Ray is initialised already. True when this call connected. A
    ConfigError naming --ray-address when it cannot."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    where = address or "(none: a local instance)"
    if address:
        _probe(address)
    try:
        ray.init(address=address, include_dashboard=False, logging_level="warning")
    except Exception as e:  # ConnectionError, RuntimeError, ValueError: Ray raises many kinds
        raise ConfigError(f"--ray-address {where}: cannot connect to Ray: {e}") from None
    return True


def _probe(address: str, timeout_s: float = 5.0) -> None:
    """A ConfigError naming --ray-address when `host:port` (or `ray://host:port`) does not
    accept a TCP connection within `timeout_s` (Ray itself would keep trying for minutes).
    `auto` and addresses without a port are left to Ray."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise ConfigError(
            f"--ray-address {address}: nothing answers there ({e.strerror or e}); give the "
            "address of a running Ray head (`ray start --head` prints it), or `auto`"
        ) from None


def most_gpus() -> int:
    """The most GPUs one alive node of the connected Ray cluster has."""
    nodes = [n["Resources"] for n in import_ray().nodes() if n.get("Alive")]
    return int(max((r.get("GPU", 0) for r in nodes), default=0))


def pack_task(root: str | Path) -> bytes:
    """The task directory as an uncompressed tar (its own name as the top entry)."""
    root = Path(root)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(root, arcname=root.name)
    return buf.getvalue()


def cache_dir() -> Path:
    """Where this node keeps unpacked task copies (`$AUTOEXP_RAY_CACHE`, or a per-user
    directory in the temporary directory)."""
    given = os.environ.get(CACHE_ENV)
    return Path(given) if given else Path(tempfile.gettempdir()) / f"autoexp-ray-{os.getuid()}"


def unpack_task(data: bytes, digest: str, name: str, cache: Path) -> Path:
    """The node-local copy of a packed task, unpacked once per node (under a file lock, into a
    temporary directory renamed into place, so a reader never sees half a copy)."""
    final = cache / digest
    if not (final / name).is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache / f"{digest}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (final / name).is_dir():
                tmp = Path(tempfile.mkdtemp(dir=cache, prefix=f".{digest[:12]}-"))
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    tar.extractall(tmp, filter="data")
                tmp.chmod(0o755)
                shutil.rmtree(final, ignore_errors=True)
                tmp.rename(final)
    return final / name


def _pack_dir(path: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        tar.add(path, arcname=".")
    return buf.getvalue()


def _remote_attempt(
    fn: Callable[[AttemptSpec], AttemptRecord], spec: AttemptSpec, data: bytes, digest: str,
    name: str,
) -> tuple[AttemptRecord, bytes | None]:  # fmt: skip
    """In the Ray worker: announce its GPUs, run the attempt on the node-local task copy and
    return its record with, for a run's attempt (`AttemptWork`), its attempt directory packed.
    """
    import ray

    from autoexp.runner._run import AttemptWork

    os.environ[ASSIGNED_ENV] = ",".join(map(str, ray.get_gpu_ids()))
    cache = cache_dir()
    local = spec.model_copy(update={"task_root": str(unpack_task(data, digest, name, cache))})
    if not isinstance(fn, AttemptWork):
        return fn(local), None
    with tempfile.TemporaryDirectory(prefix="autoexp-ray-run-") as tmp:
        Path(tmp).chmod(0o755)  # as a run directory is: the sandbox's uid may need to reach it
        sandbox = fn.sandbox.model_copy(update={"hide": [*fn.sandbox.hide, cache]})
        here = dataclasses.replace(fn, run_dir=Path(tmp), sandbox=sandbox)
        record = here(local)
        return record, _pack_dir(Path(tmp) / "attempts" / spec.attempt_id)


def land(
    work: AttemptWork, spec: AttemptSpec, record: AttemptRecord, packed: bytes
) -> AttemptRecord:
    """On the driver: the attempt directory that came back, unpacked into the run directory,
    and the record with the planned spec (the worker ran it on a copy of the task)."""
    record = record.model_copy(update={"spec": spec})
    dest = work.run_dir / "attempts" / spec.attempt_id
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(packed)) as tar:
        tar.extractall(dest, filter="data")
    data = json.loads(record.model_dump_json())
    atomic_write_text(dest / "attempt.json", json.dumps(data, indent=1))
    return record


class RayExecutor:
    """Runs every attempt as a Ray task asking for `cpus` CPUs, `memory_mb` MB of memory and
    its task's `needs.gpus` GPUs; Ray decides how many run at once (`workers` does not apply).

    Records are yielded as the tasks finish. A task that fails (its worker or node died, Ray
    killed it for memory, `fn` raised) is `on_crash(spec, error, submitted_at)`: an infra_error
    that the run retries. Ray itself retries nothing (`max_retries=0`), so every execution is
    counted by the run. Closing the generator cancels the tasks in flight (`ray.cancel`,
    forced). Use `RayExecutor.connect` to join or start a cluster first."""

    def __init__(self, on_crash: OnCrash, *, memory_mb: int, cpus: float = 1.0) -> None:
        self.on_crash = on_crash
        self.memory_mb = memory_mb
        """Memory each attempt asks Ray for (the sandbox's limit per process)."""
        self.cpus = cpus
        """CPUs each attempt asks Ray for."""
        self._packs: dict[str, _Packed] = {}
        self._remote: Any = None

    @classmethod
    def connect(
        cls, address: str | None, on_crash: OnCrash, *, memory_mb: int, cpus: float = 1.0
    ) -> RayExecutor:
        """Connect to Ray (see `connect`) and check that some node can hold an attempt's
        request: a ConfigError naming the option otherwise, before any attempt runs."""
        connect(address)
        ex = cls(on_crash, memory_mb=memory_mb, cpus=cpus)
        ex.check_fits()
        return ex

    def check_fits(self) -> None:
        """A ConfigError when no alive node has `cpus` CPUs and `memory_mb` MB for Ray tasks."""
        ray = import_ray()
        nodes = [n["Resources"] for n in ray.nodes() if n.get("Alive")]
        if not any(r.get("CPU", 0) >= self.cpus for r in nodes):
            raise ConfigError(f"--executor ray: no Ray node has {self.cpus} CPU(s) for a task")
        most = max((r.get("memory", 0) for r in nodes), default=0) / 2**20
        if most < self.memory_mb:
            raise ConfigError(
                f"--memory-mb {self.memory_mb}: no Ray node offers that much memory to tasks "
                f"(the largest offers {most:.0f} MB); give a smaller --memory-mb"
            )

    def most_gpus(self) -> int:
        """The most GPUs one attempt can be given: those of the cluster's largest node."""
        return most_gpus()

    def _pack(self, root: str) -> _Packed:
        """The task directory `root`, packed and put in the object store once per executor."""
        if root not in self._packs:
            ray = import_ray()
            data = pack_task(root)
            digest = hashlib.sha256(data).hexdigest()
            self._packs[root] = _Packed(ref=ray.put(data), digest=digest, name=Path(root).name)
        return self._packs[root]

    def _submit(self, fn: Callable[[AttemptSpec], AttemptRecord], spec: AttemptSpec) -> Any:
        ray = import_ray()
        if self._remote is None:
            self._remote = ray.remote(_remote_attempt)
        packed = self._pack(spec.task_root)
        return self._remote.options(
            num_cpus=self.cpus,
            memory=self.memory_mb * 2**20,
            num_gpus=task_gpus(spec),
            max_retries=0,
        ).remote(fn, spec, packed.ref, packed.digest, packed.name)

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        """Submit every spec at once, yield records as their tasks finish; closing the
        generator cancels the rest."""
        from autoexp.runner._run import AttemptWork

        ray = import_ray()
        most = self.most_gpus()
        running: dict[Any, tuple[AttemptSpec, datetime]] = {}
        try:
            for spec in specs:
                need = task_gpus(spec)
                if need > most:  # Ray would keep it waiting for ever
                    why = f"needs {need} GPU(s), no Ray node has more than {most}"
                    yield self.on_crash(spec, InfraError(why), datetime.now(UTC))
                    continue
                running[self._submit(fn, spec)] = (spec, datetime.now(UTC))
            while running:
                (ref,), _ = ray.wait(list(running), num_returns=1)
                spec, started = running.pop(ref)
                try:
                    record, packed = ray.get(ref)
                except Exception as e:  # RayError: worker or node died, OOM, fn raised
                    yield self.on_crash(spec, _unwrapped(e), started)
                    continue
                if packed is not None and isinstance(fn, AttemptWork):
                    record = land(fn, spec, record, packed)
                else:
                    record = record.model_copy(update={"spec": spec})
                yield record
        finally:
            for ref in running:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)


def _unwrapped(err: Exception) -> BaseException:
    """The exception `fn` raised when Ray wrapped it (RayTaskError), else `err` itself."""
    cause = getattr(err, "cause", None)
    return cause if isinstance(cause, BaseException) else err
