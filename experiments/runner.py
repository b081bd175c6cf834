"""Run a sweep into its results store: resume, chunk, dispatch, record, show progress.

Examples:
    >>> import tempfile
    >>> from negsim.experiments.sweep import parse_sweep
    >>> spec = parse_sweep({"name": "t", "model": "noop", "replications": 3,
    ...                     "factors": {"a.b": [1, 2]}})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     first = run_sweep(spec, d, executor="inprocess", progress=False)
    ...     again = run_sweep(spec, d, executor="inprocess", progress=False)
    >>> first.ran, first.failed, again.ran, again.skipped
    (6, 0, 0, 6)
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from negsim.display import readable
from negsim.experiments.executors import Executor, Lost, check_executor, make_executor
from negsim.experiments.folders import check_out
from negsim.experiments.models import Task, lost_rows, metric_columns, run_task
from negsim.experiments.store import Store, load_runs
from negsim.experiments.sweep import SweepSpec, load_sweep, parse_sweep

#: Target wall time of one task: enough to hide dispatch costs, small enough to balance load.
TASK_SECONDS = 0.15


@dataclass(frozen=True)
class SweepResult:
    """What a call to :func:`run_sweep` did; :meth:`frame` reads its runs.

    Attributes:
        folder: the results folder (``manifest.json`` and ``runs/``).
        total: runs in the sweep (design points × replications).
        skipped: runs already stored by earlier calls, not run again.
        ran: runs this call ran (and stored).
        failed: of those, runs that raised (stored with ``status = "error"``).
        seconds: wall time of this call.
        chunk: runs per task.
        workers: worker processes used.
    """

    folder: Path
    total: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    chunk: int
    workers: int

    def frame(self) -> pd.DataFrame:
        """The stored runs of this call's sweep (a store extended to more replications by an
        earlier call also holds later replications; they are left out)."""
        frame = load_runs(self.folder)
        return frame[frame["run_id"] < self.total].reset_index(drop=True)


def default_folder(spec: SweepSpec, out: str | Path | None) -> Path:
    """``--out`` if given, else ``results/<name>``."""
    return Path(out) if out is not None else Path("results") / spec.name


def _runs_of(
    spec: SweepSpec, done: np.ndarray[Any, Any]
) -> tuple[int, Iterator[tuple[int, int, int, int]]]:
    """How many runs are not stored yet, and those runs, lazily (memory does not grow with
    the number of runs beyond one byte each)."""
    stored = np.zeros(spec.n_runs, dtype=bool)
    stored[done[(done >= 0) & (done < spec.n_runs)]] = True
    runs = ((r.run_id, r.point, r.replication, r.seed) for r in spec.runs() if not stored[r.run_id])
    return spec.n_runs - int(stored.sum()), runs


def _tasks(
    spec: SweepSpec, pending: Iterator[tuple[int, int, int, int]], chunk: int
) -> Iterator[Task]:
    for batch in itertools.batched(pending, chunk):
        runs = tuple(
            (run_id, point, rep, seed, spec.overrides(point)) for run_id, point, rep, seed in batch
        )
        yield Task(spec.model, spec.scenario, spec.metrics, runs)


def _decorate(
    spec: SweepSpec, rows: list[dict[str, Any]], columns: Mapping[str, bool]
) -> list[dict[str, Any]]:
    """Add the design point's label and factor values to each row.

    ``columns`` (from :func:`_factor_columns`) says which factors are numbers: those are
    stored as floats (NaN where a point leaves them unset), the others as text ("" where
    unset), so every Parquet chunk has the same schema whichever points it holds.
    """
    for row in rows:
        point = spec.points[row["point"]]
        row["label"] = spec.labels[row["point"]]
        for name, numeric in columns.items():
            value = point.get(name, spec.base.get(name))
            if numeric:
                row[name] = math.nan if value is None else float(value)
            else:
                row[name] = "" if value is None else str(value)
    return rows


def _factor_columns(spec: SweepSpec) -> dict[str, bool]:
    """Every factor set by some point, in order, and whether all its values are numbers."""
    numeric: dict[str, bool] = {}
    for p in spec.points:
        for k, v in p.items():
            numeric[k] = numeric.get(k, True) and isinstance(v, int | float)
    for k in numeric:
        if k in spec.base:
            numeric[k] = numeric[k] and isinstance(spec.base[k], int | float)
    return numeric


def run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk: int | None = None,
    progress: bool = True,
    console: Console | None = None,
    compact: bool = True,
) -> SweepResult:
    """Run every run of a sweep not yet in the store at ``out``; write them as they finish.

    Args:
        spec: a shipped sweep's name (``walk_away_grid``), a sweep file or a loaded
            :class:`~negsim.experiments.sweep.SweepSpec`.
        out: the results folder (default ``results/<name>``); an existing one is resumed.
        replications: replaces the file's number of replications; more than a stored sweep
            holds extend it (the stored runs are reused), fewer read its first ones.
        seed: replaces the file's root seed.
        executor: ``"inprocess"``, ``"local"`` (a process pool) or ``"dask"``, or an
            :class:`~negsim.experiments.executors.Executor`.
        workers: worker processes (default: all cores).
        scheduler: a Dask scheduler's address (``tcp://host:8786``), for ``executor="dask"``.
        chunk: runs per task (default: about 0.15 s of work).
        progress: show a progress bar on stderr.
        console: the rich console the progress bar draws on (default: stderr).
        compact: merge the chunks into one file once every run is stored.

    Returns:
        What the call did; :meth:`SweepResult.frame` reads every stored run.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_sweep(spec, replications=replications, seed=seed)
    elif replications is not None or seed is not None:
        spec = parse_sweep(
            {
                **spec.raw,
                **{
                    k: v
                    for k, v in (("replications", replications), ("seed", seed))
                    if v is not None
                },
            },
            spec.file,
        )
    folder = default_folder(spec, out)
    # Everything that can be checked is, before anything is written: the folder, then the
    # executor (a scheduler's answer takes longest); a call that fails leaves no folder it
    # created.
    check_out(folder, "--out" if out is not None else "(results folder)")
    if isinstance(executor, str):
        check_executor(executor, scheduler)
    created = not folder.exists()
    store = Store(folder)
    store.lock()
    try:
        return _run_sweep(
            spec, store, executor, workers, scheduler, chunk, progress, console, compact
        )
    except BaseException:
        if created and not store.parts():  # nothing stored: the folder would only confuse
            store.discard()
        raise
    finally:
        store.unlock()


