"""The typer application every command group registers on, and what the commands share:
one-line errors, option checks and output as text or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
import typer.core

from negsim.config import ConfigError
from negsim.negotiation.strategies.base import StrategyError
from negsim.version import __version__

# Typer 0.29 ships its own copy of Click (typer._click); older Typers use Click itself. The
# classes are found through the one Click exception Typer exports, so either works.
_MRO = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
_USAGE_ERROR: Any = _MRO["UsageError"]
_CLICK_EXCEPTION: Any = _MRO["ClickException"]
_NO_ARGS_IS_HELP: Any = getattr(
    sys.modules[_USAGE_ERROR.__module__], "NoArgsIsHelpError", type("Never", (Exception,), {})
)


class UsageLine(_CLICK_EXCEPTION):  # type: ignore[misc]
    """A usage error (a bad option value, a missing argument, an unknown option or command)
    shown as one line, like every other bad input, instead of Click's usage block."""

    exit_code = 2

    def __init__(self, error: Any) -> None:
        path = error.ctx.command_path if error.ctx is not None else "negsim"
        command = path.partition(" ")[2]  # "run" in "negsim run"; "" for negsim itself
        where = f"{command}: " if command else ""
        super().__init__(f"{where}{error.format_message()} (see `{path} --help`)")

    def show(self, file: Any = None) -> None:
        """Print the one line on stderr."""
        typer.echo(f"negsim: {self.format_message()}", err=True)


class OneLineUsage(typer.core.TyperGroup):
    """The command group: usage errors of the group and of every command become one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        """Parse the top-level options (a bad one: one line)."""
        try:
            return super().make_context(*args, **kwargs)
        except _NO_ARGS_IS_HELP:
            raise  # `negsim` alone prints the help
        except _USAGE_ERROR as error:
            raise UsageLine(error) from None

    def invoke(self, ctx: Any) -> Any:
        """Run the command (its usage errors: one line)."""
        try:
            return super().invoke(ctx)
        except _NO_ARGS_IS_HELP:
            raise
        except _USAGE_ERROR as error:
            raise UsageLine(error) from None


app = typer.Typer(
    cls=OneLineUsage,
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
