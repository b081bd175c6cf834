"""A negotiation played by a person against a strategy, and a debrief of how it went.

A :class:`Session` is the protocol's :class:`~negsim.negotiation.protocol.Talks` with one side
moved by hand: the person offers, accepts or walks away, and the other side's strategy (the
one its party file names, built with the stream :func:`~negsim.negotiation.protocol.negotiate`
would give it) replies at once. The rules are the protocol's, so a person who moves as a
strategy would ends exactly where two strategies end.

:func:`debrief` reads the result back for a student: the deal against the Pareto frontier and
the Nash point (:mod:`negsim.negotiation.analysis`), the concessions of each side by essay
000's quadrants, and what the student's alternative was worth.

Examples:
    >>> from negsim.negotiation.play import load
    >>> neg = load("alliance_terms")  # b plays tit-for-tat
    >>> s = Session(neg, human="a", seed=0)
    >>> s.standing is None, s.round, s.rounds_left  # a opens
    (True, 1, 60)
    >>> s.offer({"value_split": 1.0, "commitment": "low", "exclusivity": "none",
    ...          "governance": "a_led"})
    >>> neg.domain.mapping(s.standing)  # their best outcome
    {'value_split': 0.0, 'commitment': 'high', 'exclusivity': 'full', 'governance': 'b_led'}
    >>> s.walk()
    >>> s.result.ended_by, s.result.utilities
    ('walk_away', (0.35, 0.35))
    >>> print(debrief(neg, s.result).sentences[-1])
    You walked away in round 2: your alternative gave you 0.35.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from negsim.negotiation.analysis import analyse, frontier
from negsim.negotiation.domain import Domain, Value
from negsim.negotiation.party import PARTY_NAMES, Negotiation
from negsim.negotiation.protocol import (
    ConcessionMade,
    NegotiationResult,
    OfferMade,
    Talks,
    build_strategy,
)
from negsim.negotiation.strategies.base import Action, Move, Strategy
from negsim.rng import named_streams

FloatArray = NDArray[np.float64]

#: The quadrants in essay 000's order, with the words a student reads.
QUADRANT_LABELS = {
    "costly_trade": "costly trade",
    "material_yet_symbolic": "material-yet-symbolic",
    "unnecessary_cost": "unnecessary cost",
    "low_stakes": "low stakes",
}
#: What each quadrant means, from the giver's side (essay 000).
QUADRANT_MEANINGS = {
    "costly_trade": "dear to give, dear to receive: a real trade",
    "material_yet_symbolic": "cheap to give, dear to receive: the concessions to look for",
    "unnecessary_cost": "dear to give, worth little to them: a concession thrown away",
    "low_stakes": "cheap to give, worth little to them",
}

#: A deal closer than this to the Pareto frontier is on it.
ON_FRONTIER = 1e-9


def other_side(name: str) -> str:
    """The other party's name."""
    return PARTY_NAMES[1 - PARTY_NAMES.index(name)]


