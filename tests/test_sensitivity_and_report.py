"""Sensitivity indices (SALib) and the report command, on the runner's trivial model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from negsim.experiments.sensitivity import run_sensitivity
from tests.conftest import run_cli


def _spec(tmp_path: Path, kind: str, extra: str = "") -> Path:
    path = tmp_path / f"{kind}.toml"
    path.write_text(
        f"""
name = "sens_{kind}"
model = "noop"
replications = 2
seed = 4
[design]
kind = "{kind}"
{extra}
[factors]
"a.small" = {{ low = 0.0, high = 1.0 }}
"a.large" = {{ low = 0.0, high = 3.0 }}
"a.none" = {{ low = 0.0, high = 1e-9 }}
"""
    )
    return path


def test_sobol_ranks_factors_by_their_share_of_variance(tmp_path: Path) -> None:
    """y = x + small + large + none: the total index orders the factors by their range."""
    res = run_sensitivity(
        _spec(tmp_path, "sobol", "samples = 64"),
        out=tmp_path / "out",
        executor="inprocess",
        progress=False,
    )
    st = res.table[res.table["metric"] == "y"].set_index("factor")["ST"]
    assert st["a.large"] > st["a.small"] > st["a.none"]
    assert st["a.large"] > 0.7 and abs(st["a.none"]) < 0.05
    assert all(p.exists() for p in res.files)


def test_morris_mu_star_is_the_elementary_effect(tmp_path: Path) -> None:
    """For a linear model the Morris mu* of a factor is its coefficient times its range."""
    res = run_sensitivity(
        _spec(tmp_path, "morris", "samples = 8\nlevels = 4"),
        out=tmp_path / "out",
        executor="inprocess",
        progress=False,
    )
    mu = res.table[res.table["metric"] == "y"].set_index("factor")["mu_star"]
    assert mu["a.large"] == pytest.approx(3.0, rel=1e-6)
    assert mu["a.small"] == pytest.approx(1.0, rel=1e-6)
    assert mu["a.none"] == pytest.approx(0.0, abs=1e-6)


def test_sensitivity_needs_a_sobol_or_morris_design(cli: Any, tmp_path: Path) -> None:
    path = _spec(tmp_path, "lhs", "samples = 8")
    result = run_cli(cli, "sensitivity", str(path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "design.kind" in result.stderr


def test_report_summarises_a_results_folder(cli: Any, tmp_path: Path) -> None:
    spec = tmp_path / "grid.toml"
    spec.write_text(
        """
name = "grid"
model = "noop"
replications = 4
[factors]
"a.b" = [1, 2, 3]
"fail" = [false]
"""
    )
    out = tmp_path / "grid"
    assert (
        run_cli(cli, "sweep", str(spec), "--out", str(out), "--executor", "inprocess").exit_code
        == 0
    )
    result = run_cli(cli, "report", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "summary.md").read_text()
    assert "runs stored: 12 of 12" in text and "a.b=2" in text
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 3 and list(points["x count"]) == [4, 4, 4]
    assert (out / "metrics.png").exists()


def test_report_on_a_folder_that_is_not_one_gives_exit_2(cli: Any, tmp_path: Path) -> None:
    result = run_cli(cli, "report", str(tmp_path))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


def test_tournament_command(cli: Any) -> None:
    result = run_cli(
        cli,
        "tournament",
        "--repetitions",
        "1",
        "--strategy",
        "boulware",
        "--strategy",
        "conceder",
        "--domain",
        "price_warranty",
        "--json",
    )
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert [r["strategy"] for r in data["ranking"]] in (
        ["boulware", "conceder"],
        ["conceder", "boulware"],
    )
    bad = run_cli(cli, "tournament", "--strategy", "nope")
    assert bad.exit_code == 2 and "nope" in bad.stderr
