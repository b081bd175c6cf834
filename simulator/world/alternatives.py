"""Alternatives (essay 000, the BATNA): what an organisation has if it signs nothing.

"If you have an alternative, and you're willing to walk away, they will chase you." In the
world an alternative is something an organisation is paid, not a number it is handed:

* **its standalone stream**: each month its free capacity earns ``organisations.alternative``
  × ``value.base``, pro rata for the share free and the time it was free (an alliance takes
  ``1 / capacity`` of it, from the search that agreed it to its end) —
  :func:`standalone_month`, whether or not it ever allies;
* **its other suitors** (perceived competition, ``competition.enabled``): a free neighbour who
  found it appealing in this search is a partner it could sign with at the next search
  (``world.search_interval`` and diligence later), for half of that pair's estimated output
  (:func:`expected_output`, an even split). That is an alternative to this deal only for an
  organisation's **last free slot**: with two or more free it can sign both.

**The reservation** of a terms negotiation follows from them (:func:`reservation`): the share
of this alliance's estimated output, over its term and discounted at ``world.discount_rate``
(:func:`annuity`), that its alternative pays over the same months. It floors the side's terms
utility, on the scale of the value split, where utility and share coincide. The terms weigh
the split with the commitments and governance by the side's interests, so a side that cares
for a light commitment or the lead may sign for a smaller split than its alternative pays:
its interests value the rest (the money it gives up shows in ``present_value``). An
organisation whose alternative beats the whole alliance has a reservation of 1 and does not
court that partner at all (:func:`courts`).

Time is priced by the same discounting: rounds of talks (``world.offer_delay`` each) and
diligence push the alliance's months later, and a walk-out leaves the slot to its
standalone stream until the next search.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.accumulate import add_at
from negsim.world.alliances import AllianceTable
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


def slot_value(s: WorldScenario, orgs: Organisations, x: IntArray | int) -> FloatArray:
    """What one alliance's share of ``x``'s capacity earns standalone, per month."""
    return np.asarray(s.organisations.alternative * s.value.base / orgs.capacity[x])


def standalone_month(
    s: WorldScenario, orgs: Organisations, table: AllianceTable, time: float, paid: FloatArray
) -> None:
    """The month to ``time`` of each organisation's alternative into ``paid``: for the share
    of its capacity free, hour by hour — an alliance takes its share from the search that
    agreed it to its end (its planned end, if it was ended later that month)."""
    monthly = s.organisations.alternative * s.value.base
    if monthly == 0:
        return
    t = table
    release = np.where(t.alive, time, np.minimum(t.end, t.planned_end))
    held_from = np.fmin(t.agreed, t.signed)  # rows added without ``agreed``: from signing
    rows = np.flatnonzero((release > time - 1.0) & (held_from < time))
    busy = np.zeros(orgs.n)
    if rows.size:
        held = np.clip(
            np.minimum(release[rows], time) - np.maximum(held_from[rows], time - 1.0), 0.0, 1.0
        )
        add_at(busy, t.a[rows], held)
        add_at(busy, t.b[rows], held)
    paid += monthly * np.clip(1.0 - busy / orgs.capacity, 0.0, 1.0)


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
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Per organisation, the best monthly value (half the expected output: an even split) of
    the pairs ``(u, v)`` marked ``suitor``, by their own ``estimate`` (0 without suitors), and
    how many suitors it has."""
    half = 0.5 * expected_output(s, orgs, u[suitor], v[suitor], estimate[suitor])
    who = np.concatenate([u[suitor], v[suitor]])
    best = np.zeros(orgs.n)
    np.maximum.at(best, who, np.concatenate([half, half]))
    return best, np.bincount(who, minlength=orgs.n)


def outside_value(
    s: WorldScenario, orgs: Organisations, x: IntArray, option: FloatArray, delay: float
) -> FloatArray:
    """What x's alternative pays over a deal's months (from now to its planned end, ``delay``
    plus the term), discounted to now: its slot's standalone stream, or from the next search
    on (and its diligence) the better of that and its best suitor's ``option`` a month."""
    w = s.world
    rate, horizon = w.discount_rate, delay + w.alliance_term
    standalone = slot_value(s, orgs, x)
    wait = min(w.search_interval + delay, horizon)  # a suitor's deal starts after the next search
    later = np.maximum(standalone, option)
    return np.asarray(annuity(rate, 0.0, wait) * standalone + annuity(rate, wait, horizon) * later)


def reservation(
    s: WorldScenario,
    orgs: Organisations,
    x: IntArray,
    y: IntArray,
    estimate: FloatArray,
    option: FloatArray,
    delay: float,
) -> FloatArray:
    """Side x's reservation in its terms negotiation with y (see the module docstring): the
    share of the deal's expected output over its term (:func:`expected_output`, discounted)
    that its alternative pays over the same months (:func:`outside_value`), at most 1.
    ``estimate`` is the pair's estimated potential, ``option`` the monthly value of x's best
    other suitor (0: none, or not an alternative for this slot), ``delay`` the months between
    signing and the start (diligence, the risk clinic)."""
    w = s.world
    outside = outside_value(s, orgs, x, option, delay)
    ann = annuity(w.discount_rate, delay, delay + w.alliance_term)
    inside = ann * expected_output(s, orgs, x, y, estimate)
    share = np.divide(outside, inside, out=np.ones_like(outside), where=inside > 0)
    share = np.where((inside <= 0) & (outside <= 0), 0.0, share)
    return np.asarray(np.clip(share, 0.0, 1.0))


def courts(
    s: WorldScenario,
    orgs: Organisations,
    x: IntArray,
    y: IntArray,
    estimate: FloatArray,
    delay: float,
) -> NDArray[np.bool_]:
    """Whether x courts y at all: the whole deal, at full commitments, would pay it more than
    its slot's standalone stream (no one courts a partner its alternative beats outright)."""
    w = s.world
    best = (
        annuity(w.discount_rate, delay, delay + w.alliance_term)
        * estimate
        * ((orgs.effort[x] + orgs.effort[y]) / 2 * (1.0 - meetings_share(s)))
    )
    return np.asarray(best > outside_value(s, orgs, x, np.zeros(len(x)), delay))
