"""World invariants under Hypothesis: random small scenarios, mechanisms on and off."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.world.model import AllianceModel
from negsim.world.scenario import parse_scenario

MECHANISMS = (
    "value",
    "diligence",
    "trust",
    "crises",
    "shirking",
    "review",
    "reputation",
    "competition",
    "walk_reputation",
    "disclosure",
    "learning",
    "frenemies",
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A small random world: size, network, capacities and every mechanism's switch."""
    kind = draw(
        st.sampled_from(["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"])
    )
    data: dict[str, Any] = {
        "world": {
            "organisations": draw(st.integers(8, 40)),
            "horizon": draw(st.floats(6.0, 36.0)),
            "search_interval": draw(st.floats(0.5, 6.0)),
            "review_interval": draw(st.floats(1.0, 12.0)),
            "alliance_term": draw(st.floats(2.0, 24.0)),
        },
        "network": {
            "kind": kind,
            "m": 2,
            "k": 4,
            "p": 0.2,
            "blocks": 3,
            "p_in": 0.3,
            "p_out": 0.05,
        },
        "organisations": {"capacity": draw(st.integers(1, 4)), "walk_away": draw(st.floats(0, 1))},
        "crises": {"rate": draw(st.floats(0.0, 0.3)), "severity": draw(st.floats(0.0, 1.0))},
        "trust": {
            "loss_aversion": draw(st.floats(1.0, 4.0)),
            "meeting_interval": draw(st.floats(0.5, 4.0)),
        },
    }
    for name in MECHANISMS:
        data.setdefault(name, {})["enabled"] = draw(st.booleans())
    return data


@settings(max_examples=40, deadline=None)
@given(data=scenarios(), seed=st.integers(0, 2**32))
def test_world_invariants(data: dict[str, Any], seed: int) -> None:
    """Trust bounded; capacity respected; time never goes back; the split conserves value."""
    scenario = parse_scenario(data)
    model = AllianceModel(scenario, seed=seed)
    times = [model.time]
    for stop in np.linspace(0, scenario.world.horizon, 7)[1:]:
        model.run(float(stop))
        times.append(model.time)
        t = model.alliances
        assert np.all(np.abs(model.trust.balance) <= scenario.trust.bound + 1e-12)
        running = np.concatenate([t.a[t.alive], t.b[t.alive]])
        counts = np.bincount(running, minlength=model.orgs.n)
        assert np.array_equal(counts, model.active)
        assert np.all(model.active <= model.orgs.capacity)
        assert np.all((model.orgs.reputation >= 0) & (model.orgs.reputation <= 1))
        ended = ~t.alive
        assert np.all(t.end[ended] >= t.signed[ended] - 1e-9) or not ended.any()
    assert times == sorted(times)
    t = model.alliances
    np.testing.assert_allclose(t.realised_a + t.realised_b, t.output, rtol=1e-12, atol=1e-12)
    assert np.all(t.a != t.b)
