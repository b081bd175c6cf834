"""Hostile input, generated: every malformed file gets one line, exit 2, and leaves nothing.

Hypothesis mutates valid documents of each kind negsim reads — a world scenario, a negotiation,
a sweep and a claim — by replacing a value with a wrong type, a non-finite or an extreme number,
deleting a key, adding an unknown one or putting a scalar where a table belongs, and by breaking
the bytes (invalid UTF-8, truncation). Each document goes through the command line (in-process)
and must either run (exit 0) or be refused in one line on stderr (exit 2) with no traceback,
no hang, no file content echoed at length, and nothing written to ``--out``.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negsim.shipped as shipped
from tests.conftest import ROOT, run_cli

#: Values that are wrong somewhere: non-finite, extreme, of the wrong type, empty, hostile.
BAD: list[Any] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -1e308,
    2**63,
    -(2**63),
    -1,
    0,
    -0.0,
    1e-300,
    True,
    "",
    "x",
    "a\x00b",
    "../../etc/passwd",
    [],
    [1, "a"],
    {},
    {"k": 1},
]

#: How long one refusal line may be: the field and a short quoted value, not a file's content.
MAX_LINE = 600

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples every run: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path in a parsed document (tables, arrays and leaves)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.append((*prefix, i))
            out.extend(_paths(value, (*prefix, i)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one to three mutations."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        op = draw(st.sampled_from(["replace", "replace", "delete", "unknown", "scalar"]))
        if op == "replace" or (op == "delete" and isinstance(parent, list)):
            parent[path[-1]] = draw(st.sampled_from(BAD))
        elif op == "delete":
            del parent[path[-1]]
        elif op == "unknown":
            table = parent if isinstance(parent, dict) else doc
            table[draw(st.sampled_from(["colour", "extra_field", "0"]))] = draw(
                st.sampled_from(BAD)
            )
        else:  # a scalar where anything (a table, an array) was
            parent[path[-1]] = draw(st.sampled_from([1, "t", 0.5]))
    return doc


@st.composite
def broken_bytes(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """A valid document's bytes, broken: invalid UTF-8 inserted, or cut short."""
    data = tomli_w.dumps(base).encode()
    at = draw(st.integers(0, len(data)))
    if draw(st.booleans()):
        return (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + data[at:]
        )
    return data[:at]


def _dump(doc: dict[str, Any]) -> bytes:
    return tomli_w.dumps(doc).encode()


def _check(result: Any, out: Path) -> None:
    """Ran, or refused in one short line with nothing left behind."""
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.stdout)
    if result.exit_code == 2:
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr) < MAX_LINE, result.stderr
        assert not out.exists() or not any(out.iterdir()), sorted(out.rglob("*"))


