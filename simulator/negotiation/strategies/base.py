"""The strategy contract: what a strategy sees, what it may do, and the traits it declares.

A strategy is built once per negotiation with a :class:`Context` (its own party, the domain, the
deadline and, only if it declares complete information, the opponent) and a ``rng``. At each of
its turns it receives a :class:`State` and returns an :class:`Action`: accept the standing offer,
walk away, or make an offer (an outcome index).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from negsim.config import HIDDEN, is_number, number_allowed, problem
from negsim.negotiation.domain import Domain
from negsim.negotiation.party import ParamValue, Party

#: Tolerance for "utility at least the aspiration" (guards float noise on fine grids).
ASPIRATION_TOLERANCE = 1e-12


class StrategyError(ValueError):
    """A strategy cannot play this negotiation or got a bad parameter."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        super().__init__(problem(field, value, allowed))  # a ConfigError's words, no file
        self.field, self.value, self.allowed = field, value, allowed


class Move(Enum):
    """What a party does at its turn."""

    OFFER = "offer"
    ACCEPT = "accept"
    WALK = "walk"


@dataclass(frozen=True, slots=True)
class Action:
    """A party's move; ``outcome`` is set for offers."""

    move: Move
    outcome: int = -1


@dataclass(frozen=True, kw_only=True)
class Context:
    """What a strategy knows when the negotiation starts."""

    me: Party
    domain: Domain
    deadline: int  # 0 = no deadline
    max_rounds: int
    opener: str
    opponent: Party | None = None  # only for strategies declaring complete information


@dataclass(frozen=True, kw_only=True)
class State:
    """A party's view at its turn in round ``round`` (1-based).

    ``standing`` is the offer the other side made in the previous round (None in round 1);
    ``my_offers`` / ``their_offers`` are the outcome indices offered so far, oldest first.
    """

    round: int
    standing: int | None
    my_offers: Sequence[int]
    their_offers: Sequence[int]


@dataclass(frozen=True, kw_only=True)
class Traits:
    """What a strategy is, declared once so contract tests and tools can rely on it.

    ``rational``: never accepts an offer worth less than its reservation while the reservation
    is within its reach — it may walk away to it, or a deadline will pay it. (Without a
    deadline, a party that will not walk away cannot reach its reservation: the ``max_rounds``
    cut-off is a safety net, not part of the game.)
    """

    stochastic: bool
    time_dependent: bool
    uses_opponent_model: bool
    complete_information: bool
    rational: bool  # never accepts less than its reservation while that is within reach
    batch: bool  # supported by the numpy batch path
    memory: int | None  # how many past offers it uses; None = all
    split_the_pie_only: bool = False  # plays only split-the-pie (one numeric issue, opposed)


@dataclass(frozen=True, kw_only=True)
class Param:
    """A strategy parameter: default, bounds or choices, and what it means."""

    default: ParamValue
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def integer(self) -> bool:
        """True for an integer parameter (its default is an ``int``)."""
        return isinstance(self.default, int) and not isinstance(self.default, bool)

    def check(self, field: str, value: object) -> ParamValue:
        """Return ``value`` if allowed, else raise :class:`StrategyError`.

        A number must be finite and inside the declared bounds (the one rule of
        :func:`negsim.config.is_number`: ``nan`` and ``inf`` are refused by name), and an
        integer parameter takes integers only.

        Examples:
            >>> Param(default=0.2, low=0.0, high=100.0, doc="e").check("e", float("nan"))
            Traceback (most recent call last):
            ...
            negsim.negotiation.strategies.base.StrategyError: e = nan is not allowed; \
allowed: a finite number in [0, 100]
        """
        if self.choices is not None:
            if value not in self.choices:
                raise StrategyError(field, value, f"one of {list(self.choices)}")
            return str(value)
        if not is_number(value, *self._bounds(), integer=self.integer):
            raise StrategyError(field, value, self.allowed())
        return int(value) if self.integer else float(value)

    def _bounds(self) -> tuple[float, float]:
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        return low, high

    def allowed(self) -> str:
        """Human-readable allowed values (the wording of :func:`negsim.config.number_allowed`)."""
        if self.choices is not None:
            return f"one of {list(self.choices)}"
        return number_allowed(*self._bounds(), integer=self.integer)


