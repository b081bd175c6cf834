"""Sweep files: a base scenario, factors, a design, replications, a root seed and metrics.

A sweep expands into *design points* (one set of factor values each) times *replications*.
Replication ``r`` gets the same seed at every design point (common random numbers), derived
from the root :class:`numpy.random.SeedSequence` before any work is dispatched, so
comparisons between points are paired and the numbers do not depend on how runs are spread
over workers.

A sweep's size is checked before its design is expanded or sampled (:func:`design_size`):
at most :data:`MAX_POINTS` design points and :data:`MAX_RUNS` runs, unless the file's
``[limits]`` table (``points``, ``runs``) allows more.

Runs are numbered replication-major, ``run_id = replication × points + point``, and
replication ``r``'s seed is the ``r``-th child of the root, whatever the number of
replications. So asking a stored sweep for more replications only adds runs: the stored
ones keep their ids and seeds and are reused (the fingerprint leaves the count out).

Examples:
    >>> spec = parse_sweep({"name": "s", "scenario": "default", "replications": 2,
    ...     "factors": {"organisations.walk_away": [0.0, 1.0]}}, "s.toml")
    >>> [p["organisations.walk_away"] for p in spec.points]
    [0.0, 1.0]
    >>> runs = list(spec.runs())
    >>> [(r.run_id, r.replication, r.point) for r in runs]
    [(0, 0, 0), (1, 0, 1), (2, 1, 0), (3, 1, 1)]
    >>> runs[0].seed == runs[1].seed, runs[0].seed == runs[2].seed
    (True, False)
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import negsim.shipped as shipped
from negsim.config import (
    ConfigError,
    Fields,
    check_finite,
    check_name,
    clip,
    read_toml,
)

DESIGNS = ("grid", "lhs", "sobol", "morris", "points")
#: How much of a design point's label an error line shows, in characters.
LABEL_WIDTH = 40
MODELS = ("world", "noop")
_SPEC_KEYS = (
    "name",
    "description",
    "scenario",
    "model",
    "replications",
    "seed",
    "metrics",
    "base",
    "factors",
    "design",
    "points",
    "limits",
)

#: Design points a sweep may have unless its ``[limits]`` allow more. Every point is held in
#: memory and written in the manifest (about 0.7 kB and 0.1 kB each: 100,000 points take
#: ~70 MB and an 8 MB manifest, and a world sweep checks them all, ~0.5 ms each, before its
#: first run). Range: ≥ 1.
MAX_POINTS = 100_000
#: Runs (points × replications) a sweep may have unless its ``[limits]`` allow more: ten times
#: the largest sweep measured at flat memory (100,000 runs, docs/runner.md); a world run takes
#: 0.1–1 s, so a million is days of computing, and more is nearly always a mistake in a
#: design's size (a grid's levels multiply). Range: ≥ 1.
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Factor:
    """One swept parameter: explicit ``levels``, or a ``[low, high]`` range."""

    name: str
    levels: tuple[float | int | bool | str, ...] = ()
    low: float = math.nan
    high: float = math.nan
    integer: bool = False

    @property
    def is_range(self) -> bool:
        """True for a continuous range (sampled by LHS, Sobol or Morris)."""
        return not self.levels


@dataclass(frozen=True)
class Run:
    """One run: a design point, a replication and that replication's seed."""

    run_id: int
    point: int
    replication: int
    seed: int


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep; ``points`` are override dicts applied on top of ``base``."""

    name: str
    file: str
    scenario: str
    model: str
    replications: int
    seed: int
    metrics: tuple[str, ...]
    base: Mapping[str, Any]
    factors: tuple[Factor, ...]
    design: str
    samples: int
    levels: int
    points: tuple[Mapping[str, Any], ...]
    labels: tuple[str, ...]
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def seeds(self) -> list[int]:
        """One 63-bit seed per replication, spawned from the root seed (shared by all points)."""
        root = np.random.SeedSequence(self.seed)
        return [
            int(child.generate_state(2, np.uint32).view(np.uint64)[0] >> np.uint64(1))
            for child in root.spawn(self.replications)
        ]

    def runs(self) -> Iterator[Run]:
        """Every run, replication-major: ``run_id`` is ``replication * len(points) + point``
        (so adding replications never renumbers the runs already stored)."""
        n_points = len(self.points)
        for r, s in enumerate(self.seeds()):
            for p in range(n_points):
                yield Run(r * n_points + p, p, r, s)

    @property
    def n_runs(self) -> int:
        """How many runs the sweep holds."""
        return len(self.points) * self.replications

    def overrides(self, point: int) -> dict[str, Any]:
        """Scenario overrides for a design point: the base, then the point's factor values."""
        return {**self.base, **self.points[point]}

    def fingerprint(self) -> str:
        """A hash of everything that decides the results (not the name or description)."""
        decisive = {
            "scenario": Path(self.scenario).name,  # a moved checkout still resumes its stores
            "scenario_text": _scenario_text(self.scenario) if self.model == "world" else "",
            "model": self.model,
            "seed": self.seed,
            # not the replications: replication r's runs keep their ids and seeds whatever
            # their number, so more replications extend a store (run_id is replication-major).
            # The stored columns follow the metrics: other metrics would be read wrongly.
            "run_ids": "replication-major",
            "metrics": list(self.metrics),
            "base": dict(self.base),
            "points": [dict(p) for p in self.points],
        }
        blob = json.dumps(decisive, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The resolved spec as plain data, for the manifest."""
        return {
            "name": self.name,
            "file": self.file,
            "description": self.description,
            "scenario": self.scenario,
            "model": self.model,
            "replications": self.replications,
            "seed": self.seed,
            "metrics": list(self.metrics),
            "base": dict(self.base),
            "design": self.design,
            "samples": self.samples,
            "levels": self.levels,
            "factors": [f.name for f in self.factors],
            "points": [dict(p) for p in self.points],
            "labels": list(self.labels),
        }


def _scenario_text(scenario: str) -> str:
    try:
        return Path(scenario).read_text(encoding="utf-8")
    except OSError:
        return ""


def load_sweep(path: str | Path, **changes: Any) -> SweepSpec:
    """Read and validate a sweep file; ``changes`` replace top-level keys (e.g. replications)."""
    path = shipped.find("sweep", path)
    data = read_toml(path)
    data.update({k: v for k, v in changes.items() if v is not None})
    return parse_sweep(data, path)


def parse_sweep(data: Mapping[str, Any], file: str | Path = "<sweep>") -> SweepSpec:
    """Validate a parsed sweep table and expand its design into points."""
    top = Fields(file, "", data)
    top.only(_SPEC_KEYS)
    name = check_name(file, "name", data.get("name", Path(str(file)).stem))  # a folder's name
    model = data.get("model", "world")
    if model not in MODELS:
        raise top.error("model", model, f"one of {list(MODELS)}")
    scenario = data.get("scenario", "default" if model == "world" else "")
    if not isinstance(scenario, str):
        raise top.error("scenario", scenario, "a scenario name or file")
    if model == "world":
        try:
            scenario = str(shipped.find("scenario", scenario))
        except ConfigError as exc:
            raise top.error("scenario", scenario, exc.allowed) from None
        if not Path(scenario).exists():
            raise top.error("scenario", scenario, "an existing scenario file")
    replications = top.integer("replications", 10, low=1, high=1_000_000)
    seed = top.integer("seed", 0, low=0, high=2**63 - 1)
    metrics = data.get("metrics", [])
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise top.error("metrics", metrics, "a list of metric names")
    known = _known_metrics(model)
    for m in metrics:
        if m not in known:
            raise top.error("metrics", m, f"one of {sorted(known)}")
    base = flatten_overrides(file, "base", data.get("base", {}))
    design_table = data.get("design", {})
    if isinstance(design_table, str):
        design_table = {"kind": design_table}
    d = Fields(file, "design", design_table)
    d.only(("kind", "samples", "levels", "seed"))
    kind = design_table.get("kind", "points" if "points" in data else "grid")
    if kind not in DESIGNS:
        raise d.error("kind", kind, f"one of {list(DESIGNS)}")
    samples = d.integer("samples", 16, low=1, high=10_000_000)
    levels = d.integer("levels", 4, low=2, high=1000)
    design_seed = d.integer("seed", seed, low=0, high=2**63 - 1)  # default: the root seed
    factors = _factors(file, data.get("factors", {}), kind)
    limits = Fields(file, "limits", data.get("limits", {}))
    limits.only(("points", "runs"))
    max_points = limits.integer("points", MAX_POINTS, low=1, high=10**12)
    max_runs = limits.integer("runs", MAX_RUNS, low=1, high=10**15)
    raw_points: Any = data.get("points")
    if kind == "points" and (not isinstance(raw_points, list) or not raw_points):
        raise top.error("points", raw_points, "a non-empty array of tables of overrides")
    n_points = design_size(kind, factors, samples, len(raw_points) if kind == "points" else 0)
    _check_size(file, kind, factors, samples, n_points, replications, (max_points, max_runs))
    points: list[dict[str, Any]]
    labels: list[str]
    if kind == "points":
        assert isinstance(raw_points, list)
        points, labels = [], []
        for i, p in enumerate(raw_points):
            table = dict(p) if isinstance(p, Mapping) else p
            label = table.pop("label", f"point {i}") if isinstance(table, dict) else ""
            points.append(flatten_overrides(file, f"points[{i}]", table))
            labels.append(str(label))
    else:
        if "points" in data:
            raise top.error("points", "...", f"only with design.kind = 'points', not {kind!r}")
        if not factors:
            raise top.error("factors", {}, "at least one factor (section.field = values)")
        points = _expand(file, kind, factors, samples, levels, design_seed)
        labels = [", ".join(f"{k}={_short(v)}" for k, v in p.items()) for p in points]
    for i, p in enumerate(points):
        for key in {**base, **p}:
            if model == "world" and "." not in key:
                raise ConfigError(file, f"points[{i}]", key, "section.field keys")
    spec = SweepSpec(
        name=name,
        file=str(file),
        scenario=scenario,
        model=model,
        replications=replications,
        seed=seed,
        metrics=tuple(metrics),
        base=base,
        factors=tuple(factors),
        design=kind,
        samples=samples,
        levels=levels,
        points=tuple(points),
        labels=tuple(labels),
        description=str(data.get("description", "")),
        raw=dict(data),
    )
    _check_points(spec)
    return spec


def design_size(kind: str, factors: Sequence[Factor], samples: int, listed: int = 0) -> int:
    """Design points of a design, computed from its parameters, without building any.

    A grid has the product of its factors' level counts; a Latin hypercube ``samples``;
    Sobol (Saltelli, first-order and total indices) ``samples × (D + 2)`` for D factors;
    Morris ``samples × (D + 1)`` (trajectories of D + 1 points); explicit points ``listed``.

    Examples:
        >>> f = [Factor("a", (1, 2, 3)), Factor("b", (0.0, 1.0))]
        >>> design_size("grid", f, 16), design_size("sobol", f, 16), design_size("morris", f, 4)
        (6, 64, 12)
    """
    if kind == "grid":
        return math.prod(len(f.levels) for f in factors)
    if kind == "lhs":
        return samples
    if kind == "sobol":
        return samples * (len(factors) + 2)
    if kind == "morris":
        return samples * (len(factors) + 1)
    return listed


def _check_size(
    file: str | Path,
    kind: str,
    factors: Sequence[Factor],
    samples: int,
    n_points: int,
    replications: int,
    caps: tuple[int, int],
) -> None:
    """Refuse a design above its caps, ``(points, runs)`` (:data:`MAX_POINTS` and
    :data:`MAX_RUNS`, or the file's ``[limits]``), before any point is built."""
    max_points, max_runs = caps
    if kind == "grid":
        how = " × ".join(str(len(f.levels)) for f in factors) + " levels"
    elif kind == "points":
        how = "listed"
    else:
        how = f"samples = {samples:,}, {len(factors)} factor{'s' * (len(factors) != 1)}"
    if n_points > max_points:
        raise ConfigError(
            file,
            "design" if kind != "points" else "points",
            f"{n_points:,} design points ({kind}: {how})",
            f"at most {max_points:,} design points (each is held in memory and written in the "
            "manifest; [limits] points = N in this file allows more)",
        )
    runs = n_points * replications
    if runs > max_runs:
        raise ConfigError(
            file,
            "replications",
            f"{runs:,} runs ({n_points:,} points × {replications:,} replications)",
            f"at most {max_runs:,} runs ([limits] runs = N in this file allows more)",
        )


def _known_metrics(model: str) -> set[str]:
    from negsim.experiments.models import metric_names

    return set(metric_names(model))


def _short(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def flatten_overrides(file: str | Path, where: str, table: object) -> dict[str, Any]:
    """Overrides as ``section.field`` keys, from dotted keys or TOML section tables."""
    f = Fields(file, where, table)
    out: dict[str, Any] = {}
    for key, value in f.table.items():
        if isinstance(value, Mapping):  # TOML [base.world] tables as well as "world.x" keys
            for sub, v in value.items():
                out[f"{key}.{sub}"] = check_finite(file, f"{f.name(key)}.{sub}", v)
        else:
            out[str(key)] = check_finite(file, f.name(str(key)), value)
    return out


def _factors(file: str | Path, table: object, kind: str) -> list[Factor]:
    f = Fields(file, "factors", table)
    out = []
    for key, value in f.table.items():
        where = f.name(key)
        if isinstance(value, list):
            if not value:
                raise ConfigError(file, where, value, "a non-empty list of values")
            for i, level in enumerate(value):
                check_finite(file, f"{where}[{i}]", level)
            if kind != "grid":
                raise ConfigError(
                    file, where, value, f"a range {{ low = …, high = … }} for design {kind!r}"
                )
            out.append(Factor(key, tuple(value)))
        elif isinstance(value, Mapping):
            g = Fields(file, where, value)
            g.only(("low", "high", "steps", "integer"))
            low, high = g.number("low"), g.number("high")
            if not low < high:
                raise g.error("high", high, f"a number above low = {low}")
            integer = value.get("integer", False)
            if not isinstance(integer, bool):
                raise g.error("integer", integer, "true or false")
            if integer and kind == "morris":
                # SALib reads Morris steps as exact; rounding to integers biases mu*
                raise g.error("integer", True, "false for a Morris design (use a grid)")
            if kind == "grid":
                steps = g.integer("steps", 5, low=2, high=100_000)
                grid = np.linspace(low, high, steps)
                levels = tuple(int(np.rint(x)) if integer else float(x) for x in grid)
                out.append(Factor(key, levels))
            else:
                out.append(Factor(key, (), float(low), float(high), integer))
        else:
            raise ConfigError(
                file, where, value, "a list of values or a table { low, high[, steps] }"
            )
    return out


def _expand(
    file: str | Path, kind: str, factors: Sequence[Factor], samples: int, levels: int, seed: int
) -> list[dict[str, Any]]:
    """Design points for grid, Latin hypercube, Sobol (Saltelli) and Morris designs."""
    if kind == "grid":
        names = [f.name for f in factors]
        return [dict(zip(names, combo, strict=True)) for combo in _product(factors)]
    unit: np.ndarray[Any, np.dtype[np.float64]]
    if kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
    else:
        problem = _problem(factors, unit_bounds=True)
        if kind == "sobol":
            from SALib.sample import sobol as sobol_sample

            if samples & (samples - 1):
                raise ConfigError(file, "design.samples", samples, "a power of two for Sobol")
            unit = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
        else:
            from SALib.sample import morris as morris_sample

            unit = morris_sample.sample(problem, samples, num_levels=levels, seed=seed)
    lows = np.array([f.low for f in factors])
    highs = np.array([f.high for f in factors])
    values = lows + unit * (highs - lows)
    points = []
    for row in values:
        point: dict[str, Any] = {}
        for f, x in zip(factors, row, strict=True):
            point[f.name] = int(np.rint(x)) if f.integer else float(x)
        points.append(point)
    return points


def _product(factors: Sequence[Factor]) -> Iterator[tuple[Any, ...]]:
    return itertools.product(*(f.levels for f in factors))


def _problem(factors: Sequence[Factor], unit_bounds: bool = False) -> dict[str, Any]:
    """A SALib problem over the range factors (on the unit cube if ``unit_bounds``)."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[0.0, 1.0] if unit_bounds else [f.low, f.high] for f in factors],
    }


def _check_points(spec: SweepSpec) -> None:
    """Check every distinct point once (the world: build its scenario), so a bad value fails
    before any run."""
    from negsim.experiments.models import check_noop
    from negsim.world.scenario import load_scenario

    seen: set[str] = set()
    for i in range(len(spec.points)):
        overrides = spec.overrides(i)
        try:
            if spec.model != "world":
                check_noop(spec.file, overrides)  # a few look-ups: no need to skip repeats
                continue
            key = json.dumps(overrides, sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            load_scenario(spec.scenario, overrides)
        except ConfigError as exc:
            label = clip(spec.labels[i] or f"point {i}", LABEL_WIDTH)
            raise ConfigError(spec.file, f"{label} → {exc.field}", exc.value, exc.allowed) from None
