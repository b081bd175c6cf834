"""The experiment runner: designs, executors, crash safety, resume, failures, bad specs, memory.

Most sweeps use the ``noop`` model (a seeded draw, optionally busy for ``work_ms`` and failing
on request), so the runner is tested without depending on the world model; one tiny world
sweep checks that a real model gives the same numbers in a worker pool as in process.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

import negsim.experiments.runner as runner_module
from negsim.config import ConfigError, read_toml
from negsim.experiments.executors import DASK_WORKER_ENV, DaskExecutor, LocalPool
from negsim.experiments.runner import SweepResult, run_sweep
from negsim.experiments.store import Store, load_runs
from negsim.experiments.sweep import SweepSpec, design_size, load_sweep, parse_sweep
from tests.conftest import ROOT, run_cli

SWEEPS = ROOT / "tests" / "data" / "sweeps"
NOOP_GRID = SWEEPS / "noop_grid.toml"
CRASH = SWEEPS / "crash.toml"
WORLD_TINY = SWEEPS / "world_tiny.toml"
BIN = Path(sys.prefix) / "bin"  # the virtual environment's scripts: negsim, dask


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Every stored column but the wall time, ordered by run_id."""
    return frame.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


def range_spec(kind: str, samples: int, **design: Any) -> SweepSpec:
    """A noop sweep over three range factors (one of them integer) with the given design."""
    return parse_sweep(
        {
            "name": f"{kind}_design",
            "model": "noop",
            "replications": 2,
            "seed": 3,
            "design": {"kind": kind, "samples": samples, **design},
            "factors": {
                "p.x": {"low": 0.0, "high": 1.0},
                "p.y": {"low": -2.0, "high": 5.0},
                # integer factors are refused for Morris (rounding biases its mu*)
                "p.n": {"low": 1, "high": 9, "integer": kind != "morris"},
            },
        },
        f"{kind}.toml",
    )


BOUNDS = {"p.x": (0.0, 1.0), "p.y": (-2.0, 5.0), "p.n": (1, 9)}


def assert_within_bounds(spec: SweepSpec) -> None:
    for point in spec.points:
        assert set(point) == set(BOUNDS)
        for name, (low, high) in BOUNDS.items():
            assert low <= point[name] <= high, (name, point[name])
        assert isinstance(point["p.n"], int if spec.design != "morris" else float)


# --- 1. designs ------------------------------------------------------------------------------


def test_grid_is_the_product_of_the_levels() -> None:
    """A grid has one point per combination of levels; a range factor gives `steps` levels."""
    spec = parse_sweep(
        {
            "name": "g",
            "model": "noop",
            "factors": {
                "p.a": [1, 2, 3],
                "p.kind": ["x", "y"],
                "p.c": {"low": 0.0, "high": 1.0, "steps": 4},
            },
        }
    )
    assert len(spec.points) == 3 * 2 * 4
    combos = {(p["p.a"], p["p.kind"], p["p.c"]) for p in spec.points}
    assert len(combos) == len(spec.points)  # every combination exactly once
    assert {p["p.c"] for p in spec.points} == {0.0, 1 / 3, 2 / 3, 1.0}
    assert {p["p.a"] for p in spec.points} == {1, 2, 3}
    assert spec.n_runs == 24 * spec.replications


def test_latin_hypercube_has_samples_points_one_per_stratum() -> None:
    """LHS: `samples` points within bounds, one in each of the `samples` strata per factor."""
    n = 16
    spec = range_spec("lhs", n)
    assert len(spec.points) == n
    assert_within_bounds(spec)
    for name in ("p.x", "p.y"):
        low, high = BOUNDS[name]
        strata = sorted(int((p[name] - low) / (high - low) * n) for p in spec.points)
        assert strata == list(range(n))


def test_sobol_has_n_times_d_plus_2_points() -> None:
    """Saltelli sampling without second-order terms: N·(D+2) points, as SALib makes them."""
    n, d = 8, 3
    spec = range_spec("sobol", n)
    problem = {"num_vars": d, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * d}
    salib = sobol_sample.sample(problem, n, calc_second_order=False, seed=0)
    assert len(spec.points) == n * (d + 2) == salib.shape[0]
    assert_within_bounds(spec)


