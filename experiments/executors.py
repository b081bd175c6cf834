"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

Every executor has the same interface, :meth:`Executor.imap_unordered`: it takes an iterable
of tasks and yields ``(task, result)`` as they finish, with a bounded number in flight, so
memory does not grow with the number of tasks. Results never depend on the executor: every
run carries its own seed.

Dask workers started by a nanny get ``MALLOC_TRIM_THRESHOLD_=65536`` by default, which halves
numpy-heavy throughput; the local cluster started here turns that off, and so does
:data:`DASK_WORKER_ENV` in the environment of a ``dask worker`` started by hand.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from simulator.config import ConfigError

EXECUTORS = ("inprocess", "local", "dask")

#: The environment for a ``dask worker`` started by hand: its nanny then gives its workers no
#: forced malloc trimming. Dask merges a config value from the environment into its defaults,
#: so ``"{}"`` would change nothing; ``None`` unsets one entry (and keeps the others).
DASK_WORKER_ENV = {"DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": '{"MALLOC_TRIM_THRESHOLD_": None}'}


class Executor(Protocol):
    """Runs tasks, yielding results as they complete."""

    workers: int

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]: ...

    def close(self) -> None: ...


class InProcess:
    """Runs every task here, one after the other (debugging, profiling, tiny sweeps)."""

    workers = 1

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        for task in tasks:
            yield task, fn(task)

    def close(self) -> None:
        return None


def _in_flight(
    submit: Callable[[Any], Future[Any]], tasks: Iterable[Any], limit: int
) -> Iterator[tuple[Any, Any]]:
    pending: dict[Future[Any], Any] = {}
    it = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < limit:
            try:
                task = next(it)
            except StopIteration:
                exhausted = True
                break
            pending[submit(task)] = task
        if not pending:
            return
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            yield pending.pop(fut), fut.result()


#: What a local pool's forkserver imports once, before it forks workers, by model: a ``noop``
#: sweep does not wait ~2 s for the world model's imports. (The forkserver is one per process:
#: the first pool started decides; a module not preloaded is imported by each worker instead.)
PRELOAD = {
    "noop": ("experiments.models",),
    "world": ("experiments.models", "simulator.world.model"),
}


class LocalPool:
    """A pool of worker processes on this machine (forkserver: fast start, thread-safe)."""

    def __init__(self, workers: int, model: str = "world") -> None:
        self.workers = workers
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD.get(model, PRELOAD["world"])))
        from multiprocessing import forkserver

        forkserver.ensure_running()  # the server preloads while the caller goes on
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        yield from _in_flight(lambda t: self._pool.submit(fn, t), tasks, 3 * self.workers)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed client: a new ``LocalCluster``, or a running scheduler's address."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        self._cluster = None
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            if scheduler:
                try:
                    self._client = Client(scheduler, timeout="10s")
                except OSError as exc:
                    raise ConfigError(
                        "--scheduler", "(address)", scheduler, f"a reachable scheduler ({exc})"
                    ) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,
                )
                self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info()["workers"]))

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        it = iter(tasks)
        limit = 3 * self.workers
        pending: dict[Any, Any] = {}
        ac = as_completed()
        for task in it:
            fut = self._client.submit(fn, task, pure=False)
            pending[fut.key] = task
            ac.add(fut)
            if len(pending) >= limit:
                break
        for fut in ac:
            task = pending.pop(fut.key)
            yield task, fut.result()
            fut.release()
            nxt = next(it, None)
            if nxt is not None:
                new = self._client.submit(fn, nxt, pure=False)
                pending[new.key] = nxt
                ac.add(new)

    def worker_env(self) -> dict[str, str | None]:
        """``MALLOC_TRIM_THRESHOLD_`` as each worker process sees it."""
        result: dict[str, str | None] = self._client.run(_malloc_env)
        return result

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _malloc_env() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None, model: str = "world"
) -> Executor:
    """An executor by name; ``--scheduler`` implies Dask; ``model`` decides a pool's preload."""
    if scheduler:
        kind = "dask"
    if kind not in EXECUTORS:
        raise ConfigError("--executor", "executor", kind, f"one of {list(EXECUTORS)}")
    n = workers or os.cpu_count() or 1
    if kind == "inprocess":
        return InProcess()
    if kind == "local":
        return LocalPool(n, model)
    return DaskExecutor(n, scheduler)
