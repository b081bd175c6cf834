"""What the experiment runner costs: per-run overhead, 2-worker speed-up, memory, a real claim.

All sweeps use the ``noop`` model (:mod:`negsim.experiments.models`): ``work_ms`` ms of busy
arithmetic, then a seeded draw. *Model time* is the sum of the ``seconds`` column the runner
stores for each run (the time inside the model call); everything else is the runner's.

(a) **Per-run overhead**: ``work_ms = 0``, in-process and local pool (2 workers), at two sizes
    (2,000 and 20,000 runs). A straight line through the two wall times separates the fixed
    cost (intercept: store set-up, pilot run, pool start and shutdown, manifest) from the
    per-run cost (slope). Overhead per run = slope − model time per run / workers, i.e. the
    wall time a run costs beyond its share of ideal parallel model time. Goal: ≤ 1 ms.
    The amortised figure, (wall − model time / workers) / runs at the larger size, is shown too.
(b) **2-worker speed-up** on 400 runs × 10 ms (chunks sized by the runner, ≥ 100 ms each):
    in-process wall / executor wall, for the local pool and Dask (``LocalCluster``, 2 worker
    processes, 1 thread each). *With start-up*: ``run_sweep(executor="local" | "dask")`` as a
    user calls it (pool or cluster started and closed inside). *Without*: the executor is
    started (and every worker has run one task) before the clock starts, and closed after it
    stops; start and close times are reported apart. Goals: local ≥ 1.8×; Dask within 1.3× of
    local (local time / Dask time ≥ 1 / 1.3); judged both ways. A last row says how much
    in-process work a sweep needs before the local pool reaches 1.8× start-up included.
    ``noop`` busy-waits on the clock, so on a loaded machine a 10 ms run can take longer
    (preempted past its deadline): the *dispatch efficiency* row (workers' model time /
    workers / wall) shows what the runner itself loses, whatever the load.
(c) **Memory**: peak RSS (``VmHWM``) of the driving process and of each worker process (read
    from ``/proc/<pid>/status`` before the pool closes), for a 1,000-run and a 10,000-run
    ``work_ms = 0`` sweep. Goal: flat (the larger sweep's peaks within 10% of the smaller's).
    The runner buffers up to 5,000 finished rows (or 1 s of them) before writing a chunk, so
    the full mode adds a 100,000-run sweep: from 10,000 to 100,000 runs the driver's peak
    should grow by well under the ~0.7 KB a finished row held in memory costs (≤ 0.25 KB/run).
(d) **The flagship claim**: wall time of
    ``negsim claim walk_away_leverage --quiet --json --out <tmp>`` (all cores, the CLI's default).

Every measurement runs in its own subprocess of this script (``--one``), so imports, pools and
peak RSS of one do not leak into another, and writes into a fresh results folder under one
temporary directory, removed at the end. The numeric libraries are pinned to one thread.

Usage (from the repository root)::

    .venv/bin/python benchmarks/runner_overhead.py [--quick] [--json] [--save raw.json]
                                                   [--claim | --no-claim] [--timeout 900]
    .venv/bin/python benchmarks/runner_overhead.py --profile runner.prof   # cProfile of (a), local

``--quick`` is a smoke test (sizes ÷ 10, no claim unless ``--claim``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# One thread per process for the numeric libraries; before numpy is imported (in run_one).
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS = 2
REPLICATIONS = 10  # every sweep: runs / 10 design points × 10 replications
OVERHEAD_GOAL_MS = 1.0
SPEEDUP_GOAL = 1.8
DASK_GOAL = 1 / 1.3
MEMORY_GOAL = 1.10  # larger sweep's peak / smaller sweep's peak
MEMORY_KB_PER_RUN = 0.25  # peak growth per run from 10,000 to 100,000 runs
ROW_KB = 0.7  # a finished noop row (dict) held in memory, measured with tracemalloc
CLAIM = "walk_away_leverage"


# --- one measurement, in its own process --------------------------------------------------------
def _vmhwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size of a process (``VmHWM``), in MB; None if it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _worker_peaks(ex: Any) -> list[float]:
    """Peak RSS of each worker process of an executor still running (MB)."""
    pool = getattr(ex, "_pool", None)  # LocalPool: a ProcessPoolExecutor
    if pool is not None:
        peaks = [_vmhwm_mb(pid) for pid in list(getattr(pool, "_processes", None) or {})]
        return [p for p in peaks if p is not None]
    client = getattr(ex, "_client", None)  # DaskExecutor: a distributed Client
    if client is not None:
        return [p for p in client.run(_vmhwm_mb).values() if p is not None]
    return []


def _warm(ex: Any, workers: int) -> None:
    """Have every worker start and run one trivial task (imports included)."""
    from negsim.experiments.models import Task, run_task

    tiny = Task("noop", "", (), ((0, 0, 0, 1, {}),))
    for _ in range(20):
        list(ex.imap_unordered(run_task, [tiny] * (2 * workers)))
        pool = getattr(ex, "_pool", None)
        if pool is None or len(getattr(pool, "_processes", None) or {}) >= workers:
            return


def run_one(cfg: dict[str, Any]) -> dict[str, Any]:
    """One sweep as ``cfg`` says; wall, start/close times, model time and peak RSS."""
    t = time.perf_counter()
    import pyarrow.dataset as ds

    from negsim.experiments.executors import make_executor
    from negsim.experiments.runner import run_sweep
    from negsim.experiments.store import Store
    from negsim.experiments.sweep import parse_sweep

    if cfg["executor"] == "dask":
        import distributed  # noqa: F401 — its import is not part of the cluster's start-up
    import_s = time.perf_counter() - t

    spec = parse_sweep(
        {
            "name": cfg["name"],
            "model": "noop",
            "replications": REPLICATIONS,
            "seed": 0,
            "base": {"work_ms": cfg["work_ms"]},
            "factors": {"level": list(range(cfg["runs"] // REPLICATIONS))},
        }
    )
    out = Path(cfg["out"])
    baseline_mb = _vmhwm_mb()
    result: dict[str, Any] = dict(cfg)
    profiler = None
    if cfg.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if cfg["warm"]:
        t = time.perf_counter()
        try:  # preload what a noop sweep's workers need, as run_sweep does
            ex = make_executor(cfg["executor"], cfg["workers"], model="noop")
        except TypeError:  # a runner without per-model preload
            ex = make_executor(cfg["executor"], cfg["workers"])
        _warm(ex, cfg["workers"])
        result["start_s"] = time.perf_counter() - t
        t = time.perf_counter()
        res = run_sweep(spec, out, executor=ex, workers=cfg["workers"], progress=False)
        result["wall_s"] = time.perf_counter() - t
        result["worker_peak_mb"] = _worker_peaks(ex)
        t = time.perf_counter()
        ex.close()
        result["close_s"] = time.perf_counter() - t
    else:
        t = time.perf_counter()
        res = run_sweep(spec, out, executor=cfg["executor"], workers=cfg["workers"], progress=False)
        result["wall_s"] = time.perf_counter() - t
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(cfg["profile"])
    result["peak_mb"] = _vmhwm_mb()  # before the store is read back below
    result["baseline_mb"] = baseline_mb
    parts = Store(out).parts()
    seconds = ds.dataset(parts, format="parquet").to_table(columns=["seconds"])["seconds"]
    result.update(
        import_s=import_s,
        runner_s=res.seconds,
        ran=res.ran,
        failed=res.failed,
        chunk=res.chunk,
        used_workers=res.workers,
        stored=len(seconds),
        model_s=float(sum(seconds.to_pylist())),
    )
    return result


# --- the driver: one subprocess per measurement -------------------------------------------------
class Driver:
    """Runs measurements in subprocesses, each into a fresh folder under one temporary dir."""

    def __init__(self, tmp: Path, timeout: float, verbose: bool) -> None:
        self.tmp, self.timeout, self.verbose, self.count = tmp, timeout, verbose, 0

    def measure(self, name: str, **cfg: Any) -> dict[str, Any]:
        self.count += 1
        cfg = {"name": name, "workers": WORKERS, "warm": False, **cfg}
        cfg["out"] = str(self.tmp / f"{self.count:02d}-{name}")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one", json.dumps(cfg)]
        if self.verbose:
            print(f"  {name} …", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        if result["stored"] != result["runs"] or result["failed"]:
            raise RuntimeError(f"{name}: stored {result['stored']} of {result['runs']} runs")
        if self.verbose:
            print(f"    wall {result['wall_s']:.3f} s", file=sys.stderr, flush=True)
        return result

    def claim(self, enabled: bool) -> dict[str, Any]:
        exe = Path(sys.executable).parent / "negsim"
        if not exe.exists():
            exe = ROOT / ".venv" / "bin" / "negsim"
        out = self.tmp / "claim"
        cmd = [str(exe), "claim", CLAIM, "--quiet", "--json", "--out", str(out)]
        info: dict[str, Any] = {"command": shlex.join(cmd), "ran": enabled}
        if not enabled:
            info["note"] = "skipped (--quick or --no-claim; --claim runs it)"
            return info
        if self.verbose:
            print(f"  claim {CLAIM} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=self.timeout, cwd=ROOT
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            info.update(ok=False, note=f"could not run: {exc}")
            return info
        info["wall_s"] = time.perf_counter() - t
        info["returncode"] = proc.returncode
        try:
            payload = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            payload = None
        if proc.returncode != 0 or not isinstance(payload, dict):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            info.update(
                ok=False,
                note=(
                    f"`negsim claim {CLAIM}` failed (exit {proc.returncode}); the command may "
                    f"not exist yet: {' | '.join(tail) or 'no output'}"
                ),
            )
            return info
        info.update(ok=True, **{k: payload.get(k) for k in ("verdict", "effect", "n", "p_value")})
        try:  # the runs' own time (the claim's folder is a runner store)
            import pyarrow.dataset as ds

            parts = sorted((out / "runs").glob("part-*.parquet"))
            seconds = ds.dataset(parts, format="parquet").to_table(columns=["seconds"])
            info.update(runs=seconds.num_rows, model_s=float(sum(seconds["seconds"].to_pylist())))
        except Exception as exc:  # only a detail of the report: never fatal
            info["model_note"] = f"model time not read: {exc}"
        return info


def measure_all(args: argparse.Namespace, driver: Driver) -> dict[str, Any]:
    """Every configuration of (a)–(d), in order."""
    q = 10 if args.quick else 1
    small, large = 2_000 // q, 20_000 // q
    busy_runs, busy_ms = (100 if args.quick else 400), 10.0  # chunks ≥ 100 ms either way
    mem_sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    out: dict[str, Any] = {"overhead": {}, "speedup": {}, "memory": {}}
    for ex in ("inprocess", "local"):
        profile = args.profile if ex == "local" else None
        out["overhead"][ex] = [
            driver.measure(f"overhead-{ex}-{small}", executor=ex, runs=small, work_ms=0.0),
            driver.measure(
                f"overhead-{ex}-{large}", executor=ex, runs=large, work_ms=0.0, profile=profile
            ),
        ]
    sp = out["speedup"]
    common = {"runs": busy_runs, "work_ms": busy_ms}
    sp["inprocess"] = driver.measure("speedup-inprocess", executor="inprocess", **common)
    for ex in ("local", "dask"):
        sp[f"{ex}_cold"] = driver.measure(f"speedup-{ex}-cold", executor=ex, **common)
        sp[f"{ex}_warm"] = driver.measure(f"speedup-{ex}-warm", executor=ex, warm=True, **common)
    for ex in ("inprocess", "local"):
        warm = ex == "local"  # a warm pool stays open so its workers' peaks can be read
        out["memory"][ex] = [
            driver.measure(f"memory-{ex}-{n}", executor=ex, runs=n, work_ms=0.0, warm=warm)
            for n in mem_sizes
        ]
    out["claim"] = driver.claim(args.claim if args.claim is not None else not args.quick)
    return out


# --- figures ------------------------------------------------------------------------------------
def figures(m: dict[str, Any]) -> list[dict[str, Any]]:
    """The table: one figure per row, with its goal and verdict where there is one."""
    rows: list[dict[str, Any]] = []

    def row(what: str, value: str, goal: str = "—", met: bool | None = None) -> None:
        rows.append({"figure": what, "value": value, "goal": goal, "met": met})

    for ex, (lo, hi) in m["overhead"].items():
        w = hi["used_workers"]
        slope = (hi["wall_s"] - lo["wall_s"]) / (hi["runs"] - lo["runs"])
        fixed = lo["wall_s"] - slope * lo["runs"]
        model_ms = 1e3 * hi["model_s"] / hi["runs"]
        per_run = 1e3 * slope - model_ms / w
        amortised = 1e3 * (hi["wall_s"] - hi["model_s"] / w) / hi["runs"]
        label = f"(a) {ex} ({w} worker{'s' if w > 1 else ''})"
        row(
            f"{label}: wall {lo['runs']:,} / {hi['runs']:,} runs",
            f"{lo['wall_s']:.2f} s / {hi['wall_s']:.2f} s (chunks {lo['chunk']} / {hi['chunk']})",
        )
        row(f"{label}: model time per run", f"{model_ms:.3f} ms")
        row(f"{label}: fixed cost (intercept)", f"{fixed:.2f} s")
        row(f"{label}: wall per run (slope)", f"{1e3 * slope:.3f} ms")
        row(
            f"{label}: overhead per run (slope − model/{w})",
            f"{per_run:.3f} ms",
            f"≤ {OVERHEAD_GOAL_MS:g} ms",
            per_run <= OVERHEAD_GOAL_MS,
        )
        row(f"{label}: overhead per run, fixed cost amortised", f"{amortised:.3f} ms")

    sp = m["speedup"]
    base = sp["inprocess"]
    mean_run = base["model_s"] / base["runs"]
    row(
        f"(b) in-process: {base['runs']} runs × {base['work_ms']:g} ms",
        f"{base['wall_s']:.2f} s (model {base['model_s']:.2f} s)",
    )
    timed: dict[str, tuple[float, float]] = {}
    for ex in ("local", "dask"):
        cold, warm = sp[f"{ex}_cold"], sp[f"{ex}_warm"]
        timed[ex] = (cold["wall_s"], warm["wall_s"])
        chunk_ms = 1e3 * warm["chunk"] * mean_run
        row(
            f"(b) {ex}: wall with / without start-up",
            f"{cold['wall_s']:.2f} s / {warm['wall_s']:.2f} s "
            f"(start {warm['start_s']:.2f} s, close {warm['close_s']:.2f} s; "
            f"chunk {warm['chunk']} runs ≈ {chunk_ms:.0f} ms; {warm['used_workers']} workers)",
        )
        efficiency = warm["model_s"] / warm["used_workers"] / warm["wall_s"]
        row(
            f"(b) {ex}: dispatch efficiency without start-up",
            f"{efficiency:.2f} (workers' model time / {warm['used_workers']} / wall; model "
            f"time on the workers {warm['model_s']:.2f} s vs {base['model_s']:.2f} s in-process)",
        )
        for tag, i in (("with", 0), ("without", 1)):
            s = base["wall_s"] / timed[ex][i]
            if ex == "local":
                row(
                    f"(b) local speed-up, {tag} start-up",
                    f"{s:.2f}×",
                    f"≥ {SPEEDUP_GOAL:g}×",
                    s >= SPEEDUP_GOAL,
                )
            else:
                row(f"(b) dask speed-up, {tag} start-up", f"{s:.2f}×")
        # in-process work W for which W / (W / s + start + close) reaches the goal
        steady = base["wall_s"] / warm["wall_s"]
        fixed = warm["start_s"] + warm["close_s"]
        need = (
            f"{SPEEDUP_GOAL * fixed / (1 - SPEEDUP_GOAL / steady):,.0f} s"
            if steady > SPEEDUP_GOAL
            else "never (steady speed-up below the goal)"
        )
        row(f"(b) {ex}: in-process work for ≥ {SPEEDUP_GOAL:g}× with start-up", need)
    for tag, i in (("with", 0), ("without", 1)):
        r = timed["local"][i] / timed["dask"][i]
        row(
            f"(b) local time / dask time, {tag} start-up",
            f"{r:.2f}",
            f"≥ {DASK_GOAL:.2f} (1/1.3)",
            r >= DASK_GOAL,
        )

    for ex, sized in m["memory"].items():
        # goal on 1,000 → 10,000 runs; a 100,000-run sweep (full mode) shows the trend
        lo, hi = sized[0], sized[1]
        sizes = " → ".join(f"{r['runs']:,}" for r in sized)
        drivers = [r["peak_mb"] for r in sized]
        per_run = 1024 * (drivers[-1] - drivers[0]) / (sized[-1]["runs"] - sized[0]["runs"])
        row(
            f"(c) {ex}: driver peak RSS, {sizes} runs",
            f"{' → '.join(f'{x:.0f}' for x in drivers)} MB "
            f"(after imports {lo['baseline_mb']:.0f} MB; +{per_run:.2f} KB/run overall)",
        )
        growth = hi["peak_mb"] / lo["peak_mb"]
        row(
            f"(c) {ex}: driver peak, {hi['runs']:,} / {lo['runs']:,} runs",
            f"×{growth:.3f} (+{hi['peak_mb'] - lo['peak_mb']:.1f} MB)",
            f"≤ ×{MEMORY_GOAL:.2f}",
            growth <= MEMORY_GOAL,
        )
        if len(sized) > 2:  # beyond the write buffer (≤ 5,000 rows): what each run adds
            top = sized[-1]
            kb = 1024 * (top["peak_mb"] - hi["peak_mb"]) / (top["runs"] - hi["runs"])
            row(
                f"(c) {ex}: driver peak growth, {hi['runs']:,} → {top['runs']:,} runs",
                f"{kb:.3f} KB/run (holding each finished row would be ~{ROW_KB:g} KB/run)",
                f"≤ {MEMORY_KB_PER_RUN:g} KB/run",
                kb <= MEMORY_KB_PER_RUN,
            )
        if all(r.get("worker_peak_mb") for r in sized):
            workers = [max(r["worker_peak_mb"]) for r in sized]
            row(
                f"(c) {ex}: largest worker peak RSS, {sizes} runs",
                f"{' → '.join(f'{x:.0f}' for x in workers)} MB "
                f"(×{workers[1] / workers[0]:.3f} for {hi['runs']:,} / {lo['runs']:,})",
                f"≤ ×{MEMORY_GOAL:.2f}",
                workers[1] / workers[0] <= MEMORY_GOAL,
            )

    c = m["claim"]
    if not c["ran"]:
        row(f"(d) claim {CLAIM}", c["note"])
    elif c.get("ok"):
        model = (
            f"; {c['runs']} runs, model time {c['model_s']:.1f} s = "
            f"{c['model_s'] / WORKERS:.1f} s on {WORKERS} workers"
            if c.get("model_s") is not None
            else ""
        )
        row(
            f"(d) claim {CLAIM}: wall",
            f"{c['wall_s']:.1f} s (verdict {c['verdict']}, n = {c['n']}{model})",
        )
    else:
        row(f"(d) claim {CLAIM}", f"FAILED: {c['note']}")
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    def verdict(met: bool | None) -> str:
        return "—" if met is None else ("goal met" if met else "goal NOT met")

    table = [["figure", "value", "goal", "verdict"]]
    table += [[r["figure"], r["value"], r["goal"], verdict(r["met"])] for r in rows]
    widths = [max(len(t[i]) for t in table) for i in range(4)]
    for i, t in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _git_state() -> str:
    """The code measured: negsim's version and, from a checkout, its commit (+dirty)."""
    from negsim.provenance import provenance

    record = provenance()
    return f"negsim {record['negsim']}" + (
        f" (commit {record['git_commit']})" if record["git_commit"] else ""
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: sizes ÷ 10, no claim")
    ap.add_argument(
        "--claim",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time `negsim claim` (default: yes unless --quick)",
    )
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--save", help="also write that JSON object (raw numbers included) here")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per step")
    ap.add_argument("--profile", help="write cProfile stats of the large local sweep of (a) here")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # one measurement, in this process
    args = ap.parse_args()

    if args.one is not None:
        print(json.dumps(run_one(json.loads(args.one))))
        return
    if args.profile:
        args.profile = str(Path(args.profile).resolve())

    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="runner_overhead_") as tmp:
        measured = measure_all(args, Driver(Path(tmp), args.timeout, not args.json))
    context = {
        "command": shlex.join([os.path.relpath(sys.executable), *sys.argv]),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "code": _git_state(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "total_s": time.perf_counter() - started,
    }
    rows = figures(measured)
    blob = json.dumps({"context": context, "figures": rows, "raw": measured}, indent=2)
    if args.save:
        Path(args.save).write_text(blob + "\n", encoding="utf-8")
    if args.json:
        print(blob)
        return
    print(
        f"runner overhead — {context['cpus']} CPUs, Python {context['python']}, "
        f"code {context['code']}; load average before "
        f"{', '.join(f'{x:.2f}' for x in load_before)}, after "
        f"{', '.join(f'{x:.2f}' for x in context['load_average_after'])}; "
        f"{context['total_s']:.0f} s in all"
    )
    print(f"command: {context['command']}")
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
