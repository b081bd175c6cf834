"""Claims: a statement about negotiation turned into an experiment and a verdict.

A claim file (``experiments/claims/*.toml``) names a scenario, the **unit** the statement is
about, a metric that counts every unit (intention to treat), the direction the essay
predicts, the smallest effect worth the name, the replications, three root seeds, the
**mechanism** the claim rests on and a **placebo** (scenario overrides that remove it).

Two designs, by unit:

* ``unit = "world"`` (communication, trust policy, …): control and treatment worlds
  (``[control]``, ``[treatment]`` overrides) run with the same replication seeds (common
  random numbers); each replication's effect is ``treatment − control`` of the metric.
* ``unit = "organisation"``, ``"alliance"`` or ``"exit"``: the comparison is made inside each
  world, and the metric is that within-world gap (for example ``arm_value_gap``: treated
  minus control organisations' present value). With ``[assign]`` the organisations are
  **randomised** to the two values of one trait by the world's seed; without it the arms are
  observed (alliances with balanced or unbalanced splits, graceful or messy exits). Each
  replication's effect is the metric of one world (``[treatment]``: the world as tested).

The **placebo** runs the same design with the ``[placebo]`` overrides on top (for world
claims, on both arms). A claim may also sweep one parameter on top of the control (world
claims) or the tested world (within-world claims), to show where the effect appears.

The verdict, with ``d`` each replication's effect signed so that the predicted direction is
positive, ``effect = mean(d)`` and ``[lo, hi]`` its 95% bootstrap confidence interval (BCa,
:func:`scipy.stats.bootstrap`), first per root seed:

* ``supported`` — ``lo > 0``, ``effect ≥ min_effect`` and ``p < 0.05``: the effect is there,
  in the predicted direction, and large enough to matter;
* ``refuted`` — ``hi < min_effect``: the effect is confidently smaller than the minimum
  (absent, negligible or reversed);
* ``inconclusive`` — anything else, and always with fewer than ``MIN_N`` (10) replications.

Then for the claim: the verdict the root seeds agree on, ``inconclusive`` if they disagree or
the placebo cannot tell; and ``confounded`` whatever they say if the placebo shows an effect of
its own: its 95% CI (all seeds pooled) excludes 0 and does not lie wholly below the claim's
minimum effect — the treatment moves the metric without the mechanism the claim rests on. (A
placebo effect confidently smaller than the minimum effect is reported as ``negligible``: in a
world of many coupled mechanisms some side road nearly always exists, and enough replications
find it.) The effect, CI and
p-value reported for the claim pool the replications of every root seed.

The p-value is a two-sided sign-flip permutation test of ``mean(d) = 0``
(:func:`scipy.stats.permutation_test`). The minimum detectable effect (80% power, two-sided
α = 0.05, a t-test on ``d``) is computed with the noncentral t distribution
(:func:`mde`), at the replications per root seed.

Examples:
    >>> verdict(0.05, (0.02, 0.08), 0.01)
    'supported'
    >>> verdict(0.001, (-0.004, 0.006), 0.02)
    'refuted'
    >>> verdict(0.03, (-0.01, 0.07), 0.02)
    'inconclusive'
    >>> combined(["supported", "supported", "supported"], "no effect")
    'supported'
    >>> combined(["supported", "inconclusive", "supported"], "no effect")
    'inconclusive'
    >>> combined(["refuted", "refuted", "refuted"], "effect")
    'confounded'
    >>> combined(["supported", "supported", "supported"], "inconclusive")
    'inconclusive'
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import negsim.shipped as shipped
from negsim.config import ConfigError, Fields, check_finite, check_name, read_toml
from negsim.display import readable

DIRECTIONS = ("increase", "decrease")
VERDICTS = ("supported", "refuted", "inconclusive", "confounded")
#: What a claim is about: worlds (paired control and treatment worlds) or the organisations,
#: alliances or exits compared inside each world.
UNITS = ("world", "organisation", "alliance", "exit")
#: Root seeds a claim runs when its file gives one ``seed`` (that seed and the next two).
N_ROOT_SEEDS = 3
#: Power and level of the minimum detectable effect.
POWER, ALPHA = 0.8, 0.05
_KEYS = (
    "name",
    "statement",
    "essay",
    "scenario",
    "unit",
    "metric",
    "show",
    "direction",
    "min_effect",
    "replications",
    "seed",
    "seeds",
    "mechanism",
    "assign",
    "control",
    "treatment",
    "placebo",
    "sweep",
    "notes",
    "limits",
)


@dataclass(frozen=True)
class Claim:
    """A validated claim file."""

    name: str
    file: str
    statement: str
    scenario: str
    unit: str
    metric: str
    direction: str
    min_effect: float
    replications: int
    seeds: tuple[int, ...]
    mechanism: str
    control: Mapping[str, Any]
    treatment: Mapping[str, Any]
    placebo: Mapping[str, Any]
    assign: Mapping[str, Any] = field(default_factory=dict)
    show: tuple[str, ...] = ()
    sweep_parameter: str = ""
    sweep_values: tuple[Any, ...] = ()
    essay: str = ""
    notes: str = ""
    limits: Mapping[str, Any] = field(default_factory=dict)
    shipped: bool = field(default=False, compare=False)

    @property
    def sign(self) -> float:
        """+1 when the claim predicts an increase, −1 for a decrease."""
        return 1.0 if self.direction == "increase" else -1.0

    @property
    def paired(self) -> bool:
        """Control and treatment worlds (unit ``world``), not a comparison inside each world."""
        return self.unit == "world"

    @property
    def design(self) -> str:
        """The design in words, for the report."""
        if self.paired:
            return "control and treatment worlds paired by seed"
        if self.assign:
            a = self.assign
            return (
                f"{self.unit}s randomised within each world: a share {a['share']:g} get "
                f"{a['parameter']} = {a['treatment']:g}, the rest {a['control']:g}"
            )
        return f"{self.unit}s compared within each world (observed, not randomised)"

    def arms(self) -> dict[str, dict[str, Any]]:
        """Scenario overrides of each arm the claim runs in every root seed, by label."""
        assign = {f"assign.{k}": v for k, v in self.assign.items()}
        if self.paired:
            return {
                "control": {**self.control},
                "treatment": {**self.treatment},
                "placebo control": {**self.control, **self.placebo},
                "placebo treatment": {**self.treatment, **self.placebo},
            }
        tested = {**assign, **self.treatment}
        return {"treatment": tested, "placebo treatment": {**tested, **self.placebo}}

    def manipulated(self) -> set[str]:
        """The fields that make the comparison (``--set`` may not touch them): the arms'
        overrides, the ``[assign]`` table and the trait it assigns. (The placebo and the sweep
        override their own fields in their own runs, whatever ``--set`` says.)"""
        keys = set(self.control) | set(self.treatment)
        keys |= {f"assign.{k}" for k in ("parameter", "control", "treatment", "share")}
        if self.assign:
            trait = self.assign["parameter"]
            keys |= {f"organisations.{trait}", f"organisations.{trait}_spread"}
        return keys


def load_claim(path: str | Path) -> Claim:
    """Read and validate a claim file."""
    data = read_toml(path)
    f = Fields(path, "", data)
    f.only(_KEYS)
    for key in ("statement", "scenario", "metric", "mechanism"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise f.error(key, data.get(key, None), "a non-empty string")
    from negsim.experiments.models import metric_names

    known = metric_names("world")
    if data["metric"] not in known:
        raise f.error("metric", data["metric"], f"a run metric: {', '.join(known)}")
    show = data.get("show", [])
    if not isinstance(show, list):
        raise f.error("show", show, "a list of run metrics (docs/outputs.md#run-metrics)")
    for i, m in enumerate(show):
        if m not in known:
            raise f.error(f"show[{i}]", m, "a run metric (docs/outputs.md#run-metrics)")
    unit = f.choice("unit", UNITS)
    direction = f.choice("direction", DIRECTIONS)
    min_effect = f.number("min_effect", low=0.0)
    replications = f.integer("replications", 30, low=2, high=100_000)
    seeds = _seeds(path, f, data)
    control = _table(path, "control", data.get("control", {}))
    treatment = _table(path, "treatment", data.get("treatment", {}))
    placebo = _table(path, "placebo", data.get("placebo", {}))
    if not placebo:
        raise f.error("placebo", data.get("placebo"), "overrides that remove the mechanism")
    if any(key.startswith("assign.") for key in placebo):
        raise f.error("placebo", placebo, "overrides that leave the [assign] randomisation alone")
    assign = _assign(path, data["assign"]) if "assign" in data else {}
    if unit == "world":
        if control == treatment:
            raise f.error("treatment", treatment, "overrides that differ from the control")
        if {**control, **placebo} == {**treatment, **placebo}:
            raise f.error("placebo", placebo, "overrides that leave the two arms different")
        if assign:
            raise f.error("assign", data["assign"], "no [assign] in a claim about worlds")
    elif control:
        raise f.error(
            "control", control, f"no [control] in a claim about {unit}s (compared in one world)"
        )
    elif unit != "organisation" and assign:
        raise f.error("assign", data["assign"], "[assign] only in a claim about organisations")
    param = ""
    values: tuple[Any, ...] = ()
    if "sweep" in data:
        s = Fields(path, "sweep", data["sweep"])
        s.only(("parameter", "values"))
        param = data["sweep"].get("parameter")
        if not isinstance(param, str) or "." not in param:
            raise s.error("parameter", param, "a section.field name")
        raw = data["sweep"].get("values")
        if not isinstance(raw, list) or len(raw) < 2:
            raise s.error("values", raw, "a list of at least two values")
        values = tuple(check_finite(path, f"sweep.values[{i}]", v) for i, v in enumerate(raw))
    name = check_name(path, "name", data.get("name", Path(path).stem))  # a folder's name
    return Claim(
        name=name,
        file=str(path),
        statement=data["statement"],
        scenario=data["scenario"],
        unit=unit,
        metric=data["metric"],
        direction=direction,
        min_effect=min_effect,
        replications=replications,
        seeds=seeds,
        mechanism=data["mechanism"],
        control=control,
        treatment=treatment,
        placebo=placebo,
        assign=assign,
        show=tuple(m for m in show if m != data["metric"]),
        sweep_parameter=param,
        sweep_values=values,
        essay=str(data.get("essay", "")),
        notes=str(data.get("notes", "")),
        limits=Fields(path, "limits", data.get("limits", {})).table,  # checked as a sweep's
        shipped=shipped.is_shipped(path, "claim"),
    )


def _seeds(path: str | Path, f: Fields, data: Mapping[str, Any]) -> tuple[int, ...]:
    """``seeds = [a, b, c]`` (distinct), or ``seed = a`` for a, a + 1, a + 2."""
    if "seeds" in data and "seed" in data:
        raise f.error("seed", data["seed"], "either seed or seeds, not both")
    if "seeds" not in data:
        first = f.integer("seed", 0, low=0, high=2**63 - 1 - N_ROOT_SEEDS)
        return tuple(first + i for i in range(N_ROOT_SEEDS))
    raw = data["seeds"]
    ok = isinstance(raw, list) and 1 <= len(raw) <= 10 and len(set(map(str, raw))) == len(raw)
    if not ok or not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63 for s in raw
    ):
        raise f.error("seeds", raw, "a list of 1 to 10 distinct integer root seeds >= 0")
    return tuple(int(s) for s in raw)


def _assign(path: str | Path, table: object) -> dict[str, Any]:
    """The ``[assign]`` table: an organisation trait and its control and treatment values."""
    from negsim.world.scenario import ASSIGNABLE

    a = Fields(path, "assign", table)
    a.only(("parameter", "control", "treatment", "share"))
    param = a.table.get("parameter")
    if param not in ASSIGNABLE:
        raise a.error("parameter", param, f"one of {list(ASSIGNABLE)}")
    out = {
        "parameter": param,
        "control": a.number("control", low=0.0, high=1.0),
        "treatment": a.number("treatment", low=0.0, high=1.0),
        "share": a.number("share", 0.5, low=0.0, high=1.0),
    }
    if out["control"] == out["treatment"]:
        raise a.error("treatment", out["treatment"], "a value other than the control's")
    if not 0.0 < out["share"] < 1.0:
        raise a.error("share", out["share"], "a share strictly between 0 and 1")
    return out


def _table(file: str | Path, where: str, table: object) -> dict[str, Any]:
    """Control, treatment or placebo overrides (``section.field`` keys or section tables)."""
    from negsim.experiments.sweep import flatten_overrides

    out = flatten_overrides(file, where, table)
    for key, value in out.items():
        if "." not in key:
            raise ConfigError(file, f"{where}.{key}", value, "section.field = value")
    return out


def check_settings(claim: Claim, settings: Mapping[str, Any]) -> None:
    """A ConfigError for ``--set`` overrides the claim's world refuses, or that touch what
    makes the claim's comparison (:meth:`Claim.manipulated`)."""
    from negsim.world.scenario import load_scenario

    load_scenario(claim.scenario, settings)  # a bad field or value: named as an override
    for key, value in settings.items():
        if key in claim.manipulated():
            raise ConfigError(
                "--set",
                key,
                value,
                f"a field the claim does not set itself (it sets {sorted(claim.manipulated())})",
            )


