"""Claims: a statement about negotiation turned into a paired experiment and a verdict.

A claim file (``experiments/claims/*.toml``) names a scenario, a control and a treatment
(scenario overrides), a metric, the direction the essay predicts, the smallest effect worth
the name and the replications. Control and treatment run with the same replication seeds
(common random numbers), so each replication gives one paired difference
``treatment − control``. A claim may also sweep one parameter on top of the control, to show
where an effect appears or vanishes.

The verdict, with ``d`` the paired differences signed so that the predicted direction is
positive, ``effect = mean(d)`` and ``[lo, hi]`` its 95% bootstrap confidence interval
(BCa, :func:`scipy.stats.bootstrap`):

* ``supported`` — ``lo > 0``, ``effect ≥ min_effect`` and ``p < 0.05``: the effect is there,
  in the predicted direction, and large enough to matter;
* ``refuted`` — ``hi < min_effect``: the effect is confidently smaller than the minimum
  (absent, negligible or reversed);
* ``inconclusive`` — anything else, and always with fewer than ``MIN_N`` (10) paired
  replications: more would be needed.

The p-value is a two-sided paired sign-flip permutation test of ``mean(d) = 0``
(:func:`scipy.stats.permutation_test`).

Examples:
    >>> verdict(0.05, (0.02, 0.08), 0.01)
    'supported'
    >>> verdict(0.001, (-0.004, 0.006), 0.02)
    'refuted'
    >>> verdict(0.03, (-0.01, 0.07), 0.02)
    'inconclusive'
"""

from __future__ import annotations

import json
import math
import shlex
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import negsim.shipped as shipped
from negsim.config import ConfigError, Fields, check_finite, check_name, read_toml
from negsim.display import readable

