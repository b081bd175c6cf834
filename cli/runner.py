"""Commands of the experiment runner: ``sweep``, ``claims``, ``claim``, ``report``,
``sensitivity``."""

from __future__ import annotations

from typing import Annotated

import typer

import negsim.shipped as shipped
from negsim.cli.app import JsonOpt, app, at_least, clean_errors, emit

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

# The runner's modules are imported inside each command: pandas, pyarrow, scipy and the
# executors are slow to import, and `negsim --help` or `negsim claims` need none of them.


@app.command()
def sweep(
    spec: Annotated[
        str, typer.Argument(metavar="SWEEP", help="a sweep file (TOML), or a shipped sweep's name")
    ],
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
    as_json: JsonOpt = False,
) -> None:
    """Run a parameter sweep into an append-only, resumable results folder."""
    from negsim.experiments.runner import describe_result, run_sweep
    from negsim.experiments.sweep import load_sweep

    with clean_errors(spec):
        at_least(
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
    emit(data, as_json, lambda: describe_result(result))


@app.command()
def claims(
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="the claims table, in Markdown, from stored verdicts (verdict.json)"
        ),
    ] = False,
    verdicts: Annotated[
        str | None,
        typer.Option(
            help="with --markdown: a verdicts file ({claims: {NAME: verdict.json}}) instead "
            "of results/claims/NAME/verdict.json"
        ),
    ] = None,
) -> None:
    """List the shipped claims, a line each; or their verdicts as a Markdown table."""
    if not markdown:
        for name, statement in shipped.list_claims().items():
            typer.echo(f"{name}: {statement}")
        return
    from negsim.experiments.claim import markdown_table, read_verdicts, stored_verdicts

    with clean_errors(verdicts or "results/claims"):
        stored = read_verdicts(verdicts) if verdicts else stored_verdicts()
        typer.echo(markdown_table(stored))


@app.command()
def claim(
    target: Annotated[
        str, typer.Argument(metavar="CLAIM", help="a name from `negsim claims`, or a claim file")
    ],
    replications: Annotated[
        int | None, typer.Option(help="replications per root seed (default: the claim's)")
    ] = None,
    seed: Annotated[
        list[int] | None,
        typer.Option(help="a root seed; repeat for several (default: the claim's three)"),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="run the claim in a modified world: section.field=value (repeatable)"
        ),
    ] = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    out: Annotated[
        str | None,
        typer.Option(help="results folder (default: results/claims/NAME[--SETTINGS])"),
    ] = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Test a claim in three root seeds with its placebo: a verdict with its uncertainty."""
    from negsim.cli.world import parse_overrides
    from negsim.experiments.claim import describe_claim, run_claim

    with clean_errors(target):
        at_least(workers=(workers, 1), replications=(replications, 2))
        for s in seed or []:
            at_least(seed=(s, 0))
        result = run_claim(
            target,
            replications=replications,
            seeds=seed or None,
            settings=parse_overrides(set_ or []),
            out=out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=not (quiet or as_json),
        )
    emit(result.to_json(), as_json, lambda: describe_claim(result))


@app.command()
def report(
    folder: Annotated[
        str, typer.Argument(metavar="FOLDER", help="a results folder written by sweep or claim")
    ],
) -> None:
    """Tables and plots from a results folder (written beside its runs)."""
    from negsim.experiments.report import write_report

    with clean_errors(folder):
        path = write_report(folder)
    typer.echo(path.read_text(encoding="utf-8"))
    typer.echo(f"written: {path}")


@app.command()
def sensitivity(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SWEEP",
            help="a sweep file (or shipped name) with design.kind = sobol or morris",
        ),
    ],
    out: Annotated[str | None, typer.Option(help="results folder (default: results/NAME)")] = None,
    workers: WorkersOpt = None,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Sobol or Morris sensitivity indices of each metric (SALib), with bar charts."""
    from negsim.experiments.sensitivity import format_table, run_sensitivity

    with clean_errors(spec):
        at_least(workers=(workers, 1))
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