def sweep_data(
    claim: Claim,
    replications: int | None,
    seed: int,
    settings: Mapping[str, Any] | None = None,
    sweep: bool = False,
) -> dict[str, Any]:
    """One root seed of the claim as a sweep of explicit design points, all on top of the
    ``--set`` ``settings``: its arms, or (``sweep``) the ``[sweep]`` values on top of the
    control (world claims) or the world as tested."""
    base = dict(settings or {})
    arms = claim.arms()
    if sweep:
        origin = arms["control"] if claim.paired else arms["treatment"]
        points = [
            {"label": f"{claim.sweep_parameter}={v}", **base, **origin, claim.sweep_parameter: v}
            for v in claim.sweep_values
        ]
        if claim.paired:  # each value is compared with the control in the same store
            points.insert(0, {"label": "control", **base, **origin})
    else:
        points = [{"label": k, **base, **v} for k, v in arms.items()]
    return {
        "name": f"{claim.name}-sweep" if sweep else claim.name,
        "description": claim.statement,
        "scenario": claim.scenario,
        "replications": replications or claim.replications,
        "seed": seed,
        "metrics": list(dict.fromkeys([claim.metric, *claim.show])),
        "design": {"kind": "points"},
        "points": points,
        **({"limits": dict(claim.limits)} if claim.limits else {}),
    }


