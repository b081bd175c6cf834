"""``negsim sensitivity SPEC``: Sobol or Morris indices of each metric, via SALib.

The sweep file must use ``design.kind = "sobol"`` (Saltelli sampling, first-order and total
indices) or ``"morris"`` (elementary effects: mu*, sigma). Runs go through the ordinary
resumable sweep; each design point's metric is averaged over its replications (which share
seeds across points, so the noise is common), then analysed. Writes ``sensitivity.csv``,
``sensitivity.md`` and one bar chart per metric beside the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.config import ConfigError
from negsim.display import readable
from negsim.experiments.folders import writing
from negsim.experiments.runner import SweepResult, run_sweep
from negsim.experiments.store import write_atomic
from negsim.experiments.sweep import SweepSpec, _problem, load_sweep

#: The indices each method reports, in table order.
INDICES = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}


@dataclass
class SensitivityResult:
    """Indices per metric and factor, and the files written."""

    table: pd.DataFrame
    method: str
    sweep: SweepResult
    files: list[Path]


def analyse(spec: SweepSpec, frame: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """SALib indices from stored runs (metric means per design point, in design order)."""
    problem = _problem(spec.factors)
    ok = frame[frame["status"] == "ok"]
    means = ok.groupby("point")[metrics].mean().reindex(range(len(spec.points)))
    rows: list[dict[str, Any]] = []
    x = np.array([[p[f.name] for f in spec.factors] for p in spec.points], dtype=float)
    lows = np.array([f.low for f in spec.factors])
    highs = np.array([f.high for f in spec.factors])
    unit = (x - lows) / (highs - lows)  # Morris steps are read on the unit cube it was drawn on
    for metric in metrics:
        y = means[metric].to_numpy(dtype=float)
        if np.isnan(y).any():
            # a point with no successful run: fill with the mean so SALib can run, and say so
            y = np.where(np.isnan(y), np.nanmean(y), y)
        keys = INDICES[spec.design]
        if np.ptp(y) == 0:  # the metric does not move at all: every index is zero
            res: Any = dict.fromkeys(keys, np.zeros(len(spec.factors)))
        elif spec.design == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=spec.seed)
        else:
            from SALib.analyze import morris

            res = morris.analyze(
                _problem(spec.factors, unit_bounds=True),
                unit,
                y,
                num_levels=spec.levels,
                seed=spec.seed,
            )
        for i, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "factor": name, **{k: float(res[k][i]) for k in keys}})
    return pd.DataFrame(rows)


def run_sensitivity(
    path: str | Path,
    *,
    out: str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """Run (or resume) a Sobol or Morris sweep and write its sensitivity indices."""
    from negsim.experiments.models import metric_columns

    spec = load_sweep(path)
    if spec.design not in ("sobol", "morris"):
        raise ConfigError(path, "design.kind", spec.design, "'sobol' or 'morris' for sensitivity")
    result = run_sweep(
        spec, out, executor=executor, workers=workers, scheduler=scheduler, progress=progress
    )
    metrics = metric_columns(spec.model, spec.metrics)
    table = analyse(spec, result.frame(), metrics)
    with writing(result.folder, "the runs are kept"):
        files = _write_indices(spec, table, result.folder)
    return SensitivityResult(table, spec.design, result, files)


def _write_indices(spec: SweepSpec, table: pd.DataFrame, folder: Path) -> list[Path]:
    """``sensitivity.csv``, one bar chart per metric and ``sensitivity.md``, into ``folder``."""
    from negsim.experiments.plots import bar_chart

    files = []
    csv = folder / "sensitivity.csv"
    write_atomic(csv, table.to_csv(index=False).encode())
    files.append(csv)
    key, conf = ("ST", "ST_conf") if spec.design == "sobol" else ("mu_star", "mu_star_conf")
    for metric, part in table.groupby("metric", sort=False):
        files.append(
            bar_chart(
                list(part["factor"]),
                list(part[key]),
                list(part[conf]),
                f"{metric}: {'total Sobol index' if key == 'ST' else 'Morris mu*'}",
                key,
                folder / f"sensitivity_{metric}.png",
            )
        )
    md = folder / "sensitivity.md"
    write_atomic(md, format_table(table, spec.design).encode())
    files.append(md)
    return files


def format_table(table: pd.DataFrame, method: str) -> str:
    """The indices as a markdown table."""
    cols = INDICES[method]
    lines = [
        f"| metric | factor | {' | '.join(cols)} |",
        "|---|---|" + "---|" * len(cols),
    ]
    for _, row in table.iterrows():
        cells = " | ".join(readable(row[c]) for c in cols)
        lines.append(f"| {row['metric']} | {row['factor']} | {cells} |")
    return "\n".join(lines) + "\n"
