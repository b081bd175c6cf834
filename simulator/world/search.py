"""Partner search (essays 000, 002, 003): court, estimate, match, then negotiate the terms.

Every ``world.search_interval`` the free organisations (below capacity and, with reputation on,
at or above ``reputation.floor``) court their free neighbours:

* diligence: each estimates a pair's value with optimistic noise; diligence costs
  ``diligence.time`` months and removes ``diligence.reduction`` of the optimism and the noise;
* matching: pairs are taken greedily by appeal (estimate times both reputations), each
  organisation opening at most one negotiation per search;
* rivals: every other free neighbour that found an organisation appealing is a rival suitor;
* beliefs: eagerness (free capacity) and the pair's past trust, with the rivals, set each side's
  stance (:func:`~negsim.world.stance.stance`); the core's batch path negotiates the terms
  (:func:`~negsim.world.terms.negotiate_terms`); the pairs that agree sign alliances
  (:func:`deals`: the alliance table's columns).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from negsim.world import beliefs
from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario
from negsim.world.stance import stance
from negsim.world.terms import Terms, negotiate_terms

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, kw_only=True)
class Courtship:
    """The pairs a search matched, what they are worth and what the partners believe."""

    a: IntArray  # the organisation that opens the talks
    b: IntArray
    potential: FloatArray  # the true potential of each pair
    estimate: FloatArray  # the partners' estimate of it
    rivals_a: NDArray[np.int64]  # other suitors courting a in this search
    rivals_b: NDArray[np.int64]
    delay: float  # months diligence adds before signing


def court(
    s: WorldScenario,
    orgs: Organisations,
    edges: NDArray[np.int64],
    potential: FloatArray,
    rng: np.random.Generator,
) -> Courtship | None:
    """Estimate, rank and match the pairs of free neighbours ``edges`` (``potential``: the true
    value of each); None if no pair appeals."""
    u, v = edges[:, 0], edges[:, 1]
    d = s.diligence
    bias, noise, delay = d.optimism, d.noise, 0.0
    if d.enabled:  # diligence costs time and removes part of the optimism and the noise
        bias, noise, delay = bias * (1 - d.reduction), noise * (1 - d.reduction), d.time
    estimate = potential * (1 + bias + noise * rng.standard_normal(len(u)))
    appeal = estimate * orgs.reputation[u] * orgs.reputation[v]
    order = np.argsort(-appeal, kind="stable")
    # Greedy matching: each organisation opens at most one negotiation per search.
    taken = np.zeros(orgs.n, dtype=bool)
    pairs = []
    for k in order:
        i, j = u[k], v[k]
        if not taken[i] and not taken[j] and appeal[k] > 0:
            taken[i] = taken[j] = True
            pairs.append(k)
    if not pairs:  # no pair appeals (say, value.base = 0): nobody opens a negotiation
        return None
    chosen = np.asarray(pairs, dtype=np.int64)
    a, b = u[chosen], v[chosen]
    # Every other free neighbour that found an organisation appealing is a rival suitor.
    wanted = appeal > 0
    suitors = np.bincount(np.concatenate([u[wanted], v[wanted]]), minlength=orgs.n)
    return Courtship(
        a=a,
        b=b,
        potential=potential[chosen],
        estimate=estimate[chosen],
        rivals_a=np.maximum(suitors[a] - 1, 0),
        rivals_b=np.maximum(suitors[b] - 1, 0),
        delay=delay,
    )


def negotiate(
    s: WorldScenario,
    orgs: Organisations,
    c: Courtship,
    need: FloatArray,
    past_trust: FloatArray,
) -> Terms:
    """Each matched pair's stance from its beliefs (rivals, eagerness ``need`` per organisation,
    ``past_trust`` per pair), then its terms from the core's batch path."""
    st = stance(
        orgs,
        c.a,
        c.b,
        rivals_a=c.rivals_a,
        rivals_b=c.rivals_b,
        eagerness_a=need[c.a],
        eagerness_b=need[c.b],
        past_trust=past_trust,
        competition=s.competition,
        disclosure=s.disclosure,
        pace_floor=s.organisations.pace_floor,
    )
    if "zeuthen" in s.organisations.strategies:  # what each side's counterpart can see of it
        seen_a, seen_b = (
            beliefs.believed(s, orgs, x, rivals=r, eagerness=need[x], past_trust=past_trust)
            for x, r in ((c.a, c.rivals_a), (c.b, c.rivals_b))
        )
        st = replace(
            st,
            believed_reservation_a=seen_a.reservation,
            believed_walk_a=seen_a.walk_away,
            believed_reservation_b=seen_b.reservation,
            believed_walk_b=seen_b.walk_away,
        )
    k = s.concessions
    return negotiate_terms(
        orgs,
        c.a,
        c.b,
        s.world.deadline,
        st,
        (k.cost_threshold, k.value_threshold),
        params=s.organisations.params,
        patience=s.organisations.patience,
        uncertainty=s.organisations.belief_uncertainty,
    )


def deals(
    s: WorldScenario, orgs: Organisations, c: Courtship, terms: Terms, time: float
) -> dict[str, NDArray[Any]] | None:
    """The alliance-table columns of the pairs that agreed (None if none did), signed after
    the rounds of talks and diligence."""
    ok = terms.agreed
    if not ok.any():
        return None
    a, b, est = c.a[ok], c.b[ok], c.estimate[ok]
    signed = time + terms.rounds[ok] * s.world.offer_delay + c.delay
    # What the partners expect at signing: their (optimistic) estimate of the potential,
    # worked at the efforts they see in each other and the commitments they agreed.
    effort = orgs.effort
    expected_total = est * (effort[a] * terms.commit_a[ok] + effort[b] * terms.commit_b[ok]) / 2
    zero = np.zeros(len(a))
    return {
        "a": a,
        "b": b,
        "signed": signed,
        "start": signed,
        "planned_end": signed + s.world.alliance_term,
        "split": terms.split[ok],
        "commit_a": terms.commit_a[ok],
        "commit_b": terms.commit_b[ok],
        "governance": terms.governance[ok],
        "potential": c.potential[ok],
        "expected_a": expected_total * terms.split[ok],
        "expected_b": expected_total * (1 - terms.split[ok]),
        "realised_a": zero,
        "realised_b": zero,
        "output": zero,
        "months": zero,
        "symbolic_a": terms.symbolic_a[ok],
        "symbolic_b": terms.symbolic_b[ok],
    }
