"""The batch kernel on the alliance world's terms domain, by strategy: µs per negotiation.

The negotiations are the world's own: a default-scenario world (``scenarios/default.toml``) of
``--organisations`` organisations, with its strategy mix replaced by ``--strategies``, runs for
``--months`` months while every :class:`~negsim.negotiation.batch.BatchProblem` it hands to
``run_batch`` is recorded (the terms domain: 4 issues of shape (11, 3, 3, 3), deadline 40
rounds). Each recorded batch is then split by who plays it — both sides time-dependent, one side
``zeuthen``, both ``zeuthen`` — and each part replayed ``--repeat`` times through
:func:`~negsim.negotiation.batch.run_batch`; the best time per negotiation is reported. One core:
numba's thread count is pinned to 1 before numba loads.

``--save FILE`` writes the recorded problems and their results (pickle); ``--check FILE``
replays the problems of such a file and reports how many results differ from the saved ones (bit
for bit; in play; the largest change in a final belief): the way to check what a change to the
kernel does to results.

Usage (from the repository root)::

    python benchmarks/zeuthen_batch.py [--organisations 2000] [--months 24] [--repeat 5]
                                       [--strategies boulware=0.3,linear=0.3,zeuthen=0.4]
                                       [--save FILE | --check FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "default.toml"
FIELDS = ("agreement", "ended_by", "walked_away", "round", "utilities", "offers", "beliefs")


def record_problems(organisations: int, months: float, mix: dict[str, float], seed: int) -> list:
    """The batch problems a world with strategy mix ``mix`` negotiates in its first months."""
    import negsim.world.terms as terms
    from negsim.world.model import AllianceModel
    from negsim.world.scenario import load_scenario

    base = load_scenario(SCENARIO)
    orgs = dataclasses.replace(base.organisations, strategies=mix)
    world = dataclasses.replace(base.world, organisations=organisations)
    scenario = dataclasses.replace(base, organisations=orgs, world=world)
    problems = []
    original = terms.run_batch

    def recording(p: Any) -> Any:
        problems.append(p)
        return original(p)

    terms.run_batch = recording  # only in this benchmark process
    try:
        AllianceModel(scenario, seed=seed, record_organisations=False).run(until=months)
    finally:
        terms.run_batch = original
    return problems


def subset(p: Any, rows: Any) -> Any:
    """The negotiations ``rows`` of problem ``p``."""
    import numpy as np

    def side(s: Any) -> Any:
        return dataclasses.replace(
            s,
            **{
                f.name: getattr(s, f.name)[rows]
                for f in dataclasses.fields(s)
                if isinstance(getattr(s, f.name), np.ndarray)
            },
        )

    seeds = None if p.seeds is None else [p.seeds[int(r)] for r in rows]
    return dataclasses.replace(p, a=side(p.a), b=side(p.b), seeds=seeds)


def by_players(problems: list) -> dict[str, list]:
    """The problems split by how many sides play ``zeuthen`` (0, 1 or 2)."""
    import numpy as np

    from negsim.negotiation.batch import ZEUTHEN

    parts: dict[str, list] = {"no zeuthen": [], "one zeuthen side": [], "both zeuthen": []}
    for p in problems:
        count = (p.a.kind == ZEUTHEN).astype(int) + (p.b.kind == ZEUTHEN).astype(int)
        for n, name in enumerate(parts):
            rows = np.flatnonzero(count == n)
            if rows.size:
                parts[name].append(subset(p, rows))
    return parts


def timed(problems: list, repeat: int) -> float:
    """The best of ``repeat`` replays of ``problems``, seconds."""
    from negsim.negotiation.batch import run_batch

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for p in problems:
            run_batch(p)
        best = min(best, time.perf_counter() - start)
    return best


def compare(problems: list, results: list) -> dict[str, float]:
    """How the results of ``problems`` now differ from the saved ``results``: negotiations in
    all, those not identical bit for bit, those whose play (offers, agreement, ending) differs,
    and the largest difference in a final belief."""
    import numpy as np

    from negsim.negotiation.batch import run_batch

    out = {"negotiations": 0, "not identical": 0, "play differs": 0, "largest belief change": 0.0}
    for p, saved in zip(problems, results, strict=True):
        now = run_batch(p)
        differ = np.zeros(len(now.agreement), dtype=bool)
        for f in FIELDS:
            a, b = getattr(now, f), saved[f]
            same = (a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else a == b
            differ |= ~same.reshape(len(a), -1).all(axis=1)
        play = np.zeros(len(now.agreement), dtype=bool)
        for f in ("agreement", "ended_by", "walked_away", "round", "offers"):
            play |= ~np.equal(getattr(now, f), saved[f]).reshape(len(differ), -1).all(axis=1)
        gap = np.abs(now.beliefs - saved["beliefs"])
        out["negotiations"] += len(differ)
        out["not identical"] += int(differ.sum())
        out["play differs"] += int(play.sum())
        if np.isfinite(gap).any():
            out["largest belief change"] = max(out["largest belief change"], float(np.nanmax(gap)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--organisations", type=int, default=2000)
    ap.add_argument("--months", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--strategies", default="boulware=0.3,linear=0.3,zeuthen=0.4")
    ap.add_argument("--save", help="write the recorded problems and their results here")
    ap.add_argument("--check", help="replay the problems saved here; compare the results")
    args = ap.parse_args()

    from negsim.negotiation.batch import run_batch

    if args.check:
        with open(args.check, "rb") as fh:
            saved = pickle.load(fh)
        print(f"against {args.check}:", compare(saved["problems"], saved["results"]))
        problems = saved["problems"]
    else:
        mix = {}
        for item in args.strategies.split(","):
            key, _, weight = item.partition("=")
            mix[key.strip()] = float(weight)
        problems = record_problems(args.organisations, args.months, mix, args.seed)
        if args.save:
            results = [{f: getattr(run_batch(p), f) for f in FIELDS} for p in problems]
            with open(args.save, "wb") as fh:
                pickle.dump({"problems": problems, "results": results}, fh)
    run_batch(problems[0])  # compiled (or loaded) before timing
    for name, part in by_players(problems).items():
        n = sum(len(p.a.kind) for p in part)
        if n:
            seconds = timed(part, args.repeat)
            print(f"{name:>16}: {n:7,} negotiations, {1e6 * seconds / n:7.2f} µs each")


if __name__ == "__main__":
    main()
