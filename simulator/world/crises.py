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
        table.crises[row] += 1
        owners = np.array([table.a[row], table.b[row]])
        conflict = trust.strike(row, orgs.risk_tolerance[owners])
        return bool(conflict.any() and (conflict & self.leaves(row, table, orgs)).any())

    def leaves(self, row: int, table: AllianceTable, orgs: Organisations) -> NDArray[np.bool_]:
        """Whether a and b of alliance ``row``, in conflict, would rather leave than stay."""
        t = table
        owners = np.array([t.a[row], t.b[row]])
        work = orgs.effort[owners] * np.array([t.commit_a[row], t.commit_b[row]])
        kept = self.config.shirking.effort_kept
        # what staying is worth: the partner now expected to shirk
        trusting = (work + kept * work[::-1]) / np.maximum(work + work[::-1], 1e-300)
        months = float(t.months[row])
        if months > 0:
            paid = np.array([t.realised_a[row], t.realised_b[row]]) / months
        else:
            paid = np.array([t.expected_a[row], t.expected_b[row]])
        stay = paid * trusting
        return np.asarray(stay < slot_value(self.config, orgs, owners))
