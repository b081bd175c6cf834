"""Partner search (essays 000, 002, 003): court, estimate, match, then negotiate the terms.

Every ``world.search_interval`` the free organisations (below capacity and, with reputation on,
at or above ``reputation.floor``) court their free neighbours:

* diligence: each estimates a pair's value with optimistic noise; diligence costs
  ``diligence.time`` months and removes ``diligence.reduction`` of the optimism and the noise;
* matching: pairs are taken greedily by appeal (estimate times both reputations), each
  organisation opening at most one negotiation per search;
* rivals: every other free neighbour that found an organisation appealing is a rival suitor,
  an option for its last free slot (:func:`~negsim.world.alternatives.suitor_options`);
* stance: each side's reservation follows from its alternative
  (:func:`~negsim.world.alternatives.reservation`); a ``zeuthen`` counterpart's beliefs follow
  from what it sees (:func:`~negsim.world.beliefs.believed`: the suitors, the eagerness shown,
  the reputation for walking away); the core's batch path negotiates the terms
  (:func:`~negsim.world.terms.negotiate_terms`); the pairs that agree sign alliances
  (:func:`deals`: the alliance table's columns).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from negsim.world import alternatives, beliefs, value
from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario
from negsim.world.terms import Stance, Terms, negotiate_terms

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, kw_only=True)
class Courtship:
    """The pairs a search matched, what they are worth and what the partners believe."""

    a: IntArray  # the organisation that opens the talks
    b: IntArray
    potential: FloatArray  # the true potential of each pair
    estimate: FloatArray  # the partners' estimate of it
    option_a: FloatArray  # monthly value of a's best other suitor (0: none, or not its last slot)
    option_b: FloatArray
    seen_option_a: FloatArray  # ... as a's counterpart sees it (see :func:`court`)
    seen_option_b: FloatArray
    delay: float  # months diligence adds before signing


def court(
    s: WorldScenario,
    orgs: Organisations,
    edges: NDArray[np.int64],
    potential: FloatArray,
    active: NDArray[np.int64],
    rng: np.random.Generator,
) -> Courtship | None:
    """Estimate, rank and match the pairs of free neighbours ``edges`` (``potential``: the true
    value of each; ``active``: each organisation's running and signed alliances); None if no
    pair appeals."""
    u, v = edges[:, 0], edges[:, 1]
    d = s.diligence
    bias, noise, delay = d.optimism, d.noise, 0.0
    if d.enabled:  # diligence costs time and removes part of the optimism and the noise
        bias, noise, delay = bias * (1 - d.reduction), noise * (1 - d.reduction), d.time
    estimate = potential * (1 + bias + noise * rng.standard_normal(len(u)))
    appeal = estimate * orgs.reputation[u] * orgs.reputation[v]
    # Nobody courts a partner whose whole deal its alternative beats outright.
    lead = delay + clinic_time(s)
    worth_it = alternatives.courts(s, orgs, u, v, estimate, lead) & alternatives.courts(
        s, orgs, v, u, estimate, lead
    )
    appeal = np.where(worth_it, appeal, 0.0)
    order = np.argsort(-appeal, kind="stable")
    chosen = _greedy(order, u, v, appeal, orgs.n)
    if chosen.size == 0:  # no pair appeals (say, value.base = 0): nobody opens a negotiation
        return None
    a, b = u[chosen], v[chosen]
    # Every other free neighbour that found an organisation appealing is a rival suitor.
    suitor = appeal > 0
    suitor[chosen] = False
    zero = np.zeros(len(a))
    option_a, option_b, seen_a, seen_b = zero, zero, zero, zero
    if s.competition.enabled:
        best, count = alternatives.suitor_options(s, orgs, u, v, estimate, suitor)
        # The counterpart sees the suitors, not what they offer: it takes each to be worth
        # what its own deal with that side looks worth at an even split.
        if s.competition.seen:
            half = 0.5 * alternatives.expected_output(s, orgs, a, b, estimate[chosen])
            seen_a, seen_b = np.where(count[a] > 0, half, 0.0), np.where(count[b] > 0, half, 0.0)
        # A suitor is an alternative to this deal only for an organisation's last free slot.
        last = orgs.capacity - active == 1
        option_a, option_b = np.where(last[a], best[a], 0.0), np.where(last[b], best[b], 0.0)
    return Courtship(
        a=a,
        b=b,
        potential=potential[chosen],
        estimate=estimate[chosen],
        option_a=option_a,
        option_b=option_b,
        seen_option_a=seen_a,
        seen_option_b=seen_b,
        delay=delay,
    )


@njit(cache=True)
def _greedy(
    order: NDArray[np.intp],
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    appeal: FloatArray,
    n: int,
) -> NDArray[np.int64]:  # pragma: no cover - compiled; tested through court
    """Greedy matching down ``order``: each organisation opens at most one negotiation per
    search; the pairs (edge indices) taken, in that order."""
    taken = np.zeros(n, dtype=np.bool_)
    out = np.empty(len(order), dtype=np.int64)
    m = 0
    for k in order:
        i, j = u[k], v[k]
        if not taken[i] and not taken[j] and appeal[k] > 0:
            taken[i] = True
            taken[j] = True
            out[m] = k
            m += 1
    return out[:m]


def clinic_time(s: WorldScenario) -> float:
    """Months a risk clinic (essay 001) takes between signing and the start."""
    return s.risk.clinic_time if s.risk.enabled else 0.0


def stance(
    s: WorldScenario, orgs: Organisations, c: Courtship, need: FloatArray, past_trust: FloatArray
) -> Stance:
    """How each side of the matched pairs enters the talks: its reservation from its own
    alternative and options, and what a ``zeuthen`` counterpart believes of it from what it
    sees (the suitors, the eagerness ``need`` shown, per organisation; ``past_trust`` per
    pair; the reputation for walking away)."""
    delay = c.delay + clinic_time(s)  # months before the alliance starts, once signed
    res_a = alternatives.reservation(s, orgs, c.a, c.b, c.estimate, c.option_a, delay)
    res_b = alternatives.reservation(s, orgs, c.b, c.a, c.estimate, c.option_b, delay)
    st = Stance(reservation_a=res_a, reservation_b=res_b)
    if "zeuthen" not in s.organisations.strategies:
        return st
    seen_a, seen_b = (
        beliefs.believed(
            s,
            orgs,
            x,
            y,
            estimate=c.estimate,
            option=o,
            delay=delay,
            eagerness=need[x],
            past_trust=past_trust,
        )
        for x, y, o in ((c.a, c.b, c.seen_option_a), (c.b, c.a, c.seen_option_b))
    )
    return replace(
        st,
        believed_reservation_a=seen_a.reservation,
        believed_walk_a=seen_a.walk_away,
        believed_reservation_b=seen_b.reservation,
        believed_walk_b=seen_b.walk_away,
    )


def negotiate(s: WorldScenario, orgs: Organisations, c: Courtship, st: Stance) -> Terms:
    """The matched pairs' terms from the core's batch path, each side entering with its
    stance ``st`` (:func:`stance`)."""
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
        gestures=s.concessions.enabled,
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
    start = signed + clinic_time(s)
    # What the partners expect at signing: their (optimistic) estimate of the potential,
    # worked at the efforts they see in each other and the commitments they agreed, less the
    # time their meetings will take.
    effort = orgs.effort
    expected_total = est * (effort[a] * terms.commit_a[ok] + effort[b] * terms.commit_b[ok]) / 2
    expected_total = expected_total * (1.0 - value.meetings_share(s))
    zero = np.zeros(len(a))
    return {
        "a": a,
        "b": b,
        "agreed": np.full(len(a), time),
        "signed": signed,
        "start": start,
        "planned_end": start + s.world.alliance_term,
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
