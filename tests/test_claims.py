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
    UNITS,
    VERDICTS,
    combined,
    default_folder,
    evaluate,
    load_claim,
    mde,
    paired_stats,
    placebo_verdict,
    power,
    replications_for_power,
    run_claim,
    verdict,
)
from tests.conftest import run_cli

SHIPPED = shipped.names("claim")
CONTRACT = {
    "claim",
    "verdict",
    "effect",
    "ci",
    "p_value",
    "n",
    "metric",
    "unit",
    "design",
    "placebo",
    "seeds",
    "mde",
    "settings",
    "command",
    "report",
}


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
    """Each names its unit, mechanism and placebo, runs three root seeds, and reads an
    intention-to-treat metric (or a within-world gap) as its verdict."""
    claim = load_claim(shipped.find("claim", name))
    assert claim.statement and claim.metric and claim.mechanism and claim.placebo
    assert claim.unit in UNITS and len(claim.seeds) == 3
    assert claim.shipped
    if claim.paired:
        assert claim.control != claim.treatment
    else:
        assert not claim.control
    # the placebo never undoes the treatment itself, nor the randomisation
    arms = claim.arms()
    if claim.paired:
        assert arms["placebo control"] != arms["placebo treatment"]
    assert not any(key.startswith("assign.") for key in claim.placebo)


def test_the_flagship_is_randomised_within_worlds_with_its_placebo() -> None:
    """Issue 13: walk_away 1 versus 0 in each world, every organisation counted, the
    alternative swept from 0; the placebo keeps walking and its price but stops counterparts
    reading walk-outs (leverage), since with no alternative walk_away does nothing at all."""
    claim = load_claim(shipped.find("claim", "walk_away_leverage"))
    assert claim.unit == "organisation" and claim.metric == "arm_value_gap"
    assert claim.assign == {
        "parameter": "walk_away",
        "control": 0.0,
        "treatment": 1.0,
        "share": 0.5,
    }
    assert claim.placebo == {"walk_reputation.enabled": False}
    assert claim.sweep_parameter == "organisations.alternative" and 0.0 in claim.sweep_values


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


def _frame(metric: str, arms: dict[str, Any], reps: int = 20) -> pd.DataFrame:
    """Stored runs of one root seed: each label's metric, a function of the replication."""
    return pd.DataFrame(
        [
            {"replication": r, "label": label, "status": "ok", metric: value(r)}
            for label, value in arms.items()
            for r in range(reps)
        ]
    )


def test_a_decrease_claim_is_judged_in_its_own_direction() -> None:
    claim = load_claim(shipped.find("claim", "frequent_communication"))
    assert claim.direction == "decrease"
    arms = {
        "control": lambda r: 0.7,
        "treatment": lambda r: 0.6 + 0.001 * r,
        "placebo control": lambda r: 0.7,
        "placebo treatment": lambda r: 0.7 + 0.0001 * (r % 2 - 0.5),
    }
    stats = evaluate(claim, {s: _frame(claim.metric, arms) for s in claim.seeds})
    assert stats["effect"] < 0 and stats["verdict"] == "supported"
    assert [s.verdict for s in stats["seeds"]] == ["supported"] * 3
    assert stats["placebo"]["verdict"] == "no effect" and stats["n"] == 60


def test_a_placebo_with_an_effect_of_its_own_makes_the_claim_confounded() -> None:
    """The treatment moves the metric as much with the mechanism removed: confounded, not
    supported, though every root seed supports it."""
    claim = load_claim(shipped.find("claim", "frequent_communication"))
    arms = {
        "control": lambda r: 0.7,
        "treatment": lambda r: 0.6 + 0.001 * r,
        "placebo control": lambda r: 0.7,
        "placebo treatment": lambda r: 0.6 + 0.001 * r,
    }
    stats = evaluate(claim, {s: _frame(claim.metric, arms) for s in claim.seeds})
    assert [s.verdict for s in stats["seeds"]] == ["supported"] * 3
    assert stats["placebo"]["verdict"] == "effect" and stats["verdict"] == "confounded"


def test_disagreeing_root_seeds_make_the_claim_inconclusive() -> None:
    claim = load_claim(shipped.find("claim", "frequent_communication"))
    good = {"control": lambda r: 0.7, "treatment": lambda r: 0.6 + 0.001 * r}
    none = {"control": lambda r: 0.7, "treatment": lambda r: 0.7 + 0.001 * (r % 2 - 0.5)}
    placebo = {"placebo control": lambda r: 0.7, "placebo treatment": lambda r: 0.7}
    frames = {
        s: _frame(claim.metric, {**arms, **placebo})
        for s, arms in zip(claim.seeds, (good, good, none), strict=True)
    }
    stats = evaluate(claim, frames)
    assert [s.verdict for s in stats["seeds"]] == ["supported", "supported", "refuted"]
    assert stats["verdict"] == "inconclusive"


