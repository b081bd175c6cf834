"""Time-dependent concession (Faratin, Sierra & Jennings 1998) and its presets.

At relative time τ = t/T (t the 0-based index of the round, T the deadline) a party aspires to
``r + (u_max − r)(1 − f(τ))`` with ``f(τ) = k + (1 − k) τ^(1/e)`` (``u_max`` = its best utility,
1 for normalised evaluations; ``e = 0`` keeps ``f = k``: a hardliner). It offers, among the
outcomes worth at least its aspiration, the one its opponent model rates best for the opponent
(model ``none`` rates every outcome alike, so it offers the least demanding one).

Examples:
    >>> float(concession_curve(e=0.2, k=0.0, horizon=100, n_rounds=101)[50])
    0.03125
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from negsim.negotiation.party import ParamValue
from negsim.negotiation.strategies.base import (
    Conceding,
    Context,
    OfferTable,
    Param,
    State,
    Traits,
)
from negsim.negotiation.strategies.opponent import FrequencyModel
from negsim.negotiation.strategies.registry import register

OPPONENT_MODELS = ("none", "frequency")


def concession_curves(
    e: NDArray[np.float64], k: NDArray[np.float64], horizon: NDArray[np.int64], n_rounds: int
) -> NDArray[np.float64]:
    """``f`` for many (e, k, T) at once: row i at 0-based round indices ``0 … n_rounds``.

    τ is capped at 1; ``e = 0`` keeps ``f = k``. The one-at-a-time protocol calls this with a
    single row and the batch path with many: the same elementwise operations, so their
    aspirations are bit-for-bit identical.
    """
    e, k = np.asarray(e, dtype=np.float64)[:, None], np.asarray(k, dtype=np.float64)[:, None]
    t = np.arange(n_rounds + 1, dtype=np.float64)[None, :]
    tau = np.minimum(t / np.asarray(horizon)[:, None], 1.0)
    with np.errstate(over="ignore"):  # a vanishing e gives an infinite exponent, as 1.0 / e does
        exponent = 1.0 / np.where(e > 0, e, 1.0)
    return np.where(e > 0, k + (1.0 - k) * tau**exponent, k + 0.0 * tau)


def concession_curve(*, e: float, k: float, horizon: int, n_rounds: int) -> NDArray[np.float64]:
    """``f`` at 0-based round indices ``0 … n_rounds`` for one (e, k, T)."""
    curves = concession_curves(np.array([e]), np.array([k]), np.array([horizon]), n_rounds)
    return np.asarray(curves[0], dtype=np.float64)


def aspiration_schedule(
    *, e: float, k: float, horizon: int, n_rounds: int, reservation: float, best: float
) -> NDArray[np.float64]:
    """Aspiration at each 0-based round index (see the module docstring)."""
    f = concession_curve(e=e, k=k, horizon=horizon, n_rounds=n_rounds)
    return reservation + (best - reservation) * (1.0 - f)


def _params(e: float, model: str = "none") -> dict[str, Param]:
    return {
        "e": Param(
            default=e,
            low=0.0,
            high=100.0,
            doc="concession exponent: <1 Boulware (late), 1 linear, >1 Conceder (early)",
        ),
        "k": Param(default=0.0, low=0.0, high=1.0, doc="initial concession f(0)"),
        "opponent_model": Param(
            default=model,
            choices=OPPONENT_MODELS,
            doc="how outcomes above the aspiration are rated for the opponent",
        ),
        "horizon": Param(
            default=0,
            low=0,
            high=1e9,
            doc="T when the protocol has no deadline (0 = the protocol's cut-off)",
        ),
    }


@register
class TimeDependent(Conceding):
    """Concedes on a fixed curve in time (Faratin, Sierra & Jennings 1998)."""

    key: ClassVar[str] = "time_dependent"
    summary: ClassVar[str] = "concedes along r + (1 − r)(1 − f(t/T)), f = k + (1 − k)(t/T)^(1/e)"
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=True,
        uses_opponent_model=True,
        complete_information=False,
        rational=True,
        batch=True,
        memory=None,
    )
    params: ClassVar[Mapping[str, Param]] = _params(1.0)

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        deadline = ctx.deadline or int(self.p["horizon"]) or ctx.max_rounds
        self.aspirations = aspiration_schedule(
            e=float(self.p["e"]),
            k=float(self.p["k"]),
            horizon=deadline,
            n_rounds=ctx.max_rounds + 1,
            reservation=ctx.me.reservation,
            best=float(self.u.max()),
        )
        self.table = OfferTable(self.u)
        self.model = FrequencyModel(ctx.domain) if self.p["opponent_model"] == "frequency" else None

    def aspiration(self, round_: int) -> float:
        """Aspiration in round ``round_`` (1-based)."""
        return float(self.aspirations[round_ - 1])

    def next_offer(self, state: State) -> int:
        """The best-rated outcome among those reaching the aspiration."""
        asp = self.aspiration(state.round)
        if self.model is None:
            return self.table.least_above(asp)
        self.model.update(state.their_offers)
        candidates = self.table.reaching(asp)
        # argmax takes the first maximum: ties go to the least demanding outcome.
        return int(candidates[np.argmax(self.model.ratings()[candidates])])


@register
class Boulware(TimeDependent):
    """Time-dependent with e = 0.2: holds firm, concedes near the deadline."""

    key: ClassVar[str] = "boulware"
    summary: ClassVar[str] = "time_dependent preset, e = 0.2 (concedes late)"
    params: ClassVar[Mapping[str, Param]] = _params(0.2)


@register
class Linear(TimeDependent):
    """Time-dependent with e = 1: concedes at a constant rate."""

    key: ClassVar[str] = "linear"
    summary: ClassVar[str] = "time_dependent preset, e = 1 (concedes steadily)"
    params: ClassVar[Mapping[str, Param]] = _params(1.0)


@register
class Conceder(TimeDependent):
    """Time-dependent with e = 5: concedes early."""

    key: ClassVar[str] = "conceder"
    summary: ClassVar[str] = "time_dependent preset, e = 5 (concedes early)"
    params: ClassVar[Mapping[str, Param]] = _params(5.0)


@register
class Hardliner(TimeDependent):
    """Never concedes: always offers its best outcome (time-dependent with e = 0, k = 0).

    It reuses the family's machinery (and so its batch path) with a flat curve, but declares
    its own traits: its offers depend neither on the deadline nor on the opponent's offers.
    """

    key: ClassVar[str] = "hardliner"
    summary: ClassVar[str] = "always offers its best outcome; accepts only as much"
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=False,
        uses_opponent_model=False,
        complete_information=False,
        rational=True,
        batch=True,
        memory=0,
    )
    params: ClassVar[Mapping[str, Param]] = {}

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, e=0.0, k=0.0, opponent_model="none", horizon=0)


@register
class TradeOff(TimeDependent):
    """Concedes where it is cheap for itself and valuable for the opponent (Faratin et al. 2002).

    Its aspiration follows the time-dependent curve, but among the outcomes that meet it, it
    offers the one a frequency opponent model rates best for the opponent: it moves along its
    own indifference curve towards the opponent before giving up utility.
    """

    key: ClassVar[str] = "trade_off"
    summary: ClassVar[str] = (
        "time-dependent aspiration; offers what a frequency model rates best for them"
    )
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=True,
        uses_opponent_model=True,
        complete_information=False,
        rational=True,
        batch=False,
        memory=None,
    )
    params: ClassVar[Mapping[str, Param]] = _params(0.2, model="frequency")
