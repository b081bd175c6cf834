"""The typer application every command group registers on, and what the commands share:
one-line errors, option checks and output as text or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from negsim.config import ConfigError
from negsim.negotiation.strategies.base import StrategyError
from negsim.version import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="negsim: negotiation and strategic alliances, by simulation.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"negsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """negsim: negotiation and strategic alliances, by simulation."""


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


def at_least(**options: tuple[int | None, int]) -> None:
    """Reject an integer option below its minimum (``name=(value, low)``), as a ConfigError."""
    for name, (value, low) in options.items():
        if value is not None and value < low:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(flag, flag, value, f"an integer >= {low}")


def emit(data: Any, as_json: bool, text: Callable[[], str]) -> None:
    """Print ``data`` as one JSON object, or ``text()`` for people."""
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        typer.echo(text())


JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]
