"""Shared fixtures: the CLI runner and the public bargaining reference cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from negsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
#: A copy of ../shared/reference/bargaining_cases.json, so a lone clone still tests against it.
REFERENCE = ROOT / "tests" / "data" / "bargaining_cases.json"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference" / "bargaining_cases.json"


def reference_cases() -> list[dict[str, Any]]:
    """The public reference cases."""
    return list(json.loads(REFERENCE.read_text())["cases"])


@pytest.fixture
def cli() -> CliRunner:
    """A runner for the negsim typer app (stdout and stderr kept apart)."""
    return CliRunner()


def run_cli(runner: CliRunner, *args: str) -> Any:
    """Invoke ``negsim ARGS`` in-process and return the click Result."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def play(runner: CliRunner, path: Path, *options: str) -> Any:
    """``negsim negotiate PATH --json --seed 0 [OPTIONS]`` as data."""
    result = run_cli(runner, "negotiate", str(path), "--json", "--seed", "0", *options)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))