def test_morris_has_d_plus_1_points_per_trajectory() -> None:
    """Morris: (D+1) points per trajectory, on the `levels` grid, one factor moving per step."""
    trajectories, d, levels = 5, 3, 4
    spec = range_spec("morris", trajectories, levels=levels)
    problem = {"num_vars": d, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * d}
    salib = morris_sample.sample(problem, trajectories, num_levels=levels, seed=0)
    assert len(spec.points) == (d + 1) * trajectories == salib.shape[0]
    assert_within_bounds(spec)
    x = np.array([[p["p.x"], p["p.y"]] for p in spec.points])
    grid = (x - [0.0, -2.0]) / [1.0, 7.0] * (levels - 1)  # p.n is not integer here
    np.testing.assert_allclose(grid, np.round(grid), atol=1e-9)  # on the level grid
    for t in range(trajectories):
        steps = spec.points[t * (d + 1) : (t + 1) * (d + 1)]
        for a, b in itertools.pairwise(steps):
            assert sum(a[k] != b[k] for k in BOUNDS) == 1


@pytest.mark.parametrize("kind", ["grid", "lhs", "sobol", "morris"])
def test_same_spec_same_points(kind: str) -> None:
    """Expanding one spec twice gives the same points, labels and seeds."""
    a, b = (load_sweep(NOOP_GRID) if kind == "grid" else range_spec(kind, 8) for _ in "ab")
    assert a.points == b.points and a.labels == b.labels and a.seeds() == b.seeds()
    assert a.fingerprint() == b.fingerprint()


def load_sweep_with(spec: SweepSpec, **changes: Any) -> SweepSpec:
    """The spec re-parsed from its raw table with top-level keys changed."""
    return parse_sweep({**spec.raw, **changes}, spec.file)


def test_design_seed_fixes_the_points_and_the_root_seed_only_the_replications() -> None:
    """`design.seed` decides sampled points; `--seed` then changes only the replication seeds."""
    a = range_spec("lhs", 8, seed=1)
    b = range_spec("lhs", 8, seed=2)
    assert a.points != b.points
    reseeded = load_sweep_with(a, seed=99)
    assert reseeded.points == a.points and reseeded.seeds() != a.seeds()


def test_replication_seeds_are_common_across_points_and_distinct_across_replications() -> None:
    """CRN: replication r has one seed at every point; replications have distinct seeds."""
    spec = load_sweep(NOOP_GRID)
    runs = list(spec.runs())
    assert [r.run_id for r in runs] == list(range(spec.n_runs))
    seeds = spec.seeds()
    assert len(set(seeds)) == spec.replications
    for r in runs:
        assert r.seed == seeds[r.replication]
        assert r.run_id == r.replication * len(spec.points) + r.point
    # seeds do not depend on how many replications there are (replication r keeps its seed)
    assert load_sweep(NOOP_GRID, replications=7).seeds()[: spec.replications] == seeds


# --- 2. the same results on every executor -------------------------------------------------


@pytest.fixture(scope="module")
def noop_reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The noop grid run in this process: the results every executor must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "noop"
    result = run_sweep(load_sweep(NOOP_GRID), out, executor="inprocess", progress=False)
    assert result.ran == result.total == 36
    return result.frame()


