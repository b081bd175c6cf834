"""Protocol invariants (Hypothesis) and the documented behaviour of the heuristic strategies.

The invariants run random small domains and random pairs of the registered strategies that play
any domain (``spe`` plays only split-the-pie and is held to the contract in
``test_strategy_contract.py``). The behaviour tests then pin down, exactly, what the
documentation of each deterministic rule promises.
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim.negotiation.strategies as strategies
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import ConcessionThresholds, Negotiation, Party, Protocol
from negsim.negotiation.protocol import NegotiationResult, build_strategies, negotiate
from negsim.negotiation.strategies.base import Context, Move, State
from negsim.negotiation.strategies.time_dependent import TimeDependent
from negsim.negotiation.strategies.tit_for_tat import TitForTat
from negsim.negotiation.utility import LinearAdditiveUtility
from tests.negotiation.generators import TIED, UNIT, domains, params_for, parties, utilities

GENERAL_KEYS = tuple(k for k in strategies.keys() if k != "spe")
PROPERTY = settings(max_examples=60, deadline=None)
QUADRANT_OF = {  # essay 000: (dear to give?, dear to receive?) → quadrant
    (True, True): "costly_trade",
    (False, True): "material_yet_symbolic",
    (True, False): "unnecessary_cost",
    (False, False): "low_stakes",
}
GRID = 1001  # a fine one-issue grid: utilities are multiples of 1/1000
LINE = Domain((Issue.numeric("share_a", 0.0, 1.0, GRID),))
UP = LinearAdditiveUtility.from_tables(LINE, {"share_a": 1}, {"share_a": "increasing"})
DOWN = LinearAdditiveUtility.from_tables(LINE, {"share_a": 1}, {"share_a": "decreasing"})


# --- random negotiations ------------------------------------------------------------------------


@st.composite
def negotiations(draw: st.DrawFn) -> Negotiation:
    """A random negotiation between two strategies that play any domain."""
    domain = draw(domains(low=-1.0, highs=(3.0,)))
    pair = draw(
        parties(
            GENERAL_KEYS,
            utilities(domain, weights=st.integers(0, 5), evaluations=TIED | UNIT),
            params=partial(params_for, int_span=50, unbounded_low=0.0),
            reservation=st.sampled_from([0.0, 0.5]) | UNIT,
            discount=st.sampled_from([1.0]) | st.floats(0.3, 1.0),
            walk_away=[0.0, 0.5, 1.0],
        )
    )
    protocol = Protocol(
        deadline=draw(st.integers(0, 40)),
        opener=draw(st.sampled_from("ab")),
        max_rounds=draw(st.integers(1, 40)),
    )
    thresholds = ConcessionThresholds(
        cost=draw(st.floats(0.0, 0.3)), value=draw(st.floats(0.0, 0.3))
    )
    return Negotiation(domain=domain, parties=pair, protocol=protocol, concessions=thresholds)


def turn_party(neg: Negotiation, turn: int) -> str:
    """Who moves at ``turn``: the opener in odd turns."""
    other = "b" if neg.protocol.opener == "a" else "a"
    return neg.protocol.opener if turn % 2 == 1 else other


SEEDS = st.integers(0, 2**32)


# --- protocol invariants ------------------------------------------------------------------------


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_offers_are_outcomes_with_their_utilities_in_unit_interval(
    neg: Negotiation, seed: int
) -> None:
    """Every offer is an outcome index, tagged with both parties' utilities, all in [0, 1]."""
    result = negotiate(neg, seed)
    ua, ub = (p.utility.values for p in neg.parties)
    for offer in result.offers:
        assert 0 <= offer.outcome < neg.domain.n_outcomes
        assert offer.utilities == (float(ua[offer.outcome]), float(ub[offer.outcome]))
        assert all(0.0 <= x <= 1.0 for x in offer.utilities)
    assert all(0.0 <= x <= 1.0 for x in result.utilities)


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_realised_utilities_follow_the_protocol_rules(neg: Negotiation, seed: int) -> None:
    """Agreement in round t pays δ^(t−1)·u, a walk δ^(t−1)·r, the deadline r (exactly)."""
    result = negotiate(neg, seed)
    t = result.round
    if result.ended_by == "agreement":
        assert result.agreement is not None
        want = tuple(
            p.discount ** (t - 1) * float(p.utility.values[result.agreement]) for p in neg.parties
        )
    elif result.ended_by == "walk_away":
        want = tuple(p.discount ** (t - 1) * p.reservation for p in neg.parties)
    else:
        want = tuple(p.reservation for p in neg.parties)
    assert result.utilities == want


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_negotiation_ends_by_its_deadline_in_the_round_of_the_last_offer(
    neg: Negotiation, seed: int
) -> None:
    """The end is in a round ≤ the deadline, consistent with the offers and who moved next."""
    result = negotiate(neg, seed)
    n = len(result.offers)
    assert 1 <= result.round <= neg.protocol.last_round
    nxt = turn_party(neg, n + 1)  # the party whose turn ended the negotiation
    if result.ended_by == "agreement":
        assert result.round == n and result.agreement == result.offers[-1].outcome
        assert result.walked_away is None
    elif result.ended_by == "walk_away":
        assert result.round == max(n, 1) and result.walked_away == nxt
        assert result.agreement is None
    else:
        assert result.ended_by == "deadline"
        assert result.round == n == neg.protocol.last_round
        assert result.agreement is None and result.walked_away is None


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_offers_alternate_from_the_opener_in_rounds_one_two_three(
    neg: Negotiation, seed: int
) -> None:
    """Offer k is made in round k by the opener when k is odd and by the other party when even."""
    result = negotiate(neg, seed)
    assert [o.round for o in result.offers] == list(range(1, len(result.offers) + 1))
    assert [o.by for o in result.offers] == [turn_party(neg, o.round) for o in result.offers]


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_concessions_are_exactly_the_worsening_offers_in_their_quadrant(
    neg: Negotiation, seed: int
) -> None:
    """Each offer worse for its maker than its previous one is a concession, rightly classified."""
    result = negotiate(neg, seed)
    thr = neg.concessions
    last: dict[str, tuple[float, float]] = {}
    want = []
    for offer in result.offers:
        me = "ab".index(offer.by)
        if offer.by in last:
            prev = last[offer.by]
            cost = prev[me] - offer.utilities[me]
            if cost > 0:
                value = offer.utilities[1 - me] - prev[1 - me]
                quadrant = QUADRANT_OF[(cost >= thr.cost, value >= thr.value)]
                want.append((offer.round, offer.by, cost, value, quadrant))
        last[offer.by] = offer.utilities
    got = [(c.round, c.by, c.cost, c.value, c.quadrant) for c in result.concessions]
    assert got == want


