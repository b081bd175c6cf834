"""The subgame-perfect player for split-the-pie under complete information.

It plays the equilibrium of the alternating-offers game it is in, computed from the rules of
:mod:`negsim.negotiation.protocol` (not from closed forms):

* with a deadline, by backward induction from the deadline (Ståhl 1972);
* with none, by iterating the stationary equilibrium conditions to their fixed point, which is
  Rubinstein's (1982) equilibrium, and — when reservations act as outside options a responder
  may take instead of rejecting — the outside-option principle of Binmore, Shaked & Sutton
  (1989): an outside option moves the split only once it binds.

A party's outside option is its reservation; it may take it iff its ``walk_away`` is 1 (the
``spe`` player requires 0 or 1). Without a deadline, the reservation of a party that will not
walk away is out of its reach — the game is infinite and the protocol's ``max_rounds`` cut-off
is a safety net, not part of it — so it does not move the split: an alternative gives leverage
only if it can be taken. The domain must be one numeric issue over which the two
parties' utilities add up to one (shares of a pie); the player errs clearly on any other.
Indifferent responders accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from negsim.negotiation.party import ParamValue, Party
from negsim.negotiation.strategies.base import (
    Action,
    Context,
    Move,
    State,
    Strategy,
    StrategyError,
    Traits,
)
from negsim.negotiation.strategies.registry import register

_EPS = 1e-12
_NEG = -np.inf
_TOLERANCE = 1e-14  # far below any outcome grid
_MAX_ITERATIONS = 10_000_000


@dataclass(frozen=True, slots=True)
class Stage:
    """Equilibrium play in one round: the proposer's choice and the responder's rule."""

    proposer_move: str  # "agree" (offer exactly enough), "walk", or "provoke" (unacceptable offer)
    threshold: float  # the least share the responder accepts
    responder_walks: bool  # whether the responder takes its outside option on a refusal


def _stage(
    *,
    d_p: float,
    d_q: float,
    r_p: float,
    r_q: float,
    walk_p: bool,
    walk_q: bool,
    cont_p: float,
    cont_q: float,
) -> tuple[Stage, float, float]:
    """One round's equilibrium given the continuation values of a refusal.

    Values are discounted by ``d_p`` / ``d_q`` to a common origin. Returns the stage and the
    proposer's and responder's values.
    """
    walk_value_q = d_q * r_q if walk_q else _NEG
    no_q = max(walk_value_q, cont_q)
    q_walks = walk_value_q > cont_q  # ties keep negotiating
    need = no_q / d_q  # the share the responder must get, in this round's money
    options = {
        "agree": d_p * (1.0 - need) if need <= 1.0 + _EPS else _NEG,
        "provoke": d_p * r_p if q_walks else cont_p,
        # The protocol dates a walk at turn t > 1 to round t - 1 (a reply to the standing
        # offer). The plan picks a proposer's walk after declining the reply's walk only when
        # delta = 1 or r = 0, where both datings are worth the same.
        "walk": d_p * r_p if walk_p else _NEG,
    }
    move = max(options, key=lambda m: options[m])  # dict order breaks ties towards agreement
    value_q = {"agree": no_q, "provoke": no_q, "walk": d_q * r_q}[move]
    return Stage(move, need, q_walks), options[move], value_q


def _finite_plan(
    deadline: int,
    first: int,
    delta: tuple[float, float],
    r: tuple[float, float],
    walk: tuple[bool, bool],
) -> list[Stage]:
    """Backward induction from the deadline; index t-1 holds round t's stage."""
    value = [r[0], r[1]]  # after the last round the deadline yields the reservations
    plan: list[Stage] = []
    for t in range(deadline, 0, -1):
        p = first if (t - 1) % 2 == 0 else 1 - first
        q = 1 - p
        stage, v_p, v_q = _stage(
            d_p=delta[p] ** (t - 1),
            d_q=delta[q] ** (t - 1),
            r_p=r[p],
            r_q=r[q],
            walk_p=walk[p],
            walk_q=walk[q],
            cont_p=value[p],
            cont_q=value[q],
        )
        value[p], value[q] = v_p, v_q
        plan.append(stage)
    return plan[::-1]


