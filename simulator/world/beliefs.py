"""What a ``zeuthen`` negotiator believes about the other side, from what it can see (essay 000).

The core's ``zeuthen`` player (:mod:`negsim.negotiation.strategies.zeuthen`) concedes by the
risk of breakdown it credits the other side with: what it believes the other's alternative is
worth and how ready it believes the other is to take it, updated from play. In the world those
prior beliefs come from what a counterpart can observe, never from the other's private state:

* **the other's alternative**: what alternatives are worth in this world
  (``organisations.reservation``, common knowledge), lifted as far as the rival suitors it sees
  courting the other in this search lift a courted side's alternative
  (``competition.gain``): *perceived competition*;
* **the other's readiness to walk away**: its **reputation for walking away** — the walk-outs
  its neighbours (the counterpart among them) have seen in its terms negotiations, a Beta(1, 1)
  prior updated by each negotiation: ``(1 + walk-outs) / (2 + negotiations)``;
* **intent shown** (``disclosure``): a side that shows it needs the deal (the share it shows of
  its eagerness, more to a partner it trusted before) is believed that much less ready to leave
  it: ``readiness × (1 − shown × eagerness)``.

How much the other side is offered then follows from the counterpart's own concessions; nothing
here sets a pace or an offer. The time-dependent family ignores these beliefs: it answers its
clock (and, for now, the stance's pace multipliers, :mod:`negsim.world.stance`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, kw_only=True)
class Believed:
    """What the counterpart believes about each side ``x`` of K negotiations."""

    reservation: FloatArray  # the worth of x's alternative
    walk_away: FloatArray  # x's readiness to take it


def reputation_for_walking(orgs: Organisations, x: IntArray) -> FloatArray:
    """The share of its terms negotiations ``x`` is believed to walk away from (Beta(1, 1))."""
    return np.asarray((1.0 + orgs.walkouts[x]) / (2.0 + orgs.talks[x]))


def believed(
    s: WorldScenario,
    orgs: Organisations,
    x: IntArray,
    *,
    rivals: NDArray[np.int64],
    eagerness: FloatArray,
    past_trust: FloatArray,
) -> Believed:
    """What x's counterparts believe about the sides ``x`` (see the module docstring):
    ``rivals`` courting each, its ``eagerness`` for this deal (in [0, 1]) and the pair's
    ``past_trust``."""
    base = np.full(len(x), s.organisations.reservation)
    if s.competition.enabled:
        pull = rivals / (rivals + 1.0)  # as the rivals lift x's own alternative
        base = base + s.competition.gain * (1.0 - base) * pull
    walk = reputation_for_walking(orgs, x)
    if s.disclosure.enabled:
        trust = np.clip(past_trust, 0.0, 1.0)
        shown = orgs.disclosure[x] + (1.0 - orgs.disclosure[x]) * trust
        walk = walk * (1.0 - shown * eagerness)
    return Believed(reservation=np.minimum(base, 1.0), walk_away=walk)


def record(orgs: Organisations, a: IntArray, b: IntArray, walked: NDArray[np.int64]) -> None:
    """Add the negotiations (a[i], b[i]) to both sides' records; ``walked`` is 0 where a
    walked away, 1 where b did, −1 otherwise."""
    np.add.at(orgs.talks, a, 1)
    np.add.at(orgs.talks, b, 1)
    np.add.at(orgs.walkouts, a[walked == 0], 1)
    np.add.at(orgs.walkouts, b[walked == 1], 1)