def outcome_index(domain: Domain, terms: int | Mapping[str, Value]) -> int:
    """The index of an outcome given as an index or as issue → value terms.

    A numeric issue's value matches the nearest point of its grid within a millionth of a
    step, so ``0.3`` finds ``np.linspace``'s ``0.30000000000000004``.

    Raises:
        ValueError: an index out of range, a missing or unknown issue, or a value not offered.

    Examples:
        >>> from negsim.negotiation.domain import Issue
        >>> d = Domain((Issue.discrete("price", ["low", "high"]), Issue.numeric("s", 0, 1, 11)))
        >>> outcome_index(d, {"price": "high", "s": 0.3})
        14
        >>> outcome_index(d, {"price": "dear", "s": 0.3})
        Traceback (most recent call last):
        ...
        ValueError: price = 'dear' is not one of ['low', 'high']
    """
    if not isinstance(terms, Mapping):
        n = domain.n_outcomes
        if isinstance(terms, bool) or not isinstance(terms, int | np.integer):
            raise ValueError(f"an outcome is an index or a mapping of issues, not {terms!r}")
        if not 0 <= int(terms) < n:
            raise ValueError(f"outcome {terms} is not one of the {n} outcomes (0 to {n - 1})")
        return int(terms)
    names = set(domain.names)
    if set(terms) != names:
        missing, unknown = sorted(names - set(terms)), sorted(set(terms) - names)
        raise ValueError(
            f"an offer sets every issue once: missing {missing}, unknown {unknown}; "
            f"the issues are {list(domain.names)}"
        )
    positions = []
    for issue in domain.issues:
        value = terms[issue.name]
        if issue.is_numeric and isinstance(value, int | float) and not isinstance(value, bool):
            grid = np.asarray(issue.values, dtype=np.float64)
            k = int(np.argmin(np.abs(grid - float(value))))
            step = (grid[-1] - grid[0]) / max(grid.size - 1, 1)
            if abs(grid[k] - float(value)) <= 1e-6 * step:
                positions.append(k)
                continue
        elif value in issue.values:
            positions.append(issue.values.index(value))
            continue
        shown = [format_value(v) for v in issue.values]
        raise ValueError(f"{issue.name} = {value!r} is not one of {shown}")
    return int(np.ravel_multi_index(positions, domain.shape))


def format_value(value: Value) -> str:
    """An issue's value as a person reads it (``0.30000000000000004`` → ``0.3``)."""
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def describe(domain: Domain, outcome: int) -> str:
    """An outcome's terms in words: ``price high, share 0.5``."""
    return ", ".join(f"{k} {format_value(v)}" for k, v in domain.mapping(outcome).items())


class Session:
    """A person (``human``) negotiating against the other party's strategy.

    The agent plays the strategy its party file names, built as
    :func:`~negsim.negotiation.protocol.build_strategies` builds it (the same named stream of
    ``seed``); the person's party (its utility and reservation) comes from the file. If the
    agent opens, its first offer is on the table once the session is built. After each of the
    person's moves the agent replies at once: an offer, an acceptance or a walk-out.
    """

    def __init__(
        self, neg: Negotiation, human: str = "a", seed: int | np.random.SeedSequence = 0
    ) -> None:
        if human not in PARTY_NAMES:
            raise ValueError(f"human must be one of {list(PARTY_NAMES)}, not {human!r}")
        self.neg = neg
        self.human = human
        self.agent = other_side(human)
        streams = named_streams(seed, PARTY_NAMES)
        #: The agent's strategy.
        self.strategy: Strategy = build_strategy(neg, self.agent, streams[self.agent])
        players: list[Strategy | None] = [None, None]
        players[PARTY_NAMES.index(self.agent)] = self.strategy
        self.talks = Talks(neg, players)
        self._reply()

    # --- what the person sees ---------------------------------------------------------------
    @property
    def standing(self) -> int | None:
        """The agent's offer on the table (None before its first offer and once ended)."""
        return None if self.ended else self.talks.standing

    @property
    def offers(self) -> tuple[OfferMade, ...]:
        """Every offer so far, oldest first."""
        return tuple(self.talks.offers)

    @property
    def concessions(self) -> tuple[ConcessionMade, ...]:
        """Every concession so far, by either side."""
        return tuple(self.talks.concessions)

    @property
    def ended(self) -> bool:
        """Whether the negotiation is over."""
        return self.talks.ended

    @property
    def result(self) -> NegotiationResult | None:
        """How it ended (None while it goes on)."""
        return self.talks.result() if self.ended else None

    @property
    def round(self) -> int:
        """The round of the person's next offer (1-based)."""
        return self.talks.turn

    @property
    def rounds_left(self) -> int:
        """Offers the person may still make, this one included (0: the agent's last offer
        awaits an answer, and any offer now ends the talks at the deadline)."""
        return max(self.talks.last - self.talks.turn + 1, 0) if not self.ended else 0

    def worth(self, outcome: int | Mapping[str, Value]) -> float:
        """What an outcome is worth to the person (undiscounted)."""
        idx = outcome_index(self.neg.domain, outcome)
        return self.neg.party(self.human).utility(idx)

    # --- the person's moves -----------------------------------------------------------------
    def offer(self, outcome: int | Mapping[str, Value]) -> None:
        """Offer an outcome (an index or issue → value terms); the agent replies.

        Answering the deadline offer (:attr:`rounds_left` 0), an offer refuses it: the talks
        end at the deadline.
        """
        self._check_open()
        self._move(Action(Move.OFFER, outcome_index(self.neg.domain, outcome)))

    def accept(self) -> None:
        """Accept the agent's offer on the table: agreement."""
        self._check_open()
        if self.talks.standing is None:
            raise ValueError("there is no offer of theirs to accept yet: make an offer")
        self._move(Action(Move.ACCEPT))

    def walk(self) -> None:
        """Walk away to the alternative: both sides get their reservations."""
        self._check_open()
        self._move(Action(Move.WALK))

    def _check_open(self) -> None:
        if self.ended:
            result = self.talks.result()
            raise ValueError(f"the negotiation is over ({result.ended_by} in round {result.round})")

    def _move(self, action: Action) -> None:
        self.talks.play(self.human, action)
        self._reply()

    def _reply(self) -> None:
        if not self.talks.ended and self.talks.to_move == self.agent:
            self.talks.step()


