"""Crises (essay 004, imagine the worst): a Poisson process over the running alliances.

Candidate crises arrive at ``crises.rate`` times the number of alliances the world can hold
(``max_alliances``); each is accepted with the share of that number running now (thinning), so
every running alliance meets crises at ``crises.rate`` a month. A crisis draws on both trust
accounts (:meth:`~negsim.world.trust.TrustAccounts.strike`); one the balance cannot cover goes
into conflict and breaks the alliance with ``crises.break_probability``. Every draw comes from
the ``crises`` stream.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.alliances import AllianceTable
from negsim.world.organisations import Organisations
from negsim.world.scenario import CrisesSection
from negsim.world.trust import TrustAccounts


class Crises:
    """The crisis process of one world."""

    def __init__(self, section: CrisesSection, max_alliances: int, rng: np.random.Generator):
        self.section = section
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
        """A crisis hits alliance ``row``; returns whether the conflict breaks it."""
        table.crises[row] += 1
        owners = np.array([table.a[row], table.b[row]])
        uncovered = trust.strike(row, orgs.risk_tolerance[owners])
        return uncovered and bool(self.rng.random() < self.section.break_probability)
