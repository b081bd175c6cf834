"""How the alliance world scales: the default scenario at 1,000, 10,000 and 100,000 organisations.

The default world (``scenarios/default.toml``: Barabási–Albert network with m = 3, ten years) is
run over its full horizon with only ``world.organisations`` changed (``dataclasses.replace``).
The goals: 10,000 organisations over the default horizon in at most 5 s on one core, and
100,000 in at most 30 s (``GOALS``), with cost growing about linearly in the number of
organisations.

Each size runs in its own subprocess of this script (``--size N``), so the peak memory
(``ru_maxrss``) of one size does not contaminate another. In that subprocess:

1. warm-up: a 50-organisation world run for 6 months compiles (or loads from numba's cache) the
   batch negotiation kernel; its time is reported apart and excluded from the timings;
2. build: ``AllianceModel(scenario, seed)`` (network, organisations, Mesa agents, schedule);
3. run: ``model.run()`` to the horizon.

Events are counted by a subclass of :class:`~negsim.world.model.AllianceModel`: every event
method the model schedules on itself (``search``, ``operate``, ``review``, ``crisis``, ``meet``,
...) is swapped at scheduling time for a counting, timing method bound to the model, which then
calls the model's own method. Mesa still gets bound methods (it holds callables by weak
reference). Mesa's own monthly ``step`` event (a no-op here) is counted as ``mesa_step``; the
total equals the number of events Mesa executes. One core: the thread counts of the numeric
libraries are pinned to 1 before numpy is imported.

Usage (from the repository root)::

    python benchmarks/world_scale.py [--sizes 1000 10000 100000] [--seed 0] [--json]
                                     [--timeout 600] [--cold-jit]
                                     [--strategies boulware=0.3,linear=0.3,zeuthen=0.4]
    python benchmarks/world_scale.py --size 10000 --profile world.prof   # one size, profiled

``--strategies`` replaces the organisations' strategy mix (``organisations.strategies``, weights
by strategy key) for the warm-up and the measured world alike; without it, the scenario's own.

A size that exceeds ``--timeout`` seconds is stopped; the report then says how far its run got
(simulated months) and extrapolates the remaining time.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import MethodType
from typing import Any

# One core, as the goal is stated; before numpy (imported with the simulator, in run_one) loads.
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

SCENARIO = ROOT / "scenarios" / "default.toml"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
EVENTS = ("search", "operate", "review", "crisis")
#: The goals, total seconds on one core by number of organisations (the default horizon).
GOALS = {10_000: 5.0, 100_000: 30.0}


# --- one size, in its own process -------------------------------------------------------------
def _counting_model_class() -> Any:
    from negsim.world.model import AllianceModel

    class CountingModel(AllianceModel):
        """The model, counting and timing each event it executes (no change to what it does).

        Every callable the model schedules on itself (``search``, ``operate``, ``review``,
        ``crisis`` and any event method added later) is replaced at scheduling time by a counting
        method bound to the model: Mesa still receives a bound method (it holds callables by weak
        reference), and the model keeps the wrapper functions alive in ``_counters``. Mesa's
        own monthly step event (``_do_step``, a no-op here) is counted too, as ``mesa_step``.
        """

        progress_every = 0.0  # months between progress lines on stderr (0: none)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.event_counts: Counter[str] = Counter()
            self.event_seconds: dict[str, float] = defaultdict(float)
            self._counters: dict[str, Any] = {}
            self._t0 = time.perf_counter()
            self._next_report = 0.0
            super().__init__(*args, **kwargs)

        def _counted(self, function: Any) -> Any:
            if not (isinstance(function, MethodType) and function.__self__ is self):
                return function
            name = function.__name__
            if name not in self._counters:
                original = getattr(type(self), name)
                counts, seconds = self.event_counts, self.event_seconds

                def counted(model: Any) -> None:
                    start = time.perf_counter()
                    original(model)
                    seconds[name] += time.perf_counter() - start
                    counts[name] += 1
                    if name == "operate":
                        model._report_progress()

                counted.__name__ = name
                self._counters[name] = counted
            return MethodType(self._counters[name], self)

        def _do_step(self) -> None:  # Mesa's own step event, every month (``step`` is a no-op)
            start = time.perf_counter()
            super()._do_step()
            self.event_seconds["mesa_step"] += time.perf_counter() - start
            self.event_counts["mesa_step"] += 1

        def schedule_event(self, function: Any, **kwargs: Any) -> Any:
            return super().schedule_event(self._counted(function), **kwargs)

        def schedule_recurring(self, function: Any, *args: Any, **kwargs: Any) -> Any:
            return super().schedule_recurring(self._counted(function), *args, **kwargs)

        def _report_progress(self) -> None:
            if self.progress_every and self.time >= self._next_report - 1e-9:
                self._next_report += self.progress_every
                line = {
                    "progress": True,
                    "months": float(self.time),
                    "run_s": time.perf_counter() - self._t0,
                    "events": sum(self.event_counts.values()),
                    "alliances": int(self.alliances.size),
                    "horizon": float(self.config.world.horizon),
                }
                print(json.dumps(line), file=sys.stderr, flush=True)

    return CountingModel


def _source_fingerprint() -> dict[str, Any]:
    """Which model code was measured: negsim's provenance, and a hash of the model file (which
    may be edited between runs)."""
    import hashlib

    import negsim.world.model
    from negsim.provenance import provenance

    model = Path(negsim.world.model.__file__)
    record = provenance()
    return {
        "negsim": record["negsim"],
        "git_commit": record["git_commit"],
        "model_py": str(model),
        "model_py_sha256": hashlib.sha256(model.read_bytes()).hexdigest()[:16],
    }


def _numba_cache_stats() -> dict[str, int]:
    """Cache hits and misses (= compilations) of the batch path's numba kernels so far."""
    import negsim.negotiation.batch as batch

    hits = misses = 0
    for obj in vars(batch).values():
        stats = getattr(obj, "stats", None)
        if stats is not None and hasattr(stats, "cache_hits"):
            hits += sum(stats.cache_hits.values())
            misses += sum(stats.cache_misses.values())
    return {"cache_hits": hits, "cache_misses": misses}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def parse_mix(text: str) -> dict[str, float]:
    """``"boulware=0.3,zeuthen=0.7"`` → ``{"boulware": 0.3, "zeuthen": 0.7}``."""
    mix = {}
    for item in text.split(","):
        key, _, weight = item.partition("=")
        mix[key.strip()] = float(weight)
    return mix


