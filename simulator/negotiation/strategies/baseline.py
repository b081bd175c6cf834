"""A random baseline: offers any outcome above its reservation, uniformly at random."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negsim.negotiation.party import ParamValue
from negsim.negotiation.strategies.base import Conceding, Context, OfferTable, State, Traits
from negsim.negotiation.strategies.registry import register


@register
class RandomOffers(Conceding):
    """Offers a uniformly random outcome worth at least its reservation (AC_next acceptance)."""

    key: ClassVar[str] = "random"
    summary: ClassVar[str] = "uniformly random offers above its reservation (baseline)"
    traits: ClassVar[Traits] = Traits(
        stochastic=True,
        time_dependent=False,
        uses_opponent_model=False,
        complete_information=False,
        rational=True,
        batch=False,
        memory=0,
    )

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        self.acceptable = OfferTable(self.u).reaching(ctx.me.reservation)

    def next_offer(self, state: State) -> int:
        """A fresh random draw among the acceptable outcomes."""
        return int(self.acceptable[self.rng.integers(self.acceptable.size)])
