"""Commands of the negotiation core: ``negotiate``, ``strategies``, ``demo``, ``tournament``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from negsim.cli.app import JsonOpt, app, at_least, clean_errors, emit
from negsim.negotiation.catalogue import strategy_catalogue
from negsim.negotiation.play import load
from negsim.negotiation.play import negotiate as play
from negsim.negotiation.summary import MAX_LISTED, describe


@app.command()
def negotiate(
    file: Annotated[
        str,
        typer.Argument(metavar="NEGOTIATION", help="a negotiation file (TOML), or a shipped name"),
    ],
    as_json: JsonOpt = False,
    seed: Annotated[int | None, typer.Option(help="root seed (default: fresh entropy)")] = None,
    pareto: Annotated[
        bool,
        typer.Option(
            "--pareto",
            help=f"list the Pareto set in the JSON's analysis.pareto (at most {MAX_LISTED:,} "
            "outcomes, evenly sampled beyond; default: only its size, pareto_size)",
        ),
    ] = False,
) -> None:
    """Play one negotiation: a shipped example by name, or a negotiation file."""
    with clean_errors(file):
        at_least(seed=(seed, 0))
        neg = load(file)
        summary = play(neg, seed=seed, pareto=pareto)
    emit(summary, as_json, lambda: describe(neg, summary) + f"\nseed: {summary['seed']}")


@app.command()
def strategies(as_json: JsonOpt = False) -> None:
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

    emit(catalogue, as_json, text)


@app.command()
def demo(seed: Annotated[int, typer.Option(help="root seed")] = 0) -> None:
    """Play the shipped example negotiations and show walk-away leverage by simulation."""
    from negsim.experiments.demo import run_demo

    with clean_errors():
        at_least(seed=(seed, 0))
        typer.echo(run_demo(seed))


@app.command()
def tournament(
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help="a strategy to enter, any registered key (repeat; default: see above)",
        ),
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
    """Round-robin of strategies over domains: ranking by utility, agreements, Nash distance.

    By default every registered strategy that plays any domain enters, each distinct player
    once: spe (split-the-pie only) and time_dependent (at its defaults the same player as
    linear) play only when named with --strategy.
    """
    # imported when called: pandas and the runner are not needed by the other commands
    from negsim.experiments.tournament import format_matrix, format_ranking, run_tournament

    with clean_errors():
        at_least(random_domains=(random_domains, 0), repetitions=(repetitions, 1), seed=(seed, 0))
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
    emit(data, as_json, lambda: format_ranking(result) + "\n\n" + format_matrix(result))
