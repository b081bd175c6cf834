"""A world run's results folder, written atomically.

Everything is written into a temporary folder beside the target and moved into place at the
end, so an interrupted run leaves no half-written results. Contents: ``timeseries.parquet``,
``alliances.parquet``, ``network.graphml``, three PNG figures and ``manifest.json`` (the
resolved scenario, the seed entropy, package versions, the git commit and the summary).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from experiments.plots import world_figures
from simulator.world.metrics import alliance_records, failure_causes, summary
from simulator.world.model import AllianceModel

PACKAGES = ("negsim", "numpy", "numba", "mesa", "networkx", "pandas", "pyarrow", "matplotlib")


def write_run(model: AllianceModel, folder: Path) -> dict[str, Any]:
    """Write the results of a finished run to ``folder``; returns the summary."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        result = summary(model)
        series = model.datacollector.get_model_vars_dataframe()
        series.to_parquet(tmp / "timeseries.parquet", index=False)
        records = alliance_records(model)
        pd.DataFrame(records).to_parquet(tmp / "alliances.parquet", index=False)
        nx.write_graphml(_final_network(model), tmp / "network.graphml")
        world_figures(series, records, failure_causes(model), tmp)
        manifest = {
            "summary": result,
            "scenario": dataclasses.asdict(model.config),
            "seed_entropy": model.seed_entropy,
            "versions": {p: _version(p) for p in PACKAGES},
            "git_commit": _git_commit(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        _move_into_place(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _final_network(model: AllianceModel) -> nx.Graph:
    graph = nx.Graph()
    o = model.orgs
    for i in range(o.n):
        graph.add_node(
            i,
            reputation=float(o.reputation[i]),
            strategy=str(o.strategy[i]),
            industry=int(o.block[i]),
            running=int(model.active[i]),
        )
    graph.add_edges_from((int(u), int(v)) for u, v in model.edges)
    t = model.alliances
    for row in range(t.size):  # the newest alliance of a pair describes the edge
        a, b = int(t.a[row]), int(t.b[row])
        graph.add_edge(
            a,
            b,
            allied=bool(t.alive[row]),
            trust=float(model.trust.balance[2 * row : 2 * row + 2].mean()),
        )
    return graph


def _move_into_place(tmp: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(tmp, folder)
        tmp.mkdir()  # for the caller's cleanup
        return
    for item in tmp.iterdir():  # an existing folder: replace file by file, each atomically
        os.replace(item, folder / item.name)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None
