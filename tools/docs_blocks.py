"""The documentation's generated blocks: tables and excerpts written from their one source.

The Markdown under ``docs/`` (and the README) is read in three places: on the site, on GitHub
and in a clone. So what is generated from the code is committed into the pages, between a
pair of markers that are HTML comments (invisible wherever the Markdown is rendered)::

    <!-- negsim:alliances -->

    | column | meaning |
    ...

    <!-- /negsim:alliances -->

This script rewrites the text between every pair from its source; ``tests/test_docs.py`` fails
when any block differs from what it would write, so the pages never drift from the code:

    .venv/bin/python tools/docs_blocks.py          # rewrite every stale block in place
    .venv/bin/python tools/docs_blocks.py --check  # list the stale files; exit 1 if any

The kinds of block:

* a reference table, ``<!-- negsim:NAME -->`` with NAME one of :data:`TABLES`: the column
  descriptions beside the DataCollector's reporters and the alliance table, the run metrics,
  the end causes, the strategy registry, the shipped scenarios, the claims with their measured
  verdicts (``docs/data/claim_verdicts.json``, written by ``tools/claim_verdicts.py``);
* an excerpt, ``<!-- negsim:include PATH -->``: a file of the repository (in a fenced code block
  named after its suffix), or ``README.md#glossary``: the body of the README's section with
  that heading;
* a measured number inside a sentence, ``<!-- negsim:measured CLAIM.FIELD [×SCALE] FORMAT -->``
  (both markers on one line, after some words of the sentence: Python-Markdown ends a
  paragraph at a line that starts with a comment): a figure of the verdicts file, scaled and
  formatted, e.g. ``walk_away_leverage.ci.0 .3f`` or ``symbolic_concessions.effect ×-100 .1f``
  (a verdict, being words, takes the format ``s``: ``walk_away_leverage.verdict s``); or what
  the teaching page shows in a lesson step, ``lesson.default.page.60.failed d`` or
  ``games.boulware.you .2f`` (:func:`lesson_figures`, measured afresh on every run).

A new block is written as its two marker lines with nothing between them; the script fills it.
An unknown name, an unclosed marker or a claim without a measured verdict stops the script.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ROOT / "docs" / "data" / "claim_verdicts.json"
COMMAND = ".venv/bin/python tools/docs_blocks.py"
#: A generated block: its opening marker (a name and an argument), its text, its closing marker
#: (a marker quoted in `code` is prose, not a marker).
BLOCK = re.compile(
    r"(?<!`)<!-- negsim:(?P<name>[a-z_]+)(?: (?P<arg>[^>]*?))? -->"
    r"(?P<body>.*?)"
    r"<!-- /negsim:(?P=name) -->",
    re.DOTALL,
)
_OPENING = re.compile(r"(?<!`)<!-- negsim:([a-z_]+)")
_FENCES = {".toml": "toml", ".py": "python", ".json": "json", ".yml": "yaml", ".yaml": "yaml"}


class BlockError(Exception):
    """A marker the script cannot fill: unknown, unclosed, or its source is missing."""


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


def public(dotted: str) -> Any:
    """The object a public dotted name (``package.module.NAME``) names.

    Examples:
        >>> "running" in public("negsim.world.alliances.CAUSES")
        True
    """
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        raise BlockError(f"{dotted}: {err} (update DESCRIBED in tools/docs_blocks.py)") from err


#: Tables of described names: block name → (the public name of the descriptions, first column).
DESCRIBED: dict[str, tuple[str, str]] = {
    "timeseries": ("negsim.world.records.TIMESERIES_COLUMNS", "column"),
    "alliances": ("negsim.world.metrics.ALLIANCE_COLUMNS", "column"),
    "organisations": ("negsim.world.run.ORGANISATION_COLUMNS", "column"),
    "agents": ("negsim.world.records.AGENT_COLUMNS", "column"),
    "summary": ("negsim.world.metrics.SUMMARY_FIELDS", "field"),
    "metrics": ("negsim.world.metrics.METRICS", "metric"),
    "causes": ("negsim.world.alliances.CAUSES", "cause"),
    "failure_causes": ("negsim.world.metrics.FAILURE_CAUSES", "failure cause"),
}


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


def measured() -> dict[str, Any]:
    """The measured verdicts, by claim (``docs/data/claim_verdicts.json``)."""
    claims: dict[str, Any] = json.loads(VERDICTS.read_text(encoding="utf-8"))["claims"]
    return claims


def lesson_figures() -> dict[str, Any]:
    """What the teaching page shows in the lesson plans' steps (:mod:`negsim.viz.lesson`):
    ``lesson.STEP.page.MONTH.FIELD``, ``lesson.STEP.seeds.FIELD``, ``games.OPPONENT.FIELD``."""
    from negsim.viz import lesson  # imported when a page quotes it: it runs the page's worlds

    return {"lesson": lesson.figures(), "games": lesson.games()}


def _claims() -> str:
    """``negsim claims --markdown --verdicts docs/data/claim_verdicts.json``, and when."""
    import negsim
    from negsim.experiments.claim import markdown_table

    verdicts = measured()
    for name in negsim.list_claims():
        if name not in verdicts:
            fix = f"tools/claim_verdicts.py --claim {name}"
            raise BlockError(f"claim {name!r} has no measured verdict: run {fix}")
    commits = sorted({str(v.get("git_commit") or "unknown")[:7] for v in verdicts.values()})
    dates = sorted({v.get("date", "") for v in verdicts.values()})
    note = (
        f"\n\nGenerated by `negsim claims --markdown --verdicts docs/data/claim_verdicts.json` "
        f"from the verdicts `tools/claim_verdicts.py` measured at commit {', '.join(commits)} "
        f"({', '.join(d for d in dates if d)}), each claim with its own replications and root "
        "seeds. Seeds: the verdict of each root seed; MDE: the minimum detectable effect at the "
        "replications per seed (80% power)."
    )
    return markdown_table(verdicts) + note


def _claim_seconds() -> str:
    return table(
        ["claim", "wall time (s)"], ([f"`{k}`", v["seconds"]] for k, v in measured().items())
    )


#: Every reference table a page may ask for, by block name.
TABLES: dict[str, Callable[[], str]] = {
    **{
        name: (lambda dotted=dotted, what=what: described(public(dotted), what))
        for name, (dotted, what) in DESCRIBED.items()
    },
    "strategies": _strategies,
    "scenarios": _scenarios,
    "claims": _claims,
    "claim_seconds": _claim_seconds,
}


def slug(heading: str) -> str:
    """A heading's anchor as GitHub and MkDocs make it.

    Examples:
        >>> slug("The claims and their verdicts")
        'the-claims-and-their-verdicts'
    """
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def section(markdown: str, anchor: str) -> str:
    """The body of the section whose heading has this anchor, up to the next heading as high.

    Examples:
        >>> section("# A\\n## B c\\ntext\\n### D\\nmore\\n## E\\n", "b-c")
        'text\\n### D\\nmore'
    """
    lines = markdown.splitlines()
    headings, fenced = [], False
    for i, line in enumerate(lines):
        fenced ^= line.startswith("```")  # a "# comment" in a code block is no heading
        level = len(line) - len(line.lstrip("#"))
        if not fenced and level and line[level : level + 1] == " ":
            headings.append((i, level, slug(line[level:])))
    for k, (i, level, name) in enumerate(headings):
        if name == anchor:
            end = next((j for j, lv, _ in headings[k + 1 :] if lv <= level), len(lines))
            return "\n".join(lines[i + 1 : end]).strip("\n")
    raise BlockError(f"no heading with the anchor #{anchor}")


def include(arg: str) -> str:
    """An excerpt of a repository file: ``PATH`` fenced as code, or ``FILE.md#anchor``."""
    name, _, anchor = arg.partition("#")
    path = ROOT / name
    if not path.is_file():
        raise BlockError(f"include: no file {name}")
    text = path.read_text(encoding="utf-8")
    if anchor:
        try:
            return section(text, anchor)
        except BlockError as err:
            raise BlockError(f"include: {name}: {err}") from err
    fence = _FENCES.get(path.suffix, "")
    return f"```{fence}\n{text.rstrip()}\n```"


