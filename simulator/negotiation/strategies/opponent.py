"""Opponent models: how a party rates outcomes for the other side from what it has seen.

The frequency model (as in the HardHeaded agent of ANAC 2011; Baarslag et al. 2013, "Predicting
the performance of opponent models") assumes the opponent offers its preferred values often and
keeps the issues it cares about fixed: a value's score is how often the opponent offered it
relative to its most offered value on that issue, and an issue's weight grows each time the
opponent leaves it unchanged between consecutive offers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from negsim.negotiation.domain import Domain


class FrequencyModel:
    """Estimates the opponent's utility of every outcome from its offers."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.counts = [np.zeros(size) for size in domain.shape]
        self.unchanged = np.zeros(len(domain.shape))
        self.seen = 0

    def update(self, offers: Sequence[int]) -> None:
        """Fold in the offers not seen yet (``offers`` is the full history, oldest first)."""
        matrix = self.domain.outcome_matrix
        for k in range(self.seen, len(offers)):
            values = matrix[offers[k]]
            for issue, v in enumerate(values):
                self.counts[issue][v] += 1
            if k > 0:
                self.unchanged += values == matrix[offers[k - 1]]
        self.seen = len(offers)

    def ratings(self) -> NDArray[np.float64]:
        """Estimated opponent utility of each outcome (all zeros before any offer)."""
        matrix = self.domain.outcome_matrix
        out = np.zeros(self.domain.n_outcomes)
        if self.seen == 0:
            return out
        weights = (1.0 + self.unchanged) / (1.0 + self.unchanged).sum()
        for issue, counts in enumerate(self.counts):
            out += weights[issue] * (counts / counts.max())[matrix[:, issue]]
        return out