#: Fewer replications than this give no verdict: a bootstrap of a handful of effects is
#: little more than their range.
MIN_N = 10


def verdict(
    effect: float,
    ci: tuple[float, float],
    min_effect: float,
    n: int = MIN_N,
    p_value: float = 0.0,
) -> str:
    """Supported, refuted or inconclusive, for an effect signed in the predicted direction."""
    lo, hi = ci
    if math.isnan(effect) or math.isnan(lo) or math.isnan(hi) or n < MIN_N:
        return "inconclusive"
    if lo > 0 and effect >= min_effect and p_value < 0.05:
        return "supported"
    if hi < min_effect:
        return "refuted"
    return "inconclusive"


def placebo_verdict(ci: tuple[float, float], n: int, min_effect: float) -> str:
    """What the placebo shows: ``no effect`` if its 95% CI holds 0; ``negligible`` if the CI
    excludes 0 but lies wholly closer to 0 than the claim's minimum effect (real, and
    confidently smaller than the smallest effect the claim counts); ``effect`` otherwise;
    ``inconclusive`` with fewer than ``MIN_N`` replications or no CI.

    >>> placebo_verdict((0.1, 0.5), 30, 0.1)
    'effect'
    >>> placebo_verdict((-0.03, -0.01), 30, 0.1)
    'negligible'
    >>> placebo_verdict((0.02, 0.15), 30, 0.1)   # it may reach the minimum: an effect
    'effect'
    >>> placebo_verdict((-0.1, 0.2), 30, 0.1)
    'no effect'
    """
    lo, hi = ci
    if n < MIN_N or math.isnan(lo) or math.isnan(hi):
        return "inconclusive"
    if lo <= 0 <= hi:
        return "no effect"
    return "negligible" if max(abs(lo), abs(hi)) < min_effect else "effect"


def combined(per_seed: Sequence[str], placebo: str) -> str:
    """The claim's verdict: ``confounded`` if the placebo shows an effect; ``inconclusive`` if
    the placebo could not tell or the root seeds disagree; else the seeds' verdict."""
    if placebo == "effect":
        return "confounded"
    if placebo == "inconclusive":
        return "inconclusive"
    if per_seed and all(v == per_seed[0] for v in per_seed):
        return per_seed[0]
    return "inconclusive"