def figure(arg: str, claims: Mapping[str, Any] | None = None) -> str:
    """A measured number: ``CLAIM.FIELD[.INDEX…] [×SCALE] FORMAT``, minus signs typeset.

    Examples:
        >>> data = {"c": {"effect": -0.0159, "ci": [-0.031, -0.0015]}}
        >>> figure("c.effect ×-100 .1f", data), figure("c.ci.0 +.3f", data)
        ('1.6', '−0.031')
    """
    words = arg.split()
    if len(words) not in (2, 3) or (len(words) == 3 and not words[1].startswith("×")):
        raise BlockError(f"measured: {arg!r} is not CLAIM.FIELD [×SCALE] FORMAT")
    lesson = words[0].split(".")[0] in ("lesson", "games")
    source = "negsim.viz.lesson" if lesson else VERDICTS.name
    value: Any = claims if claims is not None else lesson_figures() if lesson else measured()
    for key in words[0].split("."):
        try:
            value = value[int(key)] if isinstance(value, list) else value[key]
        except (KeyError, IndexError, ValueError) as err:
            raise BlockError(f"measured: no {words[0]} in {source}") from err
    if isinstance(value, str):  # a verdict: words, not a number
        return format(value, words[-1])
    if len(words) == 3:
        value = value * float(words[1][1:])
    return format(value, words[-1]).replace("-", "−")


