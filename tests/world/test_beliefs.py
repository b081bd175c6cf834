"""The world's ``zeuthen`` negotiators offer by what they can see of the other side, each
effect in isolation: the same pairs, everything else fixed (essay 000)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.alternatives import reservation
from negsim.world.beliefs import believed, record, reputation_for_walking
from negsim.world.organisations import Organisations, draw_organisations
from negsim.world.scenario import OrganisationsSection, WorldScenario
from negsim.world.terms import Stance, Terms, negotiate_terms, utilities
from negsim.world.value import potential

N = 400
SECTION = OrganisationsSection(strategies={"zeuthen": 1.0}, alternative=0.2)
A, B = np.arange(0, N, 2), np.arange(1, N, 2)
ZERO = np.zeros(len(A))
WORLD = WorldScenario(organisations=SECTION)
DELAY = WORLD.diligence.time


def orgs() -> Organisations:
    """The same organisations every time (fresh records)."""
    return draw_organisations(SECTION, N, np.arange(N), np.random.default_rng(7))


def offered_to_b(
    o: Organisations,
    *,
    suitors: NDArray[np.float64] = ZERO,
    eagerness: NDArray[np.float64] = ZERO,
) -> Terms:
    """Terms of the same pairs (both sides ``zeuthen``) where a believes what it sees of b:
    ``suitors`` courting b (the monthly value they look worth) and the ``eagerness`` b shows;
    b's own state, its reservation included, is the same throughout."""
    estimate = potential(WORLD.value, o, A, B)
    seen_a, seen_b = (
        believed(
            WORLD,
            o,
            x,
            y,
            estimate=estimate,
            option=opt,
            delay=DELAY,
            eagerness=eager,
            past_trust=ZERO,
        )
        for x, y, opt, eager in ((A, B, ZERO, ZERO), (B, A, suitors, eagerness))
    )
    st = Stance(
        reservation_a=reservation(WORLD, o, A, B, estimate, ZERO, DELAY),
        reservation_b=reservation(WORLD, o, B, A, estimate, ZERO, DELAY),
        believed_reservation_a=seen_a.reservation,
        believed_walk_a=seen_a.walk_away,
        believed_reservation_b=seen_b.reservation,
        believed_walk_b=seen_b.walk_away,
    )
    return negotiate_terms(o, A, B, 40, st, uncertainty=SECTION.belief_uncertainty)


def first_offer_to_b(o: Organisations, t: Terms) -> float:
    """Mean utility to b of a's opening offer, over every pair (agreed or not)."""
    first = t.offers[:, 0]
    return float(utilities(o, B, False)[np.arange(len(first)), first].mean())


def b_gets(t: Terms) -> float:
    """b's mean realised utility over every pair, a breakdown counted at b's alternative
    (intention to treat: no pair is left out)."""
    return float(t.utility_b.mean())


def test_a_side_seen_courted_by_rivals_is_offered_more() -> None:
    """Only a's belief changes (b's own alternative is held fixed): a sees suitors courting b,
    worth 0.15 a month each; a opens higher, b ends with more."""
    o = orgs()
    plain = offered_to_b(o)
    courted = offered_to_b(o, suitors=np.full(len(A), 0.15))
    assert first_offer_to_b(o, courted) > first_offer_to_b(o, plain) + 0.05
    assert b_gets(courted) > b_gets(plain)


def test_a_side_with_a_reputation_for_walking_away_is_offered_more() -> None:
    o = orgs()
    walker = orgs()
    for _ in range(3):  # b walked out on each of its last three talks
        record(walker, B, A, np.zeros(len(A), dtype=np.int64))
    assert reputation_for_walking(walker, B).min() > reputation_for_walking(o, B).max()
    assert b_gets(offered_to_b(walker)) > b_gets(offered_to_b(o)) + 0.01


def test_with_walk_reputation_off_nobody_reads_the_record() -> None:
    """The flagship claim's placebo: walk-outs still happen and are recorded, but a counterpart
    believes every side as ready to walk as the prior says (1/2)."""
    from dataclasses import replace

    from negsim.world.scenario import WalkReputationSection

    walker = orgs()
    for _ in range(3):
        record(walker, B, A, np.zeros(len(A), dtype=np.int64))
    off = replace(WORLD, walk_reputation=WalkReputationSection(enabled=False))
    seen = believed(
        off,
        walker,
        B,
        A,
        estimate=potential(WORLD.value, walker, A, B),
        option=ZERO,
        delay=DELAY,
        eagerness=ZERO,
        past_trust=ZERO,
    )
    assert np.all(seen.walk_away == 0.5) and walker.walkouts[B].min() == 3


def test_a_side_that_shows_its_eagerness_is_offered_less() -> None:
    """b shows it needs the deal (about half its eagerness, by its disclosure): a believes it
    less ready to walk and offers less (0.0086 less utility on these pairs when written)."""
    o = orgs()
    eager = offered_to_b(o, eagerness=np.ones(len(A)))
    assert b_gets(eager) < b_gets(offered_to_b(o)) - 0.005


def test_reputation_for_walking_counts_walk_outs_seen() -> None:
    o = orgs()
    assert np.all(reputation_for_walking(o, A) == 0.5)  # no record: a coin's guess
    record(o, A[:2], B[:2], np.array([0, -1]))
    assert reputation_for_walking(o, A[:2]).tolist() == [2 / 3, 1 / 3]
    assert reputation_for_walking(o, B[:2]).tolist() == [1 / 3, 1 / 3]


def test_past_trust_opens_up_what_a_side_shows() -> None:
    """An eager side shows its eagerness more to a partner it trusted before: believed less
    ready to walk away the warmer the past (disclosure is below 1 for every side here)."""
    o = orgs()
    estimate = potential(WORLD.value, o, A, B)
    walk = [
        believed(
            WORLD,
            o,
            B,
            A,
            estimate=estimate,
            option=ZERO,
            delay=DELAY,
            eagerness=np.ones(len(A)),
            past_trust=np.full(len(A), trust),
        ).walk_away
        for trust in (0.0, 0.5, 1.0)
    ]
    assert np.all(walk[0] >= walk[1]) and np.all(walk[1] >= walk[2]) and np.all(walk[2] == 0)
    assert np.any(walk[0] > walk[1])