@dataclass(frozen=True, kw_only=True, eq=False)
class Debrief:
    """A played negotiation read back for the person who played side ``human``.

    Utilities are undiscounted unless said otherwise; ``payoffs`` are what the protocol paid.
    (It holds arrays, so two debriefs compare by identity.)
    """

    human: str
    agent: str
    ua: FloatArray  # every outcome's utility to a
    ub: FloatArray  # ... and to b
    #: The Pareto-optimal outcomes, by a's utility ascending (b's descending): a frontier line.
    frontier: NDArray[np.intp]
    nash: int | None
    nash_utilities: tuple[float, float] | None
    reservations: tuple[float, float]
    ended_by: str
    walked_away: str | None
    round: int
    deal: int | None
    deal_utilities: tuple[float, float] | None
    payoffs: tuple[float, float]  # realised (discounted) utilities of a and b
    #: Euclidean distance, in utility space, of the deal (the reservations without one) to the
    #: frontier.
    distance_to_frontier: float
    quadrant_counts: Mapping[str, int]  # the person's concessions, every quadrant listed
    concessions: tuple[ConcessionMade, ...]
    agent_quadrant_counts: Mapping[str, int]
    agent_concessions: tuple[ConcessionMade, ...]
    #: What the person's alternative was worth when the talks ended, as the protocol pays it
    #: (its reservation, discounted to that round; undiscounted at the deadline).
    alternative: float
    deal_worth: float | None  # what the deal paid the person (None without a deal)
    sentences: tuple[str, ...]

    @property
    def quadrant_text(self) -> str:
        """The person's concessions by quadrant on one line."""
        return quadrant_text(self.quadrant_counts)


def quadrant_text(counts: Mapping[str, int]) -> str:
    """``costly trade 2 · material-yet-symbolic 1 · unnecessary cost 0 · low stakes 3``."""
    return " · ".join(f"{label} {counts.get(k, 0)}" for k, label in QUADRANT_LABELS.items())


def count_quadrants(concessions: tuple[ConcessionMade, ...]) -> dict[str, int]:
    """Concessions per quadrant, every quadrant listed (zeros included)."""
    counts = dict.fromkeys(QUADRANT_LABELS, 0)
    for c in concessions:
        counts[c.quadrant] += 1
    return counts