def test_a_within_world_claim_reads_its_metric_in_each_world() -> None:
    """Unit organisation: each replication's effect is the within-world gap itself."""
    claim = load_claim(shipped.find("claim", "walk_away_leverage"))
    arms = {"treatment": lambda r: 0.5 + 0.01 * r, "placebo treatment": lambda r: 0.01 * (r - 9.5)}
    stats = evaluate(claim, {s: _frame(claim.metric, arms) for s in claim.seeds})
    assert stats["effect"] == pytest.approx(0.5 + 0.01 * 9.5)
    assert stats["verdict"] == "supported" and stats["placebo"]["verdict"] == "no effect"
    assert list(stats["pairs"].columns) == ["treatment", "effect"]


@pytest.mark.parametrize(
    ("per_seed", "placebo", "expected"),
    [
        (["supported"] * 3, "no effect", "supported"),
        (["supported"] * 3, "negligible", "supported"),
        (["refuted"] * 3, "effect", "confounded"),
        (["inconclusive"] * 3, "effect", "confounded"),
        (["supported", "supported", "inconclusive"], "no effect", "inconclusive"),
        (["supported"] * 3, "inconclusive", "inconclusive"),  # no placebo evidence
    ],
)
def test_combined_verdict(per_seed: list[str], placebo: str, expected: str) -> None:
    assert combined(per_seed, placebo) == expected and expected in VERDICTS


CONFOUNDED = """
statement = "Opening trust means fewer failed alliances, through reputation"
scenario = "trust_crises"
unit = "world"
metric = "failures_per_organisation"
direction = "decrease"
min_effect = 0.02
replications = 10
seeds = [1]
mechanism = "reputation (wrongly: opening trust acts through the accounts, left in place)"
[control]
"trust.initial" = 0.0
[treatment]
"trust.initial" = 0.5
[placebo]
"reputation.enabled" = false
"""


def test_a_claim_whose_placebo_leaves_the_mechanism_in_place_is_confounded(
    tmp_path: Path,
) -> None:
    """Built on purpose: the placebo removes a mechanism the treatment does not act through,
    so the effect survives it, and the claim is confounded — not supported — in a real run."""
    path = _write(tmp_path, CONFOUNDED)
    res = run_claim(str(path), out=tmp_path / "out", executor="inprocess", progress=False)
    assert res.seeds[0].verdict == "supported"  # what it would say without the placebo
    assert res.placebo["verdict"] == "effect" and res.verdict == "confounded"
    assert res.placebo["ci"][1] < -0.02 and res.effect < 0
    assert "confounded" in res.report.read_text()


def test_placebo_verdicts() -> None:
    assert placebo_verdict((0.1, 0.5), 30, 0.1) == "effect"
    assert placebo_verdict((-0.5, -0.1), 30, 0.1) == "effect"  # either direction
    assert placebo_verdict((0.01, 0.03), 30, 0.1) == "negligible"
    assert placebo_verdict((0.01, 0.12), 30, 0.1) == "effect"  # may reach the minimum
    assert placebo_verdict((-0.1, 0.2), 30, 0.1) == "no effect"
    assert placebo_verdict((0.1, 0.5), 9, 0.1) == "inconclusive"


def test_power_and_minimum_detectable_effect_match_the_textbook() -> None:
    """Cohen's table: d = 0.5 needs 34 pairs (paired t-test, two-sided 5%, 80% power); the
    MDE at those pairs is that effect again; power grows with n."""
    assert replications_for_power(0.5, 1.0) == 34
    assert mde(1.0, 34) == pytest.approx(0.5, abs=0.01)
    assert replications_for_power(0.2, 1.0) == 199
    assert power(0.5, 1.0, 34) >= 0.8 > power(0.5, 1.0, 33)
    assert mde(2.0, 34) == pytest.approx(2 * mde(1.0, 34))
    assert np.isnan(mde(0.0, 30)) and replications_for_power(0.1, 0.0) is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


