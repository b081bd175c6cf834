"""What a ``zeuthen`` negotiator believes about the other side, from what it can see (essay 000).

The core's ``zeuthen`` player (:mod:`negsim.negotiation.strategies.zeuthen`) concedes by the
risk of breakdown it credits the other side with: what it believes the other's alternative is
worth and how ready it believes the other is to take it, updated from play. In the world those
prior beliefs come from what a counterpart can observe, never from the other's private state:

* **the other's alternative**: its reservation as the other would derive it
  (:func:`~negsim.world.alternatives.reservation`) from what is public — what a free slot earns
  standalone in this world, the pair's estimated value and the efforts each sees — and from
  the rival suitors it sees courting the other in this search (*perceived competition*): it
  sees them, not what they offer, and takes each to be worth what its own deal with the other
  looks worth at an even split; nor does it know whether the other has a second free slot,
  which would let it sign both. (Like every ``zeuthen`` player it knows the other's utility.)
* **the other's readiness to walk away**: its **reputation for walking away**. Word of a
  walk-out goes round the walker's neighbours, and a counterpart is always one of them, so it
  knows the other's terms negotiations and walk-outs: a Beta(1, 1) prior updated by each
  negotiation, ``(1 + walk-outs) / (2 + negotiations)`` (with ``walk_reputation`` off, the
  prior's 1/2 for every side: nobody reads the record);
* **intent shown** (``disclosure``): a side that shows it needs the deal (the share it shows of
  its eagerness, more to a partner it trusted before) is believed that much less ready to leave
  it: ``readiness × (1 − shown × eagerness)``.

How much the other side is offered then follows from the counterpart's own concessions; nothing
here sets a pace or an offer. The time-dependent family ignores these beliefs: it answers its
clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from negsim.world.alternatives import reservation
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
    y: IntArray,
    *,
    estimate: FloatArray,
    option: FloatArray,
    delay: float,
    eagerness: FloatArray,
    past_trust: FloatArray,
) -> Believed:
    """What x's counterparts ``y`` believe about the sides ``x`` (see the module docstring):
    the pair's ``estimate``d potential, the monthly ``option`` the suitors seen courting x
    look worth (0 where none are seen, as with competition off: see
    :func:`~negsim.world.search.court`), the ``delay`` between signing and the start, x's
    ``eagerness`` for this deal (in [0, 1]) and the pair's ``past_trust``."""
    if s.walk_reputation.enabled:
        walk = reputation_for_walking(orgs, x)
    else:
        walk = np.full(len(x), 0.5)  # the Beta(1, 1) prior's mean: no record read
    if s.disclosure.enabled:
        trust = np.clip(past_trust, 0.0, 1.0)
        shown = orgs.disclosure[x] + (1.0 - orgs.disclosure[x]) * trust
        walk = walk * (1.0 - shown * eagerness)
    believed_reservation = reservation(s, orgs, x, y, estimate, option, delay)
    return Believed(reservation=believed_reservation, walk_away=walk)


def record(orgs: Organisations, a: IntArray, b: IntArray, walked: NDArray[np.int64]) -> None:
    """Add the negotiations (a[i], b[i]) to both sides' records; ``walked`` is 0 where a
    walked away, 1 where b did, −1 otherwise."""
    n = orgs.n
    orgs.talks += np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    orgs.walkouts += np.bincount(a[walked == 0], minlength=n) + np.bincount(
        b[walked == 1], minlength=n
    )