@pytest.fixture(scope="module")
def tiny_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default world cut to 20 organisations and two months: fast enough to run often."""
    doc = _load(shipped.find("scenario", "default"))
    doc["name"] = "tiny"
    doc["world"]["organisations"] = 20
    doc["world"]["horizon"] = 2.0
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_bytes(_dump(doc))
    return path


SCENARIO = _load(shipped.find("scenario", "default"))
SCENARIO["world"]["organisations"] = 20
NEGOTIATION = _load(shipped.find("negotiation", "contract_example"))
SWEEP = _load(ROOT / "tests" / "data" / "sweeps" / "world_tiny.toml")
SWEEP["replications"] = 1
CLAIM = _load(shipped.find("claim", "walk_away_leverage"))
CLAIM["replications"] = 2
CLAIM["sweep"]["values"] = CLAIM["sweep"]["values"][:2]


def _write(tmp: Path, data: bytes) -> tuple[Path, Path]:
    """The document as a file in a fresh folder, and the --out beside it (not created)."""
    folder = tmp / f"case{len(list(tmp.iterdir()))}"
    folder.mkdir()
    path = folder / "input.toml"
    path.write_bytes(data)
    return path, folder / "out"


def _run_world(cli: Any, tmp: Path, data: bytes) -> None:
    path, out = _write(tmp, data)
    _check(run_cli(cli, "run", str(path), "--seed", "1", "--until", "1", "--out", str(out)), out)


def _negotiate(cli: Any, tmp: Path, data: bytes) -> None:
    path, out = _write(tmp, data)
    _check(run_cli(cli, "negotiate", str(path), "--seed", "0", "--json"), out)


def _sweep(cli: Any, tmp: Path, data: bytes) -> None:
    path, out = _write(tmp, data)
    args = ["sweep", str(path), "--executor", "inprocess", "--quiet", "--json", "--out", str(out)]
    _check(run_cli(cli, *args), out)


def _claim(cli: Any, tmp: Path, data: bytes) -> None:
    path, out = _write(tmp, data)
    args = ["claim", str(path), "--executor", "inprocess", "--quiet", "--json", "--out", str(out)]
    _check(run_cli(cli, *args), out)


@SETTINGS
@given(doc=mutated(SCENARIO))
def test_mutated_scenarios(cli: Any, tmp_path: Path, doc: dict[str, Any]) -> None:
    """A scenario with a wrong value, a missing or unknown key: runs, or one line and exit 2."""
    _run_world(cli, tmp_path, _dump(doc))


@SETTINGS
@given(doc=mutated(NEGOTIATION))
def test_mutated_negotiations(cli: Any, tmp_path: Path, doc: dict[str, Any]) -> None:
    """A negotiation file with a wrong value, a missing or unknown key: plays, or one line."""
    _negotiate(cli, tmp_path, _dump(doc))


@SETTINGS
@given(doc=mutated(SWEEP))
def test_mutated_sweeps(cli: Any, tmp_path: Path, tiny_scenario: Path, doc: dict[str, Any]) -> None:
    """A sweep file with a wrong value, a missing or unknown key: runs, or one line, no store."""
    if doc.get("scenario") == SWEEP["scenario"]:
        doc["scenario"] = str(tiny_scenario)
    _sweep(cli, tmp_path, _dump(doc))


@SETTINGS
@given(doc=mutated(CLAIM))
def test_mutated_claims(cli: Any, tmp_path: Path, tiny_scenario: Path, doc: dict[str, Any]) -> None:
    """A claim file with a wrong value, a missing or unknown key: runs, or one line, no store."""
    if doc.get("scenario") == CLAIM["scenario"]:
        doc["scenario"] = str(tiny_scenario)
    _claim(cli, tmp_path, _dump(doc))


@SETTINGS
@given(
    kind=st.sampled_from(["scenario", "negotiation", "sweep", "claim"]),
    data=st.data(),
)
def test_broken_bytes(cli: Any, tmp_path: Path, kind: str, data: st.DataObject) -> None:
    """Invalid UTF-8 or a file cut short: one line naming the file, or (a clean cut) a run."""
    base = {"scenario": SCENARIO, "negotiation": NEGOTIATION, "sweep": SWEEP, "claim": CLAIM}
    raw = data.draw(broken_bytes(base[kind]))
    runner = {"scenario": _run_world, "negotiation": _negotiate, "sweep": _sweep, "claim": _claim}
    runner[kind](cli, tmp_path, raw)


@pytest.mark.parametrize("command", ["run", "negotiate", "sweep", "claim"])
@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000,  # nesting deep enough to exhaust Python's recursion
        'TOKEN = "s3cr3t-token-that-must-not-be-echoed"',  # a .env-like file
        "root:x:0:0:root:/root:/bin/bash",  # a line of /etc/passwd
    ],
    ids=["deep", "dotenv", "passwd"],
)
def test_hostile_files(cli: Any, tmp_path: Path, command: str, text: str) -> None:
    """Deep nesting and files that are not negsim's: one short line that echoes no content."""
    path, out = _write(tmp_path, text.encode())
    extra = ["--out", str(out)] if command != "negotiate" else []
    result = run_cli(cli, command, str(path), *extra)
    assert result.exit_code == 2
    _check(result, out)
    assert "s3cr3t" not in result.stderr and "/bin/bash" not in result.stderr