GOOD = """
statement = "s"
scenario = "classroom"
unit = "world"
metric = "failure_rate"
direction = "decrease"
min_effect = 0.01
replications = 3
mechanism = "m"
[control]
"trust.meeting_interval" = 6.0
[treatment]
"trust.meeting_interval" = 1.0
[placebo]
"trust.meeting_deposit" = 0.0
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
        (('unit = "world"', 'unit = "planet"'), "unit"),
        (('mechanism = "m"', 'mechanism = ""'), "mechanism"),
        (('[placebo]\n"trust.meeting_deposit" = 0.0', ""), "placebo"),
        (("replications = 3", "replications = 3\nseeds = [1, 1]"), "seeds"),
        (("replications = 3", "replications = 3\nseeds = [1]\nseed = 2"), "seed"),
        (('unit = "world"', 'unit = "organisation"'), "control"),
        (
            ("= 0.0\n", '= 0.0\n[assign]\nparameter = "walk_away"\n'),
            "assign",
        ),
        (("replications = 3", 'replications = 3\nshow = ["happiness"]'), "show"),
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


SWEPT = GOOD.replace(
    "[control]", '[sweep]\nparameter = "trust.meeting_interval"\nvalues = [1.0, 12.0]\n[control]'
)


def test_a_claim_file_runs_paired_and_reproduces(cli: Any, tmp_path: Path) -> None:
    """The JSON contract, the files, and the same numbers in-process, on 2 workers and on a
    Dask cluster; each root seed has its own resumable store."""
    path = _write(tmp_path, SWEPT)
    outs = []
    for executor, folder in (("inprocess", "a"), ("local", "b"), ("dask", "c")):
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
    a = outs[0]
    assert set(a) == CONTRACT
    assert a["verdict"] in VERDICTS and a["unit"] == "world"
    assert a["n"] == 9 and a["metric"] == "failure_rate"  # 3 replications × 3 root seeds
    assert [s["seed"] for s in a["seeds"]] == [0, 1, 2] and all(s["n"] == 3 for s in a["seeds"])
    assert set(a["placebo"]) == {"effect", "ci", "p_value", "n", "verdict", "overrides"}
    assert a["placebo"]["overrides"] == {"trust.meeting_deposit": 0.0}
    assert set(a["mde"]) == {
        "effect",
        "replications",
        "sd",
        "replications_for_min_effect",
        "supported_at",
    }
    for b in outs[1:]:
        for key in ("effect", "ci", "p_value", "n", "verdict", "placebo", "seeds", "mde"):
            assert a[key] == b[key], key
    assert str(path) in a["command"] and "--replications 3" in a["command"]
    assert "--seed 0 --seed 1 --seed 2" in a["command"]
    folder = tmp_path / "a"
    assert (folder / "claim.png").stat().st_size > 1000
    report = (folder / "report.md").read_text()
    assert a["verdict"] in report and "trust.meeting_interval" in report and a["command"] in report
    assert "placebo" in report and "minimum detectable effect" in report
    assert json.loads((folder / "verdict.json").read_text()) == a
    runs = {s: pd.read_parquet(folder / f"seed-{s}" / "runs") for s in (0, 1, 2)}
    assert all(len(r) == 3 * 4 for r in runs.values())  # control, treatment, their placebos
    sweep = pd.read_parquet(folder / "sweep-0" / "runs")  # the first root seed, a store apart
    assert len(sweep) == 3 * 3 and set(sweep["label"]) == {
        "control",
        "trust.meeting_interval=1.0",
        "trust.meeting_interval=12.0",
    }
    assert set(runs[1]["label"]) == {
        "control",
        "treatment",
        "placebo control",
        "placebo treatment",
    }


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
    manifest = tmp_path / "grown" / "seed-0" / "manifest.json"
    sessions = json.loads(manifest.read_text())["sessions"]
    assert [(s["replications"], s["ran"]) for s in sessions] == [(3, 12), (5, 8)]
    result = run_claim(  # the Python API takes a Path, and keeps the first seed's pairs
        str(path), replications=5, out=tmp_path / "grown", executor="inprocess", progress=False
    )
    assert list(result.pairs.columns) == ["control", "treatment", "effect"]
    assert len(result.pairs) == 5
    assert result.seeds[0].effect == pytest.approx(result.pairs["effect"].mean())
    assert claim(3, "grown")["n"] == 9
    assert len(pd.read_parquet(tmp_path / "grown" / "seed-0" / "runs")) == 20


def test_a_claim_runs_in_a_modified_world(cli: Any, tmp_path: Path) -> None:
    """`--set` changes the world of every arm and the placebo; its own folder by default, the
    command reproduces it; a field the claim sets itself is refused in one line."""
    path = _write(tmp_path, GOOD)
    args = ["claim", str(path), "--json", "--executor", "inprocess", "--replications", "2"]
    plain = json.loads(run_cli(cli, *args, "--out", str(tmp_path / "p")).stdout)
    result = run_cli(cli, *args, "--set", "world.horizon=24", "--out", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    modified = json.loads(result.stdout)
    assert modified["settings"] == {"world.horizon": 24}
    assert "--set world.horizon=24" in modified["command"]
    assert modified["seeds"] != plain["seeds"]
    runs = pd.read_parquet(tmp_path / "m" / "seed-0" / "runs")
    assert (runs["world.horizon"] == 24).all() and set(runs["label"]) >= {"placebo treatment"}
    refused = run_cli(cli, *args, "--set", "trust.meeting_interval=3", "--out", str(tmp_path / "r"))
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "trust.meeting_interval" in refused.stderr and not (tmp_path / "r").exists()
    unknown = run_cli(cli, *args, "--set", "foo.bar=1", "--out", str(tmp_path / "u"))
    assert unknown.exit_code == 2 and unknown.stderr.count("\n") == 1
    assert "overrides (--set)" in unknown.stderr and not (tmp_path / "u").exists()
    claim = load_claim(shipped.find("claim", "walk_away_leverage"))
    assert default_folder(claim, {}) == Path("results/claims/walk_away_leverage")
    assert default_folder(claim, {"network.m": 6, "trust.meeting_cost": 0.1}) == Path(
        "results/claims/walk_away_leverage--network.m=6--trust.meeting_cost=0.1"
    )
    spaced, underscored = (default_folder(claim, {"a.b": v}) for v in ("x y", "x_y"))
    assert spaced != underscored  # a replaced character is hashed, never collapsed


@pytest.mark.slow
def test_a_claim_killed_with_sigkill_resumes_to_the_uninterrupted_verdict(tmp_path: Path) -> None:
    """`kill -9` mid-claim (pool included), then the same command: the verdict of a run that
    was never interrupted."""
    import os
    import signal
    import subprocess
    import time

    from tests.test_runner import BIN, _spawn, _stop

    path = _write(tmp_path, GOOD.replace("replications = 3", "replications = 12"))
    out = tmp_path / "killed"
    command = [str(BIN / "negsim"), "claim", str(path), "--workers", "2", "--quiet"]
    command += ["--out", str(out)]
    proc = _spawn(command, tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("seed-*/runs/part-*.parquet")):
            assert proc.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline, "no chunk written in 120 s"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        _stop(proc)
    assert not (out / "verdict.json").exists()
    again = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    resumed = json.loads(again.stdout)
    reference = run_claim(
        str(path), out=tmp_path / "reference", executor="inprocess", progress=False
    ).to_json()
    for key in ("verdict", "effect", "ci", "p_value", "n", "placebo", "seeds", "mde"):
        assert resumed[key] == reference[key], key


def test_claims_markdown_is_generated_from_stored_verdicts(cli: Any, tmp_path: Path) -> None:
    """`negsim claims --markdown` writes one row per shipped claim from stored verdicts; the
    README's table is exactly that, from docs/data/claim_verdicts.json."""
    root = Path(__file__).resolve().parents[1]
    verdicts = root / "docs" / "data" / "claim_verdicts.json"
    result = run_cli(cli, "claims", "--markdown", "--verdicts", str(verdicts))
    assert result.exit_code == 0, result.output
    table = result.stdout.strip()
    lines = table.splitlines()
    assert len(lines) == 2 + len(SHIPPED)
    assert all(f"`{name}`" in table for name in SHIPPED)
    stored = json.loads(verdicts.read_text())["claims"]
    for name in SHIPPED:
        assert f"**{stored[name]['verdict']}**" in next(x for x in lines if f"`{name}`" in x)
    assert table in (root / "README.md").read_text()
    missing = run_cli(cli, "claims", "--markdown", "--verdicts", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    empty = tmp_path / "results"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        nothing = run_cli(cli, "claims", "--markdown")
    assert nothing.exit_code == 0 and nothing.stdout.count("not run") == len(SHIPPED)
    assert not empty.exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_claim_runs_end_to_end(name: str, tmp_path: Path) -> None:
    """Two replications each: the whole path runs; the verdicts themselves are in docs/claims.md."""
    result = run_claim(
        name, replications=2, out=str(tmp_path), executor="inprocess", progress=False
    )
    assert result.verdict in VERDICTS
    assert result.plot.exists() and result.report.exists()
    assert result.failed_runs == 0
    assert result.command.startswith(f"negsim claim {name} --replications 2 --seed ")