def _stationary_plan(
    delta: tuple[float, float], r: tuple[float, float], walk: tuple[bool, bool]
) -> tuple[Stage, Stage]:
    """Fixed point of the stationary equilibrium conditions; one stage per proposer.

    ``propose[i]`` / ``respond[i]`` are i's values at the start of a round in which it proposes
    / responds, in that round's money. Updates are made in place (Gauss–Seidel); the map is a
    contraction when both discounts are below one.
    """
    propose = [0.0, 0.0]
    respond = [0.0, 0.0]
    stages = [Stage("provoke", 1.0, False), Stage("provoke", 1.0, False)]
    for _ in range(_MAX_ITERATIONS):
        change = 0.0
        for p in (0, 1):
            q = 1 - p
            stage, v_p, v_q = _stage(
                d_p=1.0,
                d_q=1.0,
                r_p=r[p],
                r_q=r[q],
                walk_p=walk[p],
                walk_q=walk[q],
                cont_p=delta[p] * respond[p],
                cont_q=delta[q] * propose[q],
            )
            change = max(change, abs(v_p - propose[p]), abs(v_q - respond[q]))
            stages[p], propose[p], respond[q] = stage, v_p, v_q
        if change < _TOLERANCE:
            return stages[0], stages[1]
    raise RuntimeError(f"no stationary equilibrium found for discounts {delta}")


@register
class SubgamePerfect(Strategy):
    """Plays the subgame-perfect equilibrium of split-the-pie (complete information)."""

    key: ClassVar[str] = "spe"
    summary: ClassVar[str] = "subgame-perfect play of split-the-pie (Rubinstein; outside options)"
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=True,
        uses_opponent_model=False,
        complete_information=True,
        rational=True,
        batch=False,
        memory=1,
        split_the_pie_only=True,
    )

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        opp = ctx.opponent
        if opp is None:
            raise StrategyError(
                f"parties.{ctx.me.name}.strategy",
                self.key,
                "spe needs complete information about the opponent",
            )
        self._check(ctx, opp)
        self.their_u = opp.utility.values
        delta = (ctx.me.discount, opp.discount)
        r = (ctx.me.reservation, opp.reservation)
        walk = (ctx.me.walk_away > 0, opp.walk_away > 0)
        # Index 0 is this party; `first` is who proposes in round 1.
        self.first = 0 if ctx.me.name == ctx.opener else 1
        self.deadline = ctx.deadline
        if ctx.deadline > 0:
            self.plan = _finite_plan(ctx.deadline, self.first, delta, r, walk)
        else:
            if max(delta) >= 1.0:
                raise StrategyError(
                    f"parties.{ctx.me.name}.discount",
                    ctx.me.discount if ctx.me.discount >= 1 else opp.discount,
                    "spe with no deadline needs discount < 1 for both parties "
                    "(without a cost of delay every split is an equilibrium)",
                )
            self.by_proposer = _stationary_plan(delta, r, walk)

    @staticmethod
    def _check(ctx: Context, opp: Party) -> None:
        field = f"parties.{ctx.me.name}.strategy"
        issues = ctx.domain.issues
        if len(issues) != 1 or not issues[0].is_numeric:
            raise StrategyError(field, "spe", "spe plays only split-the-pie: one numeric issue")
        if not np.allclose(ctx.me.utility.values + opp.utility.values, 1.0, atol=1e-9):
            raise StrategyError(
                field,
                "spe",
                "spe plays only split-the-pie: the parties' "
                "utilities must add up to 1 (one 'increasing', one 'decreasing')",
            )
        if ctx.me.walk_away not in (0.0, 1.0):
            raise StrategyError(
                f"parties.{ctx.me.name}.walk_away",
                ctx.me.walk_away,
                "spe needs walk_away 0 (never opts out) or 1 (opts out when it pays)",
            )

    def stage(self, round_: int) -> Stage:
        """Equilibrium play in round ``round_`` (1-based)."""
        if self.deadline > 0:
            return self.plan[round_ - 1]
        proposer = self.first if (round_ - 1) % 2 == 0 else 1 - self.first
        return self.by_proposer[proposer]

    def act(self, state: State) -> Action:
        """Respond to the standing offer by the equilibrium rule, then propose by the plan."""
        t = state.round
        if state.standing is not None:
            reply = self.stage(t - 1)
            if self.u[state.standing] >= reply.threshold - _EPS:
                return Action(Move.ACCEPT)
            if reply.responder_walks:
                return Action(Move.WALK)
        if self.deadline > 0 and t > self.deadline:
            return Action(Move.OFFER, int(np.argmax(self.u)))  # no round left: a refusal
        mine = self.stage(t)
        if mine.proposer_move == "walk":
            return Action(Move.WALK)
        if mine.proposer_move == "provoke":
            return Action(Move.OFFER, int(np.argmax(self.u)))
        enough = self.their_u >= mine.threshold - _EPS
        return Action(Move.OFFER, int(np.argmax(np.where(enough, self.u, -np.inf))))