def paired_stats(
    diffs: np.ndarray[Any, np.dtype[np.float64]], seed: int, resamples: int = 9999
) -> tuple[float, tuple[float, float], float]:
    """Mean paired difference, its 95% BCa bootstrap CI and a sign-flip permutation p-value."""
    from scipy import stats

    d = diffs[np.isfinite(diffs)]
    if len(d) < 2:
        return math.nan, (math.nan, math.nan), math.nan
    effect = float(d.mean())
    if np.all(d == d[0]):
        return effect, (effect, effect), (1.0 if effect == 0 else 0.0)
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        # tiny or lumpy samples make BCa warn (and return NaN); the percentile fallback covers it
        warnings.simplefilter("ignore", category=stats.DegenerateDataWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return _bootstrap_and_test(d, effect, resamples, rng)


def _bootstrap_and_test(
    d: np.ndarray[Any, np.dtype[np.float64]],
    effect: float,
    resamples: int,
    rng: np.random.Generator,
) -> tuple[float, tuple[float, float], float]:
    from scipy import stats

    boot = stats.bootstrap(
        (d,), np.mean, confidence_level=0.95, n_resamples=resamples, method="BCa", rng=rng
    )
    lo, hi = float(boot.confidence_interval.low), float(boot.confidence_interval.high)
    if not (math.isfinite(lo) and math.isfinite(hi)):  # BCa can fail on odd samples
        boot = stats.bootstrap((d,), np.mean, n_resamples=resamples, method="percentile", rng=rng)
        lo, hi = float(boot.confidence_interval.low), float(boot.confidence_interval.high)
    perm = stats.permutation_test(
        (d,),
        np.mean,
        permutation_type="samples",
        n_resamples=resamples,
        alternative="two-sided",
        rng=rng,
    )
    return effect, (lo, hi), float(perm.pvalue)


def power(effect: float, sd: float, n: int) -> float:
    """Power of a two-sided one-sample t-test at level :data:`ALPHA` to detect a mean of
    ``effect`` among ``n`` replications with standard deviation ``sd``.

    >>> round(power(0.5, 1.0, 34), 2)   # Cohen's d = 0.5 needs 34 pairs for 80%
    0.81
    """
    from scipy import stats

    if n < 2 or not sd > 0:
        return math.nan
    df = n - 1
    t = float(stats.t.ppf(1 - ALPHA / 2, df))
    nc = abs(effect) / sd * math.sqrt(n)
    upper, lower = float(stats.nct.sf(t, df, nc)), float(stats.nct.cdf(-t, df, nc))
    if not math.isfinite(upper):  # scipy's nct loses its way far out: the normal limit there
        upper = float(stats.norm.sf(t - nc))
    if not math.isfinite(lower):
        lower = float(stats.norm.cdf(-t - nc))
    return upper + lower


def mde(sd: float, n: int) -> float:
    """The smallest effect detected with :data:`POWER` among ``n`` replications of standard
    deviation ``sd`` (NaN if it cannot be computed).

    >>> round(mde(1.0, 34), 2)   # the same 34 pairs detect d = 0.5 with 80% power
    0.5
    """
    from scipy.optimize import brentq

    if n < 2 or not sd > 0:
        return math.nan
    hi = 60.0 * sd / math.sqrt(n)  # a noncentrality of 60: enough power for any n >= 2
    try:
        return float(brentq(lambda e: power(e, sd, n) - POWER, 1e-9 * hi, hi))
    except ValueError:  # no root in the bracket (the t distribution's tails at n = 2)
        return math.nan


def replications_for_power(effect: float, sd: float, cap: int = 1_000_000) -> int | None:
    """Replications per root seed that detect ``effect`` with :data:`POWER` (None above
    ``cap`` or without a spread).

    >>> replications_for_power(0.5, 1.0)
    34
    """
    if not sd > 0 or not effect > 0:
        return None
    hi = 2
    while power(effect, sd, hi) < POWER:
        if hi >= cap:
            return None
        hi *= 2
    lo = max(2, hi // 2)
    while lo < hi:  # the least n with enough power
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if power(effect, sd, mid) < POWER else (lo, mid)
    return lo


def supported_at(min_effect: float, sd: float, n: int, seeds: int) -> float:
    """The smallest true effect that every one of ``seeds`` root seeds calls ``supported``
    with probability :data:`POWER`, at ``n`` replications each (normal approximation).

    A seed calls it supported when its mean reaches both ``min_effect`` and the CI's need to
    clear 0 (about ``t·se``), so each seed needs probability ``POWER ** (1 / seeds)``:
    ``max(min_effect, t·se) + z·se``. Larger than the MDE, which asks only that the CI clear 0.

    >>> round(supported_at(0.1, 1.0, 100, 3), 3)   # 0.198 for the CI, 0.146 for the odds
    0.345
    """
    from scipy import stats

    if n < 2 or not sd > 0 or seeds < 1:
        return math.nan
    se = sd / math.sqrt(n)
    t = float(stats.t.ppf(1 - ALPHA / 2, n - 1))
    z = float(stats.norm.ppf(POWER ** (1.0 / seeds)))
    return max(min_effect, t * se) + z * se


@dataclass
class SeedResult:
    """One root seed's replications: its effect, CI, p-value, n and verdict."""

    seed: int
    effect: float
    ci: tuple[float, float]
    p_value: float
    n: int
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "effect": _num(self.effect),
            "ci": [_num(self.ci[0]), _num(self.ci[1])],
            "p_value": _num(self.p_value),
            "n": self.n,
            "verdict": self.verdict,
        }


@dataclass
class ClaimResult:
    """A claim's verdict and everything behind it.

    Attributes:
        claim: the validated claim file.
        verdict: ``supported``, ``refuted``, ``inconclusive`` or ``confounded`` (the rule in
            the module doc).
        effect: mean effect over the replications of every root seed (``treatment − control``
            for a world claim, the within-world metric otherwise; not signed by the predicted
            direction; NaN without replications).
        ci: its 95% BCa bootstrap confidence interval ``(low, high)``.
        p_value: two-sided sign-flip permutation p-value of ``effect = 0``.
        n: replications behind ``effect`` (all root seeds).
        seeds: one :class:`SeedResult` per root seed.
        placebo: the placebo's ``effect``, ``ci``, ``p_value``, ``n``, ``verdict`` (``effect``,
            ``negligible``, ``no effect`` or ``inconclusive``: :func:`placebo_verdict`) and
            ``overrides``.
        mde: ``effect`` (the minimum detectable effect at ``replications`` per root seed: 80%
            power for a CI that excludes 0), ``replications``, ``sd`` (of the replications'
            effects), ``replications_for_min_effect`` (per root seed, for that power at
            ``min_effect``) and ``supported_at`` (the smallest true effect every root seed
            calls supported with 80% probability: :func:`supported_at`).
        control_mean: the metric's mean in the control arm (NaN for within-world claims).
        treatment_mean: the metric's mean in the treatment arm.
        shown: beside the verdict, each ``show`` metric's mean in the control and treatment
            arms (the tested world's only, for a within-world claim; conditioned on agreement
            where the metric is: never the verdict).
        failed_runs: runs that raised (stored with their error, left out).
        undefined: replications left out because the metric is undefined (NaN) in them.
        curve: the ``[sweep]`` points (first root seed, a store of its own, ``sweep-SEED``):
            ``value``, ``mean``, ``effect``
            (paired against the control for world claims; the metric itself otherwise),
            ``lo``, ``hi``, ``n``; empty without a sweep.
        pairs: one row per replication of the first root seed: ``control`` (world claims),
            ``treatment`` and ``effect``.
        settings: the ``--set`` overrides the claim ran with.
        folder: the results folder (a store per root seed, ``seed-N``, and one for the sweep,
            ``claim.png``, ``report.md``, ``verdict.json``).
        command: the exact command line that reproduces these numbers.
        plot: the figure (``claim.png``).
        report: the Markdown report (``report.md``).
    """

    claim: Claim
    verdict: str
    effect: float
    ci: tuple[float, float]
    p_value: float
    n: int
    seeds: list[SeedResult]
    placebo: dict[str, Any]
    mde: dict[str, Any]
    control_mean: float
    treatment_mean: float
    shown: dict[str, dict[str, float]]
    failed_runs: int
    undefined: int
    curve: list[dict[str, float]]
    pairs: pd.DataFrame
    settings: dict[str, Any]
    folder: Path
    command: str
    plot: Path
    report: Path

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` contract."""
        p = self.placebo
        return {
            "claim": self.claim.name,
            "verdict": self.verdict,
            "effect": _num(self.effect),
            "ci": [_num(self.ci[0]), _num(self.ci[1])],
            "p_value": _num(self.p_value),
            "n": self.n,
            "metric": self.claim.metric,
            "unit": self.claim.unit,
            "design": self.claim.design,
            "placebo": {
                "effect": _num(p["effect"]),
                "ci": [_num(p["ci"][0]), _num(p["ci"][1])],
                "p_value": _num(p["p_value"]),
                "n": p["n"],
                "verdict": p["verdict"],
                "overrides": dict(self.claim.placebo),
            },
            "seeds": [s.to_json() for s in self.seeds],
            "mde": {k: (_num(v) if isinstance(v, float) else v) for k, v in self.mde.items()},
            "settings": dict(self.settings),
            "command": self.command,
            "report": str(self.report),
        }


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _effects(claim: Claim, wide: pd.DataFrame, prefix: str = "") -> pd.Series:
    """Each replication's effect: treatment − control (world claims) or the metric."""
    empty = pd.Series(dtype=float)
    treatment = wide.get(f"{prefix}treatment", empty)
    if not claim.paired:
        return treatment
    return treatment - wide.get(f"{prefix}control", empty)


def _stats(d: np.ndarray[Any, np.dtype[np.float64]], seed: int) -> dict[str, Any]:
    effect, ci, p = paired_stats(d, seed)
    return {"effect": effect, "ci": ci, "p_value": p, "n": int(np.isfinite(d).sum())}


def _signed(claim: Claim, s: Mapping[str, Any]) -> str:
    lo, hi = s["ci"]
    signed_ci = (lo, hi) if claim.sign > 0 else (-hi, -lo)
    return verdict(claim.sign * s["effect"], signed_ci, claim.min_effect, s["n"], s["p_value"])


def evaluate(
    claim: Claim, frames: Mapping[int, pd.DataFrame], sweep: pd.DataFrame | None = None
) -> dict[str, Any]:
    """A claim's statistics from its stored runs: one frame per root seed (in order) and the
    sweep's frame, if it has one."""
    metric = claim.metric
    seeds: list[SeedResult] = []
    effects, placebos, oks = [], [], []
    failed = 0
    first = next(iter(frames))
    wide0 = pd.DataFrame()
    for seed, frame in frames.items():
        failed += int((frame["status"] != "ok").sum())
        ok = frame[frame["status"] == "ok"]
        wide = _wide(ok, metric)
        if seed == first:
            wide0 = wide
        oks.append(ok)
        d = _effects(claim, wide).to_numpy(dtype=float)
        effects.append(d)
        placebos.append(_effects(claim, wide, "placebo ").to_numpy(dtype=float))
        s = _stats(d, seed)
        seeds.append(SeedResult(seed=seed, verdict=_signed(claim, s), **s))
    pooled = np.concatenate(effects)
    overall = _stats(pooled, first)
    placebo = _stats(np.concatenate(placebos), first)
    placebo["verdict"] = placebo_verdict(placebo["ci"], placebo["n"], claim.min_effect)
    finite = pooled[np.isfinite(pooled)]
    sd = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
    per_seed = max((s.n for s in seeds), default=0)
    need = replications_for_power(claim.min_effect, sd) if claim.min_effect > 0 else None
    arms = ("control", "treatment") if claim.paired else ("treatment",)
    pairs = pd.DataFrame(
        {
            **{arm: wide0.get(arm, pd.Series(dtype=float)) for arm in arms},
            "effect": _effects(claim, wide0),
        }
    ).rename_axis("replication")
    all_ok = pd.concat(oks)
    if sweep is not None:
        failed += int((sweep["status"] != "ok").sum())
    return {
        "verdict": combined([s.verdict for s in seeds], placebo["verdict"]),
        **overall,
        "seeds": seeds,
        "placebo": {**placebo, "overrides": dict(claim.placebo)},
        "mde": {
            "effect": mde(sd, per_seed),
            "replications": per_seed,
            "sd": sd,
            "replications_for_min_effect": need,
            "supported_at": supported_at(claim.min_effect, sd, per_seed, len(seeds)),
        },
        "control_mean": _mean(all_ok, "control", metric) if claim.paired else math.nan,
        "treatment_mean": _mean(all_ok, "treatment", metric),
        "shown": {m: {arm: _mean(all_ok, arm, m) for arm in arms} for m in claim.show},
        "failed_runs": failed,
        "curve": [] if sweep is None else _curve(claim, sweep, first),
        "pairs": pairs,
        "effects": pooled,
        "undefined": int((~np.isfinite(pooled)).sum()),
    }


def _wide(ok: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per replication, one column per label."""
    return ok.pivot_table(
        index="replication", columns="label", values=metric, aggfunc="first", dropna=False
    )


def _mean(ok: pd.DataFrame, label: str, metric: str) -> float:
    if metric not in ok.columns:
        return math.nan
    x = ok.loc[ok["label"] == label, metric].to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _curve(claim: Claim, frame: pd.DataFrame, seed: int) -> list[dict[str, float]]:
    """The sweep: the metric at each value, and its effect (against the control, paired, for
    world claims; the within-world metric itself otherwise)."""
    wide = _wide(frame[frame["status"] == "ok"], claim.metric)
    control = wide.get("control", pd.Series(dtype=float))
    curve = []
    for value in claim.sweep_values:
        col = wide.get(f"{claim.sweep_parameter}={value}")
        if col is None:
            continue
        d = (col - control if claim.paired else col).to_numpy(dtype=float)
        e, (lo, hi), _ = paired_stats(d, seed, resamples=1999)
        values = col.to_numpy(dtype=float)
        curve.append(
            {
                "value": float(value),
                "mean": float(np.nanmean(values)) if np.isfinite(values).any() else math.nan,
                "effect": e,
                "lo": lo,
                "hi": hi,
                "n": int(np.isfinite(d).sum()),
            }
        )
    return curve


def command_line(
    claim: Claim,
    replications: int,
    seeds: Sequence[int],
    out: str | Path | None,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """The exact command that reproduces a claim's numbers."""
    target = claim.name if claim.shipped else claim.file
    parts = ["negsim", "claim", target, "--replications", str(replications)]
    for s in seeds:
        parts += ["--seed", str(s)]
    for key, value in (settings or {}).items():
        parts += ["--set", f"{key}={_toml(value)}"]
    if out is not None:
        parts += ["--out", str(out)]
    return shlex.join(parts)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def default_folder(claim: Claim, settings: Mapping[str, Any]) -> Path:
    """``results/claims/NAME``, or ``results/claims/NAME--KEY=VALUE…`` in a modified world."""
    folder = Path("results") / "claims"
    if not settings:
        return folder / claim.name
    text = "--".join(f"{k}={_toml(v)}" for k, v in sorted(settings.items()))
    slug = re.sub(r"[^A-Za-z0-9._=+-]", "_", text)
    if slug != text or len(slug) > 80:  # characters replaced or cut: a hash keeps it unique
        slug = slug[:60] + "-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return folder / f"{claim.name}--{slug}"


def run_claim(
    target: str,
    *,
    replications: int | None = None,
    seeds: Sequence[int] | None = None,
    settings: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> ClaimResult:
    """Test a claim: run its arms and its placebo in every root seed (resuming their stores),
    then write its plot, report and ``verdict.json``.

    Args:
        target: a shipped claim's name (``negsim claims``) or a claim file.
        replications: replications per root seed (default: the claim's); more than the folder
            holds extend it, reusing the stored runs.
        seeds: the root seeds (default: the claim's three).
        settings: ``section.field`` overrides of the world, applied to every arm, the placebo
            and the sweep (``--set``); the fields the claim sets itself are refused.
        out: the results folder (default ``results/claims/<name>``, or
            ``results/claims/<name>--<settings>`` with ``settings``).
        executor: ``"inprocess"``, ``"local"`` (a process pool) or ``"dask"``.
        workers: worker processes (default: all cores).
        scheduler: a running Dask scheduler's address, for ``executor="dask"``.
        progress: show a progress bar on stderr.

    Returns:
        The :class:`ClaimResult`.
    """
    from negsim.experiments.runner import run_sweep
    from negsim.experiments.sweep import parse_sweep

    claim = load_claim(shipped.find("claim", target))
    settings = dict(settings or {})
    check_settings(claim, settings)
    roots = tuple(seeds) if seeds else claim.seeds
    if len(set(roots)) != len(roots):
        raise ConfigError("--seed", "--seed", list(roots), "distinct root seeds")
    folder = Path(out) if out is not None else default_folder(claim, settings)
    stores = [  # every store's spec is checked before any run
        (
            folder / f"seed-{s}",
            parse_sweep(sweep_data(claim, replications, s, settings), claim.file),
        )
        for s in roots
    ]
    if claim.sweep_values:  # the sweep runs in the first root seed, in a store of its own
        data = sweep_data(claim, replications, roots[0], settings, sweep=True)
        stores.append((folder / f"sweep-{roots[0]}", parse_sweep(data, claim.file)))
    frames: dict[int, pd.DataFrame] = {}
    sweep: pd.DataFrame | None = None
    for path, spec in stores:
        result = run_sweep(
            spec,
            path,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
        if path.name.startswith("sweep-"):
            sweep = result.frame()
        else:
            frames[spec.seed] = result.frame()
    stats = evaluate(claim, frames, sweep)
    n_reps = stores[0][1].replications
    command = command_line(claim, n_reps, roots, out, settings)
    plot = folder / "claim.png"
    report = folder / "report.md"
    res = ClaimResult(
        claim=claim,
        verdict=stats["verdict"],
        effect=stats["effect"],
        ci=stats["ci"],
        p_value=stats["p_value"],
        n=stats["n"],
        seeds=stats["seeds"],
        placebo=stats["placebo"],
        mde=stats["mde"],
        control_mean=stats["control_mean"],
        treatment_mean=stats["treatment_mean"],
        shown=stats["shown"],
        failed_runs=stats["failed_runs"],
        undefined=stats["undefined"],
        curve=stats["curve"],
        pairs=stats["pairs"],
        settings=settings,
        folder=folder,
        command=command,
        plot=plot,
        report=report,
    )
    from negsim.experiments.folders import writing
    from negsim.experiments.plots import claim_plot
    from negsim.experiments.store import write_atomic

    with writing(folder, "the runs are kept"):
        claim_plot(claim, stats, plot)
        write_atomic(report, render_report(res).encode())
        write_atomic(folder / "verdict.json", (json.dumps(res.to_json(), indent=2) + "\n").encode())
    return res


def _ci(ci: tuple[float, float]) -> str:
    return f"{readable(ci[0])} to {readable(ci[1])}"


def render_report(res: ClaimResult) -> str:
    """A short markdown report of a claim."""
    c = res.claim
    p, m = res.placebo, res.mde
    need = m["replications_for_min_effect"]
    lines = [
        f"# Claim: {c.name}",
        "",
        f"> {c.statement}",
        "",
        f"**Verdict: {res.verdict}** — effect {readable(res.effect)} "
        f"(95% CI {_ci(res.ci)}), p = {readable(res.p_value)}, "
        f"n = {res.n} replications over {len(res.seeds)} root seeds"
        + (
            f" ({res.undefined} more left out: the metric is undefined in them)."
            if res.undefined
            else "."
        ),
        "",
        "| | |",
        "|---|---|",
        f"| scenario | `{c.scenario}` |",
        f"| unit | {c.unit}: {c.design} |",
        f"| metric | `{c.metric}` (expected to {c.direction}; "
        f"minimum effect {readable(c.min_effect)}) |",
        f"| mechanism | {c.mechanism} |",
    ]
    if c.paired:
        lines += [
            f"| control | {_overrides_md(c.control)} |",
            f"| treatment | {_overrides_md(c.treatment)} |",
            f"| control mean | {readable(res.control_mean)} |",
        ]
    else:
        lines.append(f"| world as tested | {_overrides_md(c.treatment)} |")
    lines += [
        f"| treatment mean | {readable(res.treatment_mean)} |",
        f"| placebo (mechanism removed) | {_overrides_md(c.placebo)}: effect "
        f"{readable(p['effect'])} (95% CI {_ci(p['ci'])}), n = {p['n']}: **{p['verdict']}** |",
        f"| minimum detectable effect | {readable(m['effect'])} at {m['replications']} "
        f"replications per root seed (80% power for a CI that excludes 0; sd "
        f"{readable(m['sd'])}); "
        + (
            f"{need} per root seed give that power at the minimum effect; "
            if need
            else "no power figure at the minimum effect; "
        )
        + f"every root seed says supported with 80% probability from a true effect of "
        f"{readable(m['supported_at'])} |",
        f"| world modified by | {_overrides_md(res.settings) if res.settings else 'nothing'} |",
        f"| failed runs | {res.failed_runs} |",
        "",
        "Each root seed:",
        "",
        "| root seed | effect | 95% CI | p | n | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for s in res.seeds:
        lines.append(
            f"| {s.seed} | {readable(s.effect)} | {_ci(s.ci)} | {readable(s.p_value)} | "
            f"{s.n} | {s.verdict} |"
        )
    lines.append("")
    if res.shown:
        lines += [
            "Shown beside the verdict, never as it (these may count only the deals struck):",
            "",
            "| metric | " + " | ".join(next(iter(res.shown.values()))) + " |",
            "|---|" + "---|" * len(next(iter(res.shown.values()))),
        ]
        for metric, arms in res.shown.items():
            lines.append(f"| `{metric}` | " + " | ".join(map(readable, arms.values())) + " |")
        lines.append("")
    if res.curve:
        against = "effect = metric at the value − control, paired" if c.paired else c.metric
        lines += [
            f"Sweep of `{c.sweep_parameter}` on top of the "
            f"{'control' if c.paired else 'world as tested'} (first root seed; {against}; "
            "the placebo's other overrides are not applied):",
            "",
            f"| {c.sweep_parameter} | mean {c.metric} | effect | 95% CI | n |",
            "|---|---|---|---|---|",
        ]
        for pt in res.curve:
            lines.append(
                f"| {readable(pt['value'])} | {readable(pt['mean'])} | {readable(pt['effect'])} | "
                f"{readable(pt['lo'])} to {readable(pt['hi'])} | {pt['n']} |"
            )
        lines.append("")
    if c.notes:
        lines += [c.notes.strip(), ""]
    lines += [
        f"![{c.name}]({res.plot.name})",
        "",
        "Reproduce:",
        "",
        "```",
        res.command,
        "```",
        "",
        "Verdict rule (per root seed, with at least 10 replications): supported if the 95% CI "
        "excludes 0 in the predicted direction, the effect reaches the minimum and p < 0.05; "
        "refuted if the whole CI lies below the minimum; inconclusive otherwise. The claim: "
        "confounded if the placebo's CI excludes 0 and its effect reaches the minimum; else "
        "the verdict every root seed gives; inconclusive if they disagree.",
        "",
    ]
    return "\n".join(lines)


