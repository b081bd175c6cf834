"""Real alternatives (essay 000): an organisation's free capacity earns its standalone value."""

from __future__ import annotations

import math

import numpy as np
import pytest

import negsim


def test_an_organisation_is_paid_its_alternative_while_free() -> None:
    """Each month, ``organisations.alternative`` × ``value.base`` for wholly free capacity,
    pro rata for the share free: one that never allied earns it every month, one that allied
    less, and nothing is paid at the default 0."""
    run = negsim.run_world("classroom", seed=1, overrides={"organisations.alternative": 0.2})
    s = run.model.config
    months = math.floor(s.world.horizon)  # the monthly events up to the horizon
    full = 0.2 * s.value.base * months
    orgs = run.organisations
    never = orgs[orgs["signed"] == 0]
    allied = orgs[orgs["signed"] > 0]
    assert len(never) and len(allied)
    assert never["standalone"].to_numpy() == pytest.approx(full, rel=1e-12)
    assert (allied["standalone"] < full).all() and (allied["standalone"] >= 0).all()
    # month by month, the records agree with the end
    last = run.agents.groupby("organisation")["standalone"].last()
    assert np.allclose(last.to_numpy(), orgs["standalone"].to_numpy())
    default = negsim.run_world("classroom", seed=1)
    assert (default.organisations["standalone"] == 0).all()