def _run_sweep(
    spec: SweepSpec,
    store: Store,
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    chunk: int | None,
    progress: bool,
    console: Console | None,
    compact: bool,
) -> SweepResult:
    folder = store.folder
    manifest = store.open(spec.to_dict(), spec.fingerprint(), spec.seed)
    manifest["metrics"] = metric_columns(spec.model, spec.metrics)
    n_pending, pending = _runs_of(spec, store.done_ids())
    skipped = spec.n_runs - n_pending
    columns = _factor_columns(spec)
    start = time.perf_counter()
    ran = failed = 0
    used_chunk = chunk or 1
    n_workers = 1
    ex: Executor | None = None
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} runs/s"),
        TextColumn("failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        disable=not progress,
    )
    try:
        with bar:
            bar_task = bar.add_task(
                spec.name, total=spec.n_runs, completed=skipped, rate="–", failed=0
            )
            if n_pending > (2 if chunk is None else 0):
                # started before the pilot, so the pool's start (and a forkserver's preloading)
                # overlaps it; a finished sweep starts no pool or cluster at all
                ex = (
                    make_executor(executor, workers, scheduler, model=spec.model)
                    if isinstance(executor, str)
                    else executor
                )
                n_workers = ex.workers
            if n_pending and chunk is None:
                # pilot runs here size the chunks so that each task lasts ~TASK_SECONDS; the
                # second is warm (the first may pay for imports and compilation)
                pilot = next(_tasks(spec, itertools.islice(pending, min(2, n_pending)), 2))
                rows = run_task(pilot)
                fastest = min(r["seconds"] for r in rows)
                used_chunk = _chunk_size(fastest, n_pending, n_workers)
                store.append(_decorate(spec, rows, columns))
                failed += sum(r["status"] != "ok" for r in rows)
                ran += len(rows)
                bar.update(bar_task, advance=len(rows), failed=failed)
            if ex is not None and ran < n_pending:
                for task, result in ex.imap_unordered(run_task, _tasks(spec, pending, used_chunk)):
                    rows = lost_rows(task, result.reason) if isinstance(result, Lost) else result
                    # written as soon as it finishes: a kill -9 loses only the runs in flight
                    store.append(_decorate(spec, rows, columns))
                    ran += len(rows)
                    failed += sum(r["status"] != "ok" for r in rows)
                    rate = ran / max(time.perf_counter() - start, 1e-9)
                    bar.update(bar_task, advance=len(rows), failed=failed, rate=f"{rate:,.1f}")
    finally:
        if ex is not None and isinstance(executor, str):
            ex.close()
    seconds = time.perf_counter() - start
    # those stored before plus those written now (re-reading the store here added ~20 MB of
    # peak RSS at 100,000 runs: Arrow's reader threads)
    stored = skipped + ran
    manifest["progress"] = {
        "runs": spec.n_runs,
        "stored": stored,
        "complete": stored == spec.n_runs,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest["sessions"][-1].update(
        ran=ran, failed=failed, seconds=round(seconds, 3), workers=n_workers, chunk=used_chunk
    )
    store.write_manifest(manifest)
    if compact and stored == spec.n_runs:
        store.compact()
    return SweepResult(folder, spec.n_runs, skipped, ran, failed, seconds, used_chunk, n_workers)


def _chunk_size(pilot_seconds: float, pending: int, workers: int) -> int:
    """Runs per task: at least TASK_SECONDS of work, but no more than a worker's fair share."""
    per_task = max(1, math.ceil(TASK_SECONDS / max(pilot_seconds, 1e-6)))
    share = max(1, math.ceil(pending / max(workers, 1)))
    return int(min(per_task, share))


def describe_result(result: SweepResult) -> str:
    """One paragraph about a finished call."""
    return (
        f"{result.folder}: {result.ran} runs in {readable(result.seconds)} s "
        f"({result.skipped} already stored, {result.failed} failed; "
        f"{result.workers} worker(s), {result.chunk} run(s) per task)"
    )
