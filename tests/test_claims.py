"""Claims: validation, statistics, verdicts, and every shipped claim end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import negsim.shipped as shipped
from negsim.config import ConfigError
from negsim.experiments.claim import (
    evaluate,
    load_claim,
    paired_stats,
    run_claim,
    verdict,
)
from tests.conftest import run_cli

SHIPPED = shipped.names("claim")
CONTRACT = {"claim", "verdict", "effect", "ci", "p_value", "n", "metric", "command", "report"}


def test_the_nine_claims_of_the_issue_are_shipped() -> None:
    assert SHIPPED == [
        "balanced_splits",
        "compatibility_beats_terms",
        "concealing_intent",
        "frequent_communication",
        "graceful_exits",
        "perceived_competition",
        "symbolic_concessions",
        "trust_through_crises",
        "walk_away_leverage",
    ]
    assert set(shipped.list_claims()) == set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_claim_is_valid(name: str) -> None:
    claim = load_claim(shipped.find("claim", name))
    assert claim.statement and claim.metric and claim.control != claim.treatment
    assert claim.shipped


def test_paired_stats_find_a_known_effect() -> None:
    rng = np.random.default_rng(1)
    d = 0.3 + rng.normal(0, 0.2, 40)
    effect, (lo, hi), p = paired_stats(d, seed=0)
    assert effect == pytest.approx(d.mean())
    assert lo < effect < hi and lo > 0.15 and hi < 0.45
    assert p < 0.001


def test_paired_stats_see_no_effect_in_noise() -> None:
    rng = np.random.default_rng(2)
    d = rng.normal(0, 0.2, 40)
    _, (lo, hi), p = paired_stats(d, seed=0)
    assert lo < 0 < hi and p > 0.01


def test_paired_stats_are_seeded() -> None:
    d = np.random.default_rng(3).normal(0.1, 1, 25)
    assert paired_stats(d, seed=5) == paired_stats(d, seed=5)


@pytest.mark.parametrize(
    ("effect", "ci", "minimum", "expected"),
    [
        (0.05, (0.02, 0.08), 0.01, "supported"),
        (0.005, (0.001, 0.009), 0.01, "refuted"),  # real but smaller than the minimum
        (-0.05, (-0.08, -0.02), 0.01, "refuted"),  # reversed
        (0.03, (-0.01, 0.07), 0.02, "inconclusive"),
        (float("nan"), (float("nan"), float("nan")), 0.01, "inconclusive"),
    ],
)
def test_verdict_rule(
    effect: float, ci: tuple[float, float], minimum: float, expected: str
) -> None:
    assert verdict(effect, ci, minimum) == expected


def test_too_few_replications_or_a_weak_p_value_give_no_verdict() -> None:
    assert verdict(0.05, (0.02, 0.08), 0.01, n=9, p_value=0.001) == "inconclusive"
    assert verdict(0.001, (-0.004, 0.006), 0.02, n=5, p_value=0.9) == "inconclusive"
    assert verdict(0.05, (0.02, 0.08), 0.01, n=30, p_value=0.06) == "inconclusive"
    assert verdict(0.05, (0.02, 0.08), 0.01, n=30, p_value=0.01) == "supported"


def test_a_decrease_claim_is_judged_in_its_own_direction(tmp_path: Path) -> None:
    claim = load_claim(shipped.find("claim", "frequent_communication"))
    assert claim.direction == "decrease"
    reps = np.arange(20)
    rows = [
        {"replication": r, "label": "control", "status": "ok", claim.metric: 0.7} for r in reps
    ] + [
        {"replication": r, "label": "treatment", "status": "ok", claim.metric: 0.6 + 0.001 * r}
        for r in reps
    ]
    stats = evaluate(claim, pd.DataFrame(rows), seed=0)
    assert stats["effect"] < 0 and stats["verdict"] == "supported"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


GOOD = """
statement = "s"
scenario = "classroom"
metric = "failure_rate"
direction = "decrease"
min_effect = 0.01
replications = 3
[control]
"trust.meeting_interval" = 6.0
[treatment]
"trust.meeting_interval" = 1.0
"""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('metric = "failure_rate"', 'metric = "happiness"'), "metric"),
        (('direction = "decrease"', 'direction = "sideways"'), "direction"),
        (("min_effect = 0.01", "min_effect = -1"), "min_effect"),
        (("replications = 3", "replications = 1"), "replications"),
        (('"trust.meeting_interval" = 1.0', '"trust.meeting_interval" = 6.0'), "treatment"),
        (('statement = "s"', 'statement = "s"\ncolour = "red"'), "colour"),
    ],
)
def test_bad_claim_files_give_one_line_and_exit_2(
    cli: Any, tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError):
        load_claim(path)
    result = run_cli(cli, "claim", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and str(path) in lines[0]
    assert "Traceback" not in result.output


def test_a_bad_override_value_fails_before_any_run(cli: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("= 1.0", "= -3.0"))
    result = run_cli(cli, "claim", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "trust.meeting_interval" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out" / "runs").exists() or not any(
        (tmp_path / "out" / "runs").iterdir()
    )


def test_unknown_claim_name_lists_the_shipped_ones(cli: Any) -> None:
    result = run_cli(cli, "claim", "no_such_claim")
    assert result.exit_code == 2 and "walk_away_leverage" in result.stderr


def test_claims_command_lists_every_claim(cli: Any) -> None:
    result = run_cli(cli, "claims")
    assert result.exit_code == 0
    assert [line.split(":")[0] for line in result.stdout.strip().splitlines()] == SHIPPED


def test_a_claim_file_runs_paired_and_reproduces(cli: Any, tmp_path: Path) -> None:
    """The JSON contract, the files, and the same numbers in-process and on 2 workers."""
    path = _write(
        tmp_path,
        GOOD.replace(
            "[control]",
            '[sweep]\nparameter = "trust.meeting_interval"\nvalues = [1.0, 12.0]\n[control]',
        ).replace('scenario = "classroom"', 'scenario = "classroom"'),
    )
    outs = []
    for executor, folder in (("inprocess", "a"), ("local", "b")):
        result = run_cli(
            cli,
            "claim",
            str(path),
            "--json",
            "--executor",
            executor,
            "--workers",
            "2",
            "--out",
            str(tmp_path / folder),
        )
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.stdout))
    a, b = outs
    assert set(a) == CONTRACT
    assert a["verdict"] in ("supported", "refuted", "inconclusive")
    assert a["n"] == 3 and a["metric"] == "failure_rate"
    for key in ("effect", "ci", "p_value", "n", "verdict"):
        assert a[key] == b[key]
    assert str(path) in a["command"] and "--replications 3" in a["command"]
    folder = tmp_path / "a"
    assert (folder / "claim.png").stat().st_size > 1000
    report = (folder / "report.md").read_text()
    assert a["verdict"] in report and "trust.meeting_interval" in report and a["command"] in report
    assert json.loads((folder / "verdict.json").read_text()) == a
    runs = pd.read_parquet(folder / "runs")
    assert len(runs) == 3 * 4 and runs["run_id"].is_unique  # control, treatment, 2 sweep values


def test_more_replications_into_the_same_folder_reuse_the_stored_ones(
    tmp_path: Path, cli: Any
) -> None:
    """A claim asked for more replications runs only the new ones, and its numbers equal a
    fresh run with that many (common random numbers); fewer read the stored prefix."""
    path = _write(tmp_path, GOOD)

    def claim(replications: int, folder: str) -> dict[str, Any]:
        args = ["claim", str(path), "--json", "--executor", "inprocess", "--out"]
        result = run_cli(cli, *args, str(tmp_path / folder), "--replications", str(replications))
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout))

    claim(3, "grown")
    grown = claim(5, "grown")
    fresh = claim(5, "fresh")
    assert grown == {**fresh, "command": grown["command"], "report": grown["report"]}
    sessions = json.loads((tmp_path / "grown" / "manifest.json").read_text())["sessions"]
    assert [(s["replications"], s["ran"]) for s in sessions] == [(3, 6), (5, 4)]
    result = run_claim(  # the Python API takes a Path, and keeps the paired differences
        str(path), replications=5, out=tmp_path / "grown", executor="inprocess", progress=False
    )
    assert list(result.pairs.columns) == ["control", "treatment", "difference"]
    assert len(result.pairs) == 5 and result.pairs["difference"].mean() == pytest.approx(
        result.effect
    )
    assert claim(3, "grown")["n"] == 3
    assert len(pd.read_parquet(tmp_path / "grown" / "runs")) == 10


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_claim_runs_end_to_end(name: str, tmp_path: Path) -> None:
    """Two replications each: the whole path runs; the verdicts themselves are in docs/claims.md."""
    result = run_claim(
        name, replications=2, out=str(tmp_path), executor="inprocess", progress=False
    )
    assert result.verdict in ("supported", "refuted", "inconclusive")
    assert result.plot.exists() and result.report.exists()
    assert result.failed_runs == 0
    assert result.command.startswith(f"negsim claim {name} --replications 2 --seed ")
