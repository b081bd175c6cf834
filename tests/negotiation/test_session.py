"""A person against a strategy: the session keeps the protocol's rules, and the debrief reads the
result back right.

The central check: a person who moves exactly as a strategy would (here a strategy object
drives the session through its public moves) ends exactly where :func:`negotiate` ends with that
strategy on the same side — the same offers, concessions, ending, round and payoffs, to the bit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

import negsim.negotiation.strategies as strategies
from negsim.negotiation.analysis import nash_point, pareto_mask
from negsim.negotiation.party import Negotiation, Protocol
from negsim.negotiation.play import load
from negsim.negotiation.protocol import (
    QUADRANTS,
    NegotiationResult,
    Talks,
    build_strategies,
    negotiate,
)
from negsim.negotiation.session import QUADRANT_LABELS, Session, debrief, outcome_index
from negsim.negotiation.strategies.base import Move, State, Strategy

SHIPPED = ("alliance_terms", "contract_example", "price_warranty", "split_the_pie")
AGENTS = ("boulware", "conceder", "tit_for_tat", "zeuthen")


def with_strategy(neg: Negotiation, side: str, key: str) -> Negotiation:
    """``neg`` with party ``side`` playing ``key``: parameters it does not take are dropped."""
    i = "ab".index(side)
    party = neg.parties[i]
    cls = strategies.get(key)
    changed = replace(
        party,
        strategy=key,
        params={k: v for k, v in party.params.items() if k in cls.params},
        beliefs=party.beliefs if cls.reads_beliefs else None,
    )
    parties = (changed, neg.parties[1]) if i == 0 else (neg.parties[0], changed)
    return replace(neg, parties=parties)


def replay(neg: Negotiation, human: str, seed: int, player: Strategy) -> NegotiationResult:
    """Drive a session on side ``human`` with ``player``'s moves, seen through the session."""
    s = Session(neg, human, seed)
    while not s.ended:
        mine = [o.outcome for o in s.offers if o.by == human]
        theirs = [o.outcome for o in s.offers if o.by != human]
        action = player.act(
            State(round=s.round, standing=s.standing, my_offers=mine, their_offers=theirs)
        )
        if action.move is Move.ACCEPT:
            s.accept()
        elif action.move is Move.WALK:
            s.walk()
        else:
            s.offer(action.outcome)
    assert s.result is not None
    return s.result


def assert_same_play(neg: Negotiation, human: str, seed: int) -> NegotiationResult:
    """The replayed session equals negotiate(), bit for bit; beliefs only for the agent."""
    h = "ab".index(human)
    player = build_strategies(neg, seed)[h]
    got, want = replay(neg, human, seed, player), negotiate(neg, seed)
    assert got.beliefs[h] is None
    assert got.beliefs[1 - h] == want.beliefs[1 - h]
    beliefs = list(want.beliefs)
    beliefs[h] = None
    assert got == replace(want, beliefs=(beliefs[0], beliefs[1]))
    assert np.array(got.utilities).tobytes() == np.array(want.utilities).tobytes()
    return got


# --- the session is the protocol -------------------------------------------------------------
@pytest.mark.parametrize("human", ["a", "b"])
@pytest.mark.parametrize("name", SHIPPED)
def test_a_person_moving_as_the_strategy_gets_what_negotiate_gives(name: str, human: str) -> None:
    """Every shipped file, either side played by hand: the result of negotiate()."""
    assert_same_play(load(name), human, seed=0)


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("person", ["boulware", "linear", "conceder", "tit_for_tat"])
def test_replay_against_each_agent_of_the_page(agent: str, person: str) -> None:
    """alliance_terms: the person replays a strategy, the agent plays each of the page's four."""
    neg = with_strategy(with_strategy(load("alliance_terms"), "b", agent), "a", person)
    assert_same_play(neg, "a", seed=3)


