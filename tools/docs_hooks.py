"""MkDocs hook: the documentation's reference tables, rendered from the code at build time.

A page asks for a table with a marker on a line of its own, ``<!-- negsim:NAME -->``; the hook
replaces it with a Markdown table built from the one definition in the code (the column
descriptions beside the DataCollector's reporters and the alliance table, the run metrics, the
end causes, the strategy registry, the shipped scenarios and claims). An unknown name stops
the build. So the docs cannot drift from the code: a new column without a description fails
``tests/world/test_columns.py``, and its description appears here by itself.

The claims table joins the claim files with the verdicts ``tools/claim_verdicts.py`` measured
(``docs/data/claim_verdicts.json``); a shipped claim without a measured verdict stops the
build.

Loaded by ``mkdocs.yml`` (``hooks``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ROOT / "docs" / "data" / "claim_verdicts.json"
MARKER = re.compile(r"^<!-- negsim:([a-z_]+) -->$", re.MULTILINE)
#: A link from the notebook to a page by its Markdown source (right in Jupyter, not on the site).
_MD_LINK = re.compile(r'href="(?![a-z]+:)([^"#]+)\.md(#[^"]*)?"')


def cell(text: object) -> str:
    """Text for a Markdown table cell: pipes escaped, one line.

    Examples:
        >>> cell("mean |split − 0.5|")
        'mean \\\\|split − 0.5\\\\|'
    """
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A Markdown table.

    Examples:
        >>> print(table(["a", "b"], [[1, "x"]]))
        | a | b |
        |---|---|
        | 1 | x |
    """
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def described(names: Mapping[str, str], what: str = "column") -> str:
    """A two-column table of names and their descriptions."""
    return table([what, "meaning"], ([f"`{k}`", v] for k, v in names.items()))


def _timeseries() -> str:
    from negsim.world.records import TIMESERIES_COLUMNS

    return described(TIMESERIES_COLUMNS)


def _alliances() -> str:
    from negsim.world.metrics import ALLIANCE_COLUMNS

    return described(ALLIANCE_COLUMNS)


def _organisations() -> str:
    from negsim.world.run import ORGANISATION_COLUMNS

    return described(ORGANISATION_COLUMNS)


def _agents() -> str:
    from negsim.world.records import AGENT_COLUMNS

    return described(AGENT_COLUMNS)


def _summary() -> str:
    from negsim.world.metrics import SUMMARY_FIELDS

    return described(SUMMARY_FIELDS, "field")


def _metrics() -> str:
    from negsim.world.metrics import METRICS

    return described(METRICS, "metric")


def _causes() -> str:
    from negsim.world.alliances import CAUSES

    return described(CAUSES, "cause")


def _failure_causes() -> str:
    from negsim.world.metrics import FAILURE_CAUSES

    return described(FAILURE_CAUSES, "failure cause")


def _strategies() -> str:
    from negsim.negotiation.catalogue import strategy_catalogue

    rows = []
    for key, entry in strategy_catalogue().items():
        traits = [k for k, v in entry["traits"].items() if v is True]
        memory = entry["traits"]["memory"]
        traits.append(f"memory {'all' if memory is None else memory}")
        params = "; ".join(
            f"`{name}` = {p['default']!r} ({p['allowed']}): {p['doc']}"
            for name, p in entry["params"].items()
        )
        rows.append([f"`{key}`", entry["summary"], ", ".join(traits), params or "none"])
    return table(["key", "what it does", "traits", "parameters (default, allowed)"], rows)


def _scenarios() -> str:
    from negsim import shipped
    from negsim.config import read_toml

    rows = []
    for name in shipped.names("scenario"):
        data = read_toml(shipped.find("scenario", name))
        rows.append([f"`{name}`", data.get("description", "")])
    return table(["scenario", "what it is"], rows)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3g}"


def _claims() -> str:
    import negsim
    from negsim.experiments.claim import load_claim
    from negsim.shipped import find

    measured = json.loads(VERDICTS.read_text(encoding="utf-8"))["claims"]
    rows = []
    for name in negsim.list_claims():
        c = load_claim(find("claim", name))
        if name not in measured:
            fix = f"tools/claim_verdicts.py --claim {name}"
            raise PluginError(f"claim {name!r} has no measured verdict: run {fix}")
        v = measured[name]
        lo, hi = v["ci"]
        essay = f" (essay {c.essay})" if c.essay else ""
        metric = f"`{c.metric}`, predicted to {c.direction}, minimum effect {c.min_effect:g}"
        rows.append(
            [
                f"`{name}`",
                f"{c.statement}{essay}. Metric: {metric}",
                f"**{v['verdict']}**",
                f"{_fmt(v['effect'])} ({_fmt(lo)} to {_fmt(hi)})",
                _fmt(v["p_value"]),
                v["n"],
            ]
        )
    head = ["claim", "statement and metric", "verdict", "effect (95% CI)", "p", "n"]
    commits = sorted({str(v.get("git_commit") or "unknown")[:7] for v in measured.values()})
    dates = sorted({v.get("date", "") for v in measured.values()})
    note = (
        f"\n\nMeasured by `tools/claim_verdicts.py` at commit {', '.join(commits)} "
        f"({', '.join(d for d in dates if d)}), each claim with its own replications and seed."
    )
    return table(head, rows) + note


def _claim_seconds() -> str:
    measured = json.loads(VERDICTS.read_text(encoding="utf-8"))["claims"]
    return table(
        ["claim", "wall time (s)"], ([f"`{k}`", v["seconds"]] for k, v in measured.items())
    )


TABLES: dict[str, Callable[[], str]] = {
    "timeseries": _timeseries,
    "alliances": _alliances,
    "organisations": _organisations,
    "agents": _agents,
    "summary": _summary,
    "metrics": _metrics,
    "causes": _causes,
    "failure_causes": _failure_causes,
    "strategies": _strategies,
    "scenarios": _scenarios,
    "claims": _claims,
    "claim_seconds": _claim_seconds,
}


def render(markdown: str) -> str:
    """Replace every ``<!-- negsim:NAME -->`` line by its table."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise PluginError(f"unknown table marker negsim:{name}; known: {sorted(TABLES)}")
        return TABLES[name]()

    return MARKER.sub(replace, markdown)


def site_links(html: str) -> str:
    """Links to ``page.md`` as links to the built ``page.html`` (``use_directory_urls: false``).

    Examples:
        >>> site_links('<a href="outputs.md#time-series">')
        '<a href="outputs.html#time-series">'
    """
    return _MD_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', html)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """MkDocs event: render the tables of a page."""
    return render(markdown)


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    """MkDocs event: MkDocs rewrites Markdown pages' links, but not the notebook's."""
    return site_links(html) if page.file.src_uri.endswith(".ipynb") else html
