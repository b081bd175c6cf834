"""The shipped world scenarios: each loads, names itself, describes itself and forms alliances."""

from __future__ import annotations

from pathlib import Path

import pytest

from negsim.world.model import AllianceModel
from negsim.world.scenario import load_scenario
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
#: The worlds the experiment runner's claims run on (one file per claim).
CLAIMS = (
    "walk_away",
    "competition",
    "disclosure",
    "symbolic_concessions",
    "trust_crises",
    "balanced_splits",
    "compatibility",
    "communication",
    "graceful_exits",
)


def test_every_claim_has_its_scenario() -> None:
    """Each claim the experiment runner ships has a scenario file of its own."""
    assert set(CLAIMS) <= {path.stem for path in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_is_named_after_its_file_and_described(path: Path) -> None:
    """`negsim scenarios` lists the file stem with the description: both must be there."""
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description.strip()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_runs_and_forms_alliances(path: Path) -> None:
    """Two years of the world (seed 1) sign alliances in every shipped scenario."""
    model = AllianceModel(load_scenario(path), seed=1)
    model.run(24.0)
    assert model.time == 24.0
    assert model.alliances.size > 0 and model.agreements == model.alliances.size
