"""The teaching page: ``viz`` serves the world and a negotiation against an agent in a browser."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

import negsim.shipped as shipped
from negsim.cli.app import app, at_least, clean_errors
from negsim.config import ConfigError
from negsim.viz import SCENARIO_ENV, SEED_ENV


def check_address(host: str, port: int) -> None:
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
        str, typer.Argument(metavar="SCENARIO", help="a name from `negsim scenarios`, or a path")
    ] = "classroom",
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    seed: Annotated[int, typer.Option(help="root seed of the world")] = 1,
) -> None:
    """Serve the teaching page on a world (and a negotiation against an agent); open the address."""
    from negsim.world.scenario import load_scenario

    with clean_errors(scenario):
        at_least(seed=(seed, 0))
        path = shipped.find("scenario", scenario)
        load_scenario(path)  # a bad scenario stops here, before the server starts
        check_address(host, port)
    os.environ[SCENARIO_ENV] = str(path.resolve())
    os.environ[SEED_ENV] = str(seed)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # imported when called: the other commands need no web stack
    from solara.__main__ import cli as solara_cli

    solara_cli.main(
        [
            *("run", "negsim.viz.app", "--host", host, "--port", str(port)),
            *("--production", "--no-open", "--no-check-version"),
        ],
        prog_name="negsim viz",
    )
