"""The alternating-offers protocol with deadlines, discounting and walking away.

Rounds are offers, numbered from 1; the opener offers in odd rounds. After an offer in round t
the other party, at its turn, accepts it (agreement in round t, worth ``δ^(t−1)·u`` to each
party), walks away (both end at their alternatives, worth ``δ^(t−1)·reservation``) or rejects it
by making the offer of round t + 1. The offer of the deadline round T is the last: refusing it
ends the negotiation at the deadline, where each party gets its reservation. With no deadline
(``deadline = 0``) the negotiation is cut off after ``max_rounds`` rounds and reported as
ended by the deadline.

Every concession — an offer worse for its maker than the maker's previous offer — is classified
by its cost to the giver and its value to the receiver into essay 000's four quadrants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import negsim.negotiation.strategies as strategies
from negsim.negotiation.party import PARTY_NAMES, ConcessionThresholds, Negotiation
from negsim.negotiation.strategies.base import Context, Move, State, Strategy
from negsim.rng import named_streams

#: Essay 000, "Relative Value of Concessions": (dear to give?, dear to receive?) → quadrant.
QUADRANTS = {
    (True, True): "costly_trade",
    (False, True): "material_yet_symbolic",
    (True, False): "unnecessary_cost",
    (False, False): "low_stakes",
}


@dataclass(frozen=True, slots=True)
class OfferMade:
    """An offer: its round, its maker, the outcome and its utility to each party."""

    round: int
    by: str
    outcome: int
    utilities: tuple[float, float]


@dataclass(frozen=True, slots=True)
class ConcessionMade:
    """An offer worse for its maker than its previous one, classified by quadrant."""

    round: int
    by: str
    cost: float
    value: float
    quadrant: str


@dataclass(frozen=True, kw_only=True)
class NegotiationResult:
    """How a negotiation ended. ``utilities`` are realised (discounted) payoffs of a and b."""

    agreement: int | None
    ended_by: str  # "agreement" | "walk_away" | "deadline"
    walked_away: str | None
    round: int
    utilities: tuple[float, float]
    offers: tuple[OfferMade, ...]
    concessions: tuple[ConcessionMade, ...]
    #: What each party believes about the other at the end (None for a strategy without
    #: beliefs), e.g. ``zeuthen``'s posterior means.
    beliefs: tuple[dict[str, float] | None, dict[str, float] | None] = (None, None)


def classify(cost: float, value: float, thresholds: ConcessionThresholds) -> str:
    """The quadrant of a concession costing ``cost`` to give and worth ``value`` to receive.

    Examples:
        >>> classify(0.01, 0.2, ConcessionThresholds())
        'material_yet_symbolic'
    """
    return QUADRANTS[(cost >= thresholds.cost, value >= thresholds.value)]


def build_strategies(neg: Negotiation, seed: int | np.random.SeedSequence) -> list[Strategy]:
    """One strategy per party, each with its own named random stream."""
    streams = named_streams(seed, PARTY_NAMES)
    out = []
    for me, other in (neg.parties, neg.parties[::-1]):
        cls = strategies.get(me.strategy)
        ctx = Context(
            me=me,
            domain=neg.domain,
            deadline=neg.protocol.deadline,
            max_rounds=neg.protocol.last_round,
            opener=neg.protocol.opener,
            opponent=other if cls.traits.complete_information else None,
        )
        params = cls.resolve_params(me.params, f"parties.{me.name}.params")
        out.append(cls(ctx, streams[me.name], **params))
    return out


def negotiate(neg: Negotiation, seed: int | np.random.SeedSequence = 0) -> NegotiationResult:
    """Play one negotiation to its end.

    Args:
        neg: the domain, the two parties and the protocol.
        seed: root seed of the parties' random streams (only stochastic rules draw from them).

    Returns:
        The :class:`NegotiationResult`.
    """
    players = build_strategies(neg, seed)
    u = [p.utility.values for p in neg.parties]
    first = PARTY_NAMES.index(neg.protocol.opener)
    last = neg.protocol.last_round
    offers: list[list[int]] = [[], []]
    trace: list[OfferMade] = []
    concessions: list[ConcessionMade] = []
    standing: int | None = None
    for turn in range(1, last + 2):
        i = first if (turn - 1) % 2 == 0 else 1 - first
        action = players[i].act(
            State(round=turn, standing=standing, my_offers=offers[i], their_offers=offers[1 - i])
        )
        if action.move is Move.ACCEPT and standing is not None:
            return _ended(neg, "agreement", turn - 1, standing, None, trace, concessions, players)
        if action.move is Move.WALK:
            players[1 - i].saw_walk_out(standing)
            return _ended(
                neg,
                "walk_away",
                max(turn - 1, 1),
                None,
                PARTY_NAMES[i],
                trace,
                concessions,
                players,
            )
        if turn > last:
            break  # the deadline offer was refused
        outcome = action.outcome
        if offers[i]:
            prev = offers[i][-1]
            cost = float(u[i][prev] - u[i][outcome])
            if cost > 0:
                value = float(u[1 - i][outcome] - u[1 - i][prev])
                concessions.append(
                    ConcessionMade(
                        turn, PARTY_NAMES[i], cost, value, classify(cost, value, neg.concessions)
                    )
                )
        offers[i].append(outcome)
        trace.append(
            OfferMade(turn, PARTY_NAMES[i], outcome, (float(u[0][outcome]), float(u[1][outcome])))
        )
        standing = outcome
    return _ended(neg, "deadline", last, None, None, trace, concessions, players)


def _ended(
    neg: Negotiation,
    how: str,
    round_: int,
    agreement: int | None,
    walker: str | None,
    trace: list[OfferMade],
    concessions: list[ConcessionMade],
    players: list[Strategy],
) -> NegotiationResult:
    """Realised payoffs by the protocol's rules."""
    a, b = neg.parties
    if how == "agreement":
        assert agreement is not None
        pay = tuple(p.discount ** (round_ - 1) * p.utility(agreement) for p in (a, b))
    elif how == "walk_away":
        pay = tuple(p.discount ** (round_ - 1) * p.reservation for p in (a, b))
    else:
        pay = (a.reservation, b.reservation)
    return NegotiationResult(
        agreement=agreement,
        ended_by=how,
        walked_away=walker,
        round=round_,
        utilities=(float(pay[0]), float(pay[1])),
        offers=tuple(trace),
        concessions=tuple(concessions),
        beliefs=(players[0].beliefs(), players[1].beliefs()),
    )