def run_one(
    n: int,
    seed: int,
    profile: str | None = None,
    progress_every: float = 12.0,
    strategies: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Warm up, build and run one world of ``n`` organisations (with the strategy mix
    ``strategies``, or the scenario's); the measurements."""
    from negsim.world.scenario import load_scenario

    t_import = time.perf_counter()
    model_cls = _counting_model_class()
    base = load_scenario(SCENARIO)
    assert base.network.kind == "barabasi_albert" and base.network.m == 3, base.network
    if strategies is not None:
        orgs = dataclasses.replace(base.organisations, strategies=strategies)
        base = dataclasses.replace(base, organisations=orgs)
    import_s = time.perf_counter() - t_import
    source = _source_fingerprint()

    # Warm-up: compile or load the numba kernels on a tiny world (not timed below).
    t = time.perf_counter()
    tiny_world = dataclasses.replace(base.world, organisations=50)
    tiny = model_cls(
        dataclasses.replace(base, world=tiny_world), seed=seed + 1, record_organisations=False
    )
    tiny.run(until=6.0)
    warmup_s = time.perf_counter() - t
    jit = _numba_cache_stats()
    del tiny
    gc.collect()
    baseline_rss = _maxrss_mb()

    scenario = dataclasses.replace(base, world=dataclasses.replace(base.world, organisations=n))
    model_cls.progress_every = progress_every
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t = time.perf_counter()
    # as sweeps run it: no per-organisation monthly records (run metrics only)
    model = model_cls(scenario, seed=seed, record_organisations=False)
    build_s = time.perf_counter() - t
    model._t0 = time.perf_counter()
    model.run()
    run_s = time.perf_counter() - model._t0
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)

    events = sum(model.event_counts.values())
    failure = model.failure_rate()
    ended = int((~model.alliances.alive).sum())
    return {
        "organisations": n,
        "seed": seed,
        "strategies": dict(scenario.organisations.strategies),
        "horizon_months": scenario.world.horizon,
        "edges": len(model.edges),
        "warmup_s": warmup_s,
        "numba": jit,
        "import_s": import_s,
        "build_s": build_s,
        "run_s": run_s,
        "total_s": build_s + run_s,
        "events": events,
        "events_by_kind": dict(model.event_counts),
        "event_seconds": {k: round(v, 4) for k, v in model.event_seconds.items()},
        "events_per_s": events / run_s,
        "negotiations": int(model.negotiations),
        "agreements": int(model.agreements),
        "negotiations_per_s": model.negotiations / run_s,
        "alliances_formed": int(model.alliances.size),
        "alliances_ended": ended,
        "failure_rate": None if math.isnan(failure) else failure,
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": _maxrss_mb(),
        "completed": True,
        "source": source,
    }


# --- the driver: one subprocess per size --------------------------------------------------------
def run_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run size ``n`` in a fresh subprocess; stop it after ``args.timeout`` seconds."""
    script = str(Path(__file__).resolve())
    cmd = [sys.executable, script, "--size", str(n), "--seed", str(args.seed)]
    if args.strategies:
        cmd += ["--strategies", args.strategies]
    env = dict(os.environ)
    tmp = None
    if args.cold_jit:  # an empty numba cache: the warm-up compiles for real
        tmp = tempfile.TemporaryDirectory(prefix="world_scale_numba_")
        env["NUMBA_CACHE_DIR"] = tmp.name
    # stdout (the result) goes to a file; stderr (progress lines) is read here as it comes.
    out_file = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=out_file, stderr=subprocess.PIPE, text=True, env=env)
    progress: list[dict[str, Any]] = []
    errors: list[str] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                errors.append(line)
                continue
            progress.append(item)
            if not args.json:
                print(
                    f"  [{n:>7,}] month {item['months']:>5.0f}: {item['run_s']:8.1f} s, "
                    f"{item['alliances']:,} alliances",
                    file=sys.stderr,
                    flush=True,
                )

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    started = time.perf_counter()
    try:
        proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()  # only the subprocess this function started
        proc.wait()
        reader.join(5)
        return _timed_out(n, args, progress, time.perf_counter() - started)
    finally:
        if tmp is not None:
            tmp.cleanup()
    reader.join(5)
    if proc.returncode != 0:
        raise RuntimeError(f"size {n} failed ({proc.returncode}):\n{''.join(errors)}")
    out_file.seek(0)
    result: dict[str, Any] = json.loads(out_file.read().strip().splitlines()[-1])
    return result


def _timed_out(
    n: int, args: argparse.Namespace, progress: list[dict[str, Any]], wall: float
) -> dict[str, Any]:
    """A size stopped at the timeout: how far it got, and an estimate of the whole run."""
    last = progress[-1] if progress else None
    horizon = progress[-1].get("horizon", 120.0) if progress else 120.0
    result: dict[str, Any] = {"organisations": n, "seed": args.seed, "completed": False}
    result["stopped_after_s"] = wall
    if last is None:
        result["note"] = "no month completed before the timeout (build or warm-up too slow)"
        return result
    result["months_done"] = last["months"]
    result["run_s_at_stop"] = last["run_s"]
    result["alliances_at_stop"] = last["alliances"]
    # Months cost more as the alliance table grows: extrapolate with the latest per-month rate
    # and with a quadratic fit of run time in months; report the larger (still a lower bound).
    if len(progress) >= 2:
        prev = progress[-2]
        rate = (last["run_s"] - prev["run_s"]) / (last["months"] - prev["months"])
    else:
        rate = last["run_s"] / last["months"]
    estimates = [last["run_s"] + rate * (horizon - last["months"])]
    if len(progress) >= 4:
        import numpy as np

        m = np.array([p["months"] for p in progress])
        s = np.array([p["run_s"] for p in progress])
        coef, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(m), m, m**2]), s, rcond=None)
        if coef[2] > 0:
            estimates.append(float(coef @ [1.0, horizon, horizon**2]))
    result["estimated_run_s"] = max(estimates)
    result["note"] = (
        f"stopped at {wall:.0f} s after {last['months']:.0f} of {horizon:.0f} months; "
        f"run estimated at ≥ {result['estimated_run_s']:.0f} s (extrapolated; the cost of a "
        "month still grows)"
    )
    return result


def scaling(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Time per organisation, and the ratios of time between successive sizes (linear = 10×)."""
    done = {r["organisations"]: r for r in results if r.get("completed")}
    per_org = {
        n: {
            "total_us_per_org": 1e6 * r["total_s"] / n,
            "run_us_per_org": 1e6 * r["run_s"] / n,
            "build_us_per_org": 1e6 * r["build_s"] / n,
        }
        for n, r in done.items()
    }
    ratios = []
    sizes = sorted(r["organisations"] for r in results)
    for small, large in itertools.pairwise(sizes):
        if small not in done:
            continue
        lo = done[small]
        hi = done.get(large)
        row: dict[str, Any] = {"from": small, "to": large, "size_ratio": large / small}
        if hi is not None:
            for key in ("total_s", "build_s", "run_s"):
                row[key.replace("_s", "_ratio")] = hi[key] / lo[key]
        else:
            est = next(r for r in results if r["organisations"] == large).get("estimated_run_s")
            if est is not None:
                row["run_ratio_estimated"] = est / lo["run_s"]
        ratios.append(row)
    goals = [
        {
            "organisations": size,
            "seconds": seconds,
            "measured_total_s": done[size]["total_s"],
            "met": done[size]["total_s"] <= seconds,
        }
        for size, seconds in GOALS.items()
        if size in done
    ]
    return {"per_organisation": per_org, "ratios": ratios, "goals": goals}


def print_table(results: list[dict[str, Any]], scale: dict[str, Any]) -> None:
    def fmt(r: dict[str, Any], key: str, spec: str) -> str:
        v = r.get(key)
        return "—" if v is None else format(v, spec)

    cols = [
        ("organisations", "orgs", ",d"),
        ("build_s", "build s", ".2f"),
        ("run_s", "run s", ".2f"),
        ("total_s", "total s", ".2f"),
        ("events", "events", ",d"),
        ("events_per_s", "events/s", ",.0f"),
        ("negotiations", "negotiations", ",d"),
        ("negotiations_per_s", "neg/s", ",.0f"),
        ("alliances_formed", "alliances", ",d"),
        ("failure_rate", "failure", ".3f"),
        ("peak_rss_mb", "peak MB", ",.0f"),
        ("baseline_rss_mb", "of which before build", ",.0f"),
    ]
    rows = [[h for _, h, _ in cols]]
    for r in results:
        rows.append([fmt(r, k, s) for k, _, s in cols])
    widths = [max(len(row[i]) for row in rows) for i in range(len(cols))]
    for i, row in enumerate(rows):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if not r.get("completed"):
            print(f"{r['organisations']:,}: {r['note']}")
    print()
    for r in results:
        if r.get("completed"):
            secs = ", ".join(
                f"{k} {v:.2f} s ×{r['events_by_kind'][k]:,}"
                for k, v in sorted(r["event_seconds"].items(), key=lambda kv: -kv[1])
            )
            print(
                f"{r['organisations']:>7,}: time in events: {secs}; warm-up (numba "
                f"compile/load) {r['warmup_s']:.2f} s {r['numba']}"
            )
    sources = {json.dumps(r["source"], sort_keys=True) for r in results if "source" in r}
    for src in sources:
        print(f"measured code: {src}")
    mixes = {json.dumps(r["strategies"]) for r in results if "strategies" in r}
    for mix in mixes:
        print(f"strategy mix: {mix}")
    print()
    for n, p in scale["per_organisation"].items():
        print(
            f"{n:>7,}: {p['total_us_per_org']:,.0f} µs/organisation total "
            f"(build {p['build_us_per_org']:,.0f}, run {p['run_us_per_org']:,.0f})"
        )
    for row in scale["ratios"]:
        if "total_ratio" in row:
            print(
                f"{row['to']:,} vs {row['from']:,} (×{row['size_ratio']:.0f} organisations): "
                f"total ×{row['total_ratio']:.1f}, build ×{row['build_ratio']:.1f}, "
                f"run ×{row['run_ratio']:.1f} (linear = ×{row['size_ratio']:.0f})"
            )
        elif "run_ratio_estimated" in row:
            print(
                f"{row['to']:,} vs {row['from']:,}: run ×{row['run_ratio_estimated']:.0f} "
                "(estimated from a stopped run)"
            )
    for g in scale["goals"]:
        verdict = "met" if g["met"] else "NOT met"
        print(
            f"goal: {g['organisations']:,} organisations in ≤ {g['seconds']:.0f} s on one core: "
            f"{g['measured_total_s']:.1f} s, {verdict}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per size")
    ap.add_argument("--cold-jit", action="store_true", help="empty numba cache: real compile")
    ap.add_argument(
        "--strategies",
        help="strategy mix, e.g. boulware=0.3,linear=0.3,zeuthen=0.4 (default: the scenario's)",
    )
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)  # one size, in this process
    ap.add_argument("--profile", help="with --size: write cProfile stats of build + run here")
    args = ap.parse_args()

    if args.size is not None:
        mix = parse_mix(args.strategies) if args.strategies else None
        result = run_one(args.size, args.seed, profile=args.profile, strategies=mix)
        print(json.dumps(result))
        return

    results = [run_size(n, args) for n in args.sizes]
    scale = scaling(results)
    if args.json:
        out = {
            "scenario": str(SCENARIO.relative_to(ROOT)),
            "network": "barabasi_albert, m = 3",
            "threads": 1,
            "python": sys.version.split()[0],
            "results": results,
            "scaling": scale,
        }
        print(json.dumps(out, indent=2))
    else:
        print_table(results, scale)


if __name__ == "__main__":
    main()
