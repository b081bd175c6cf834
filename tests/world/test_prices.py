"""Every helpful mechanism has a price, paid where it is bought (each in isolation).

Meetings take time from operating; a symbolic gesture costs its giver the utility it gives up;
a risk clinic delays the start. (Ties beyond the first cost value monthly:
test_concessions_and_ties; diligence delays the start: test_lifecycle; a crisis breaks an
alliance only when leaving beats staying: test_model; a walk-out costs months:
test_alternatives.)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from negsim.world.alternatives import reservation
from negsim.world.concessions import neighbours
from negsim.world.model import AllianceModel
from negsim.world.organisations import draw_organisations
from negsim.world.scenario import load_scenario
from negsim.world.terms import SHAPE, Stance, negotiate_terms, utilities
from negsim.world.value import potential

DEFAULT = load_scenario("default")


@pytest.mark.parametrize("ties", [1, 3])
def test_a_meeting_takes_its_time_out_of_the_value(ties: int) -> None:
    """Each meeting costs ``trust.meeting_cost`` × ties of a month's expected output, shared
    by the split, out of the alliance's value and both partners' earnings."""
    s = replace(DEFAULT, trust=replace(DEFAULT.trust, ties=ties))
    model = AllianceModel(s, seed=1, record_organisations=False)
    model.run(6.5)
    rows = model.live_rows()
    assert rows.size
    t, o = model.alliances, model.orgs
    before = (t.output[rows].copy(), t.realised_a[rows].copy(), model.earned.copy())
    balance = model.trust.balance.copy()
    model.meet()
    work = o.effort[t.a[rows]] * t.commit_a[rows] + o.effort[t.b[rows]] * t.commit_b[rows]
    cost = s.trust.meeting_cost * ties * t.potential[rows] * work / 2
    np.testing.assert_allclose(before[0] - t.output[rows], cost)
    np.testing.assert_allclose(before[1] - t.realised_a[rows], t.split[rows] * cost)
    np.testing.assert_allclose(before[2].sum() - model.earned.sum(), cost.sum())
    both = model.trust.both(rows)
    assert np.all(model.trust.balance[both] >= balance[both])  # and trust was deposited


def test_a_symbolic_gesture_costs_its_giver_and_is_worth_more_to_the_receiver() -> None:
    """Terms with gestures against the same negotiation without: where a gave, it handed b a
    tenth of the value split; a's utility fell by less than the cost threshold (but fell) and
    b's rose by at least the value threshold; nobody goes below its reservation."""
    s = DEFAULT
    n = 400
    orgs = draw_organisations(s.organisations, n, np.arange(n), np.random.default_rng(5))
    a, b = np.arange(0, n, 2), np.arange(1, n, 2)
    estimate = potential(s.value, orgs, a, b)
    zero = np.zeros(len(a))
    st = Stance(
        reservation_a=reservation(s, orgs, a, b, estimate, zero, 2.0),
        reservation_b=reservation(s, orgs, b, a, estimate, zero, 2.0),
    )
    plain = negotiate_terms(orgs, a, b, 40, st, params=s.organisations.params)
    given = negotiate_terms(orgs, a, b, 40, st, params=s.organisations.params, gestures=True)
    assert np.array_equal(plain.agreed, given.agreed)
    gave_a = given.symbolic_a == 1
    assert gave_a.any()
    assert np.all(plain.symbolic_a == 0)
    only_a = gave_a & (given.symbolic_b == 0)
    cost = plain.utility_a[only_a] - given.utility_a[only_a]
    gain = given.utility_b[only_a] - plain.utility_b[only_a]
    cheap, dear = s.concessions.cost_threshold, s.concessions.value_threshold
    assert np.all(cost > 0) and np.all(cost < cheap) and np.all(gain >= dear - 1e-12)
    assert np.all(given.utility_a[given.agreed] >= st.reservation_a[given.agreed] - 1e-12)
    assert np.all(given.utility_b[given.agreed] >= st.reservation_b[given.agreed] - 1e-12)

    # a tenth of the split, nothing else: one step down the first issue
    rows = np.flatnonzero(only_a)
    before, after = plain.outcome[rows], given.outcome[rows]
    np.testing.assert_allclose(given.split[rows], plain.split[rows] - 0.1)
    assert np.array_equal(after, before - int(np.prod(SHAPE[1:])))
    assert all(int(y) in neighbours(SHAPE)[x] for x, y in zip(before, after, strict=True))
    ua = utilities(orgs, a, True)
    np.testing.assert_allclose(given.utility_a[rows], ua[rows, after])


def test_a_risk_clinic_delays_the_start() -> None:
    """The alliances a world signs start ``risk.clinic_time`` after signing; without the
    clinic, at signing."""
    for enabled in (True, False):
        s = replace(DEFAULT, risk=replace(DEFAULT.risk, enabled=enabled))
        model = AllianceModel(s, seed=0, record_organisations=False)
        model.run(0.5)
        t = model.alliances
        assert t.size
        wait = s.risk.clinic_time if enabled else 0.0
        np.testing.assert_allclose(t.start - t.signed, wait)
        np.testing.assert_allclose(t.planned_end - t.start, s.world.alliance_term)
