"""Figures of world runs, claims and sweeps, written as PNG files.

Figures are built with matplotlib's object API (:class:`matplotlib.figure.Figure`), never
pyplot, so writing them does not change the backend of a notebook that imports negsim.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
    """Paired control/treatment values, the effect with its CI, and the sweep curve if any."""
    curve = stats["curve"]
    ncols = 3 if curve else 2
    fig, axes = _subplots(1, ncols, figsize=(4.2 * ncols, 4))
    ax = axes[0]
    c, t = stats["control"], stats["treatment"]
    for ci, ti in zip(c, t, strict=True):
        ax.plot([0, 1], [ci, ti], color="0.7", lw=0.8)
    ax.plot(
        [0, 1],
        [float(pd.Series(c).mean()), float(pd.Series(t).mean())],
        color="tab:blue",
        lw=2.5,
        marker="o",
        label="mean",
    )
    ax.set_xticks([0, 1], ["control", "treatment"])
    ax.set_ylabel(claim.metric)
    ax.set_title("paired replications")
    ax.legend(loc="best")

    ax = axes[1]
    effect, (lo, hi) = stats["effect"], stats["ci"]
    ax.axhline(0, color="0.5", lw=1)
    m = claim.sign * claim.min_effect
    ax.axhspan(min(0, m), max(0, m), color="tab:orange", alpha=0.15, label="below minimum effect")
    ax.errorbar(
        [0],
        [effect],
        yerr=[[effect - lo], [hi - effect]],
        fmt="o",
        color="tab:red",
        capsize=8,
        label="effect, 95% CI",
    )
    ax.scatter([0.25] * len(stats["diffs"]), stats["diffs"], s=8, color="0.5", label="paired diffs")
    ax.set_xlim(-0.5, 0.75)
    ax.set_xticks([])
    ax.set_ylabel(f"treatment − control ({claim.metric})")
    ax.set_title(f"verdict: {stats['verdict']}")
    ax.legend(loc="best", fontsize=7)

    if curve:
        ax = axes[2]
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
        ax.set_ylabel(f"{claim.metric} − control")
        ax.set_title("where the effect appears")
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
