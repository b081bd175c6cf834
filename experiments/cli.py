"""The ``negsim`` command line (typer). Thin: every command is one call into the library.

Bad input is reported as one line on stderr, naming the file, the field, the bad value and what
is allowed, with exit code 2 and no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from experiments.demo import run_demo
from simulator.config import ConfigError
from simulator.negotiation.catalogue import strategy_catalogue
from simulator.negotiation.protocol import negotiate as play
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
    seed: Annotated[
        int | None, typer.Option(min=0, help="root seed (default: fresh entropy)")
    ] = None,
) -> None:
    """Play one negotiation described by FILE."""
    with clean_errors(file):
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


@app.command()
def demo(
    seed: Annotated[int, typer.Option(min=0, help="root seed")] = 0,
) -> None:
    """Play the shipped example negotiations and show walk-away leverage by simulation."""
    with clean_errors():
        typer.echo(run_demo(seed))


def main() -> None:  # pragma: no cover - console entry point
    """Entry point for ``python -m experiments.cli``."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "main"]
