"""The negsim command line: contract output, one-line errors with exit code 2, listings."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import negsim.negotiation.strategies as strategies
from negsim.negotiation.summary import MAX_LISTED
from tests.conftest import ROOT, run_cli

EXAMPLE = ROOT / "scenarios" / "negotiations" / "contract_example.toml"
CONTRACT_KEYS = {
    "agreement",
    "ended_by",
    "walked_away",
    "round",
    "utilities",
    "offers",
    "concessions",
    "analysis",
}
ANALYSIS_KEYS = {
    "pareto_size",
    "nash",
    "kalai_smorodinsky",
    "max_welfare",
    "distance_to_pareto",
    "distance_to_nash",
}


def test_negotiate_json_has_the_contract_fields(cli: Any) -> None:
    """`negotiate --json` prints one object with every field of the contract."""
    result = run_cli(cli, "negotiate", str(EXAMPLE), "--json", "--seed", "3")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert CONTRACT_KEYS <= out.keys() and ANALYSIS_KEYS <= out["analysis"].keys()
    assert out["ended_by"] in {"agreement", "walk_away", "deadline"}
    assert set(out["utilities"]) == {"a", "b"}
    first = out["offers"][0]
    assert first["round"] == 1 and first["by"] == "a"
    assert set(first["outcome"]) == {"price", "share_a"}
    assert all(
        c["quadrant"] in {"costly_trade", "material_yet_symbolic", "unnecessary_cost", "low_stakes"}
        for c in out["concessions"]
    )


def test_pareto_set_is_listed_only_with_pareto(cli: Any) -> None:
    """By default the analysis gives the Pareto set's size; --pareto lists it, capped."""
    plain = run_cli(cli, "negotiate", "split_the_pie", "--json", "--seed", "0").stdout
    listed = run_cli(cli, "negotiate", "split_the_pie", "--json", "--seed", "0", "--pareto").stdout
    assert "pareto" not in json.loads(plain)["analysis"] and len(plain) < 2_000
    short, full = json.loads(plain)["analysis"], json.loads(listed)["analysis"]
    assert short["pareto_size"] == full["pareto_size"] == 100_001
    assert len(full["pareto"]) == MAX_LISTED
    assert full["pareto"][0] == {"share_a": 0.0} and full["pareto"][-1] == {"share_a": 1.0}
    assert {k: v for k, v in full.items() if k != "pareto"} == short


def test_same_seed_same_output(cli: Any) -> None:
    """One seed, one result: two runs print the same JSON."""
    args = ("negotiate", str(EXAMPLE), "--json", "--seed", "11")
    assert run_cli(cli, *args).stdout == run_cli(cli, *args).stdout


def test_negotiate_text_summary(cli: Any) -> None:
    """Without --json a readable summary names the ending and the reference points."""
    result = run_cli(cli, "negotiate", str(EXAMPLE), "--seed", "0")
    assert result.exit_code == 0
    assert "Nash point" in result.stdout and "seed: 0" in result.stdout


def test_strategies_lists_every_registered_strategy(cli: Any) -> None:
    """`strategies --json` lists each key with traits and parameters."""
    out = json.loads(run_cli(cli, "strategies", "--json").stdout)
    assert list(out) == list(strategies.keys())
    assert out["boulware"]["params"]["e"]["default"] == 0.2
    assert out["spe"]["traits"]["complete_information"] is True
    text = run_cli(cli, "strategies").stdout
    assert all(key in text for key in strategies.keys())


def test_demo_shows_walk_away_leverage(cli: Any) -> None:
    """The demo plays the examples and the outside-option sweep: spe's flat-then-one-for-one
    line and zeuthen's Nash line (slope one half), side by side."""
    result = run_cli(cli, "demo")
    assert result.exit_code == 0
    assert "walk-away leverage" in result.stdout
    assert re.search(r"\s0\.2\s+0\.4737\s+0\.6\s+0\.6\n", result.stdout)
    assert re.search(r"\s0\.6\s+0\.6\s+0\.8\s+0\.8\n", result.stdout)


GOOD = EXAMPLE.read_text()