def debrief(neg: Negotiation, result: NegotiationResult, human: str = "a") -> Debrief:
    """Read a result back for the person who played ``human`` (see :class:`Debrief`)."""
    if human not in PARTY_NAMES:
        raise ValueError(f"human must be one of {list(PARTY_NAMES)}, not {human!r}")
    agent = other_side(human)
    h = PARTY_NAMES.index(human)
    a, b = neg.parties
    ua, ub = a.utility.values, b.utility.values
    reservations = (a.reservation, b.reservation)
    deal = result.agreement
    deal_u = None if deal is None else (float(ua[deal]), float(ub[deal]))
    found = analyse(ua, ub, *reservations, point=deal_u or reservations)
    line = frontier(ua, ub)
    nash_u = None if found.nash is None else (float(ua[found.nash]), float(ub[found.nash]))
    mine = tuple(c for c in result.concessions if c.by == human)
    theirs = tuple(c for c in result.concessions if c.by == agent)
    me = neg.party(human)
    if result.ended_by == "deadline":
        alternative = me.reservation
    else:
        alternative = me.discount ** (result.round - 1) * me.reservation
    out = Debrief(
        human=human,
        agent=agent,
        ua=ua,
        ub=ub,
        frontier=line,
        nash=found.nash,
        nash_utilities=nash_u,
        reservations=reservations,
        ended_by=result.ended_by,
        walked_away=result.walked_away,
        round=result.round,
        deal=deal,
        deal_utilities=deal_u,
        payoffs=result.utilities,
        distance_to_frontier=found.distance_to_pareto,
        quadrant_counts=count_quadrants(mine),
        concessions=mine,
        agent_quadrant_counts=count_quadrants(theirs),
        agent_concessions=theirs,
        alternative=float(alternative),
        deal_worth=None if deal is None else result.utilities[h],
        sentences=(),
    )
    return replace(out, sentences=_sentences(neg, out))


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _sentences(neg: Negotiation, d: Debrief) -> tuple[str, ...]:
    """A few plain sentences for a student."""
    h = PARTY_NAMES.index(d.human)
    out = []
    gap = d.distance_to_frontier
    if d.deal is not None and d.deal_utilities is not None:
        mine, theirs = d.deal_utilities[h], d.deal_utilities[1 - h]
        out.append(
            f"You agreed in round {d.round} on {describe(neg.domain, d.deal)}: "
            f"worth {mine:.2f} to you and {theirs:.2f} to them."
        )
        if gap <= ON_FRONTIER:
            out.append(
                "Your deal is on the Pareto frontier: no other deal was better for one of you "
                "without being worse for the other."
            )
        else:
            out.append(
                f"Your deal is {gap:.2f} from the Pareto frontier: another deal was better for "
                "one of you at no cost to the other — value left on the table."
            )
    elif gap > ON_FRONTIER:
        out.append(
            f"Without a deal you both ended at your alternatives, {gap:.2f} from the Pareto "
            "frontier."
        )
    if d.nash is not None and d.nash_utilities is not None:
        out.append(
            f"The Nash point ({describe(neg.domain, d.nash)}) would have given you "
            f"{d.nash_utilities[h]:.2f} and them {d.nash_utilities[1 - h]:.2f}."
        )
    else:
        out.append("No deal was worth both sides' alternatives: there was no Nash point.")
    out.append(_concession_sentence("You", d.quadrant_counts))
    out.append(_concession_sentence("They", d.agent_quadrant_counts))
    if d.deal_worth is not None:
        verdict = "" if d.deal_worth >= d.alternative else ": less than your alternative"
        out.append(
            f"Walking away would have given you {d.alternative:.2f}; "
            f"the deal gave you {d.deal_worth:.2f}{verdict}."
        )
    elif d.ended_by == "walk_away":
        who = "You" if d.walked_away == d.human else "They"
        out.append(
            f"{who} walked away in round {d.round}: your alternative gave you {d.alternative:.2f}."
        )
    else:
        out.append(
            f"No deal by the deadline (round {d.round}): your alternative gave you "
            f"{d.alternative:.2f}."
        )
    return tuple(out)


def _concession_sentence(who: str, counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    if total == 0:
        return f"{who} made no concessions: no offer was worth less to its maker than the last."
    parts = [
        _plural(counts["costly_trade"], "costly trade"),
        _plural(counts["material_yet_symbolic"], "material-yet-symbolic concession"),
        _plural(counts["unnecessary_cost"], "unnecessary cost"),
        _plural(counts["low_stakes"], "low-stakes concession"),
    ]
    return f"{who} made {', '.join(parts[:-1])} and {parts[-1]}."