def _overrides_md(table: Mapping[str, Any]) -> str:
    if not table:
        return "the scenario as it is"
    return ", ".join(f"`{k} = {v}`" for k, v in table.items())


def describe_claim(res: ClaimResult) -> str:
    """The terminal summary of a claim."""
    c = res.claim
    p, m = res.placebo, res.mde
    means = (
        f"control {readable(res.control_mean)}, treatment {readable(res.treatment_mean)}"
        if c.paired
        else f"mean {readable(res.treatment_mean)} per world"
    )
    lines = [
        f"{c.name}: {res.verdict}",
        f"  {c.statement}",
        f"  unit: {c.unit} ({c.design})",
        f"  {c.metric}: {means}",
        f"  effect {readable(res.effect)}  95% CI [{_ci(res.ci).replace(' to ', ', ')}]  "
        f"p = {readable(res.p_value)}  n = {res.n}",
        "  seeds: " + "; ".join(f"{s.seed}: {readable(s.effect)} {s.verdict}" for s in res.seeds),
        f"  placebo ({_overrides_md(c.placebo)}): effect {readable(p['effect'])}  "
        f"95% CI [{_ci(p['ci']).replace(' to ', ', ')}]  {p['verdict']}",
        f"  minimum detectable effect {readable(m['effect'])} at {m['replications']} "
        "replications per seed"
        + (
            f"; {m['replications_for_min_effect']} for 80% power at {readable(c.min_effect)}"
            if m["replications_for_min_effect"]
            else ""
        ),
        f"  report: {res.report}",
        f"  plot:   {res.plot}",
        f"  reproduce: {res.command}",
    ]
    return "\n".join(lines)


