"""Randomisation within one world (``[assign]``): half of the organisations, drawn by the
world's seed, get the treatment value of one trait, the rest the control value; nothing else
changes, and the arms' outcomes are compared within the world (intention to treat)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import negsim
from negsim.config import ConfigError
from negsim.world.model import AllianceModel
from negsim.world.scenario import load_scenario

WALK = {"assign.parameter": "walk_away", "assign.control": 0.0, "assign.treatment": 1.0}


def world(seed: int, **overrides: Any) -> AllianceModel:
    s = load_scenario("classroom", {"world.organisations": 60, **overrides})
    return AllianceModel(s, seed=seed, record_organisations=False)


def test_half_are_treated_by_the_seed_and_nothing_else_is_drawn_differently() -> None:
    plain, assigned, again = world(3), world(3, **WALK), world(3, **WALK)
    arm = assigned.orgs.arm
    assert (arm == 1).sum() == 30 and (arm == 0).sum() == 30
    assert np.array_equal(arm, again.orgs.arm)  # one seed, one assignment
    assert not np.array_equal(arm, world(4, **WALK).orgs.arm)
    assert np.all(assigned.orgs.walk_away == arm)  # 1 treated, 0 control
    assert np.all(plain.orgs.arm == -1)
    for trait in ("disclosure", "effort", "risk_tolerance", "coherence", "interests"):
        assert np.array_equal(getattr(plain.orgs, trait), getattr(assigned.orgs, trait)), trait
    assert np.array_equal(plain.edges, assigned.edges)


def test_the_arm_gap_counts_every_organisation() -> None:
    """``arm_value_gap`` is treated minus control mean present_value over all organisations of
    each arm, allied or not; NaN without arms."""
    run = negsim.run_world("classroom", seed=2, overrides=WALK)
    orgs = run.organisations
    value = orgs.groupby("arm")["present_value"].mean()
    assert run.metrics["arm_value_gap"] == pytest.approx(value[1] - value[0])
    assert sorted(orgs["arm"].unique()) == [0, 1]
    assert math.isnan(negsim.run_world("classroom", seed=2, until=6).metrics["arm_value_gap"])


@pytest.mark.parametrize(
    ("key", "value"),
    [("assign.parameter", "reservation"), ("assign.treatment", 1.5), ("assign.share", -0.1)],
)
def test_a_bad_assignment_is_one_error_naming_it(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_scenario("classroom", {**WALK, key: value})
