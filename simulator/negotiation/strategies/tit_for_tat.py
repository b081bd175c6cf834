"""Relative tit-for-tat (Faratin, Sierra & Jennings 1998, imitative tactics).

It opens with its best outcome and then mirrors the other side: when the opponent's latest
offer is worth Δ more to it than the one before, it lowers its own target by Δ (plus an
optional ``generosity``), and it raises its target when the opponent retracts. The target stays
within [reservation, best]; it offers the least demanding outcome reaching the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from negsim.negotiation.party import ParamValue
from negsim.negotiation.strategies.base import (
    Conceding,
    Context,
    OfferTable,
    Param,
    State,
    Traits,
)
from negsim.negotiation.strategies.registry import register


@register
class TitForTat(Conceding):
    """Mirrors the opponent's concessions, measured in its own utility."""

    key: ClassVar[str] = "tit_for_tat"
    summary: ClassVar[str] = "mirrors the opponent's last concession (relative tit-for-tat)"
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=False,
        uses_opponent_model=False,
        complete_information=False,
        rational=True,
        batch=True,
        memory=2,
    )
    params: ClassVar[Mapping[str, Param]] = {
        "generosity": Param(
            default=0.0,
            low=0.0,
            high=1.0,
            doc="extra utility conceded at each reply, to break deadlocks",
        ),
    }

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        self.table = OfferTable(self.u)
        self.best = float(self.u.max())
        self.target = self.best
        self.seen = 0

    def next_offer(self, state: State) -> int:
        """Update the target from the opponent's newest concession, then offer."""
        theirs = state.their_offers
        if len(theirs) > self.seen:
            self.seen = len(theirs)
            if len(theirs) >= 2:
                delta = self.u[theirs[-1]] - self.u[theirs[-2]]
                target = self.target - delta - float(self.p["generosity"])
                self.target = min(max(target, self.ctx.me.reservation), self.best)
        return self.table.least_above(self.target)
