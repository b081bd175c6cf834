"""The ``negsim`` command line (typer). Thin: every command is one call into the library.

Bad input is reported as one line on stderr, naming the file, the field, the bad value and what
is allowed, with exit code 2 and no traceback.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.progress import Progress

from experiments.catalogue import find_scenario, list_scenarios
from simulator.config import ConfigError
from simulator.negotiation.catalogue import strategy_catalogue
from simulator.negotiation.spec import load_negotiation
from simulator.negotiation.strategies.base import StrategyError
from simulator.negotiation.summary import describe, summarise
from simulator.rng import root_entropy, root_sequence

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="negsim: negotiation and strategic alliances, by simulation.",
)


@contextmanager
def clean_errors(file: str | None = None) -> Iterator[None]:
    """Turn configuration errors into one line on stderr and exit code 2."""
    try:
        yield
    except ConfigError as exc:
        typer.echo(f"negsim: {exc}", err=True)
        raise typer.Exit(2) from None
    except StrategyError as exc:
        typer.echo(f"negsim: {file + ': ' if file else ''}{exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:  # an output folder that cannot be written, a full disk
        where = exc.filename or file or ""
        typer.echo(f"negsim: {where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


def _at_least(**options: tuple[int | None, int]) -> None:
    """Reject an integer option below its minimum (``name=(value, low)``), as a ConfigError."""
    for name, (value, low) in options.items():
        if value is not None and value < low:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(flag, flag, value, f"an integer >= {low}")


def _emit(data: Any, as_json: bool, text: Callable[[], str]) -> None:
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        typer.echo(text())


@app.command()
def negotiate(
    file: Annotated[str, typer.Argument(help="negotiation file (TOML)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    seed: Annotated[int | None, typer.Option(help="root seed (default: fresh entropy)")] = None,
) -> None:
    """Play one negotiation described by FILE."""
    from simulator.negotiation.protocol import negotiate as play

    with clean_errors(file):
        _at_least(seed=(seed, 0))
        neg = load_negotiation(file)
        root = root_sequence(seed)
        result = play(neg, root)
        summary = summarise(neg, result, seed=root_entropy(root))
    _emit(summary, as_json, lambda: describe(neg, summary) + f"\nseed: {summary['seed']}")


@app.command()
def strategies(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """List the registered strategies with their traits and parameters."""
    catalogue = strategy_catalogue()

    def text() -> str:
        lines = []
        for key, entry in catalogue.items():
            traits = ", ".join(k for k, v in entry["traits"].items() if v is True)
            lines.append(f"{key}: {entry['summary']}")
            lines.append(f"    traits: {traits or 'none'}; memory: {entry['traits']['memory']}")
            for name, p in entry["params"].items():
                lines.append(f"    {name} = {p['default']!r} ({p['allowed']}): {p['doc']}")
        return "\n".join(lines)

    _emit(catalogue, as_json, text)


def _overrides(items: list[str]) -> dict[str, object]:
    """``section.field=value`` pairs; values are read as TOML (numbers, booleans, strings)."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError("--set", item, item, "section.field=value")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw
    return out


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="a name from `negsim scenarios`, or a path")],
    seed: Annotated[int | None, typer.Option(help="root seed (default: fresh entropy)")] = None,
    until: Annotated[
        float | None, typer.Option(help="months to simulate (default: horizon)")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override: section.field=value")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="results folder (default: new, under results/)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Run one world and write its results folder."""
    from experiments.outputs import write_run
    from simulator.world.model import AllianceModel
    from simulator.world.scenario import load_scenario

    with clean_errors(scenario):
        _at_least(seed=(seed, 0))
        path = find_scenario(scenario)
        config = load_scenario(path, _overrides(set_ or []))
        if until is not None and until <= 0:
            raise ConfigError("--until", "--until", until, "a positive number of months")
        model = AllianceModel(config, seed=seed)
        horizon = config.world.horizon if until is None else until
        with Progress(transient=True, disable=as_json) as bar:
            task = bar.add_task(f"{config.name}", total=horizon)
            for stop in np.linspace(0, horizon, 101)[1:]:
                model.run(float(stop))
                bar.update(task, completed=float(stop))
        folder = out or Path("results") / f"{config.name}-seed{model.seed_entropy}"
        result = write_run(model, folder)
    result["folder"] = str(folder)
    _emit(result, as_json, lambda: "\n".join(f"{k}: {v}" for k, v in result.items()))


@app.command()
def scenarios() -> None:
    """List the shipped scenarios, a line each."""
    for name, description in list_scenarios().items():
        typer.echo(f"{name}: {description}")


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="root seed")] = 0,
) -> None:
    """Play the shipped example negotiations and show walk-away leverage by simulation."""
    from experiments.demo import run_demo

    with clean_errors():
        _at_least(seed=(seed, 0))
        typer.echo(run_demo(seed))


ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor", help="inprocess | local (process pool) | dask (LocalCluster or --scheduler)"
    ),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="worker processes (default: all cores)")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="tcp://HOST:PORT of a running `dask scheduler`"),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="no progress bar")]


@app.command()
def sweep(
    spec: Annotated[str, typer.Argument(help="a sweep file (TOML)")],
    out: Annotated[str | None, typer.Option(help="results folder (default: results/NAME)")] = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    replications: Annotated[
        int | None, typer.Option(help="replications (default: the file's)")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the file's)")] = None,
    chunk: Annotated[
        int | None, typer.Option(help="runs per task (default: about 0.15 s of work)")
    ] = None,
    quiet: QuietOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run a parameter sweep into an append-only, resumable results folder."""
    from experiments.runner import describe_result, run_sweep
    from experiments.sweep import load_sweep

    with clean_errors(spec):
        _at_least(
            workers=(workers, 1), replications=(replications, 1), seed=(seed, 0), chunk=(chunk, 1)
        )
        sweep_spec = load_sweep(spec, replications=replications, seed=seed)
        result = run_sweep(
            sweep_spec,
            out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            chunk=chunk,
            progress=not (quiet or as_json),
        )
    data = {
        "folder": str(result.folder),
        "runs": result.total,
        "ran": result.ran,
        "skipped": result.skipped,
        "failed": result.failed,
        "seconds": round(result.seconds, 3),
    }
    _emit(data, as_json, lambda: describe_result(result))


@app.command()
def claims() -> None:
    """List the shipped claims, a line each."""
    from experiments.claim import list_claims

    for name, statement in list_claims().items():
        typer.echo(f"{name}: {statement}")


@app.command()
def claim(
    target: Annotated[str, typer.Argument(help="a name from `negsim claims`, or a claim file")],
    replications: Annotated[
        int | None, typer.Option(help="paired replications (default: the claim's)")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="root seed (default: the claim's)")] = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    out: Annotated[
        str | None, typer.Option(help="results folder (default: results/claims/NAME)")
    ] = None,
    quiet: QuietOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Test a claim: paired control and treatment runs, a verdict with its uncertainty."""
    from experiments.claim import describe_claim, run_claim

    with clean_errors(target):
        _at_least(workers=(workers, 1), replications=(replications, 2), seed=(seed, 0))
        result = run_claim(
            target,
            replications=replications,
            seed=seed,
            out=out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=not (quiet or as_json),
        )
    _emit(result.to_json(), as_json, lambda: describe_claim(result))


@app.command()
def report(
    folder: Annotated[str, typer.Argument(help="a results folder written by sweep or claim")],
) -> None:
    """Tables and plots from a results folder (written beside its runs)."""
    from experiments.report import write_report

    with clean_errors(folder):
        path = write_report(folder)
    typer.echo(path.read_text(encoding="utf-8"))
    typer.echo(f"written: {path}")


@app.command()
def sensitivity(
    spec: Annotated[str, typer.Argument(help="a sweep file with design.kind = sobol or morris")],
    out: Annotated[str | None, typer.Option(help="results folder (default: results/NAME)")] = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Sobol or Morris sensitivity indices of each metric (SALib), with bar charts."""
    from experiments.sensitivity import format_table, run_sensitivity

    with clean_errors(spec):
        _at_least(workers=(workers, 1))
        result = run_sensitivity(
            spec,
            out=out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=not quiet,
        )
    typer.echo(format_table(result.table, result.method))
    typer.echo("written: " + ", ".join(str(p) for p in result.files))


@app.command()
def tournament(
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", help="a strategy to enter (repeat; default: all)"),
    ] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option("--domain", help="a negotiation file to play on (repeat; default: shipped)"),
    ] = None,
    random_domains: Annotated[int, typer.Option(help="random linear-additive domains to add")] = 0,
    repetitions: Annotated[int, typer.Option(help="seeded repetitions per pairing")] = 10,
    seed: Annotated[int, typer.Option(help="root seed")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the ranking as JSON")] = False,
) -> None:
    """Round-robin of strategies over domains: ranking by utility, agreements, Nash distance."""
    from experiments.tournament import format_matrix, format_ranking, run_tournament

    with clean_errors():
        _at_least(random_domains=(random_domains, 0), repetitions=(repetitions, 1), seed=(seed, 0))
        result = run_tournament(
            strategies=strategy or None,
            domains=list(domain) if domain else None,
            random_domains=random_domains,
            repetitions=repetitions,
            seed=seed,
        )
    data = {
        "seed": result.seed_entropy,
        "ranking": json.loads(result.ranking.reset_index().to_json(orient="records")),
    }
    _emit(data, as_json, lambda: format_ranking(result) + "\n\n" + format_matrix(result))


