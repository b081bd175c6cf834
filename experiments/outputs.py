"""A world run's results folder, written atomically and never over an earlier one by accident.

Everything is written into a hidden temporary folder beside the target and renamed into place
at the end, so an interrupted run leaves no half-written results. Contents:
``timeseries.parquet``, ``alliances.parquet``, ``organisations.parquet``, ``agents.parquet``,
``network.graphml``, three PNG figures and ``manifest.json`` (the resolved scenario, the
overrides, the seed entropy, the provenance and the summary).

The default folder name says what was run: the scenario, the seed, ``until`` when it is not
the horizon and the overrides, so two different runs never share a folder by default.

Examples:
    >>> folder_name("default", 7, None, {})
    'default-seed7'
    >>> folder_name("default", 7, 24.0, {"trust.enabled": False, "crises.rate": 0.5})
    'default-seed7-until24-crises.rate=0.5-trust.enabled=false'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from negsim.config import ConfigError
from negsim.experiments.plots import world_figures
from negsim.provenance import provenance
from negsim.world.metrics import failure_causes
from negsim.world.run import WorldRun

#: Folder names longer than this replace the overrides by a hash of them.
MAX_NAME = 96


def folder_name(scenario: str, seed: int, until: float | None, overrides: Mapping[str, Any]) -> str:
    """The default results folder name of a run (see the module docstring)."""
    parts = [scenario, f"seed{seed}"]
    if until is not None:
        parts.append(f"until{until:g}")
    sets = [f"{k}={_toml(v)}" for k, v in sorted(overrides.items())]
    name = re.sub(r"[^A-Za-z0-9._=,+-]", "_", "-".join(parts + sets))
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(json.dumps(sets).encode()).hexdigest()[:10]
        name = "-".join([*parts, f"set{len(sets)}-{digest}"])
    return name


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def default_folder(run: WorldRun, root: Path = Path("results")) -> Path:
    """``results/<scenario>-seed<N>[-until<T>][-<overrides>]`` for a run."""
    horizon = run.scenario.world.horizon
    until = None if run.until == horizon else run.until
    return root / folder_name(run.scenario.name, run.seed, until, run.overrides)


def write_run(run: WorldRun, folder: Path, *, force: bool = False) -> Path:
    """Write a run's results folder; an existing ``folder`` is replaced only with ``force``.

    Raises:
        ConfigError: ``folder`` exists and ``force`` is not set.
    """
    if folder.exists() and not force:
        raise ConfigError(
            "--out",
            "--out",
            str(folder),
            "a folder that does not exist yet (choose another --out, or --force to replace it)",
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        run.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        run.alliances.to_parquet(tmp / "alliances.parquet")
        run.organisations.to_parquet(tmp / "organisations.parquet")
        run.agents.to_parquet(tmp / "agents.parquet")
        nx.write_graphml(run.network(), tmp / "network.graphml")
        world_figures(run.timeseries, run.alliances, failure_causes(run.model), tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a results folder is not
        manifest = {
            "summary": run.summary,
            "scenario": dataclasses.asdict(run.scenario),
            "overrides": dict(run.overrides),
            "until": run.until,
            "seed_entropy": run.seed,
            **provenance(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _swap_in(tmp: Path, folder: Path) -> None:
    """Rename the finished folder into place; an old one is renamed away first, then removed."""
    if not folder.exists():
        os.replace(tmp, folder)
        return
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)
