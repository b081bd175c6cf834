"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

Every executor has the same interface, :meth:`Executor.imap_unordered`: it takes an iterable
of tasks and yields ``(task, result)`` as they finish, with a bounded number in flight, so
memory does not grow with the number of tasks. Results never depend on the executor: every
run carries its own seed.

Dask workers started by a nanny get ``MALLOC_TRIM_THRESHOLD_=65536`` by default, which halves
numpy-heavy throughput; the local cluster started here turns that off, and so does
:data:`DASK_WORKER_ENV` in the environment of a ``dask worker`` started by hand.

A running scheduler's address (``--scheduler``) is checked before anything is written
(:func:`check_scheduler`): its form, then a connection that must answer as a Dask scheduler
within :data:`SCHEDULER_TIMEOUT`. Tasks travel to it as pickled Python, which a scheduler's
workers run: only a trusted network, or TLS (``tls://`` and Dask's own security settings),
keeps strangers from running code there (docs/runner.md, "Dask").
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from negsim.config import ConfigError

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


@dataclass(frozen=True)
class Lost:
    """The result of a task whose worker died running it (killed, out of memory)."""

    reason: str


def _in_flight(
    submit: Callable[[Any], Future[Any]],
    tasks: Iterable[Any],
    limit: int,
    restart: Callable[[], None] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Keep ``limit`` tasks submitted; survive a worker's death by restarting the pool.

    When a worker dies, every task still in the pool fails with it. Tasks that had finished
    keep their results; the others are run again one at a time on a fresh pool, so the one
    that kills its worker is known: it alone is given up, as :class:`Lost`.
    """
    pending: dict[Future[Any], Any] = {}
    suspects: list[Any] = []
    it = iter(tasks)
    exhausted = False

    def collect(futures: Iterable[Future[Any]]) -> Iterator[tuple[Any, Any]]:
        for fut in futures:
            task = pending.pop(fut)
            try:
                result = fut.result()
            except BrokenProcessPool:
                if restart is None:
                    raise
                suspects.append(task)
                continue
            yield task, result

    while True:
        while suspects:  # alone in the pool: if it dies now, this task killed it
            task = suspects.pop()
            try:
                result = submit(task).result()
            except BrokenProcessPool as exc:
                result = Lost(f"worker process died running it ({exc})")
                assert restart is not None
                restart()
            yield task, result
        broken = False
        while not exhausted and len(pending) < limit:
            try:
                task = next(it)
            except StopIteration:
                exhausted = True
                break
            try:
                pending[submit(task)] = task
            except BrokenProcessPool:
                if restart is None:
                    raise
                suspects.append(task)
                broken = True
                break
        if not pending and not suspects:
            return
        if pending and not broken:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            n_suspects = len(suspects)
            yield from collect(done)
            broken = len(suspects) > n_suspects
        if broken:
            wait(pending)  # a broken pool fails everything it holds at once
            yield from collect(list(pending))
            assert restart is not None
            restart()


#: What a local pool's forkserver imports once, before it forks workers, by model: a ``noop``
#: sweep does not wait ~2 s for the world model's imports. (The forkserver is one per process:
#: the first pool started decides; a module not preloaded is imported by each worker instead.)
PRELOAD = {
    "noop": ("negsim.experiments.models",),
    "world": ("negsim.experiments.models", "negsim.world.model"),
}


class LocalPool:
    """A pool of worker processes on this machine (forkserver: fast start, thread-safe)."""

    def __init__(self, workers: int, model: str = "world") -> None:
        self.workers = workers
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(list(PRELOAD.get(model, PRELOAD["world"])))
        from multiprocessing import forkserver

        forkserver.ensure_running()  # the server preloads while the caller goes on
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._ctx,
            initializer=_die_with_driver,
            initargs=(os.getpid(),),
        )

    def _restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[tuple[Any, Any]]:
        yield from _in_flight(
            lambda t: self._pool.submit(fn, t), tasks, 3 * self.workers, restart=self._restart
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _die_with_driver(driver: int) -> None:
    """Worker initialiser: exit soon after the negsim process that owns the pool is gone.

    A pool worker waits on a pipe whose writing end it holds itself, so a ``kill -9`` of
    negsim would leave it (and the forkserver) running forever; a watchdog thread ends it.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(driver, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, another user's (cannot happen for our parent)
                continue

    threading.Thread(target=watch, name="negsim-watchdog", daemon=True).start()


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
                except (OSError, ValueError) as exc:
                    raise ConfigError(
                        "--scheduler", "--scheduler", scheduler, f"a reachable scheduler ({exc})"
                    ) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    # a free port: None still means 8787, taken by any other cluster here
                    dashboard_address=":0",
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
            try:
                result = fut.result()
            except Exception as exc:  # KilledWorker, a lost connection: recorded, not fatal
                result = Lost(f"{type(exc).__name__}: {exc}")
            yield task, result
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


def check_executor(kind: str, scheduler: str | None = None) -> None:
    """Reject an unknown executor name, or a scheduler that does not answer as one
    (:func:`check_scheduler`), before anything starts."""
    if scheduler is not None:
        check_scheduler(scheduler)
    elif kind not in EXECUTORS:
        raise ConfigError("--executor", "executor", kind, f"one of {list(EXECUTORS)}")


#: Seconds a ``--scheduler`` has to accept a connection, and again to answer Dask's handshake
#: and an identity request (a scheduler answers both in milliseconds, even across a WAN);
#: beyond it the address is refused before anything is written. Range: > 0.
SCHEDULER_TIMEOUT = 5.0
#: Dask's transports negsim connects to: plain TCP, or TLS with Dask's security settings.
SCHEDULER_SCHEMES = ("tcp", "tls")
_ADDRESS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@?#]+)"
    r":(?P<port>[0-9]{1,5})"
)


def parse_scheduler(address: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a ``tcp://HOST:PORT`` or ``tls://HOST:PORT`` address.

    Examples:
        >>> parse_scheduler("tcp://10.0.0.5:8786")
        ('tcp', '10.0.0.5', 8786)
        >>> parse_scheduler("tls://[::1]:8786")
        ('tls', '::1', 8786)
    """
    match = _ADDRESS.fullmatch(address)
    if match is None or match["scheme"] not in SCHEDULER_SCHEMES or int(match["port"]) > 65535:
        raise ConfigError(
            "--scheduler",
            "--scheduler",
            address,
            "tcp://HOST:PORT or tls://HOST:PORT, the address a `dask scheduler` prints",
        )
    return match["scheme"], match["host"].strip("[]"), int(match["port"])


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """A :class:`ConfigError` unless ``address`` is a Dask scheduler that answers in time.

    First a plain connection (refused, unknown host and unreachable fail at once, without
    Dask's retries), then Dask's own handshake and an ``identity`` request, which must say
    ``Scheduler``; each of the two has ``timeout`` seconds, so a port where something else
    listens (a web server that waits for a request) is refused, never waited on.
    ``timeout`` defaults to :data:`SCHEDULER_TIMEOUT`.
    """
    scheme, host, port = parse_scheduler(address)
    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout

    def refuse(why: str) -> ConfigError:
        return ConfigError(
            "--scheduler", "--scheduler", address, f"a running Dask scheduler's address ({why})"
        )

    if scheme == "tls" and _tls_options().get("ssl_context") is None:
        raise refuse(
            "tls:// needs Dask's TLS settings: distributed.comm.tls.ca-file, "
            "distributed.comm.tls.client.cert and .key, in Dask's configuration"
        )
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as exc:
        raise refuse(f"unknown host: {exc.strerror}") from None
    except TimeoutError:
        raise refuse(f"no connection within {timeout:g} s") from None
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    outcome: dict[str, Any] = {}

    def ask() -> None:  # a thread of its own: the caller may run an event loop (Jupyter)
        try:
            outcome["reply"] = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout))
        except Exception as exc:  # anything the peer's bytes provoke: not a scheduler
            outcome["error"] = exc

    asker = threading.Thread(target=ask, name="negsim-scheduler-probe", daemon=True)
    asker.start()
    asker.join(2 * timeout)  # the coroutine gives up after timeout; this is a backstop
    reply, error = outcome.get("reply"), outcome.get("error")
    if isinstance(reply, dict) and reply.get("type") == "Scheduler":
        return
    if asker.is_alive() or isinstance(error, TimeoutError):
        why = f"{scheme}://{host}:{port} did not answer as a Dask scheduler within {timeout:g} s"
    elif error is not None:
        why = f"not a Dask scheduler: {_unlike_dask(error)}"
    else:
        why = f"it answered as {reply.get('type') if isinstance(reply, dict) else reply!r}"
    raise refuse(why)


def _tls_options() -> dict[str, Any]:
    """The client's connection options from Dask's configuration (its TLS settings), as
    ``distributed.Client`` reads them."""
    from distributed.security import Security

    options: dict[str, Any] = Security().get_connection_args("client")
    return options


def _unlike_dask(error: Exception) -> str:
    """What a failed Dask handshake says about the peer, in a few words."""
    from distributed.comm.core import CommClosedError

    if isinstance(error, ssl.SSLError) or isinstance(error.__cause__, ssl.SSLError):
        return f"TLS failed ({error})".replace("\n", " ")
    if isinstance(error, CommClosedError):
        return "it closed the connection"
    return "it answered in another protocol"  # its bytes read as nonsense lengths, types


async def _identity(address: str, timeout: float) -> Any:
    """The peer's answer to Dask's ``identity`` request, after Dask's handshake."""
    from distributed.comm.core import connect

    comm = await connect(address, timeout=timeout, **_tls_options())
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


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
