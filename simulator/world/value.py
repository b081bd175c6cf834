"""Alliance value (essay 002): potential, a month's output with shirking, and learning.

* Potential: what a pair could create per month at full effort, from the partners' strength
  ("networks of the weak do not survive"), the complementarity of their capabilities and the
  compatibility of their values (floored at ``value.compatibility_floor``).
* Output: the potential worked at both partners' efforts and commitments, with log-normal noise;
  the short side of a lopsided split is tempted to shirk (essays 002, 004) and then delivers
  ``shirking.effort_kept`` of its work; ties beyond the first cost people's time. The split
  divides the output between the partners, nothing lost.
* Learning: each partner picks up a share of the capabilities where the other is ahead.
* Meetings take time from operating (essays 001, 002): each meeting costs the alliance
  ``trust.meeting_cost`` of a month's expected output per people-level tie
  (:func:`meeting`), shared as the value is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from negsim.world.accumulate import add_at
from negsim.world.alliances import AllianceTable
from negsim.world.organisations import Organisations
from negsim.world.scenario import ValueSection, WorldScenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


def potential(
    v: ValueSection, orgs: Organisations, a: IntArray, b: IntArray
) -> NDArray[np.float64]:
    """Monthly value organisations a[i] and b[i] could create together (essay 002)."""
    if not v.enabled:
        return np.full(len(a), v.base)
    o = orgs
    strength = (o.strength[a] + o.strength[b]) / 2  # "networks of the weak do not survive"
    complement = np.abs(o.capabilities[a] - o.capabilities[b]).mean(axis=1)
    similarity = (o.values[a] * o.values[b]).sum(axis=1)
    compatible = np.maximum(
        (1 + v.compatibility * similarity) / (1 + v.compatibility), v.compatibility_floor
    )
    return np.asarray(v.base * strength * (1 + v.complementarity * complement) * compatible)


def month(
    s: WorldScenario,
    orgs: Organisations,
    t: AllianceTable,
    earned: FloatArray,
    rows: IntArray,
    span: FloatArray,
    rng: np.random.Generator,
) -> tuple[BoolArray, BoolArray]:
    """A month (``span`` of it for each alliance ``rows``) of work: output into the table and
    ``earned``, then learning. Returns who shirked (a, b)."""
    a, b = t.a[rows], t.b[rows]
    work_a = orgs.effort[a] * t.commit_a[rows]
    work_b = orgs.effort[b] * t.commit_b[rows]
    split = t.split[rows]
    shirk_a = np.zeros(rows.size, dtype=bool)
    shirk_b = np.zeros(rows.size, dtype=bool)
    if s.shirking.enabled:  # the short side of a lopsided split is tempted
        sh = s.shirking
        p_a = span * np.clip(sh.sensitivity * (0.5 - sh.tolerance - split), 0, 1)
        p_b = span * np.clip(sh.sensitivity * (split - 0.5 - sh.tolerance), 0, 1)
        draws = rng.random((2, rows.size))
        shirk_a, shirk_b = draws[0] < p_a, draws[1] < p_b
        work_a = np.where(shirk_a, work_a * sh.effort_kept, work_a)
        work_b = np.where(shirk_b, work_b * sh.effort_kept, work_b)
        t.shirks[rows] += shirk_a.astype(np.int64) + shirk_b.astype(np.int64)
    noise = np.exp(s.value.noise * rng.standard_normal(rows.size) - s.value.noise**2 / 2)
    output = t.potential[rows] * (work_a + work_b) / 2 * noise * span
    if s.trust.enabled:  # ties beyond the first cost people's time
        output = output - s.trust.tie_cost * (s.trust.ties - 1) * span
    t.output[rows] += output
    t.realised_a[rows] += split * output  # the split divides the value, nothing lost
    t.realised_b[rows] += output - split * output
    add_at(earned, a, split * output)
    add_at(earned, b, output - split * output)
    t.months[rows] += span
    if s.learning.enabled:  # teach and learn: each picks up where the other is ahead
        cap = orgs.capabilities
        lead = cap[b] - cap[a]
        rate = s.learning.rate * span[:, None]
        add_at(cap, a, rate * np.maximum(lead, 0))
        add_at(cap, b, rate * np.maximum(-lead, 0))
    return shirk_a, shirk_b


def meetings_share(s: WorldScenario) -> float:
    """The share of a month's output meetings take (:func:`meeting`): partners plan for it."""
    tr = s.trust
    return tr.meeting_cost * tr.ties / tr.meeting_interval if tr.enabled else 0.0


def meeting(
    s: WorldScenario, orgs: Organisations, t: AllianceTable, earned: FloatArray, rows: IntArray
) -> None:
    """The time a meeting of alliances ``rows`` takes from operating: ``trust.meeting_cost`` ×
    ``trust.ties`` of a month's expected output (potential at the partners' efforts and
    commitments), out of the alliance's value and its partners' shares."""
    tr = s.trust
    if tr.meeting_cost == 0 or rows.size == 0:
        return
    a, b = t.a[rows], t.b[rows]
    work = orgs.effort[a] * t.commit_a[rows] + orgs.effort[b] * t.commit_b[rows]
    cost = tr.meeting_cost * tr.ties * t.potential[rows] * work / 2
    split = t.split[rows]
    t.output[rows] -= cost
    t.realised_a[rows] -= split * cost
    t.realised_b[rows] -= cost - split * cost
    add_at(earned, a, -(split * cost))  # x − c is x + (−c), bit for bit
    add_at(earned, b, -(cost - split * cost))