BAD_FILES = [
    ("deadline", GOOD.replace("deadline = 100 ", "deadline = -1 "), "protocol.deadline"),
    ("opener", GOOD.replace('opener = "a"', 'opener = "c"'), "protocol.opener"),
    ("unknown top key", GOOD + "\n[extra]\nx = 1\n", "extra"),
    ("unknown protocol key", GOOD.replace("[protocol]", "[protocol]\nspeed = 2"), "protocol.speed"),
    ("steps", GOOD.replace("steps = 101", "steps = 1"), "issues.share_a.steps"),
    ("range", GOOD.replace("range = [0.0, 1.0]", "range = [1.0, 0.0]"), "issues.share_a.range"),
    ("strategy", GOOD.replace('strategy = "conceder"', 'strategy = "bully"'), "parties.b.strategy"),
    (
        "reservation",
        GOOD.replace("reservation = 0.3 ", "reservation = 1.5 ", 1),
        "parties.a.reservation",
    ),
    ("walk_away", GOOD.replace("walk_away = 0.0", "walk_away = 2"), "parties.b.walk_away"),
    (
        "weight",
        GOOD.replace("weights = { price = 0.3", "weights = { price = -0.3"),
        "parties.b.weights.price",
    ),
    (
        "weights issue",
        GOOD.replace("weights = { price = 0.3", "weights = { colour = 1, price = 0.3"),
        "parties.b.weights.colour",
    ),
    (
        "evaluation",
        GOOD.replace(
            "price = { low = 1.0, mid = 0.6, high = 0.0 }", "price = { low = 1.0, mid = 0.6 }"
        ),
        "parties.b.evaluations.price",
    ),
    (
        "evaluation range",
        GOOD.replace("mid = 0.6, high", "mid = 1.6, high"),
        "parties.b.evaluations.price.mid",
    ),
    (
        "numeric shape",
        GOOD.replace('share_a = "decreasing"', 'share_a = "wavy"'),
        "parties.b.evaluations.share_a",
    ),
    ("param range", GOOD.replace("e = 0.2", "e = -1"), "parties.a.params.e"),
    ("param name", GOOD.replace("e = 0.2", "beta = 1"), "parties.a.params.beta"),
    ("missing parties", GOOD.split("[parties.a]")[0], "parties"),
    ("syntax", GOOD.replace("[protocol]", "[protocol"), "(syntax)"),
    (
        "spe domain",
        GOOD.replace('strategy = "boulware"', 'strategy = "spe"').replace(
            "[parties.a.params]             # optional strategy parameters\ne = 0.2", ""
        ),
        "parties.a.strategy",
    ),
]