def generate(name: str, arg: str | None) -> str:
    """What the block ``<!-- negsim:NAME ARG -->`` holds."""
    if name == "measured" and arg:
        return figure(arg)
    if name == "include" and arg:
        return "\n\n" + include(arg) + "\n\n"
    if name in TABLES and not arg:
        return "\n\n" + TABLES[name]() + "\n\n"
    known = ["include PATH", "measured CLAIM.FIELD [×SCALE] FORMAT", *TABLES]
    marker = f"negsim:{name} {arg}" if arg else f"negsim:{name}"
    raise BlockError(f"unknown block {marker}; known: {known}")


def refresh(markdown: str) -> str:
    """The Markdown with every generated block rewritten from its source.

    Examples:
        >>> refresh("A table: <!-- negsim:claims -->, no end.")
        Traceback (most recent call last):
        ...
        docs_blocks.BlockError: a <!-- negsim:NAME --> marker has no <!-- /negsim:NAME --> after it
    """
    blocks = list(BLOCK.finditer(markdown))
    # an included section may hold blocks of its own page (refreshed there): not counted here
    outer = "".join(
        markdown[m.start() : m.start("body")] if m["name"] == "include" else m[0] for m in blocks
    )
    rest = BLOCK.sub("", markdown)
    if len(blocks) != len(_OPENING.findall(outer + rest)):
        raise BlockError("a <!-- negsim:NAME --> marker has no <!-- /negsim:NAME --> after it")
    parts, last = [], 0
    for m in blocks:
        if m["name"] == "measured" and not markdown[: m.start()].rpartition("\n")[2].strip():
            # Python-Markdown ends a paragraph at a line that starts with an HTML comment
            raise BlockError(f"{m[0][:60]}…: a measured number must follow text on its line")
        parts += [markdown[last : m.start("body")], generate(m["name"], m["arg"])]
        last = m.end("body")
    return "".join([*parts, markdown[last:]])


def pages() -> list[Path]:
    """The Markdown files that may hold generated blocks: the README and the docs pages."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def stale() -> dict[Path, str]:
    """The files whose blocks differ from what the code generates now, with their fresh text."""
    fresh = {}
    for path in pages():
        text = path.read_text(encoding="utf-8")
        try:
            new = refresh(text)
        except BlockError as err:
            raise BlockError(f"{path.relative_to(ROOT)}: {err}") from err
        if new != text:
            fresh[path] = new
    return fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list stale files")
    args = parser.parse_args(argv)
    written: set[Path] = set()
    for _ in range(3):  # a page that includes another's section follows it on the next pass
        try:
            fresh = stale()
        except BlockError as err:
            print(f"docs_blocks: {err}", file=sys.stderr)
            return 2
        if args.check or not fresh:
            break
        for path, text in fresh.items():
            path.write_text(text, encoding="utf-8")
        written |= set(fresh)
    for path in sorted(written) if not args.check else fresh:
        verb = "stale" if args.check else "rewritten"
        print(f"{path.relative_to(ROOT)}: {verb}", file=sys.stderr)
    return 1 if args.check and fresh else 0


if __name__ == "__main__":
    raise SystemExit(main())
