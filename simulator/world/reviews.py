"""Reviews and exits (essays 001, 002, 003): review, then restructure or exit; how ends work.

A review (every ``world.review_interval``) looks at the alliances operating for at least
``review.first_after`` of an interval. One where a partner realises less than
``review.threshold`` of what it expected exits gracefully (``underperformed``); one where a
partner misses its goal while the other beats its expectation is restructured (the split moves
``review.restructure_step`` towards the short partner); a partner whose free neighbours promise
clearly more (``review.alternative_margin``) leaves gracefully (``alternative``).

An end (:class:`Exits`) records the month and the cause, frees the partners' capacity, closes the
trust accounts (messy ends destroy them) and charges reputation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from negsim.world.alliances import CAUSE, AllianceTable
from negsim.world.organisations import Organisations
from negsim.world.reputation import Reputation
from negsim.world.scenario import WorldScenario
from negsim.world.trust import TrustAccounts
from negsim.world.value import potential

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


class Exits:
    """Ends alliances: the table, the partners' running counts, trust and reputation."""

    def __init__(
        self,
        table: AllianceTable,
        active: NDArray[np.int64],
        trust: TrustAccounts,
        reputation: Reputation,
    ) -> None:
        self.table = table
        self.active = active
        self.trust = trust
        self.reputation = reputation

    def end(self, rows: IntArray, cause: str, time: float, *, graceful: bool) -> None:
        """End alliances ``rows`` at ``time``: free capacity, record the cause, charge
        reputation."""
        if rows.size == 0:
            return
        t = self.table
        t.end[rows] = time
        t.cause[rows] = CAUSE[cause]
        t.graceful[rows] = graceful
        partners = np.concatenate([t.a[rows], t.b[rows]])
        self.trust.close(rows, t.a[rows], t.b[rows], graceful=graceful)
        np.subtract.at(self.active, partners, 1)
        self.reputation.exit(partners, graceful=graceful)


@dataclass
class Reviews:
    """The reviews of one world: its alliance table, organisations, network and running counts
    (``active``, updated by ``end``)."""

    config: WorldScenario
    table: AllianceTable
    orgs: Organisations
    edges: NDArray[np.int64]
    active: NDArray[np.int64]

    def review(self, started: NDArray[np.bool_], end: Callable[[IntArray, str], None]) -> None:
        """Review the ``started`` alliances (see the module docstring); ``end(rows, cause)``
        ends some gracefully, freeing capacity before alternatives are sought."""
        s, t = self.config, self.table
        r = s.review
        rows = np.flatnonzero(started & (t.months >= s.world.review_interval * r.first_after))
        if rows.size == 0:
            return
        months = t.months[rows]
        ratio = []
        for realised, expected in ((t.realised_a, t.expected_a), (t.realised_b, t.expected_b)):
            goal = expected[rows] * months  # a partner expecting nothing is never short
            ratio.append(np.where(goal > 0, realised[rows] / np.where(goal > 0, goal, 1), np.inf))
        short = (ratio[0] < r.threshold) | (ratio[1] < r.threshold)
        end(rows[short], "underperformed")
        rows, ratio = rows[~short], [x[~short] for x in ratio]
        if r.restructure_step > 0:  # rebalance a split that leaves one partner behind
            a_behind = (ratio[0] < r.goal) & (ratio[1] > 1)
            b_behind = (ratio[1] < r.goal) & (ratio[0] > 1)
            t.split[rows[a_behind]] = np.minimum(t.split[rows[a_behind]] + r.restructure_step, 1)
            t.split[rows[b_behind]] = np.maximum(t.split[rows[b_behind]] - r.restructure_step, 0)
            t.restructured[rows[a_behind | b_behind]] += 1
        if np.isfinite(r.alternative_margin) and rows.size:
            delivering = np.minimum(np.minimum(ratio[0], ratio[1]), 1.0)
            end(rows[self.better_elsewhere(rows, delivering)], "alternative")

    def better_elsewhere(self, rows: IntArray, delivering: FloatArray) -> NDArray[np.bool_]:
        """Alliances one of whose partners has a free neighbour promising clearly more.

        Like is compared with like: a neighbour's potential (reputation-weighted) against this
        alliance's potential, discounted by how far it delivers on its expectations.
        """
        t, o = self.table, self.orgs
        free = self.active < o.capacity
        u, v = self.edges[:, 0], self.edges[:, 1]
        best = np.zeros(o.n)  # the best potential a free neighbour offers each organisation
        for x, y in ((u, v), (v, u)):
            mask = free[y]
            value = potential(self.config.value, o, x[mask], y[mask]) * o.reputation[y[mask]]
            np.maximum.at(best, x[mask], value)
        here = (1 + self.config.review.alternative_margin) * t.potential[rows] * delivering
        return np.asarray((best[t.a[rows]] > here) | (best[t.b[rows]] > here))