@pytest.mark.parametrize("opener", ["a", "b"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_replay_with_walk_outs_deadlines_and_random_walkers(opener: str, seed: int) -> None:
    """Short deadlines, discounting and a coin-flipping walker (the agent's stream is used)."""
    base = load("contract_example")
    a, b = base.parties
    for deadline in (1, 2, 7):
        neg = replace(
            base,
            protocol=Protocol(deadline=deadline, opener=opener),
            parties=(
                replace(a, discount=0.9, walk_away=1.0, reservation=0.5),
                replace(b, discount=0.95, walk_away=0.5, reservation=0.6),
            ),
        )
        for human in "ab":
            assert_same_play(neg, human, seed)
    endings = {
        negotiate(
            replace(base, parties=(replace(a, reservation=0.9), replace(b, walk_away=0.5))), s
        ).ended_by
        for s in range(3)
    }
    assert "walk_away" in endings


def test_talks_driven_by_strategies_is_negotiate() -> None:
    """The state machine stepped by hand and negotiate() agree; a finished talk refuses moves."""
    neg = load("alliance_terms")
    talks = Talks(neg, build_strategies(neg, 5))
    while not talks.ended:
        talks.step()
    assert talks.result() == negotiate(neg, 5)
    with pytest.raises(ValueError, match="over"):
        talks.step()


# --- the person's moves ----------------------------------------------------------------------
def test_the_person_opens_and_the_agent_replies_at_once() -> None:
    """a opens alliance_terms: nothing on the table, then the agent's counter-offer is."""
    neg = load("alliance_terms")
    s = Session(neg, "a", seed=0)
    assert (s.standing, s.round, s.rounds_left, s.offers, s.ended) == (None, 1, 60, (), False)
    best = int(np.argmax(neg.parties[0].utility.values))
    s.offer(neg.domain.mapping(best))
    assert [(o.round, o.by) for o in s.offers] == [(1, "a"), (2, "b")]
    assert s.standing == s.offers[-1].outcome and (s.round, s.rounds_left) == (3, 58)
    assert s.worth(s.standing) == neg.parties[0].utility(s.standing)
    assert s.result is None


def test_the_agent_opens_when_the_file_says_so() -> None:
    """With opener b, the agent's first offer is on the table once the session is built."""
    base = load("alliance_terms")
    neg = replace(base, protocol=replace(base.protocol, opener="b"))
    s = Session(neg, "a", seed=0)
    assert len(s.offers) == 1 and s.offers[0].by == "b" and s.offers[0].round == 1
    assert s.standing == s.offers[0].outcome and s.round == 2
    s.accept()
    assert s.result is not None
    assert (s.result.ended_by, s.result.agreement, s.result.round) == (
        "agreement",
        s.offers[0].outcome,
        1,
    )


def test_moves_that_are_not_allowed_are_refused_clearly() -> None:
    """Accepting with nothing on the table, bad terms, a bad side, and any move after the end."""
    neg = load("alliance_terms")
    with pytest.raises(ValueError, match="human must be one of"):
        Session(neg, "c")
    s = Session(neg, "a")
    with pytest.raises(ValueError, match="no offer of theirs to accept"):
        s.accept()
    with pytest.raises(ValueError, match=r"missing \['governance'\]"):
        s.offer({"value_split": 0.5, "commitment": "low", "exclusivity": "none"})
    with pytest.raises(ValueError, match="commitment = 'huge' is not one of"):
        s.offer(
            {"value_split": 0.5, "commitment": "huge", "exclusivity": "none", "governance": "joint"}
        )
    with pytest.raises(ValueError, match=r"value_split = 0\.55 is not one of"):
        s.offer(
            {"value_split": 0.55, "commitment": "low", "exclusivity": "none", "governance": "joint"}
        )
    with pytest.raises(ValueError, match="not one of the 297 outcomes"):
        s.offer(297)
    assert s.offers == ()  # nothing refused was played
    s.offer(0)
    s.walk()
    for move in (s.accept, s.walk, lambda: s.offer(0)):
        with pytest.raises(ValueError, match="the negotiation is over"):
            move()
    assert s.standing is None and s.rounds_left == 0


def test_numeric_terms_match_the_grid() -> None:
    """0.3 finds linspace's 0.30000000000000004; an index passes through."""
    d = load("alliance_terms").domain
    terms = {"value_split": 0.3, "commitment": "mid", "exclusivity": "full", "governance": "b_led"}
    k = outcome_index(d, terms)
    assert (
        d.mapping(k)["commitment"] == "mid"
        and abs(float(d.mapping(k)["value_split"]) - 0.3) < 1e-12
    )
    assert outcome_index(d, k) == k


def test_walking_away_pays_the_discounted_reservation() -> None:
    """A walk-out in round t pays both sides δ^(t−1)·reservation; the debrief says so."""
    base = load("alliance_terms")
    a, b = base.parties
    neg = replace(base, parties=(replace(a, discount=0.9), replace(b, discount=0.8)))
    s = Session(neg, "a", seed=0)
    for _ in range(3):
        s.offer(int(np.argmax(a.utility.values)))
    s.walk()
    assert s.result is not None
    r = s.result
    assert (r.ended_by, r.walked_away, r.round, r.agreement) == ("walk_away", "a", 6, None)
    assert r.utilities == (0.9**5 * a.reservation, 0.8**5 * b.reservation)
    d = debrief(neg, r)
    assert d.alternative == r.utilities[0] and d.deal_worth is None
    assert (
        d.sentences[-1]
        == f"You walked away in round 6: your alternative gave you {0.9**5 * 0.35:.2f}."
    )


def test_the_deadline_offer_refused_ends_at_the_deadline() -> None:
    """Answering the last offer with an offer ends the talks; the alternative is undiscounted."""
    base = load("alliance_terms")
    neg = replace(
        base,
        protocol=Protocol(deadline=4, opener="a"),
        parties=(replace(base.parties[0], discount=0.9), base.parties[1]),
    )
    s = Session(neg, "a", seed=0)
    best = int(np.argmax(base.parties[0].utility.values))
    s.offer(best)
    s.offer(best)
    assert s.rounds_left == 0 and not s.ended and s.standing is not None
    s.offer(best)
    assert s.result is not None and (s.result.ended_by, s.result.round) == ("deadline", 4)
    assert s.result.utilities == (0.35, 0.35)
    d = debrief(neg, s.result)
    assert d.alternative == 0.35 and "No deal by the deadline (round 4)" in d.sentences[-1]


# --- the debrief -----------------------------------------------------------------------------
@pytest.mark.parametrize("human", ["a", "b"])
@pytest.mark.parametrize("name", SHIPPED[:3])
def test_the_debrief_agrees_with_the_analysis(name: str, human: str) -> None:
    """Frontier points are Pareto-optimal and all of them, in a line; Nash is nash_point; the
    quadrant counts are the result's concessions by side."""
    neg = load(name)
    result = negotiate(neg, 0)
    d = debrief(neg, result, human)
    a, b = neg.parties
    ua, ub = a.utility.values, b.utility.values
    mask = pareto_mask(ua, ub)
    assert mask[d.frontier].all() and d.frontier.size == mask.sum()
    assert np.all(np.diff(ua[d.frontier]) >= 0) and np.all(np.diff(ub[d.frontier]) <= 1e-12)
    assert d.nash == nash_point(ua, ub, a.reservation, b.reservation)
    assert d.nash is not None and d.nash_utilities == (ua[d.nash], ub[d.nash])
    mine = Counter(c.quadrant for c in result.concessions if c.by == human)
    theirs = Counter(c.quadrant for c in result.concessions if c.by != human)
    assert set(QUADRANT_LABELS) == set(QUADRANTS.values())
    assert list(d.quadrant_counts) == list(QUADRANT_LABELS)
    assert d.quadrant_counts == {q: mine[q] for q in QUADRANT_LABELS}
    assert d.agent_quadrant_counts == {q: theirs[q] for q in QUADRANT_LABELS}
    assert len(d.concessions) == sum(mine.values())
    assert d.deal == result.agreement and d.payoffs == result.utilities
    assert d.deal_worth == result.utilities["ab".index(human)]
    assert d.quadrant_text.startswith("costly trade ")
    assert d.sentences[-1].startswith("Walking away would have given you ")


def test_the_debrief_in_words() -> None:
    """alliance_terms as played by its file: a's sentences name the numbers."""
    neg = load("alliance_terms")
    result = negotiate(neg, 0)
    d = debrief(neg, result, "a")
    counts = d.quadrant_counts
    text = "\n".join(d.sentences)
    assert f"You agreed in round {result.round} on value_split " in text
    assert f"{counts['costly_trade']} costly trade" in text
    assert (
        f"Walking away would have given you 0.35; the deal gave you {result.utilities[0]:.2f}"
        in text
    )
    assert "Pareto frontier" in text and "The Nash point (" in text
    assert d.quadrant_text == " · ".join(
        f"{label} {counts[k]}" for k, label in QUADRANT_LABELS.items()
    )