@pytest.fixture(scope="module")
def local_pool() -> Iterator[LocalPool]:
    """One 2-worker local pool for every test of this module that needs one."""
    pool = LocalPool(2)
    try:
        yield pool
    finally:
        pool.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _spawn(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen(
            args, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a process started by this module, and everything in its session."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `dask scheduler` and one `dask worker` (started by hand, with DASK_WORKER_ENV)."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            _spawn(
                [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                logs / "scheduler.log",
            )
        )
        procs.append(
            _spawn(
                [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                logs / "worker.log",
                env={**os.environ, **DASK_WORKER_ENV},
            )
        )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=90)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _record_worker_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """Make DaskExecutor.close note MALLOC_TRIM_THRESHOLD_ on each worker before closing."""
    seen: dict[str, str | None] = {}
    close = DaskExecutor.close

    def recording_close(self: DaskExecutor) -> None:
        seen.update(self.worker_env())
        close(self)

    monkeypatch.setattr(DaskExecutor, "close", recording_close)
    return seen


def test_local_pool_gives_the_in_process_results(
    noop_reference: pd.DataFrame, local_pool: LocalPool, tmp_path: Path
) -> None:
    """Two local worker processes (and another chunk size) store exactly the same rows."""
    result = run_sweep(
        load_sweep(NOOP_GRID), tmp_path, executor=local_pool, chunk=5, progress=False
    )
    assert (result.ran, result.workers) == (36, 2)
    pd.testing.assert_frame_equal(comparable(result.frame()), comparable(noop_reference))


def test_dask_local_cluster_gives_the_in_process_results(
    noop_reference: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask LocalCluster of 2 workers stores the same rows; its workers do no malloc trim."""
    seen = _record_worker_env(monkeypatch)
    result = run_sweep(
        load_sweep(NOOP_GRID), tmp_path, executor="dask", workers=2, chunk=3, progress=False
    )
    assert (result.ran, result.workers) == (36, 2)
    pd.testing.assert_frame_equal(comparable(result.frame()), comparable(noop_reference))
    assert len(seen) == 2 and all(v is None for v in seen.values()), seen


@pytest.mark.slow
def test_dask_scheduler_and_worker_give_the_in_process_results(
    noop_reference: pd.DataFrame,
    dask_scheduler: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real `dask scheduler` + `dask worker` store the same rows; DASK_WORKER_ENV works."""
    seen = _record_worker_env(monkeypatch)
    result = run_sweep(
        load_sweep(NOOP_GRID), tmp_path, scheduler=dask_scheduler, chunk=7, progress=False
    )
    assert (result.ran, result.workers) == (36, 1)
    pd.testing.assert_frame_equal(comparable(result.frame()), comparable(noop_reference))
    assert list(seen.values()) == [None], seen  # MALLOC_TRIM_THRESHOLD_ removed on the worker


def test_world_sweep_in_a_pool_gives_the_in_process_results(
    local_pool: LocalPool, tmp_path: Path
) -> None:
    """A real model (a tiny world sweep) stores the same rows in process and in 2 workers."""
    spec = load_sweep(WORLD_TINY)
    here = run_sweep(spec, tmp_path / "here", executor="inprocess", progress=False)
    pool = run_sweep(spec, tmp_path / "pool", executor=local_pool, chunk=1, progress=False)
    assert here.ran == pool.ran == 6 and here.failed == pool.failed == 0
    a, b = comparable(here.frame()), comparable(pool.frame())
    assert {"negotiations", "organisations.walk_away"} <= set(a.columns)
    pd.testing.assert_frame_equal(a, b)


# --- 3. crash safety -----------------------------------------------------------------------


def _group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process belongs to process group ``pgid`` (Linux)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _sweep_command(spec: Path, out: Path, *extra: str) -> list[str]:
    return [str(BIN / "negsim"), "sweep", str(spec), "--out", str(out), *extra]


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_results(tmp_path: Path) -> None:
    """`kill -9` mid-sweep (pool included), then the same command: every run once, same rows."""
    out = tmp_path / "crash"
    command = _sweep_command(CRASH, out, "--workers", "2", "--executor", "local", "--quiet")
    proc = _spawn(command, tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 90
        while not list((out / "runs").glob("part-*.parquet")):
            assert proc.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline, "no chunk written in 90 s"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        _stop(proc)
    if Path("/proc/self/stat").exists():
        deadline = time.monotonic() + 10
        while _group_alive(proc.pid):  # the forkserver and the pool's workers died too
            assert time.monotonic() < deadline, "worker processes outlived the kill"
            time.sleep(0.05)

    stored = len(load_runs(out))
    assert 0 < stored < 600
    # a chunk that was being written when the process died: never read, never counted
    part = sorted((out / "runs").glob("part-*.parquet"))[0]
    partial = out / "runs" / ".part-000000000-deadbeef.parquet.0badc0de.tmp"
    partial.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    assert len(Store(out).done_ids()) == stored

    again = subprocess.run(
        [*command, "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["runs"] == 600 and summary["failed"] == 0
    assert summary["skipped"] == stored and summary["ran"] == 600 - stored

    raw = pd.read_parquet(out / "runs")  # every chunk file, no de-duplication
    assert len(raw) == 600 and sorted(raw["run_id"]) == list(range(600))

    # the uninterrupted sweep, in process (work_ms only burns time: x and y do not depend on it)
    data = read_toml(CRASH)
    data["base"]["work_ms"] = 0.0
    reference = run_sweep(
        parse_sweep(data, CRASH), tmp_path / "reference", executor="inprocess", progress=False
    )
    pd.testing.assert_frame_equal(comparable(load_runs(out)), comparable(reference.frame()))


def test_partial_files_are_never_read(tmp_path: Path) -> None:
    """Leftover temporary files are ignored by the store, pandas and DuckDB; none are left."""
    spec = load_sweep(NOOP_GRID)
    first = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    junk = tmp_path / "runs" / ".part-000000004-0123abcd.parquet.feedbeef.tmp"
    junk.write_bytes(b"PAR1 this is not a whole parquet file")
    again = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert (again.ran, again.skipped) == (0, first.total)
    assert len(load_runs(tmp_path)) == len(pd.read_parquet(tmp_path / "runs")) == first.total
    glob = str(tmp_path / "runs" / "*.parquet")
    assert duckdb.sql(f"select count(*) from read_parquet('{glob}')").fetchall() == [(36,)]


# --- 4. resume -----------------------------------------------------------------------------


def test_finished_sweep_runs_nothing_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-run of a finished sweep skips every run, writes no chunk and starts no workers."""
    spec = load_sweep(NOOP_GRID)
    first = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    parts = Store(tmp_path).parts()

    def no_executor(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an executor was started for a finished sweep")

    monkeypatch.setattr(runner_module, "make_executor", no_executor)
    again = run_sweep(spec, tmp_path, executor="local", workers=2, progress=False)
    assert (first.ran, first.skipped) == (36, 0)
    assert (again.ran, again.skipped, again.failed, again.total) == (0, 36, 0, 36)
    assert Store(tmp_path).parts() == parts
    manifest = Store(tmp_path).manifest()
    assert manifest is not None and manifest["progress"]["complete"] is True


def test_finished_sweep_via_the_cli_runs_nothing_again(cli: Any, tmp_path: Path) -> None:
    """`negsim sweep` twice: the second call reports ran 0 and every run skipped."""
    args = ("sweep", str(NOOP_GRID), "--out", str(tmp_path), "--executor", "inprocess", "--json")
    first = run_cli(cli, *args)
    assert first.exit_code == 0, first.stderr
    again = run_cli(cli, *args)
    assert again.exit_code == 0, again.stderr
    assert json.loads(first.stdout)["ran"] == 36
    out = json.loads(again.stdout)
    assert (out["runs"], out["ran"], out["skipped"]) == (36, 0, 36)


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 12},
        {"factors": {"p.a": [0, 1, 5], "p.b": {"low": 0.0, "high": 1.0, "steps": 3}}},
        {"base": {"fail": 3, "work_ms": 1.0, "extra": 2}},
        {"metrics": ["x"]},
    ],
)
def test_changed_spec_in_the_same_folder_is_refused(tmp_path: Path, change: dict[str, Any]) -> None:
    """A folder holding one sweep refuses a different one, before running anything."""
    spec = load_sweep(NOOP_GRID)
    run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    parts = Store(tmp_path).parts()
    changed = parse_sweep({**read_toml(NOOP_GRID), **change}, NOOP_GRID)
    with pytest.raises(ConfigError, match="results folder"):
        run_sweep(changed, tmp_path, executor="inprocess", progress=False)
    assert Store(tmp_path).parts() == parts


def test_more_replications_extend_a_stored_sweep_and_fewer_read_a_prefix(
    tmp_path: Path, noop_reference: pd.DataFrame
) -> None:
    """More replications run only the new ones (CRN: the stored keep ids and seeds); the
    result equals a sweep run with that many from the start; fewer reuse a prefix."""
    spec = load_sweep(NOOP_GRID)
    fewer = load_sweep_with(spec, replications=2)
    first = run_sweep(fewer, tmp_path, executor="inprocess", progress=False)
    assert (first.ran, first.skipped) == (2 * len(spec.points), 0)
    full = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert (full.ran, full.skipped) == (spec.n_runs - first.ran, first.ran)
    pd.testing.assert_frame_equal(comparable(full.frame()), comparable(noop_reference))
    again = run_sweep(fewer, tmp_path, executor="inprocess", progress=False)
    assert again.ran == 0 and len(again.frame()) == first.ran
    assert set(again.frame()["replication"]) == {0, 1}
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["spec"]["replications"] == spec.replications
    assert [s["replications"] for s in manifest["sessions"]] == [2, spec.replications, 2]


@pytest.mark.parametrize("extra", [("--seed", "12")])
def test_changed_spec_via_the_cli_exits_2_with_one_line(
    cli: Any, tmp_path: Path, extra: tuple[str, str]
) -> None:
    """Via the CLI a changed spec is one line on stderr naming the folder, exit code 2."""
    args = ("sweep", str(NOOP_GRID), "--out", str(tmp_path), "--executor", "inprocess", "--quiet")
    assert run_cli(cli, *args).exit_code == 0
    result = run_cli(cli, *args, *extra)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and str(tmp_path) in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# --- 5. failing runs -----------------------------------------------------------------------


def test_failing_runs_are_recorded_not_fatal(noop_reference: pd.DataFrame) -> None:
    """Runs whose seed is a multiple of 3 fail: status "error", the message, NaN metrics."""
    spec = load_sweep(NOOP_GRID)
    failing = {r for r, s in enumerate(spec.seeds()) if s % 3 == 0}
    assert 0 < len(failing) < spec.replications  # the fixture holds both kinds
    frame = noop_reference
    bad = frame[frame["status"] == "error"]
    good = frame[frame["status"] == "ok"]
    assert len(frame) == spec.n_runs
    assert set(bad["replication"]) == failing and len(bad) == len(failing) * len(spec.points)
    assert bad["error"].str.startswith("RuntimeError: noop asked to fail").all()
    assert bad[["x", "y"]].isna().all().all()
    assert good[["x", "y"]].notna().all().all() and (good["error"] == "").all()


def test_failed_count_in_the_result_and_the_json(cli: Any, tmp_path: Path) -> None:
    """The number of failed runs is in SweepResult and in `--json`; even all failing is no abort."""
    spec = load_sweep(NOOP_GRID)
    expected = sum(s % 3 == 0 for s in spec.seeds()) * len(spec.points)
    result = run_cli(
        cli, "sweep", str(NOOP_GRID), "--out", str(tmp_path / "some"), "--executor", "inprocess",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["failed"], out["ran"]) == (expected, 36)

    data = read_toml(NOOP_GRID)
    data["base"]["fail"] = True
    every: SweepResult = run_sweep(
        parse_sweep(data, NOOP_GRID), tmp_path / "all", executor="inprocess", progress=False
    )
    assert (every.ran, every.failed) == (36, 36)
    assert (every.frame()["status"] == "error").all()


# --- 6. bad specs --------------------------------------------------------------------------

NOOP = 'model = "noop"\n'
WORLD = 'scenario = "classroom"\nreplications = 2\n[base]\n"world.horizon" = 12.0\n'
BAD_SPECS = {
    "unknown top-level key": (NOOP + 'replicatons = 3\n[factors]\n"p.a" = [1, 2]\n', "replicatons"),
    "unknown design kind": (
        NOOP + '[design]\nkind = "factorial"\n[factors]\n"p.a" = [1, 2]\n',
        "design.kind",
    ),
    "factor neither list nor range": (NOOP + '[factors]\n"p.a" = 3\n', "factors.p.a"),
    "list with a non-grid design": (
        NOOP + '[design]\nkind = "lhs"\n[factors]\n"p.a" = [1, 2]\n',
        "factors.p.a",
    ),
    "sobol samples not a power of two": (
        NOOP + '[design]\nkind = "sobol"\nsamples = 12\n'
        '[factors]\n"p.a" = { low = 0.0, high = 1.0 }\n',
        "design.samples",
    ),
    "out-of-range world override": (
        WORLD + '[factors]\n"organisations.walk_away" = [0.5, 2.0]\n',
        "organisations.walk_away",
    ),
    "unknown metric": (NOOP + 'metrics = ["x", "nope"]\n[factors]\n"p.a" = [1]\n', "metrics"),
}


@pytest.mark.parametrize("case", [*BAD_SPECS, "missing file"])
def test_bad_spec_is_one_line_naming_file_and_field(cli: Any, tmp_path: Path, case: str) -> None:
    """A bad sweep file: exit code 2, one line on stderr with file and field, no traceback."""
    path = tmp_path / "bad_sweep.toml"
    if case == "missing file":
        field = "(file)"
    else:
        text, field = BAD_SPECS[case]
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(cli, "sweep", str(path), "--out", str(out), "--executor", "inprocess")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr and field in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()  # nothing is created for a bad spec


# --- 7. memory -----------------------------------------------------------------------------


def _peak_traced(n_runs: int, folder: Path) -> int:
    """Peak Python memory (tracemalloc) of an in-process noop sweep of ``n_runs`` runs."""
    spec = parse_sweep(
        {
            "name": "mem",
            "model": "noop",
            "replications": n_runs // 10,
            "factors": {"p.a": list(range(10))},
        }
    )
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = run_sweep(spec, folder, executor="inprocess", chunk=500, progress=False)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
    assert result.ran == n_runs
    return peak


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_runs(tmp_path: Path) -> None:
    """Peak traced memory of a 10,000-run sweep is within 1.5× that of a 2,000-run one.

    Every task is written as it finishes, so nothing kept grows with the number of runs.
    """
    _peak_traced(500, tmp_path / "warm-up")  # imports and caches, not counted
    small = _peak_traced(2_000, tmp_path / "small")
    large = _peak_traced(10_000, tmp_path / "large")
    assert large < 1.5 * small, (small, large)


# --- 8. readers ----------------------------------------------------------------------------


def test_results_read_with_pandas_and_duckdb(noop_reference: pd.DataFrame, tmp_path: Path) -> None:
    """The runs/ folder of many chunks reads in pandas and DuckDB as the same table."""
    run_sweep(
        load_sweep(NOOP_GRID),
        tmp_path,
        executor="inprocess",
        chunk=4,
        progress=False,
        compact=False,
    )
    assert len(Store(tmp_path).parts()) >= 9
    frame = pd.read_parquet(tmp_path / "runs").sort_values("run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(comparable(frame), comparable(noop_reference))
    glob = str(tmp_path / "runs" / "*.parquet")
    rows = duckdb.sql(
        f"""select point, count(*), count(distinct run_id), avg(x), max("p.b")
            from read_parquet('{glob}') where status = 'ok' group by point order by point"""
    ).fetchall()
    ok = frame[frame["status"] == "ok"].groupby("point")
    assert [r[0] for r in rows] == list(range(9))
    assert [r[1] for r in rows] == [r[2] for r in rows] == list(ok.size())
    np.testing.assert_allclose([r[3] for r in rows], ok["x"].mean())
    np.testing.assert_allclose([r[4] for r in rows], ok["p.b"].max())


def test_points_with_different_factors_read_as_one_table(tmp_path: Path) -> None:
    """Points that set different fields (as claims do) still store chunks of one schema."""
    spec = parse_sweep(
        {
            "name": "pts",
            "model": "noop",
            "replications": 3,
            "points": [
                {"label": "control"},
                {"label": "treatment", "p": {"x": 1.5, "kind": "b"}},
            ],
        }
    )
    run_sweep(spec, tmp_path, executor="inprocess", chunk=1, progress=False)  # a point per chunk
    frame = load_runs(tmp_path).sort_values(["point", "replication"])
    assert list(frame["label"]) == ["control"] * 3 + ["treatment"] * 3
    assert frame["p.x"].isna().sum() == 3 and (frame["p.x"].dropna() == 1.5).all()
    assert list(frame["p.kind"]) == [""] * 3 + ["b"] * 3
    assert len(pd.read_parquet(tmp_path / "runs")) == 6
    glob = str(tmp_path / "runs" / "*.parquet")
    query = f"""select label, count(*), min("p.x"), max("p.kind") from read_parquet('{glob}')
                where "p.x" = 1.5 group by label"""
    assert duckdb.sql(query).fetchall() == [("treatment", 3, 1.5, "b")]


@pytest.mark.slow
def test_a_dead_worker_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    """A worker killed mid-run (as by the OOM killer) costs only its runs, recorded as errors."""
    spec = parse_sweep(
        {
            "name": "crashy",
            "model": "noop",
            "replications": 12,
            "seed": 5,
            "factors": {"a.b": [1.0, 2.0], "crash": [5]},
        }
    )
    seeds = spec.seeds()
    doomed = {r for r, s in enumerate(seeds) if s % 5 == 0}
    assert doomed and len(doomed) < 12  # the seed was not chosen: checked, not hunted
    result = run_sweep(spec, tmp_path / "out", executor="local", workers=2, chunk=1, progress=False)
    frame = result.frame()
    assert len(frame) == 24 and frame["run_id"].is_unique
    lost = frame[frame["status"] == "error"]
    assert set(lost["replication"]) == doomed
    assert lost["error"].str.contains("worker process died").all()
    assert (frame.loc[frame["status"] == "ok", "x"].notna()).all()


def test_a_folder_in_use_is_refused_and_resumes_are_recorded(tmp_path: Path) -> None:
    """One writer per results folder; each call adds a session with its commit and counts."""
    from negsim.config import ConfigError
    from negsim.experiments.store import Store

    spec = parse_sweep(
        {"name": "locked", "model": "noop", "replications": 3, "factors": {"a.b": [1]}}
    )
    out = tmp_path / "out"
    holder = Store(out)
    holder.lock()
    try:
        with pytest.raises(ConfigError, match="no other negsim process"):
            run_sweep(spec, out, executor="inprocess", progress=False)
    finally:
        holder.unlock()
    run_sweep(spec, out, executor="inprocess", progress=False)
    run_sweep(spec, out, executor="inprocess", progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["ran"] for s in manifest["sessions"]] == [3, 0]
    assert all("git_commit" in s and "versions" in s for s in manifest["sessions"])


def test_morris_refuses_integer_factors() -> None:
    from negsim.config import ConfigError

    with pytest.raises(ConfigError, match="integer"):
        parse_sweep(
            {
                "name": "m",
                "model": "noop",
                "design": {"kind": "morris", "samples": 4},
                "factors": {"p.n": {"low": 1, "high": 9, "integer": True}},
            }
        )


def test_a_finished_sweep_is_compacted_into_one_file(
    noop_reference: pd.DataFrame, tmp_path: Path
) -> None:
    """Chunks are merged once every run is stored; the table is unchanged and still resumes."""
    spec = load_sweep(NOOP_GRID)
    run_sweep(spec, tmp_path, executor="inprocess", chunk=4, progress=False)
    assert len(Store(tmp_path).parts()) == 1
    assert not any(p.name.startswith(".runs") for p in tmp_path.iterdir())
    frame = pd.read_parquet(tmp_path / "runs").sort_values("run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(comparable(frame), comparable(noop_reference))
    again = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert again.ran == 0 and again.skipped == spec.n_runs


@pytest.mark.parametrize("moment", ["writing", "between_renames", "after_swap"])
def test_an_interrupted_compaction_is_recovered(
    noop_reference: pd.DataFrame, tmp_path: Path, moment: str
) -> None:
    """A crash at any step of the compaction leaves each run exactly once after recovery."""
    spec = load_sweep(NOOP_GRID)
    run_sweep(spec, tmp_path, executor="inprocess", chunk=4, progress=False, compact=False)
    store = Store(tmp_path)
    parts = store.parts()
    merged = tmp_path / ".runs.compact"
    merged.mkdir()
    whole = pd.concat([pd.read_parquet(p) for p in parts])
    if moment == "writing":  # a half-written merged file beside the intact chunks
        (merged / "part-000000000-deadbeef.parquet").write_bytes(b"PAR1 half")
    else:
        whole.to_parquet(merged / "part-000000000-deadbeef.parquet")
        os.replace(tmp_path / "runs", tmp_path / ".runs.old")
        if moment == "after_swap":
            os.replace(merged, tmp_path / "runs")
    if moment == "between_renames":  # readers of load_runs still see every run once
        assert load_runs(tmp_path)["run_id"].is_unique
    store.recover()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".runs")) == []
    frame = pd.read_parquet(tmp_path / "runs").sort_values("run_id").reset_index(drop=True)
    assert frame["run_id"].is_unique and len(frame) == spec.n_runs
    pd.testing.assert_frame_equal(comparable(frame), comparable(noop_reference))


# --- 9. sizes ------------------------------------------------------------------------------

RANGE = {"low": 0.0, "high": 1.0}
#: Designs far above the default caps, and the field each refusal names.
HUGE: dict[str, tuple[dict[str, Any], str]] = {
    "grid of 3 × 1,000 steps": (
        {"factors": {f"p.{k}": {**RANGE, "steps": 1000} for k in "abc"}},
        "design",
    ),
    "sobol, 2^23 samples": (
        {"design": {"kind": "sobol", "samples": 2**23}, "factors": {"p.a": RANGE}},
        "design",
    ),
    "latin hypercube": (
        {"design": {"kind": "lhs", "samples": 10**7}, "factors": {"p.a": RANGE}},
        "design",
    ),
    "morris": (
        {"design": {"kind": "morris", "samples": 10**6}, "factors": {"p.a": RANGE}},
        "design",
    ),
    "listed points": ({"points": [{"p.a": 1}] * 100_001}, "points"),
    "points × replications": (
        {"replications": 600_000, "factors": {"p.a": [1, 2]}},
        "replications",
    ),
}


@pytest.mark.parametrize("case", HUGE)
def test_a_sweep_above_its_caps_is_refused_before_any_point_is_built(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Points and runs are counted from the spec: above a cap, nothing is expanded or
    sampled and memory stays flat (the 3 × 1,000-step grid once grew to gigabytes)."""
    import negsim.experiments.sweep as sweep_module

    data, field = HUGE[case]

    def no_expansion(*args: Any) -> Any:
        raise AssertionError("the design was expanded before its size was checked")

    monkeypatch.setattr(sweep_module, "_expand", no_expansion)
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as refused:
            parse_sweep({"name": "huge", "model": "noop", **data}, "huge.toml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.field == field and "[limits]" in refused.value.allowed
    assert peak < 20_000_000, peak  # the listed points' own copies are the most held


@pytest.mark.parametrize("kind", ["grid", "lhs", "sobol", "morris"])
def test_design_size_is_the_number_of_points_the_design_builds(kind: str) -> None:
    """The size counted before expanding is the size expanded (SALib's formulas included)."""
    spec = range_spec(kind, 8) if kind != "grid" else load_sweep(NOOP_GRID)
    assert design_size(spec.design, spec.factors, spec.samples) == len(spec.points)


def test_limits_lower_and_raise_the_caps() -> None:
    """`[limits]` moves both caps: lower ones refuse small designs, higher ones allow more."""
    grid = {"name": "g", "model": "noop", "replications": 2, "factors": {"p.a": [1, 2, 3]}}
    assert len(parse_sweep({**grid, "limits": {"points": 3, "runs": 6}}).points) == 3
    with pytest.raises(ConfigError, match="at most 2 design points"):
        parse_sweep({**grid, "limits": {"points": 2}})
    with pytest.raises(ConfigError, match="at most 5 runs"):
        parse_sweep({**grid, "limits": {"runs": 5}})
    many = {**grid, "replications": 600_000}  # 1.8 million runs: above the default cap
    with pytest.raises(ConfigError, match="1,800,000 runs"):
        parse_sweep(many)
    assert parse_sweep({**many, "limits": {"runs": 2_000_000}}).n_runs == 1_800_000
    with pytest.raises(ConfigError, match=r"limits\.rns"):
        parse_sweep({**grid, "limits": {"rns": 5}})


def test_a_huge_sweep_or_claim_via_the_cli_is_one_line_and_creates_nothing(
    cli: Any, tmp_path: Path
) -> None:
    """`negsim sweep` and `negsim claim` refuse a design above the caps: exit 2, one line,
    no folder; a claim's own `[limits]` apply to its paired runs."""
    sweep = tmp_path / "huge.toml"
    sweep.write_text(
        'model = "noop"\n[factors]\n'
        + "".join(f'"p.{k}" = {{ low = 0.0, high = 1.0, steps = 1000 }}\n' for k in "abc")
    )
    claim = tmp_path / "claim.toml"
    claim.write_text(
        (ROOT / "experiments" / "claims" / "walk_away_leverage.toml").read_text()
        + "\n[limits]\nruns = 3\n"
    )
    out = tmp_path / "out"
    for command, path, field in (("sweep", sweep, "design"), ("claim", claim, "replications")):
        result = run_cli(cli, command, str(path), "--out", str(out), "--quiet")
        assert result.exit_code == 2, result.stdout
        assert result.stderr.count("\n") == 1 and field in result.stderr, result.stderr
        assert str(path) in result.stderr
        assert not out.exists()


# --- 10. the scheduler ---------------------------------------------------------------------


@pytest.fixture
def web_server() -> Iterator[str]:
    """A plain HTTP server on loopback, in a thread: a port where something not Dask listens."""
    import http.server
    import threading

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # not on the CLI's stderr
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


BAD_SCHEDULERS = {
    "nothing listens": lambda web: f"tcp://127.0.0.1:{_free_port()}",
    "not an address": lambda web: "not a url",
    "no port": lambda web: "tcp://127.0.0.1",
    "in-process": lambda web: "inproc://192.168.1.1/123/4",
    "port out of range": lambda web: "tcp://127.0.0.1:99999",
    "a web server": lambda web: web,
    "tls without Dask's TLS settings": lambda web: web.replace("tcp", "tls"),
}


@pytest.mark.parametrize("case", BAD_SCHEDULERS)
def test_a_bad_scheduler_is_one_line_and_leaves_nothing_behind(
    cli: Any, tmp_path: Path, web_server: str, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler that is malformed, unreachable or not Dask (a web server, which once hung
    negsim): exit 2, one line naming --scheduler, no results folder created."""
    import negsim.experiments.executors as executors_module

    monkeypatch.setattr(executors_module, "SCHEDULER_TIMEOUT", 2.0)
    out = tmp_path / "out"
    address = BAD_SCHEDULERS[case](web_server)
    result = run_cli(cli, "sweep", str(NOOP_GRID), "--out", str(out), "--scheduler", address)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "--scheduler" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_a_call_that_fails_before_storing_a_run_removes_only_the_folder_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An executor that fails to start (a scheduler gone since it was checked) leaves no new
    folder behind, and never touches a folder that held runs before."""
    spec = load_sweep(NOOP_GRID)
    kept = tmp_path / "kept"
    run_sweep(spec, kept, executor="inprocess", replications=2, progress=False)

    def lost_scheduler(*args: Any, **kwargs: Any) -> Any:
        raise ConfigError("--scheduler", "--scheduler", "tcp://gone:8786", "a reachable one")

    monkeypatch.setattr(runner_module, "make_executor", lost_scheduler)
    new = tmp_path / "new"
    with pytest.raises(ConfigError):
        run_sweep(spec, new, executor="local", chunk=3, progress=False)
    assert not new.exists()
    with pytest.raises(ConfigError):
        run_sweep(spec, kept, executor="local", chunk=3, progress=False)
    assert len(load_runs(kept)) == 18