class Strategy(ABC):
    """Base class of every registered strategy."""

    key: ClassVar[str]
    summary: ClassVar[str]
    traits: ClassVar[Traits]
    params: ClassVar[Mapping[str, Param]] = {}
    #: Whether it reads a party's ``beliefs`` about the other side (a file may give them only
    #: to such a strategy, so none are silently ignored).
    reads_beliefs: ClassVar[bool] = False

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        self.ctx = ctx
        self.rng = rng
        self.p = {name: spec.default for name, spec in self.params.items()} | params
        self.u: NDArray[np.float64] = ctx.me.utility.values

    @classmethod
    def resolve_params(cls, given: Mapping[str, object], field: str) -> dict[str, ParamValue]:
        """Validate user parameters against :attr:`params`; unknown names are errors."""
        out: dict[str, ParamValue] = {}
        for name, value in given.items():
            if name not in cls.params:
                allowed = sorted(cls.params) or "none"
                raise StrategyError(
                    f"{field}.{name}", HIDDEN, f"a parameter of {cls.key}: {allowed}"
                )
            out[name] = cls.params[name].check(f"{field}.{name}", value)
        return out

    @abstractmethod
    def act(self, state: State) -> Action:
        """Accept the standing offer, walk away, or make an offer."""

    def beliefs(self) -> dict[str, float] | None:
        """What it now believes about the other side (None: it holds no beliefs)."""
        return None

    def saw_walk_out(self, standing: int | None) -> None:
        """The other side walked away, leaving ``standing`` (this side's last offer) on the
        table: a signal for a strategy that learns about the other side (default: ignored)."""
        return None


class OfferTable:
    """A party's outcomes sorted by its own utility, for "least demanding offer above x".

    Sorting is ascending by utility, ties by outcome index, so :meth:`least_above` picks the
    outcome closest to (and not below) an aspiration, lowest index first; when no outcome
    reaches the aspiration it picks the best outcome (lowest index among equals). The batch
    path computes the same function without sorting every outcome, so both paths choose
    identical offers.
    """

    def __init__(self, u: NDArray[np.float64]) -> None:
        self.order = np.argsort(u, kind="stable")
        self.sorted_u = u[self.order]
        self.best = int(np.argmax(u))

    def position(self, aspiration: float) -> int:
        """Index into :attr:`order` of the first outcome whose utility reaches ``aspiration``."""
        return int(np.searchsorted(self.sorted_u, aspiration - ASPIRATION_TOLERANCE, side="left"))

    def least_above(self, aspiration: float) -> int:
        """The least demanding outcome reaching ``aspiration`` (the best one if none does)."""
        pos = self.position(aspiration)
        return self.best if pos >= self.order.size else int(self.order[pos])

    def reaching(self, aspiration: float) -> NDArray[np.intp]:
        """Outcomes reaching ``aspiration``, least demanding first (the best one if none does)."""
        pos = self.position(aspiration)
        return np.array([self.best]) if pos >= self.order.size else self.order[pos:]


class Conceding(Strategy):
    """A strategy defined by its next offer; accepts and walks by the shared rules.

    Acceptance (AC_next): accept the standing offer if it is worth at least as much as the offer
    the party would make next, and not less than its reservation. Walking away follows the rule
    documented in :mod:`negsim.negotiation.party`.
    """

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        me = ctx.me
        # Draws for the walk-away coin are made up front, one per round, so the batch path can
        # reproduce them exactly; none are drawn when the decision is deterministic.
        self._walk_draws: NDArray[np.float64] | None = None
        if 0.0 < me.walk_away < 1.0:
            self._walk_draws = rng.random(ctx.max_rounds + 2)

    @abstractmethod
    def next_offer(self, state: State) -> int:
        """The outcome this party would offer in ``state.round``."""

    def act(self, state: State) -> Action:
        """Accept, walk or offer (see the class docstring)."""
        nxt = self.next_offer(state)
        standing = state.standing
        if standing is not None:
            value = self.u[standing]
            if value >= self.u[nxt] and value >= self.ctx.me.reservation:
                return Action(Move.ACCEPT)
            if self.walks(state, value):
                return Action(Move.WALK)
        return Action(Move.OFFER, nxt)

    def walks(self, state: State, value: float) -> bool:
        """The walk-away rule: below the alternative and not being chased."""
        me = self.ctx.me
        if me.walk_away <= 0.0 or value >= me.reservation:
            return False
        theirs = state.their_offers
        if len(theirs) < me.patience + 1:
            return False
        recent = self.u[np.asarray(theirs[-(me.patience + 1) :])]
        if np.any(np.diff(recent) > 0):
            return False
        if self._walk_draws is None:
            return True
        return bool(self._walk_draws[state.round] < me.walk_away)
