"""Commands of the alliance world: ``run`` and ``scenarios``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

import negsim.shipped as shipped
from negsim.cli.app import JsonOpt, app, at_least, clean_errors, emit
from negsim.config import HIDDEN, ConfigError, parse_toml
from negsim.display import readable


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``section.field=value`` pairs; values are read as TOML (numbers, booleans, strings),
    and a value that is not TOML is taken as a string."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError("--set", item, HIDDEN, "section.field=value")
        try:
            out[key.strip()] = parse_toml(f"v = {raw}", "--set")["v"]
        except ConfigError as exc:
            if exc.field != "(syntax)":  # nested too deep: refused, not taken as a string
                raise ConfigError("--set", key.strip(), exc.value, exc.allowed) from None
            out[key.strip()] = raw
    return out


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(metavar="SCENARIO", help="a name from `negsim scenarios`, or a path")
    ],
    seed: Annotated[int | None, typer.Option(help="root seed (default: fresh entropy)")] = None,
    until: Annotated[
        float | None, typer.Option(help="months to simulate (default: horizon)")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override: section.field=value")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="results folder (default: results/<scenario>-seed<N>[-…])"),
    ] = None,
    force: Annotated[bool, typer.Option(help="replace an existing results folder")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run one world and write its results folder (never over an existing one unless --force)."""
    # imported when called: Mesa, pandas and matplotlib are slow to import
    from negsim.experiments.folders import check_out
    from negsim.experiments.outputs import (
        RESULTS,
        check_folder,
        default_folder,
        planned_folder,
        write_run,
    )
    from negsim.world.run import check_until, run_world
    from negsim.world.scenario import load_scenario

    with clean_errors(scenario):
        at_least(seed=(seed, 0))
        check_until(until, "--until")
        overrides = parse_overrides(set_ or [])
        config = load_scenario(scenario, overrides)
        check_until(until, "--until", config.world.horizon)
        # refuse a folder that is taken before simulating, whenever its name is known already
        target = out or (None if seed is None else planned_folder(config, seed, until, overrides))
        if target is not None:
            check_folder(target, force=force, chosen=out is not None)
        else:  # named after the seed the run draws; the folder it goes in is known
            check_out(RESULTS, "(results folder)")
        console = Console(stderr=True)
        # a transient bar is erased on a terminal; elsewhere (a log file) it is a stray line
        shown = console.is_terminal and not as_json
        with Progress(console=console, transient=True, disable=not shown) as bar:
            task = bar.add_task(config.name, total=None)
            world = run_world(
                scenario,
                seed=seed,
                until=until,
                overrides=overrides,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if target is None:
            target = default_folder(world)
            check_folder(target, force=force, chosen=False)
        write_run(world, target, force=force)
    result = {**world.summary, "folder": str(target)}
    emit(result, as_json, lambda: "\n".join(f"{k}: {readable(v)}" for k, v in result.items()))


@app.command()
def scenarios() -> None:
    """List the shipped scenarios, a line each."""
    for name, description in shipped.list_scenarios().items():
        typer.echo(f"{name}: {description}")
