"""Reputation (essays 002, 003): messy exits damage it and word spreads; it mends slowly.

An organisation's reputation (``Organisations.reputation``, in [0, 1]) weighs how appealing it
looks in a search, and below ``reputation.floor`` it finds no partners. Every exit costs both
partners ``reputation.graceful_cost`` or ``reputation.messy_cost``; a messy exit also costs each
of their neighbours ``reputation.spread`` times as much. Each month it recovers by
``reputation.recovery`` towards 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.organisations import Organisations
from negsim.world.scenario import ReputationSection

IntArray = NDArray[np.intp]


class Reputation:
    """The reputation rules over the organisations' ``reputation`` array (changed in place)."""

    def __init__(
        self, section: ReputationSection, orgs: Organisations, edges: NDArray[np.int64]
    ) -> None:
        """``edges``: the network's edges, (E, 2), self-loops included."""
        self.section = section
        self.orgs = orgs
        # Neighbours as CSR arrays, for spreading reputation without Python loops (each
        # organisation's neighbours by edge order; a self-loop counts once, as in graph.adj).
        u, v = edges[:, 0], edges[:, 1]
        other = u != v
        src, dst = np.concatenate([u, v[other]]), np.concatenate([v, u[other]])
        self.nbr_idx = dst[np.argsort(src, kind="stable")]
        self.nbr_ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=orgs.n))])

    def eligible(self, free: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """``free`` without the organisations whose reputation is below the floor."""
        if self.section.enabled:
            free &= self.orgs.reputation >= self.section.floor
        return free

    def recover(self) -> None:
        """A month passes: reputations mend slowly (old stories fade)."""
        if self.section.enabled:
            rep = self.orgs.reputation
            np.minimum(rep + self.section.recovery, 1.0, out=rep)

    def exit(self, partners: IntArray, *, graceful: bool) -> None:
        """Charge the partners of ended alliances; word of a messy exit spreads."""
        rep = self.section
        if not rep.enabled:
            return
        cost = rep.graceful_cost if graceful else rep.messy_cost
        np.subtract.at(self.orgs.reputation, partners, cost)
        touched = partners
        if not graceful:  # word spreads to the neighbours
            near = np.concatenate(
                [self.nbr_idx[self.nbr_ptr[p] : self.nbr_ptr[p + 1]] for p in partners.tolist()]
            )
            np.subtract.at(self.orgs.reputation, near, rep.spread * cost)
            touched = np.concatenate([partners, near])
        rep_now = self.orgs.reputation
        rep_now[touched] = np.clip(rep_now[touched], 0.0, 1.0)
