"""Figures of a world run (the only place matplotlib is imported for runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import pandas as pd


def world_figures(
    timeseries: pd.DataFrame, alliances: dict[str, Any], causes: dict[str, int], folder: Path
) -> list[Path]:
    """Alliances over time, the trust distribution and failure causes, as PNG files."""
    out = []
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(timeseries["time"], timeseries["alliances_alive"], label="running")
    ax.set_xlabel("time (months)")
    ax.set_ylabel("alliances running")
    ax2 = ax.twinx()
    ax2.plot(timeseries["time"], timeseries["failure_rate"], color="tab:red", label="failure rate")
    ax2.set_ylabel("failure rate (ended alliances)")
    ax2.set_ylim(0, 1)
    ax.set_title("Alliances over time")
    out.append(_save(fig, folder / "alliances_over_time.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    trust = pd.concat([pd.Series(alliances["trust_a"]), pd.Series(alliances["trust_b"])])
    ax.hist(trust, bins=30, color="tab:green")
    ax.set_xlabel("trust balance (both sides of every alliance, at its end or now)")
    ax.set_ylabel("accounts")
    ax.set_title("Trust distribution")
    out.append(_save(fig, folder / "trust_distribution.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(list(causes) or ["none"], list(causes.values()) or [0], color="tab:orange")
    ax.set_ylabel("failed alliances")
    ax.set_title("Failure causes")
    out.append(_save(fig, folder / "failure_causes.png"))
    return out


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