@PROPERTY
@given(neg=negotiations(), seed=SEEDS)
def test_same_seed_replays_the_same_trace(neg: Negotiation, seed: int) -> None:
    """Two plays from the same seed agree on every offer, concession and the result."""
    assert negotiate(neg, seed) == negotiate(neg, seed)


# --- hardliner ----------------------------------------------------------------------------------


@PROPERTY
@given(neg=negotiations(), seed=SEEDS, side=st.integers(0, 1))
def test_hardliner_always_offers_its_best_outcome(neg: Negotiation, seed: int, side: int) -> None:
    """A hardliner's every offer is worth its best utility to it, and it accepts nothing less."""
    parties = list(neg.parties)
    me = parties[side]
    parties[side] = Party(
        name=me.name,
        utility=me.utility,
        strategy="hardliner",
        reservation=me.reservation,
        discount=me.discount,
        walk_away=me.walk_away,
        patience=me.patience,
    )
    neg = Negotiation(domain=neg.domain, parties=(parties[0], parties[1]), protocol=neg.protocol)
    result = negotiate(neg, seed)
    best = me.utility.best
    for offer in result.offers:
        if offer.by == me.name:
            assert offer.utilities[side] >= best - 1e-12
    if result.agreement is not None and result.offers[-1].by != me.name:
        assert me.utility(result.agreement) >= best - 1e-12


# --- time-dependent concession ------------------------------------------------------------------


def aspiration(t: int, *, deadline: int, e: float, k: float, r: float, umax: float = 1.0) -> float:
    """The documented aspiration in round t (1-based): r + (umax − r)(1 − f((t−1)/T))."""
    tau = min((t - 1) / deadline, 1.0)
    f = k if e == 0 else k + (1 - k) * tau ** (1 / e)
    return r + (umax - r) * (1 - f)


def line_negotiation(a: Party, b: Party, deadline: int, opener: str = "a") -> Negotiation:
    """A negotiation over the fine one-issue grid (a likes high shares, b low)."""
    return Negotiation(
        domain=LINE, parties=(a, b), protocol=Protocol(deadline=deadline, opener=opener)
    )


