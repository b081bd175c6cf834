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

The rules live in one place, :class:`Talks`, which :func:`negotiate` drives with a strategy on
each side and :class:`negsim.negotiation.session.Session` with a person on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import negsim.negotiation.strategies as strategies
from negsim.negotiation.party import PARTY_NAMES, ConcessionThresholds, Negotiation
from negsim.negotiation.strategies.base import Action, Context, Move, State, Strategy
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


def build_strategy(neg: Negotiation, name: str, rng: np.random.Generator) -> Strategy:
    """The strategy of party ``name``, seeing the other party only if it declares complete
    information, with its parameters checked."""
    me, other = neg.party(name), neg.party(PARTY_NAMES[1 - PARTY_NAMES.index(name)])
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
    return cls(ctx, rng, **params)


def build_strategies(neg: Negotiation, seed: int | np.random.SeedSequence) -> list[Strategy]:
    """One strategy per party, each with its own named random stream."""
    streams = named_streams(seed, PARTY_NAMES)
    return [build_strategy(neg, name, streams[name]) for name in PARTY_NAMES]


class Talks:
    """One negotiation under the protocol's rules, move by move: the rules' one home.

    ``players`` holds a strategy per party, or None for a side that moves from outside (a
    person, through :meth:`play`). :meth:`step` lets the strategy whose turn it is move;
    :meth:`play` applies any side's move. Either checks whose turn it is and what may be done,
    keeps the trace of offers, classifies concessions, tells a strategy when the other side
    walks out, and ends the talks by agreement, walk-out or deadline; :meth:`result` then pays
    each side by the rules of the module docstring.

    Examples:
        >>> from negsim.negotiation.play import load
        >>> neg = load("alliance_terms")
        >>> talks = Talks(neg, build_strategies(neg, 0))
        >>> while not talks.ended:
        ...     talks.step()
        >>> talks.result() == negotiate(neg, 0)
        True
    """

    def __init__(self, neg: Negotiation, players: Sequence[Strategy | None]) -> None:
        if len(players) != len(PARTY_NAMES):
            raise ValueError(f"one player per party {PARTY_NAMES}, got {len(players)}")
        self.neg = neg
        self.players = tuple(players)
        self.last = neg.protocol.last_round
        #: The round of the next offer (1-based); ``last + 1`` while the deadline offer awaits
        #: its answer.
        self.turn = 1
        #: The offer on the table: the other side's offer of the previous round.
        self.standing: int | None = None
        self.offers: list[OfferMade] = []
        self.concessions: list[ConcessionMade] = []
        self._u = [p.utility.values for p in neg.parties]
        self._first = PARTY_NAMES.index(neg.protocol.opener)
        self._mine: tuple[list[int], list[int]] = ([], [])  # each side's offers, oldest first
        self._result: NegotiationResult | None = None

    @property
    def ended(self) -> bool:
        """Whether the talks are over."""
        return self._result is not None

    @property
    def to_move(self) -> str:
        """The party whose turn it is."""
        return PARTY_NAMES[self._side()]

    def _side(self) -> int:
        return self._first if (self.turn - 1) % 2 == 0 else 1 - self._first

    def state(self, name: str) -> State:
        """What party ``name`` sees (meaningful at its turn)."""
        i = PARTY_NAMES.index(name)
        return State(
            round=self.turn,
            standing=self.standing,
            my_offers=self._mine[i],
            their_offers=self._mine[1 - i],
        )

    def step(self) -> None:
        """The strategy whose turn it is moves."""
        name = self.to_move
        player = self.players[PARTY_NAMES.index(name)]
        if player is None:
            raise ValueError(f"it is {name}'s turn, and {name} plays no strategy")
        self.play(name, player.act(self.state(name)))

    def play(self, by: str, action: Action) -> None:
        """Party ``by`` accepts the standing offer, walks away or makes an offer.

        An offer in answer to the deadline offer is a refusal: the talks end at the deadline.

        Raises:
            ValueError: the talks are over, it is not ``by``'s turn, there is no offer to
                accept, or the outcome is not one of the domain's.
        """
        if self._result is not None:
            raise ValueError(f"the negotiation is over ({self._result.ended_by})")
        i = self._side()
        if by != PARTY_NAMES[i]:
            raise ValueError(f"it is {PARTY_NAMES[i]}'s turn, not {by!r}'s")
        turn, standing = self.turn, self.standing
        if action.move is Move.ACCEPT:
            if standing is None:
                raise ValueError("there is no offer on the table to accept")
            self._end("agreement", turn - 1, standing, None)
            return
        if action.move is Move.WALK:
            other = self.players[1 - i]
            if other is not None:
                other.saw_walk_out(standing)
            self._end("walk_away", max(turn - 1, 1), None, by)
            return
        if turn > self.last:  # the deadline offer was refused
            self._end("deadline", self.last, None, None)
            return
        outcome = action.outcome
        n = self.neg.domain.n_outcomes
        if not 0 <= outcome < n:
            raise ValueError(f"outcome {outcome} is not one of the {n} outcomes (0 to {n - 1})")
        u, mine = self._u, self._mine[i]
        if mine:
            prev = mine[-1]
            cost = float(u[i][prev] - u[i][outcome])
            if cost > 0:
                value = float(u[1 - i][outcome] - u[1 - i][prev])
                quadrant = classify(cost, value, self.neg.concessions)
                self.concessions.append(ConcessionMade(turn, by, cost, value, quadrant))
        mine.append(outcome)
        self.offers.append(
            OfferMade(turn, by, outcome, (float(u[0][outcome]), float(u[1][outcome])))
        )
        self.standing = outcome
        self.turn = turn + 1

    def result(self) -> NegotiationResult:
        """How the talks ended (ValueError while they go on)."""
        if self._result is None:
            raise ValueError("the negotiation has not ended")
        return self._result

    def _end(self, how: str, round_: int, agreement: int | None, walker: str | None) -> None:
        """Realised payoffs by the protocol's rules."""
        a, b = self.neg.parties
        if how == "agreement":
            assert agreement is not None
            pay = tuple(p.discount ** (round_ - 1) * p.utility(agreement) for p in (a, b))
        elif how == "walk_away":
            pay = tuple(p.discount ** (round_ - 1) * p.reservation for p in (a, b))
        else:
            pay = (a.reservation, b.reservation)
        self._result = NegotiationResult(
            agreement=agreement,
            ended_by=how,
            walked_away=walker,
            round=round_,
            utilities=(float(pay[0]), float(pay[1])),
            offers=tuple(self.offers),
            concessions=tuple(self.concessions),
            beliefs=(self._beliefs(0), self._beliefs(1)),
        )

    def _beliefs(self, i: int) -> dict[str, float] | None:
        player = self.players[i]
        return None if player is None else player.beliefs()


def negotiate(neg: Negotiation, seed: int | np.random.SeedSequence = 0) -> NegotiationResult:
    """Play one negotiation to its end.

    Args:
        neg: the domain, the two parties and the protocol.
        seed: root seed of the parties' random streams (only stochastic rules draw from them).

    Returns:
        The :class:`NegotiationResult`.
    """
    talks = Talks(neg, build_strategies(neg, seed))
    while not talks.ended:
        talks.step()
    return talks.result()
