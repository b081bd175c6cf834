"""Alternatives (essay 000, the BATNA): what an organisation has if it signs nothing.

"If you have an alternative, and you're willing to walk away, they will chase you." In the
world an alternative is something an organisation is paid, not a number it is handed:

* **its standalone stream**: each month its free capacity earns ``organisations.alternative``
  × ``value.base``, pro rata for the share free (an alliance takes ``1 / capacity`` of it,
  from signing to its end) — :func:`standalone_month`, whether or not it ever allies;
* **its other suitors** (perceived competition, ``competition.enabled``): a free neighbour who
  found it appealing in this search is a partner it could sign with at the next search
  (``world.search_interval`` and diligence later), for half of that pair's estimated output
  (:func:`expected_output`, an even split). That is an alternative to this deal only for an
  organisation's **last free slot**: with two or more free it can sign both.

**The reservation** of a terms negotiation follows from them (:func:`reservation`). The terms
utility stands for the share of the alliance's value a side ends with, so a side's reservation
is the share of this alliance's estimated output, over its term and discounted at
``world.discount_rate`` (:func:`annuity`), that its alternative pays over the same months:
below that share, walking away pays more. An organisation whose alternative beats the whole
alliance has a reservation of 1, and no terms satisfy it.

Time is priced by the same discounting: rounds of talks (``world.offer_delay`` each) and
diligence push the alliance's months later, and a walk-out leaves the slot to its
standalone stream until the next search.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario
from negsim.world.terms import COMMITMENT
from negsim.world.value import meetings_share

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: The commitment both partners are assumed to work at when a deal is weighed before its terms
#: are known: the middle one of :data:`~negsim.world.terms.COMMITMENT`.
ASSUMED_COMMITMENT = float(COMMITMENT[1])


def annuity(rate: float, start: FloatArray | float, end: FloatArray | float) -> FloatArray:
    """Present value at month 0 of 1 a month paid from month ``start`` to ``end`` (0 if
    ``end <= start``), continuously discounted at ``rate`` a month.

    Examples:
        >>> float(annuity(0.0, 2.0, 5.0))
        3.0
        >>> round(float(annuity(0.01, 0.0, 12.0)), 3)
        11.308
    """
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    end = np.maximum(end, start)
    if rate == 0:
        return np.asarray(end - start)
    return np.asarray((np.exp(-rate * start) - np.exp(-rate * end)) / rate)


def slot_value(s: WorldScenario, orgs: Organisations, x: IntArray) -> FloatArray:
    """What one alliance's share of ``x``'s capacity earns standalone, per month."""
    return np.asarray(s.organisations.alternative * s.value.base / orgs.capacity[x])


def standalone_month(
    s: WorldScenario, orgs: Organisations, active: NDArray[np.int64], paid: FloatArray
) -> None:
    """A month of each organisation's alternative into ``paid`` (its spare capacity, by its
    running and signed alliances at the month's end)."""
    spare = np.clip((orgs.capacity - active) / orgs.capacity, 0.0, 1.0)
    paid += s.organisations.alternative * s.value.base * spare


def expected_output(
    s: WorldScenario, orgs: Organisations, x: IntArray, y: IntArray, estimate: FloatArray
) -> FloatArray:
    """The monthly output partners x and y expect from their estimated potential ``estimate``,
    at the efforts they see in each other and :data:`ASSUMED_COMMITMENT`, less the time their
    meetings will take (:func:`~negsim.world.value.meetings_share`)."""
    work = ASSUMED_COMMITMENT * (orgs.effort[x] + orgs.effort[y]) / 2
    return np.asarray(estimate * work * (1.0 - meetings_share(s)))


def suitor_options(
    s: WorldScenario,
    orgs: Organisations,
    u: IntArray,
    v: IntArray,
    estimate: FloatArray,
    suitor: NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """Per organisation, the best and the mean monthly value (half the expected output) of the
    pairs ``(u, v)`` marked ``suitor``: its own best option, and what a counterpart who sees
    the suitors but not which one it prefers makes of them. 0 without suitors."""
    half = 0.5 * expected_output(s, orgs, u[suitor], v[suitor], estimate[suitor])
    who = np.concatenate([u[suitor], v[suitor]])
    worth = np.concatenate([half, half])
    best = np.zeros(orgs.n)
    np.maximum.at(best, who, worth)
    count = np.bincount(who, minlength=orgs.n)
    total = np.bincount(who, weights=worth, minlength=orgs.n)
    mean = np.divide(total, count, out=np.zeros(orgs.n), where=count > 0)
    return best, mean


def reservation(
    s: WorldScenario,
    orgs: Organisations,
    x: IntArray,
    y: IntArray,
    estimate: FloatArray,
    option: FloatArray,
    delay: float,
) -> FloatArray:
    """Side x's reservation in its terms negotiation with y (see the module docstring):
    ``estimate`` is the pair's estimated potential, ``option`` the monthly value of x's best
    other suitor (0: none, or not an alternative for this slot) and ``delay`` the months
    between signing and the start (diligence, the risk clinic)."""
    w = s.world
    rate, horizon = w.discount_rate, delay + w.alliance_term
    standalone = slot_value(s, orgs, x)
    wait = min(w.search_interval + delay, horizon)  # a suitor's deal starts after the next search
    outside = annuity(rate, 0.0, wait) * standalone + annuity(rate, wait, horizon) * np.maximum(
        standalone, option
    )
    inside = annuity(rate, delay, horizon) * expected_output(s, orgs, x, y, estimate)
    share = np.divide(outside, inside, out=np.ones_like(outside), where=inside > 0)
    share = np.where((inside <= 0) & (outside <= 0), 0.0, share)
    return np.asarray(np.clip(share, 0.0, 1.0))