@pytest.mark.parametrize(("name", "text", "field"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_one_line_and_exit_2(
    cli: Any, tmp_path: Path, name: str, text: str, field: str
) -> None:
    """A bad file: one line on stderr naming the file and the field; exit code 2."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = run_cli(cli, "negotiate", str(path), "--json")
    assert result.exit_code == 2, (name, result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and field in lines[0]
    assert "allowed" in lines[0]
    assert result.stdout == ""


def test_missing_file_gives_one_line_and_exit_2(cli: Any, tmp_path: Path) -> None:
    """A file that does not exist is named in one line, exit code 2."""
    result = run_cli(cli, "negotiate", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nope.toml" in result.stderr


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    """The installed `negsim` command turns a bad file into one line and exit code 2."""
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("deadline = 100 ", "deadline = -1 "))
    exe = Path(sys.executable).with_name("negsim")
    proc = subprocess.run(
        [str(exe), "negotiate", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_run_writes_a_results_folder(cli: Any, tmp_path: Path) -> None:
    """`run` writes Parquet tables, GraphML, PNG figures and a manifest; --json the summary."""
    import networkx as nx
    import pandas as pd

    out = tmp_path / "run"
    result = run_cli(cli, "run", "classroom", "--seed", "4", "--json", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    for key in (
        "alliances_formed",
        "failure_rate",
        "mean_duration",
        "agreement_rate",
        "mean_trust",
        "failure_causes",
    ):
        assert key in summary
    alliances = pd.read_parquet(out / "alliances.parquet")
    assert len(alliances) == summary["alliances_formed"]
    assert {"a", "b", "start", "end", "cause", "expected_a", "realised_a", "failed"} <= set(
        alliances.columns
    )
    series = pd.read_parquet(out / "timeseries.parquet")
    assert series["time"].is_monotonic_increasing
    assert nx.read_graphml(out / "network.graphml").number_of_nodes() == 20
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed_entropy"] == 4 and manifest["scenario"]["name"] == "classroom"
    assert all(
        (out / f).stat().st_size > 0
        for f in ("alliances_over_time.png", "trust_distribution.png", "failure_causes.png")
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_run_is_reproducible_and_set_overrides(cli: Any, tmp_path: Path) -> None:
    """Same seed, same summary; --set changes the scenario."""

    def summary(*extra: str) -> dict[str, Any]:
        res = run_cli(
            cli, "run", "classroom", "--seed", "1", "--json", "--out", str(tmp_path / "r"), *extra
        )
        assert res.exit_code == 0, res.stderr
        out = json.loads(res.stdout)
        out.pop("folder")
        return dict(out)

    assert summary() == summary("--force")
    assert summary("--force", "--set", "world.organisations=30")["organisations"] == 30


def test_run_never_overwrites_a_results_folder(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Default folders name the overrides and --until; an existing folder needs --force."""
    monkeypatch.chdir(tmp_path)

    def folder(*extra: str) -> str:
        res = run_cli(cli, "run", "classroom", "--seed", "2", "--json", "--until", "6", *extra)
        assert res.exit_code == 0, res.stderr
        return str(json.loads(res.stdout)["folder"])

    plain = folder()
    changed = folder("--set", "trust.enabled=false")
    assert plain == "results/classroom-seed2-until6"
    assert changed == "results/classroom-seed2-until6-trust.enabled=false"
    again = run_cli(cli, "run", "classroom", "--seed", "2", "--until", "6")
    assert again.exit_code == 2 and again.stderr.count("\n") == 1
    assert "--out" in again.stderr and "--force" in again.stderr
    assert folder("--force") == plain  # replaced whole, and nothing left beside it
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == sorted(
        [Path(plain).name, Path(changed).name]
    )
    manifest = json.loads((tmp_path / plain / "manifest.json").read_text())
    assert manifest["until"] == 6.0 and manifest["overrides"] == {}
    assert manifest["negsim"] and "versions" in manifest


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["run", "nosuch"], "(scenario)"),
        (["run", "classroom", "--set", "crises.rate=-1"], "crises.rate"),
        (["run", "classroom", "--set", "crises.speed=1"], "crises.speed"),
        (["run", "classroom", "--set", "world.organisations=2"], "world.organisations"),
        (["run", "classroom", "--set", "network.kind='torus'"], "network.kind"),
        (["run", "classroom", "--until", "-3"], "--until"),
    ],
)
def test_run_bad_input_gives_one_line_and_exit_2(cli: Any, args: list[str], field: str) -> None:
    """A bad scenario or override: one line naming the field, exit code 2."""
    result = run_cli(cli, *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and field in result.stderr


def test_scenarios_lists_the_shipped_ones(cli: Any) -> None:
    """`scenarios` prints a line per shipped scenario."""
    lines = run_cli(cli, "scenarios").stdout.strip().splitlines()
    assert any(line.startswith("default: ") for line in lines)
    assert any(line.startswith("classroom: ") for line in lines)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["no_such_scenario"], "(scenario)"),
        (["--port", "70000"], "--port"),
        (["--port", "0"], "--port"),
        (["--host", "no.such.host"], "--host"),
    ],
)
def test_viz_bad_input_is_one_line_and_exit_2(cli: Any, args: list[str], field: str) -> None:
    """`viz` checks the scenario and the address before serving: one line, exit code 2."""
    result = run_cli(cli, "viz", *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and field in result.stderr


def test_viz_port_in_use_is_one_line_and_exit_2(cli: Any) -> None:
    """A port another server holds is reported before Solara starts."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_cli(cli, "viz", "--port", str(busy.getsockname()[1]))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--port" in result.stderr


def test_force_replaces_only_an_earlier_runs_folder(cli: Any, tmp_path: Path) -> None:
    """--force never deletes a folder of other files (or the current folder): one line, exit 2."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    for out in (str(mine), "."):
        result = run_cli(cli, "run", "classroom", "--until", "1", "--out", out, "--force")
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "--force" in result.stderr
    assert (mine / "thesis.tex").read_text() == "precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    ok = run_cli(cli, "run", "classroom", "--until", "1", "--out", str(empty), "--force")
    assert ok.exit_code == 0 and (empty / "manifest.json").is_file()


def test_a_taken_folder_is_refused_before_simulating(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the folder name known (a seed or --out), a taken folder is refused up front."""
    import negsim.world.run

    out = tmp_path / "taken"
    out.mkdir()
    (out / "x").write_text("")

    def no_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the world ran before the folder was checked")

    monkeypatch.setattr(negsim.world.run, "run_world", no_run)
    result = run_cli(cli, "run", "classroom", "--out", str(out))
    assert result.exit_code == 2 and "--out" in result.stderr and "--force" in result.stderr


def test_a_misspelt_name_suggests_the_shipped_one(cli: Any) -> None:
    """A name that is nearly a shipped one: one line that suggests it."""
    result = run_cli(cli, "run", "clasroom")
    assert result.exit_code == 2 and "did you mean 'classroom'?" in result.stderr


def test_report_refuses_a_single_runs_folder(cli: Any, tmp_path: Path) -> None:
    """`report` reads sweep and claim folders; a `negsim run` folder gets one line, exit 2."""
    out = tmp_path / "run"
    assert run_cli(cli, "run", "classroom", "--until", "1", "--out", str(out)).exit_code == 0
    result = run_cli(cli, "report", str(out))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "negsim run" in result.stderr and not (out / "summary.md").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "classroom", "--seed", "abc"], "--seed"),
        (["run"], "SCENARIO"),
        (["run", "classroom", "--sed", "1"], "--sed"),
        (["bogus"], "bogus"),
        (["--bogus"], "--bogus"),
        (["claim", "walk_away_leverage", "--replications", "1.5"], "--replications"),
    ],
)
def test_usage_errors_are_one_line(cli: Any, args: list[str], named: str) -> None:
    """A bad option value, a missing argument, an unknown option or command: one line, exit 2,
    not Click's usage block."""
    result = run_cli(cli, *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and named in result.stderr
    assert "Usage:" not in result.stderr and "Traceback" not in result.stderr
