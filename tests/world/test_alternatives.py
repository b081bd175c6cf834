"""Real alternatives (essay 000): an organisation's free capacity earns its standalone value;
its reservation follows from that stream and its suitors; time is priced."""

from __future__ import annotations

import math
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from numpy.typing import NDArray

import negsim
from negsim.world.alternatives import annuity, expected_output, reservation
from negsim.world.model import AllianceModel
from negsim.world.organisations import draw_organisations
from negsim.world.scenario import WorldScenario, load_scenario
from negsim.world.search import court
from negsim.world.value import potential

FloatArray = NDArray[np.float64]


def test_an_organisation_is_paid_its_alternative_while_free() -> None:
    """Each month, ``organisations.alternative`` × ``value.base`` for wholly free capacity,
    pro rata for the share free: one that never allied earns it every month, one that allied
    less, and nothing is paid at 0."""
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
    none = negsim.run_world("classroom", seed=1, overrides={"organisations.alternative": 0.0})
    assert (none.organisations["standalone"] == 0).all()


# --- the reservation follows from the alternative ----------------------------------------------
WORLD = load_scenario("default")
ORGS = draw_organisations(WORLD.organisations, 200, np.arange(200), np.random.default_rng(3))
X, Y = np.arange(0, 200, 2), np.arange(1, 200, 2)
ESTIMATE = potential(WORLD.value, ORGS, X, Y)
NONE = np.zeros(len(X))


def reservations(scenario: WorldScenario = WORLD, option: FloatArray = NONE) -> FloatArray:
    return reservation(scenario, ORGS, X, Y, ESTIMATE, option, WORLD.diligence.time)


def with_alternative(value: float) -> WorldScenario:
    return replace(WORLD, organisations=replace(WORLD.organisations, alternative=value))


def test_the_reservation_is_what_the_alternative_pays_as_a_share_of_the_deal() -> None:
    """Without suitors: the standalone stream over the deal's months (discounted) over the
    alliance's expected output over its term; 0 without an alternative, rising with it,
    capped at 1 where the alternative beats the whole deal."""
    w = WORLD.world
    delay = WORLD.diligence.time
    horizon = delay + w.alliance_term
    slot = WORLD.organisations.alternative * WORLD.value.base / ORGS.capacity[X]
    outside = annuity(w.discount_rate, 0.0, horizon) * slot
    inside = annuity(w.discount_rate, delay, horizon) * expected_output(WORLD, ORGS, X, Y, ESTIMATE)
    np.testing.assert_allclose(reservations(), np.minimum(outside / inside, 1.0))
    assert np.all(reservations(with_alternative(0.0)) == 0.0)
    low, mid, high = (reservations(with_alternative(v)) for v in (0.1, 0.2, 0.4))
    assert np.all(low[mid < 1] < mid[mid < 1]) and np.all(mid <= high) and np.all(high <= 1.0)
    assert np.all(reservations(with_alternative(10.0)) == 1.0)


def test_a_suitor_worth_more_than_the_standalone_stream_raises_the_reservation() -> None:
    """A rival suitor is an option from the next search on; one worth less than the slot's
    standalone value changes nothing."""
    slot = WORLD.organisations.alternative * WORLD.value.base / ORGS.capacity[X]
    base = reservations()
    assert np.array_equal(reservations(option=0.5 * slot), base)
    better, best = reservations(option=2 * slot), reservations(option=4 * slot)
    assert np.all(better[base < 1] > base[base < 1]) and np.all(best >= better)


def test_suitors_are_an_alternative_only_for_the_last_free_slot() -> None:
    """With two slots free an organisation can sign this deal and a suitor's: no option; with
    its last slot the best suitor counts. The counterpart sees that there are suitors, not
    what they offer nor how many slots are free: it takes each to be worth what its own deal
    looks worth at an even split."""
    s = WORLD
    n = 12
    graph = nx.complete_graph(n)
    edges = np.array(graph.edges(), dtype=np.int64)
    orgs = draw_organisations(s.organisations, n, np.arange(n), np.random.default_rng(0))
    true = potential(s.value, orgs, edges[:, 0], edges[:, 1])
    found = []
    for busy in (0, 1):
        active = np.full(n, busy, dtype=np.int64)
        c = court(s, orgs, edges, true, active, np.random.default_rng(1))
        assert c is not None
        found.append(c)
    free, last = found
    assert np.all(free.option_a == 0) and np.all(free.option_b == 0)
    assert np.all(last.option_a > 0) and np.all(last.option_b > 0)
    for c in (free, last):  # every organisation of a complete graph has suitors
        half = 0.5 * expected_output(s, orgs, c.a, c.b, c.estimate)
        np.testing.assert_array_equal(c.seen_option_a, half)
        np.testing.assert_array_equal(c.seen_option_b, half)
    assert not np.array_equal(last.option_a, last.seen_option_a)  # the truth is not seen


