"""A world run's results folder, written atomically and never over an earlier one by accident.

Everything is written into a hidden temporary folder beside the target
(:func:`~negsim.experiments.folders.temp_path`: it names its writer) and renamed into place at
the end, so an interrupted run leaves no half-written results, and the temporary folder a killed
run leaves is removed by the next run written beside it. The folder is checked before the world
is simulated (:func:`check_folder`) and gets the user's umask. Contents:
``timeseries.parquet``, ``alliances.parquet``, ``organisations.parquet``, ``agents.parquet``,
``network.graphml``, three PNG figures and ``manifest.json`` (the resolved scenario, the
overrides, the seed entropy, the provenance and the summary).

The default folder name says what was run: the scenario, the seed, ``until`` when it is not
the horizon and the overrides, so two different runs rarely share a default folder — and when
they do (a scenario file named like another, overrides differing past six digits), the second
is refused, never written over the first. ``force`` replaces only a folder an earlier run
wrote (it holds this module's ``manifest.json``) or an empty one: never a folder of someone's
own files, a sweep's store or ``results/`` itself.

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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from negsim.config import ConfigError
from negsim.experiments.folders import TEMP_ROOM, check_out, clean_stale, temp_path, writing
from negsim.experiments.plots import world_figures
from negsim.provenance import provenance
from negsim.world.metrics import failure_causes
from negsim.world.run import WorldRun
from negsim.world.scenario import WorldScenario

#: Folder names longer than this replace the overrides by a hash of them.
MAX_NAME = 96
#: Where runs go by default (relative to the current folder).
RESULTS = Path("results")


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


def default_folder(run: WorldRun, root: Path = RESULTS) -> Path:
    """``results/<scenario>-seed<N>[-until<T>][-<overrides>]`` for a run."""
    return planned_folder(run.scenario, run.seed, run.until, run.overrides, root)


def planned_folder(
    scenario: WorldScenario,
    seed: int,
    until: float | None,
    overrides: Mapping[str, Any],
    root: Path = RESULTS,
) -> Path:
    """The default folder of a run before it runs (known once its seed is)."""
    shown = None if until is None or until == scenario.world.horizon else until
    return root / folder_name(scenario.name, seed, shown, overrides)


def check_folder(folder: str | Path, *, force: bool = False, chosen: bool = True) -> Path:
    """The absolute folder a run may be written to, or a :class:`ConfigError` saying why not.

    A new folder is fine; an existing one only with ``force``, and only if it is empty or an
    earlier run's results folder (its ``manifest.json`` has the run's ``summary``). Either way
    it must be a place negsim can write (:func:`~negsim.experiments.folders.check_out`: not a
    file, a name the file system takes, a writable folder above it).
    ``chosen`` says whether the caller named the folder (``--out``) or it is the default.
    """
    option = "--out" if chosen else "(results folder)"
    path = check_out(folder, option, room=TEMP_ROOM)
    if not path.exists():
        return path
    if not force:
        raise ConfigError(
            option,
            "--out" if chosen else "this run's default --out",
            Path(folder),
            "a folder that does not exist yet (it holds an earlier run: choose another --out, "
            "or --force to replace it)",
        )
    if path.is_dir() and (not any(path.iterdir()) or _is_run_folder(path)):
        return path
    raise ConfigError(
        "--force",
        "--out",
        Path(folder),
        "with --force, an empty folder or one an earlier `negsim run` wrote (this one holds "
        "other files; nothing was replaced)",
    )


def _is_run_folder(path: Path) -> bool:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"summary", "seed_entropy"} <= set(manifest)


def write_run(run: WorldRun, folder: str | Path, *, force: bool = False) -> Path:
    """Write a run's results folder (see the module docstring); returns its absolute path.

    Args:
        run: a finished :class:`~negsim.world.run.WorldRun`.
        folder: where to write; it must not exist, unless ``force``.
        force: replace an earlier run's folder (or an empty one) at ``folder``.

    Raises:
        ConfigError: ``folder`` exists and may not be replaced, or cannot be written (see
            :func:`check_folder`).
        OSError: writing failed (a full disk); it names ``folder``, and nothing is left.
    """
    folder = check_folder(folder, force=force)
    with writing(folder, "nothing was written"):
        folder.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(folder.parent)  # temporary folders of runs killed while writing
        tmp = _temporary_folder(folder)
        try:
            _write_contents(run, tmp)
            _swap_in(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _temporary_folder(folder: Path) -> Path:
    """A new hidden folder beside ``folder``, created with the user's umask (``mkdtemp``
    would make it private)."""
    while True:
        tmp = temp_path(folder)
        try:
            tmp.mkdir()
        except FileExistsError:  # a clash of random names: draw another
            continue
        return tmp


def _write_contents(run: WorldRun, tmp: Path) -> None:
    """Every file of a run's results folder, into ``tmp``."""
    run.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
    run.alliances.to_parquet(tmp / "alliances.parquet")
    run.organisations.to_parquet(tmp / "organisations.parquet")
    run.agents.to_parquet(tmp / "agents.parquet")
    nx.write_graphml(run.network(), tmp / "network.graphml")
    world_figures(run.timeseries, run.alliances, failure_causes(run.model), tmp)
    manifest = {
        "summary": run.summary,
        "scenario": dataclasses.asdict(run.scenario),
        "overrides": dict(run.overrides),
        "until": run.until,
        "seed_entropy": run.seed,
        **provenance(),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))


def _swap_in(tmp: Path, folder: Path) -> None:
    """Rename the finished folder into place; an old one is renamed away first, then removed."""
    if not folder.exists():
        os.replace(tmp, folder)
        return
    old = temp_path(folder)  # named as a temporary: a kill before the removal leaves it stale
    os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)
