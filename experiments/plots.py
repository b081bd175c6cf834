"""Figures of world runs, claims and sweeps, written as PNG files.

Figures are built with matplotlib's object API (:class:`matplotlib.figure.Figure`), never
pyplot, so writing them does not change the backend of a notebook that imports negsim.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from negsim.experiments.folders import remove_quietly, temp_path


def world_figures(
    timeseries: pd.DataFrame, alliances: pd.DataFrame, causes: dict[str, int], folder: Path
) -> list[Path]:
    """Alliances over time, the trust distribution and failure causes, as PNG files."""
    out = []
    fig, ax = _subplots(figsize=(7, 4))
    ax.plot(timeseries["time"], timeseries["alliances_alive"], label="running")
    ax.set_xlabel("time (months)")
    ax.set_ylabel("alliances running")
    ax2 = ax.twinx()
    ax2.plot(timeseries["time"], timeseries["failure_rate"], color="tab:red", label="failure rate")
    ax2.set_ylabel("failure rate (ended alliances)")
    ax2.set_ylim(0, 1)
    ax.set_title("Alliances over time")
    out.append(_save(fig, folder / "alliances_over_time.png"))

    fig, ax = _subplots(figsize=(7, 4))
    trust = pd.concat([pd.Series(alliances["trust_a"]), pd.Series(alliances["trust_b"])])
    ax.hist(trust, bins=30, color="tab:green")
    ax.set_xlabel("trust balance (both sides of every alliance, at its end or now)")
    ax.set_ylabel("accounts")
    ax.set_title("Trust distribution")
    out.append(_save(fig, folder / "trust_distribution.png"))

    fig, ax = _subplots(figsize=(7, 4))
    ax.bar(list(causes) or ["none"], list(causes.values()) or [0], color="tab:orange")
    ax.set_ylabel("failed alliances")
    ax.set_title("Failure causes")
    out.append(_save(fig, folder / "failure_causes.png"))
    return out


def _subplots(*grid: int, **options: Any) -> tuple[Figure, Any]:
    """A new figure and its axes (``Figure.subplots``), outside pyplot's figure manager."""
    fig = Figure(figsize=options.pop("figsize", (7, 4)))
    return fig, fig.subplots(*grid, **options)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _save_atomic(fig: Any, path: Path) -> Path:
    """Save a PNG through a temporary file, so a crash never leaves half a picture (nor, on
    a full disk, a partial temporary)."""
    fig.tight_layout()
    tmp = temp_path(path)
    try:
        fig.savefig(tmp, dpi=100, format="png")
        os.replace(tmp, path)
    except OSError:
        remove_quietly(tmp)
        raise
    return path


def claim_plot(claim: Any, stats: dict[str, Any], path: Path) -> Path:
    """Each replication's effect, the effect of each root seed and of the placebo with their
    CIs, and the sweep curve if any."""
    curve = stats["curve"]
    ncols = 2 if curve else 1
    fig, grid = _subplots(1, ncols, figsize=(5.2 * ncols, 4), squeeze=False)
    axes = grid[0]
    ax = axes[0]
    ax.axhline(0, color="0.5", lw=1)
    m = claim.sign * claim.min_effect
    ax.axhspan(min(0, m), max(0, m), color="tab:orange", alpha=0.15, label="below minimum effect")
    rows = [(f"seed {s.seed}", s.effect, s.ci, "tab:blue") for s in stats["seeds"]]
    rows.append(("all seeds", stats["effect"], stats["ci"], "tab:red"))
    p = stats["placebo"]
    rows.append(("placebo", p["effect"], p["ci"], "tab:gray"))
    for i, (_, effect, (lo, hi), colour) in enumerate(rows):
        if np.isfinite(effect) and np.isfinite(lo) and np.isfinite(hi):
            ax.errorbar(
                [i], [effect], yerr=[[effect - lo], [hi - effect]], fmt="o", color=colour, capsize=6
            )
    jitter = len(rows) - 2 - 0.3
    ax.scatter(
        [jitter] * len(stats["effects"]),
        stats["effects"],
        s=6,
        color="0.6",
        alpha=0.4,
        label="replications (clipped to the axis)",
    )
    bounds = [0.0, m, *(v for r in rows for v in r[2] if np.isfinite(v))]
    low, high = min(bounds), max(bounds)
    pad = 0.25 * (high - low) or 1.0
    ax.set_ylim(low - pad, high + pad)  # the intervals, not the spread of single worlds
    ax.set_xticks(range(len(rows)), [r[0] for r in rows], rotation=20)
    what = "treatment − control" if claim.paired else "within each world"
    ax.set_ylabel(f"{claim.metric} ({what})")
    ax.set_title(f"verdict: {stats['verdict']}")
    ax.legend(loc="best", fontsize=7)

    if curve:
        ax = axes[1]
        xs = [p["value"] for p in curve]
        ax.plot(xs, [p["effect"] for p in curve], marker="o", color="tab:purple")
        ax.fill_between(
            xs,
            [p["lo"] for p in curve],
            [p["hi"] for p in curve],
            color="tab:purple",
            alpha=0.2,
            label="95% CI",
        )
        ax.axhline(0, color="0.5", lw=1)
        ax.set_xlabel(claim.sweep_parameter)
        ax.set_ylabel(f"{claim.metric} − control" if claim.paired else claim.metric)
        ax.set_title("where the effect appears (first seed)")
        ax.legend(loc="best", fontsize=7)
    fig.suptitle(claim.name)
    return _save_atomic(fig, path)


def bar_chart(
    labels: list[str],
    values: list[float],
    errors: list[float] | None,
    title: str,
    ylabel: str,
    path: Path,
) -> Path:
    """A simple bar chart (sensitivity indices, report tables)."""
    fig, ax = _subplots(figsize=(max(5.0, 0.8 * len(labels) + 2), 4))
    ax.bar(labels, values, yerr=errors, capsize=4, color="tab:blue")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
    return _save_atomic(fig, path)


def metric_lines(frame: pd.DataFrame, x: str, metrics: list[str], path: Path) -> Path:
    """Mean of each metric against one factor, with a band of ± one standard error."""
    fig, axes = _subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.6), squeeze=False)
    for ax, m in zip(axes[0], metrics, strict=True):
        g = frame.groupby(x)[m].agg(["mean", "sem"]).reset_index()
        ax.plot(g[x], g["mean"], marker="o")
        ax.fill_between(g[x], g["mean"] - g["sem"], g["mean"] + g["sem"], alpha=0.2)
        ax.set_xlabel(x)
        ax.set_ylabel(m)
    return _save_atomic(fig, path)
