"""What one run of a sweep executes, on whichever worker it lands.

``world`` builds the alliance world from a scenario file plus overrides and returns
:func:`negsim.world.metrics.run_metrics`. ``noop`` is a trivial model for measuring and
testing the runner itself: it spends ``work_ms`` milliseconds of arithmetic (at most
:data:`MAX_WORK_MS`) and returns a seeded draw;
``fail = true`` makes every run raise, ``fail = K`` the runs whose seed is a multiple of K;
``crash = K`` kills the worker process running a run whose seed is a multiple of K.

A task is a list of runs; :func:`run_task` runs them in turn and returns one row per run.
A run that raises is recorded with ``status = "error"`` and its message; it never stops
the task.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from negsim.config import check_integer, check_number

NOOP_METRICS = {
    "x": "a uniform draw in [0, 1) from the run's seed",
    "y": "x plus the sum of the numeric overrides",
}


#: The longest a noop run may spend working, in milliseconds (``work_ms``): the runner's
#: tests and benchmarks use milliseconds; a minute per run is already a long sweep.
MAX_WORK_MS = 60_000.0


def check_noop(file: str, overrides: Mapping[str, Any]) -> None:
    """A ConfigError for a noop run's overrides that would hang or always crash it:
    ``work_ms`` in [0, :data:`MAX_WORK_MS`], ``fail`` a boolean or an integer >= 1,
    ``crash`` an integer >= 0; any other value is summed if it is a number."""
    if "work_ms" in overrides:
        check_number(file, "work_ms", overrides["work_ms"], 0.0, MAX_WORK_MS)
    fail = overrides.get("fail", False)
    if not isinstance(fail, bool):
        check_integer(file, "fail", fail, 1, 2**63 - 1)
    check_integer(file, "crash", overrides.get("crash", 0), 0, 2**63 - 1)


def metric_names(model: str) -> list[str]:
    """The metrics a model reports, in column order."""
    if model == "noop":
        return list(NOOP_METRICS)
    from negsim.world.metrics import METRICS

    return list(METRICS)


def metric_columns(model: str, metrics: Sequence[str]) -> list[str]:
    """The metric columns of a sweep: those it names, or all its model reports."""
    return list(metrics) or metric_names(model)


def _row(run_id: int, point: int, replication: int, seed: int, error: str = "") -> dict[str, Any]:
    """The identifying columns of one run's row; a non-empty ``error`` marks it failed."""
    return {
        "run_id": run_id,
        "point": point,
        "replication": replication,
        "seed": seed,
        "status": "error" if error else "ok",
        "error": error,
    }


@dataclass(frozen=True)
class Task:
    """Runs to execute together: (run_id, point, replication, seed, overrides) each."""

    model: str
    scenario: str
    metrics: tuple[str, ...]
    runs: tuple[tuple[int, int, int, int, Mapping[str, Any]], ...]


_SCENARIOS: dict[str, Any] = {}


def _scenario(path: str, overrides: Mapping[str, Any]) -> Any:
    from negsim.world.scenario import load_scenario

    key = path + json.dumps(dict(overrides), sort_keys=True, default=str)
    if key not in _SCENARIOS:
        if len(_SCENARIOS) > 256:
            _SCENARIOS.clear()
        _SCENARIOS[key] = load_scenario(path, overrides)
    return _SCENARIOS[key]


def _world(scenario: str, overrides: Mapping[str, Any], seed: int) -> dict[str, float]:
    from negsim.world.metrics import run_metrics
    from negsim.world.model import AllianceModel

    model = AllianceModel(_scenario(scenario, overrides), seed=seed, record_organisations=False)
    model.run()
    return run_metrics(model)


def _noop(overrides: Mapping[str, Any], seed: int) -> dict[str, float]:
    fail = overrides.get("fail", False)
    if fail is True or (isinstance(fail, int | float) and fail > 0 and seed % int(fail) == 0):
        raise RuntimeError(f"noop asked to fail (fail = {fail!r}, seed {seed})")
    crash = overrides.get("crash", 0)
    if isinstance(crash, int) and crash > 0 and seed % crash == 0:
        import multiprocessing
        import os

        if multiprocessing.parent_process() is not None:  # a worker process: die outright
            os._exit(70)
        raise RuntimeError(f"noop asked to crash its worker (seed {seed}), but runs in-process")
    work = float(overrides.get("work_ms", 0.0))
    if work > 0:
        end = time.perf_counter() + work / 1000.0
        acc = 0.0
        while time.perf_counter() < end:
            acc += sum(range(100))
    x = float(np.random.default_rng(seed).random())
    total = sum(
        float(v)
        for k, v in overrides.items()
        if k not in ("work_ms", "fail", "crash")
        and isinstance(v, int | float)
        and not isinstance(v, bool)
    )
    return {"x": x, "y": x + total}


def run_task(task: Task) -> list[dict[str, Any]]:
    """Run every run of ``task``; one row each (metrics NaN and the error kept on failure)."""
    names = metric_columns(task.model, task.metrics)
    rows = []
    for run_id, point, replication, seed, overrides in task.runs:
        start = time.perf_counter()
        row = _row(run_id, point, replication, seed)
        try:
            if task.model == "noop":
                values = _noop(overrides, seed)
            else:
                values = _world(task.scenario, overrides, seed)
        except Exception as exc:  # a failing run is recorded, never fatal
            row["status"] = "error"
            frame = traceback.extract_tb(exc.__traceback__)[-1:]
            where = f" ({frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno})" if frame else ""
            row["error"] = f"{type(exc).__name__}: {exc}{where}"
            values = {}
        for name in names:
            v = values.get(name, np.nan)
            row[name] = float(v) if v is not None else np.nan
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    return rows


def lost_rows(task: Task, reason: str) -> list[dict[str, Any]]:
    """Rows for the runs of a task whose worker died: recorded as errors, metrics NaN."""
    names = metric_columns(task.model, task.metrics)
    return [
        {
            **_row(run_id, point, replication, seed, reason),
            **dict.fromkeys(names, np.nan),
            "seconds": np.nan,
        }
        for run_id, point, replication, seed, _ in task.runs
    ]