def markdown_table(verdicts: Mapping[str, Mapping[str, Any]]) -> str:
    """The claims table (README, docs) from stored verdicts (``verdict.json`` contents, by
    claim name), one row per shipped claim; a claim without a stored verdict says so."""
    head = [
        "claim",
        "statement",
        "unit",
        "verdict",
        "effect (95% CI)",
        "placebo (95% CI)",
        "seeds",
        "MDE",
    ]
    rows = []
    for name in shipped.names("claim"):
        c = load_claim(shipped.find("claim", name))
        v = verdicts.get(name)
        if v is None or not {"placebo", "seeds", "mde"} <= set(v):
            what = "not run" if v is None else "stale: run it again"
            rows.append([f"`{name}`", c.statement, c.unit, what, "", "", "", ""])
            continue
        p = v["placebo"]
        seeds = ", ".join(s["verdict"] for s in v["seeds"])
        rows.append(
            [
                f"`{name}`",
                f"{c.statement} (`{c.metric}`, {c.direction}, minimum {c.min_effect:g})",
                c.unit,
                f"**{v['verdict']}**",
                f"{_fmt(v['effect'])} ({_fmt(v['ci'][0])} to {_fmt(v['ci'][1])})",
                f"{_fmt(p['effect'])} ({_fmt(p['ci'][0])} to {_fmt(p['ci'][1])})",
                seeds,
                _fmt(v["mde"]["effect"]),
            ]
        )
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(out)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3g}"


def stored_verdicts(folder: str | Path = Path("results") / "claims") -> dict[str, Any]:
    """The ``verdict.json`` of each shipped claim stored under ``folder`` (by name)."""
    out = {}
    for name in shipped.names("claim"):
        path = Path(folder) / name / "verdict.json"
        if path.exists():
            out[name] = json.loads(path.read_text(encoding="utf-8"))
    return out


def read_verdicts(path: str | Path) -> dict[str, Any]:
    """A verdicts file's claims (``{"claims": {NAME: verdict.json contents}}``, as
    ``tools/claim_verdicts.py`` writes ``docs/data/claim_verdicts.json``)."""
    from negsim.config import Described

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "(file)", Described("missing"), "a verdicts file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(path, "(file)", Described(type(exc).__name__), "JSON") from None
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, dict):
        raise ConfigError(path, "claims", Described("absent"), "an object of verdicts by name")
    return claims