#: Environment variables through which ``negsim viz`` hands its arguments to the Solara app.
VIZ_SCENARIO_ENV, VIZ_SEED_ENV = "NEGSIM_VIZ_SCENARIO", "NEGSIM_VIZ_SEED"


def _check_address(host: str, port: int) -> None:
    """An address Solara can bind, or a :class:`ConfigError` naming the bad option."""
    if not 1 <= port <= 65535:
        raise ConfigError("--port", "--port", port, "a port number from 1 to 65535")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except socket.gaierror as exc:
        raise ConfigError(
            "--host", "--host", host, f"an address of this machine ({exc.strerror})"
        ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ConfigError("--host", "--host", host, "an address of this machine") from None
        raise ConfigError(
            "--port", "--port", port, f"a free port on {host} ({exc.strerror})"
        ) from None


@app.command()
def viz(
    scenario: Annotated[
        str, typer.Argument(help="a name from `negsim scenarios`, or a path")
    ] = "classroom",
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    seed: Annotated[int, typer.Option(help="root seed of the world")] = 1,
) -> None:
    """Serve the teaching visualiser (SolaraViz) on a world; open the printed address."""
    from simulator.world.scenario import load_scenario

    with clean_errors(scenario):
        _at_least(seed=(seed, 0))
        path = find_scenario(scenario)
        load_scenario(path)  # a bad scenario stops here, before the server starts
        _check_address(host, port)
    os.environ[VIZ_SCENARIO_ENV] = str(path.resolve())
    os.environ[VIZ_SEED_ENV] = str(seed)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Imported here: the other commands need no web stack.
    from solara.__main__ import cli as solara_cli

    solara_cli.main(
        [
            *("run", "simulator.viz.app", "--host", host, "--port", str(port)),
            *("--production", "--no-open", "--no-check-version"),
        ],
        prog_name="negsim viz",
    )


def main() -> None:  # pragma: no cover - console entry point
    """Entry point for ``python -m experiments.cli``."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "main"]