def test_no_one_courts_a_partner_its_alternative_beats_outright() -> None:
    """Where even the whole deal pays less than the slot's standalone stream, no pair is
    courted: no negotiation opens."""
    n = 12
    edges = np.array(nx.complete_graph(n).edges(), dtype=np.int64)
    for alternative, courted in ((0.2, True), (10.0, False)):
        s = with_alternative(alternative)
        orgs = draw_organisations(s.organisations, n, np.arange(n), np.random.default_rng(0))
        true = potential(s.value, orgs, edges[:, 0], edges[:, 1])
        c = court(s, orgs, edges, true, np.zeros(n, dtype=np.int64), np.random.default_rng(1))
        assert (c is not None) is courted


def test_capacity_earns_its_standalone_value_until_the_search_that_agrees_a_deal() -> None:
    """Paid hour by hour: an organisation that agreed its first alliance at the search of
    month 3 was paid the whole month before it; the month after, the half of its capacity
    left free (capacity 2)."""
    s = load_scenario("default", {"world.organisations": 400})
    model = AllianceModel(s, seed=2, record_organisations=False)
    model.run(2.5)
    before = model.standalone.copy()
    model.run(4.5)
    t = model.alliances
    first = np.bincount(np.concatenate([t.a, t.b]), minlength=400)
    at_three = np.zeros(400, dtype=bool)
    at_three[np.concatenate([t.a[t.agreed == 3.0], t.b[t.agreed == 3.0]])] = True
    only = np.flatnonzero(at_three & (first == 1))
    assert only.size
    slot_free = s.organisations.alternative * s.value.base
    np.testing.assert_allclose(model.standalone[only] - before[only], slot_free * 1.5)


# --- time has a price -----------------------------------------------------------------------
def test_a_walk_out_costs_the_months_to_the_next_search() -> None:
    """An organisation that walked out of a search's talks signs nothing before the next
    search, and its slot earns only its standalone value in between."""
    s = load_scenario("default", {"world.organisations": 400})
    model = AllianceModel(s, seed=2, record_organisations=False)
    model.run(0.5)  # the first search
    walked = np.flatnonzero(model.orgs.walkouts > 0)
    assert walked.size > 0
    first = model.alliances.size
    assert not np.isin(walked, np.concatenate([model.alliances.a, model.alliances.b])).any()
    paid = model.standalone[walked].copy()
    model.run(s.world.search_interval - 0.5)  # the months until the next search
    months = np.floor(s.world.search_interval - 0.5)
    slot_free = s.organisations.alternative * s.value.base  # wholly free: nothing signed
    np.testing.assert_allclose(model.standalone[walked] - paid, months * slot_free)
    model.run(s.world.search_interval + 0.5)
    t = model.alliances
    later = np.arange(t.size) >= first
    theirs = later & (np.isin(t.a, walked) | np.isin(t.b, walked))
    assert theirs.any() and np.all(t.signed[theirs] >= s.world.search_interval)


def test_value_is_discounted_month_by_month() -> None:
    """present_value: each month's alliance and standalone value at exp(−rate · month); an
    organisation that never allies has the discounted standalone stream, to 1e-12."""
    run = negsim.run_world("classroom", seed=1)
    s = run.model.config
    months = np.arange(1, math.floor(s.world.horizon) + 1)
    stream = s.organisations.alternative * s.value.base * np.exp(-s.world.discount_rate * months)
    orgs = run.organisations
    never = orgs[orgs["signed"] == 0]
    assert len(never)
    np.testing.assert_allclose(never["present_value"], stream.sum(), rtol=1e-12)
    assert (orgs["present_value"] < orgs["earned"] + orgs["standalone"]).all()
    assert run.metrics["value_per_organisation"] == pytest.approx(orgs["present_value"].mean())