@pytest.mark.parametrize("e", [0.2, 1.0, 5.0])
@pytest.mark.parametrize("k", [0.0, 0.3])
@pytest.mark.parametrize("r", [0.0, 0.4])
@pytest.mark.parametrize("opener", ["a", "b"])
def test_time_dependent_offers_the_least_outcome_reaching_its_aspiration(
    e: float, k: float, r: float, opener: str
) -> None:
    """Round t's offer is the least grid point worth ≥ r + (1 − r)(1 − f((t−1)/T)) to its maker."""
    deadline = 20
    a = Party(
        name="a", utility=UP, strategy="time_dependent", params={"e": e, "k": k}, reservation=r
    )
    b = Party(name="b", utility=DOWN, strategy="hardliner")  # offers a nothing; never accepts
    neg = line_negotiation(a, b, deadline, opener)
    player = build_strategies(neg, 0)[0]
    assert isinstance(player, TimeDependent)
    result = negotiate(neg, 0)
    assert result.ended_by != "walk_away"
    mine = [o for o in result.offers if o.by == "a"]
    assert len(mine) == deadline // 2
    for offer in mine:
        asp = aspiration(offer.round, deadline=deadline, e=e, k=k, r=r)
        assert player.aspiration(offer.round) == pytest.approx(asp, abs=1e-12)
        got = offer.utilities[0]
        assert got >= asp - 1e-9  # reaches the aspiration
        assert got - 1 / (GRID - 1) < asp + 1e-9  # the grid point below does not


@pytest.mark.parametrize("r", [0.0, 0.3])
@pytest.mark.parametrize("opener", ["a", "b"])
def test_boulware_concedes_later_than_conceder(r: float, opener: str) -> None:
    """Boulware (e=0.2) aspires above Conceder (e=5) at every interior round, and offers so."""
    deadline = 30

    def play(key: str) -> tuple[Any, NegotiationResult]:
        a = Party(name="a", utility=UP, strategy=key, reservation=r)
        neg = line_negotiation(
            a, Party(name="b", utility=DOWN, strategy="hardliner"), deadline, opener
        )
        return build_strategies(neg, 0)[0], negotiate(neg, 0)

    (boulware, b_result), (conceder, c_result) = play("boulware"), play("conceder")
    assert boulware.aspiration(1) == conceder.aspiration(1) == pytest.approx(1.0)
    for t in range(2, deadline + 1):
        assert boulware.aspiration(t) > conceder.aspiration(t)
    b_offers = [o.utilities[0] for o in b_result.offers if o.by == "a"]
    c_offers = [o.utilities[0] for o in c_result.offers if o.by == "a"]
    assert len(b_offers) == len(c_offers) == deadline // 2
    assert all(x >= y for x, y in zip(b_offers, c_offers, strict=True))
    assert any(x > y for x, y in zip(b_offers, c_offers, strict=True))


# --- tit-for-tat --------------------------------------------------------------------------------


@pytest.mark.parametrize("generosity", [0.0, 0.05])
@pytest.mark.parametrize("reservation", [0.0, 0.8])
def test_tit_for_tat_target_moves_by_the_opponents_concession(
    generosity: float, reservation: float
) -> None:
    """Its target drops by the opponent's last concession in its own utility (+ generosity)."""
    cls = strategies.get("tit_for_tat")
    assert issubclass(cls, TitForTat)
    me = Party(name="b", utility=UP, strategy="tit_for_tat", reservation=reservation)
    ctx = Context(me=me, domain=LINE, deadline=50, max_rounds=50, opener="a")
    player = cls(
        ctx, np.random.default_rng(0), **cls.resolve_params({"generosity": generosity}, "p")
    )
    u = UP.values
    theirs_all = [
        0,
        100,
        250,
        250,
        180,
        300,
        290,
    ]  # concede, concede, stall, retract, concede, retract
    target = 1.0
    mine: list[int] = []
    for j in range(1, len(theirs_all) + 1):
        theirs = theirs_all[:j]
        if j >= 2:
            moved = target - (u[theirs[-1]] - u[theirs[-2]]) - generosity
            target = min(max(moved, reservation), 1.0)
        action = player.act(
            State(round=2 * j, standing=theirs[-1], my_offers=mine, their_offers=theirs)
        )
        assert player.target == target
        assert action.move is Move.OFFER
        assert u[action.outcome] >= target - 1e-12  # reaches the target ...
        assert action.outcome == 0 or u[action.outcome - 1] < target - 1e-12  # ... and no more
        mine.append(action.outcome)


