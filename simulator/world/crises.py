"""Crises (essay 004, imagine the worst): a Poisson process over the running alliances.

Candidate crises arrive at ``crises.rate`` times the number of alliances the world can hold
(``max_alliances``); each is accepted with the share of that number running now (thinning), so
every running alliance meets crises at ``crises.rate`` a month. Every draw comes from the
``crises`` stream.

A crisis draws on both trust accounts (:meth:`~negsim.world.trust.TrustAccounts.strike`). A
partner whose account cannot cover it is in conflict: it no longer trusts its partner to
deliver and expects it to work as a shirker does from now on (``shirking.effort_kept`` of its
work). It then **weighs staying against leaving** (:meth:`Crises.leaves`): staying is worth what
the alliance has paid it a month so far, cut to that expectation; leaving, what its freed
capacity earns standalone (:func:`~negsim.world.alternatives.slot_value`). The alliance breaks
when a partner in conflict would rather leave. Trust decides who is in conflict; alternatives
decide whether conflict ends the alliance: with no alternative, only a partner the alliance
costs money (its meetings and ties more than its share) leaves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.alliances import AllianceTable
from negsim.world.alternatives import slot_value
from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario
from negsim.world.trust import TrustAccounts


class Crises:
    """The crisis process of one world."""

    def __init__(self, scenario: WorldScenario, max_alliances: int, rng: np.random.Generator):
        self.config = scenario
        self.section = scenario.crises
        self.max_alliances = max_alliances
        self.rng = rng

    @property
    def enabled(self) -> bool:
        """Whether crises arrive at all."""
        return self.section.enabled and self.section.rate > 0

    def wait(self) -> float:
        """Months until the next candidate crisis."""
        rate = self.section.rate * self.max_alliances
        return float(self.rng.exponential(1 / rate))

    def pick(self, rows: NDArray[np.int64]) -> int | None:
        """The running alliance (of ``rows``) a candidate crisis hits, or None (thinning)."""
        accept = self.rng.random() < rows.size / self.max_alliances
        if rows.size and accept:
            return int(rows[self.rng.integers(rows.size)])
        return None

    def strike(
        self, row: int, table: AllianceTable, trust: TrustAccounts, orgs: Organisations
    ) -> bool:
        """A crisis hits alliance ``row``; returns whether a partner in conflict leaves."""
        t = table
        t.crises[row] += 1
        tolerance = orgs.risk_tolerance
        conflict = trust.strike(row, (tolerance[t.a[row]], tolerance[t.b[row]]))
        if not conflict.any():
            return False
        leave = self.leaves(row, t, orgs)
        return bool((conflict[0] and leave[0]) or (conflict[1] and leave[1]))

    def leaves(self, row: int, table: AllianceTable, orgs: Organisations) -> tuple[bool, bool]:
        """Whether a and b of alliance ``row``, in conflict, would rather leave than stay (one
        alliance at a time, in scalars)."""
        t = table
        a, b = int(t.a[row]), int(t.b[row])
        work_a = float(orgs.effort[a] * t.commit_a[row])
        work_b = float(orgs.effort[b] * t.commit_b[row])
        kept = self.config.shirking.effort_kept
        both = max(work_a + work_b, 1e-300)
        months = float(t.months[row])
        if months > 0:
            paid_a, paid_b = float(t.realised_a[row]) / months, float(t.realised_b[row]) / months
        else:
            paid_a, paid_b = float(t.expected_a[row]), float(t.expected_b[row])
        # what staying is worth: the partner now expected to shirk
        stay_a = paid_a * ((work_a + kept * work_b) / both)
        stay_b = paid_b * ((work_b + kept * work_a) / both)
        return (
            bool(stay_a < slot_value(self.config, orgs, a)),
            bool(stay_b < slot_value(self.config, orgs, b)),
        )
