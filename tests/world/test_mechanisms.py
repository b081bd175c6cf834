"""Mechanisms of the world that act while alliances run, each in isolation.

(What organisations believe at the table: tests/world/test_beliefs.py; alternatives and
prices: test_alternatives.py and test_prices.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from negsim.world.model import AllianceModel
from negsim.world.scenario import parse_scenario


def test_partners_learn_from_each_other() -> None:
    """Teach and learn: while allied, each picks up capability where the other is ahead."""
    scenario = parse_scenario({"world": {"organisations": 60, "horizon": 36.0}})
    model = AllianceModel(scenario, seed=3)
    before = model.orgs.capabilities.copy()
    model.run()
    allied = np.unique(np.concatenate([model.alliances.a, model.alliances.b]))
    gained = model.orgs.capabilities - before
    assert np.all(gained >= 0) and gained[allied].sum() > 0
    loners = np.setdiff1d(np.arange(60), allied)
    assert np.all(gained[loners] == 0)


@pytest.mark.parametrize("enabled", [True, False])
def test_same_industry_partners_open_with_less_trust(enabled: bool) -> None:
    """Frenemies: on an industry network, same-block alliances start with a smaller balance."""
    scenario = parse_scenario(
        {
            "world": {"organisations": 80, "horizon": 12.0},
            "network": {"kind": "stochastic_block", "blocks": 2, "p_in": 0.2, "p_out": 0.1},
            "frenemies": {"enabled": enabled},
            "concessions": {"enabled": False},  # isolate: no symbolic deposits at signing
            "value": {"trust_from_compatibility": 0.0},  # ... nor trust from shared values
        }
    )
    model = AllianceModel(scenario, seed=1)
    model.run(0.5)  # the first search happens at time 0
    t = model.alliances
    same = model.orgs.block[t.a] == model.orgs.block[t.b]
    opening = model.trust.balance[0::2][: t.size]
    assert same.any() and (~same).any()
    if enabled:
        assert np.all(opening[same] < opening[~same].min())
    else:
        assert np.all(opening == opening[0])


def test_shared_values_open_alliances_with_more_trust() -> None:
    """Essay 002: compatibility in values is a foundation for mutual trust."""
    scenario = parse_scenario(
        {
            "world": {"organisations": 80, "horizon": 12.0},
            "concessions": {"enabled": False},
            "frenemies": {"enabled": False},
            "value": {"trust_from_compatibility": 0.2},
            "risk": {"enabled": False},
        }
    )
    model = AllianceModel(scenario, seed=2)
    model.run(0.5)
    t, o = model.alliances, model.orgs
    similarity = (o.values[t.a] * o.values[t.b]).sum(axis=1)
    opening = model.trust.balance[0::2][: t.size]
    np.testing.assert_allclose(opening, scenario.trust.initial + 0.2 * similarity, atol=1e-12)
    assert np.ptp(similarity) > 0.5