def test_tit_for_tat_in_play_mirrors_the_trace() -> None:
    """Replaying a negotiation, each tit-for-tat offer is the least one reaching its target."""
    a = Party(name="a", utility=UP, strategy="linear")
    b = Party(
        name="b", utility=DOWN, strategy="tit_for_tat", params={"generosity": 0.01}, reservation=0.2
    )
    result = negotiate(line_negotiation(a, b, 40), 0)
    u = DOWN.values
    target, theirs = 1.0, []
    checked = 0
    for offer in result.offers:
        if offer.by == "a":
            theirs.append(offer.outcome)
            continue
        if len(theirs) >= 2:
            target = min(max(target - (u[theirs[-1]] - u[theirs[-2]]) - 0.01, 0.2), 1.0)
        reaching = np.flatnonzero(u >= target - 1e-12)
        assert offer.outcome == reaching[np.argmin(u[reaching])]
        checked += 1
    assert checked >= 5


# --- the walk-away rule -------------------------------------------------------------------------


def standoff(
    *,
    walk_away: float,
    patience: int = 1,
    reservation: float = 0.3,
    opener: str = "a",
    deadline: int = 30,
) -> Negotiation:
    """Two hardliners: a never improves its offer, worth 0 to b (below b's reservation)."""
    a = Party(name="a", utility=UP, strategy="hardliner")
    b = Party(
        name="b",
        utility=DOWN,
        strategy="hardliner",
        reservation=reservation,
        walk_away=walk_away,
        patience=patience,
    )
    return line_negotiation(a, b, deadline, opener)


@pytest.mark.parametrize("patience", [1, 2, 3])
@pytest.mark.parametrize("opener", ["a", "b"])
def test_walk_away_one_leaves_at_the_documented_turn(patience: int, opener: str) -> None:
    """walk_away=1 walks at its (patience+1)-th reply, once patience offers did not improve."""
    result = negotiate(standoff(walk_away=1.0, patience=patience, opener=opener), 0)
    # b's j-th reply answers round 2j − 1 (a opens) or 2j (b opens); it walks at j = patience + 1.
    walk_round = 2 * patience + 1 if opener == "a" else 2 * patience + 2
    assert result.ended_by == "walk_away" and result.walked_away == "b"
    assert result.round == walk_round == len(result.offers)
    assert result.utilities == (0.0, 0.3)  # no discounting: each side's reservation


@pytest.mark.parametrize("opener", ["a", "b"])
def test_walk_away_zero_never_walks(opener: str) -> None:
    """walk_away=0 sits out a hopeless standoff until the deadline."""
    result = negotiate(standoff(walk_away=0.0, opener=opener), 0)
    assert result.ended_by == "deadline" and result.round == 30


def test_no_walk_while_the_offer_reaches_the_reservation() -> None:
    """An offer worth at least the reservation never triggers the walk-away rule."""
    result = negotiate(standoff(walk_away=1.0, reservation=0.0), 0)
    assert result.ended_by == "deadline"


def test_no_walk_while_being_chased() -> None:
    """Strictly improving offers (a linear conceder) keep a walk_away=1 party at the table."""
    a = Party(name="a", utility=UP, strategy="linear")
    b = Party(name="b", utility=DOWN, strategy="hardliner", reservation=0.99, walk_away=1.0)
    result = negotiate(line_negotiation(a, b, 20), 0)
    a_offers = [o.utilities[1] for o in result.offers if o.by == "a"]
    assert all(x < y for x, y in itertools.pairwise(a_offers))
    assert result.walked_away is None


def test_fractional_walk_away_walks_half_of_the_qualifying_turns() -> None:
    """walk_away=0.5: walks happen only at qualifying turns, at a rate ≈ 0.5 (within 5 s.e.)."""
    neg = standoff(walk_away=0.5, deadline=40)
    qualifying_rounds = list(range(3, 40, 2))  # b replies to a's rounds 3, 5, …, 39
    trials = walks = first_turn_walks = 0
    n_seeds = 400
    for seed in range(n_seeds):
        result = negotiate(neg, seed)
        if result.ended_by == "walk_away":
            assert result.walked_away == "b" and result.round in qualifying_rounds
            walks += 1
            trials += qualifying_rounds.index(result.round) + 1
            first_turn_walks += result.round == 3
        else:
            assert result.ended_by == "deadline"
            trials += len(qualifying_rounds)
    rate = walks / trials
    assert abs(rate - 0.5) < 5 * math.sqrt(0.25 / trials)
    assert abs(first_turn_walks / n_seeds - 0.5) < 5 * math.sqrt(0.25 / n_seeds)