DIRECTIONS = ("increase", "decrease")
VERDICTS = ("supported", "refuted", "inconclusive")
_KEYS = (
    "name",
    "statement",
    "essay",
    "scenario",
    "metric",
    "direction",
    "min_effect",
    "replications",
    "seed",
    "control",
    "treatment",
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
    metric: str
    direction: str
    min_effect: float
    replications: int
    seed: int
    control: Mapping[str, Any]
    treatment: Mapping[str, Any]
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


def load_claim(path: str | Path) -> Claim:
    """Read and validate a claim file."""
    data = read_toml(path)
    f = Fields(path, "", data)
    f.only(_KEYS)
    for key in ("statement", "scenario", "metric"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise f.error(key, data.get(key, None), "a non-empty string")
    from negsim.experiments.models import metric_names

    known = metric_names("world")
    if data["metric"] not in known:
        raise f.error("metric", data["metric"], f"one of {known}")
    direction = f.choice("direction", DIRECTIONS)
    min_effect = f.number("min_effect", low=0.0)
    replications = f.integer("replications", 30, low=2, high=100_000)
    seed = f.integer("seed", 0, low=0, high=2**63 - 1)
    control = _table(path, "control", data.get("control", {}))
    treatment = _table(path, "treatment", data.get("treatment", {}))
    if control == treatment:
        raise f.error("treatment", treatment, "overrides that differ from the control")
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
        metric=data["metric"],
        direction=direction,
        min_effect=min_effect,
        replications=replications,
        seed=seed,
        control=control,
        treatment=treatment,
        sweep_parameter=param,
        sweep_values=values,
        essay=str(data.get("essay", "")),
        notes=str(data.get("notes", "")),
        limits=Fields(path, "limits", data.get("limits", {})).table,  # checked as a sweep's
        shipped=shipped.is_shipped(path, "claim"),
    )


def _table(file: str | Path, where: str, table: object) -> dict[str, Any]:
    """Control or treatment overrides (``section.field`` keys or section tables)."""
    from negsim.experiments.sweep import flatten_overrides

    out = flatten_overrides(file, where, table)
    for key, value in out.items():
        if "." not in key:
            raise ConfigError(file, f"{where}.{key}", value, "section.field = value")
    return out


def sweep_data(claim: Claim, replications: int | None, seed: int | None) -> dict[str, Any]:
    """The claim as a sweep of explicit design points (control, treatment, sweep values)."""
    points: list[dict[str, Any]] = [
        {"label": "control", **claim.control},
        {"label": "treatment", **claim.treatment},
    ]
    for v in claim.sweep_values:
        if {**claim.control, claim.sweep_parameter: v} == dict(claim.control):
            continue  # the control itself: its runs serve this value of the sweep too
        points.append(
            {"label": f"{claim.sweep_parameter}={v}", **claim.control, claim.sweep_parameter: v}
        )
    return {
        "name": claim.name,
        "description": claim.statement,
        "scenario": claim.scenario,
        "replications": replications or claim.replications,
        "seed": claim.seed if seed is None else seed,
        "metrics": [claim.metric],
        "design": {"kind": "points"},
        "points": points,
        **({"limits": dict(claim.limits)} if claim.limits else {}),
    }


#: Fewer paired replications than this give no verdict: a bootstrap of a handful of
#: differences is little more than their range.
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


@dataclass
class ClaimResult:
    """A claim's verdict and everything behind it.

    Attributes:
        claim: the validated claim file.
        verdict: ``supported``, ``refuted`` or ``inconclusive`` (the rule in the module doc).
        effect: mean paired difference ``treatment − control`` of the metric (not signed by
            the predicted direction; NaN without pairs).
        ci: its 95% BCa bootstrap confidence interval ``(low, high)``.
        p_value: two-sided sign-flip permutation p-value of ``effect = 0``.
        n: paired replications with the metric defined in both arms.
        control_mean: the metric's mean in the control arm.
        treatment_mean: the metric's mean in the treatment arm.
        failed_runs: runs that raised (stored with their error, left out of the pairs).
        curve: the ``[sweep]`` points: ``value``, ``mean``, ``effect`` (paired, against the
            control), ``lo``, ``hi``, ``n``; empty without a sweep.
        pairs: one row per replication: ``control``, ``treatment`` and ``difference``.
        folder: the results folder (runs, ``claim.png``, ``report.md``, ``verdict.json``).
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
    control_mean: float
    treatment_mean: float
    failed_runs: int
    curve: list[dict[str, float]]
    pairs: pd.DataFrame
    folder: Path
    command: str
    plot: Path
    report: Path

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` contract."""
        return {
            "claim": self.claim.name,
            "verdict": self.verdict,
            "effect": _num(self.effect),
            "ci": [_num(self.ci[0]), _num(self.ci[1])],
            "p_value": _num(self.p_value),
            "n": self.n,
            "metric": self.claim.metric,
            "command": self.command,
            "report": str(self.report),
        }


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def evaluate(claim: Claim, frame: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Paired statistics of a claim from its stored runs."""
    metric = claim.metric
    ok = frame[frame["status"] == "ok"]
    wide = ok.pivot_table(index="replication", columns="label", values=metric, aggfunc="first")
    control = wide.get("control", pd.Series(dtype=float))
    treatment = wide.get("treatment", pd.Series(dtype=float))
    diffs = (treatment - control).to_numpy(dtype=float)
    effect, ci, p = paired_stats(diffs, seed)
    n = int(np.isfinite(diffs).sum())
    signed_ci = (ci[0], ci[1]) if claim.sign > 0 else (-ci[1], -ci[0])
    v = verdict(claim.sign * effect, signed_ci, claim.min_effect, n, p)
    curve = []
    for value in claim.sweep_values:
        label = f"{claim.sweep_parameter}={value}"
        col = wide.get(label)
        if col is None and {**claim.control, claim.sweep_parameter: value} == dict(claim.control):
            col = control
        if col is None:
            continue
        d = (col - control).to_numpy(dtype=float)
        e, (lo, hi), _ = paired_stats(d, seed, resamples=1999)
        curve.append(
            {
                "value": float(value),
                "mean": float(np.nanmean(col.to_numpy(dtype=float))),
                "effect": e,
                "lo": lo,
                "hi": hi,
                "n": int(np.isfinite(d).sum()),
            }
        )
    return {
        "verdict": v,
        "effect": effect,
        "ci": ci,
        "p_value": p,
        "n": n,
        "control_mean": float(np.nanmean(control.to_numpy(dtype=float))) if n else math.nan,
        "treatment_mean": float(np.nanmean(treatment.to_numpy(dtype=float))) if n else math.nan,
        "failed_runs": int((frame["status"] != "ok").sum()),
        "curve": curve,
        "diffs": diffs,
        "pairs": pd.DataFrame(
            {"control": control, "treatment": treatment, "difference": treatment - control}
        ).rename_axis("replication"),
        "control": control.to_numpy(dtype=float),
        "treatment": treatment.to_numpy(dtype=float),
    }


def command_line(claim: Claim, replications: int, seed: int, out: str | Path | None) -> str:
    """The exact command that reproduces a claim's numbers."""
    target = claim.name if claim.shipped else claim.file
    parts = ["negsim", "claim", target, "--replications", str(replications), "--seed", str(seed)]
    if out is not None:
        parts += ["--out", str(out)]
    return shlex.join(parts)


def run_claim(
    target: str,
    *,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> ClaimResult:
    """Test a claim: run its paired control and treatment (resuming its store), then write
    its plot, report and ``verdict.json``.

    Args:
        target: a shipped claim's name (``negsim claims``) or a claim file.
        replications: paired replications (default: the claim's); more than the folder
            holds extend it, reusing the stored runs.
        seed: the root seed (default: the claim's).
        out: the results folder (default ``results/claims/<name>``).
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
    data = sweep_data(claim, replications, seed)
    spec = parse_sweep(data, claim.file)
    folder = Path(out) if out is not None else Path("results") / "claims" / claim.name
    result = run_sweep(
        spec,
        folder,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    frame = result.frame()
    stats = evaluate(claim, frame, spec.seed)
    command = command_line(claim, spec.replications, spec.seed, out)
    plot = folder / "claim.png"
    report = folder / "report.md"
    res = ClaimResult(
        claim=claim,
        verdict=stats["verdict"],
        effect=stats["effect"],
        ci=stats["ci"],
        p_value=stats["p_value"],
        n=stats["n"],
        control_mean=stats["control_mean"],
        treatment_mean=stats["treatment_mean"],
        failed_runs=stats["failed_runs"],
        curve=stats["curve"],
        pairs=stats["pairs"],
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


def render_report(res: ClaimResult) -> str:
    """A short markdown report of a claim."""
    c = res.claim
    lines = [
        f"# Claim: {c.name}",
        "",
        f"> {c.statement}",
        "",
        f"**Verdict: {res.verdict}** — effect {readable(res.effect)} "
        f"(95% CI {readable(res.ci[0])} to {readable(res.ci[1])}), p = {readable(res.p_value)}, "
        f"n = {res.n} paired replications.",
        "",
        "| | |",
        "|---|---|",
        f"| scenario | `{c.scenario}` |",
        f"| metric | `{c.metric}` (expected to {c.direction}; "
        f"minimum effect {readable(c.min_effect)}) |",
        f"| control | {_overrides_md(c.control)} |",
        f"| treatment | {_overrides_md(c.treatment)} |",
        f"| control mean | {readable(res.control_mean)} |",
        f"| treatment mean | {readable(res.treatment_mean)} |",
        f"| failed runs | {res.failed_runs} |",
        "",
    ]
    if res.curve:
        lines += [
            f"Sweep of `{c.sweep_parameter}` on top of the control "
            "(effect = metric at the value − control, paired):",
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
        "Verdict rule (with at least 10 paired replications): supported if the 95% CI "
        "excludes 0 in the predicted direction, the effect reaches the minimum and p < 0.05; "
        "refuted if the whole CI lies below the minimum; inconclusive otherwise.",
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
    return "\n".join(
        [
            f"{c.name}: {res.verdict}",
            f"  {c.statement}",
            f"  {c.metric}: control {readable(res.control_mean)}, "
            f"treatment {readable(res.treatment_mean)}",
            f"  effect {readable(res.effect)}  "
            f"95% CI [{readable(res.ci[0])}, {readable(res.ci[1])}]  "
            f"p = {readable(res.p_value)}  n = {res.n}",
            f"  report: {res.report}",
            f"  plot:   {res.plot}",
            f"  reproduce: {res.command}",
        ]
    )
