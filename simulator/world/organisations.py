"""Organisations as arrays: capabilities, values, interests, effort, readiness, reputation.

Mesa agents (:class:`negsim.world.records.Organisation`) are thin handles onto these arrays, so
the world's mechanisms run over all organisations at once with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from negsim.world.scenario import AssignSection, OrganisationsSection

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(kw_only=True)
class Organisations:
    """Per-organisation state; row i is organisation i (the node i of the network)."""

    capabilities: FloatArray  # (n, dc) in [0, 1]: what it brings (complementarity adds value)
    values: FloatArray  # (n, dv) unit vectors: compatibility = cosine similarity (essay 002)
    interests: FloatArray  # (n, 4) weights over the alliance-terms issues
    strategy: NDArray[np.str_]  # a key from the core registry
    walk_away: FloatArray  # readiness to walk away, [0, 1]
    disclosure: FloatArray  # how much of its eagerness it shows, [0, 1] (essay 000)
    effort: FloatArray  # "A-team or B-team" (essay 003), (0, 1]
    capacity: NDArray[np.int64]  # how many alliances it can run at once
    risk_tolerance: FloatArray  # how much of a crisis it absorbs, [0, 1] (essay 001)
    coherence: FloatArray  # "singing from the same hymnal": 1 never sends mixed messages (004)
    reputation: FloatArray  # [0, 1]; messy exits lower it (essays 002, 003)
    block: IntArray  # industry: same block = rivals for the same partners (essay 004)
    arm: NDArray[np.int8]  # within-world randomisation ([assign]): 1 treated, 0 control, −1 none
    talks: NDArray[np.int64]  # terms negotiations it has been in (seen by its neighbours)
    walkouts: NDArray[np.int64]  # ... and walked away from (its reputation for walking away)

    @property
    def n(self) -> int:
        """Number of organisations."""
        return len(self.reputation)

    @property
    def strength(self) -> FloatArray:
        """Mean capability: "networks of the weak do not survive" (essay 002)."""
        return np.asarray(self.capabilities.mean(axis=1))


def draw_organisations(
    section: OrganisationsSection, n: int, block: IntArray, rng: np.random.Generator
) -> Organisations:
    """Draw ``n`` organisations; every draw comes from ``rng`` in a fixed order.

    Interests are Dirichlet(``interests_concentration``) over the four terms issues; walk-away,
    disclosure, effort, risk tolerance and coherence are normal around the section's mean with
    its ``*_spread``, clipped to [0, 1] (effort to [``effort_floor``, 1])."""
    keys = sorted(section.strategies)
    mix = np.array([section.strategies[k] for k in keys], dtype=np.float64)
    values = rng.normal(size=(n, section.value_dims))
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    return Organisations(
        capabilities=rng.random((n, section.capability_dims)),
        values=values,
        interests=rng.dirichlet(np.full(4, section.interests_concentration), n),
        strategy=np.asarray(keys)[rng.choice(len(keys), size=n, p=mix / mix.sum())],
        walk_away=np.clip(rng.normal(section.walk_away, section.walk_away_spread, n), 0.0, 1.0),
        disclosure=np.clip(rng.normal(section.disclosure, section.disclosure_spread, n), 0.0, 1.0),
        effort=np.clip(
            rng.normal(section.effort, section.effort_spread, n), section.effort_floor, 1.0
        ),
        capacity=np.full(n, section.capacity, dtype=np.int64),
        risk_tolerance=np.clip(
            rng.normal(section.risk_tolerance, section.risk_tolerance_spread, n), 0.0, 1.0
        ),
        coherence=np.clip(rng.normal(section.coherence, section.coherence_spread, n), 0.0, 1.0),
        reputation=np.ones(n),
        block=block,
        arm=np.full(n, -1, dtype=np.int8),
        talks=np.zeros(n, dtype=np.int64),
        walkouts=np.zeros(n, dtype=np.int64),
    )


def assign(section: AssignSection, orgs: Organisations, rng: np.random.Generator) -> None:
    """Randomise ``section.parameter`` within the world (``[assign]``): ``share`` of the
    organisations, a uniformly random set of that size drawn from ``rng``, get ``treatment``,
    the others ``control``; ``orgs.arm`` records who is which. Nothing without a parameter."""
    if not section.parameter:
        return
    treated = rng.permutation(orgs.n)[: round(section.share * orgs.n)]
    orgs.arm[:] = 0
    orgs.arm[treated] = 1
    trait = getattr(orgs, section.parameter)
    trait[:] = np.where(orgs.arm == 1, section.treatment, section.control)
