"""Many independent negotiations at once: the batch path.

The batch path plays K negotiations over the same issues (linear-additive utilities, any
weights and evaluations per negotiation) with the time-dependent family (``time_dependent``,
``boulware``, ``linear``, ``conceder``, ``hardliner``; opponent model ``none``),
``tit_for_tat`` and ``zeuthen`` (beliefs included), mixed freely per negotiation and per side.
``zeuthen`` runs the very compiled functions its strategy class calls
(:mod:`negsim.negotiation.strategies.zeuthen`), and its final beliefs are returned. It follows
:mod:`negsim.negotiation.protocol` exactly — the same utilities (same products, same order of
addition), the same aspiration curve (computed by the same call), the same choice of offer (the
least demanding outcome reaching the aspiration, lowest index among equals), the same float
comparisons and the same walk-away draws — so its results are identical to playing each
negotiation alone (a test says so).

Where the time goes, and why numba: numpy cannot choose offers without sorting every party's
outcomes, and that sort alone costs more than a whole negotiation should. So the inner loop is one
compiled kernel, and it never lists every outcome's utility. An outcome's utility is a partial sum
over every issue but the last plus the last issue's weighted evaluation, added last (as the
protocol adds it), and float addition is monotone: for each value of the last issue, outcomes
taken in the order of their partial sums come in the order of their utilities. Per negotiation
and side the kernel sorts the longer of the two parts (for 3 issues × 10 values, 100 partial sums
instead of 1,000 utilities: a counting sort into buckets, then an insertion sort within them) and
answers each "least demanding offer reaching this aspiration" with one search per value of the
shorter part (10), each galloping from where the previous answer left it; an answer stands,
unsearched, while no utility lies between the old aspiration and the new one (about half of the
turns of ``benchmarks/vs_negmas.py``). On that benchmark the searches take about 45% of the time,
the partial sums and their sort 30%, the rest of the rounds 10%, and the set-up in numpy 15%
(concession curves once per distinct (e, k, T), walk-away draws, payoffs, with Python's float
power only for a discount other than 1). A negotiation with a ``zeuthen`` side is the exception:
that rule weighs every outcome for both sides (Nash products), so the kernel lists both sides'
utilities for it, by the same sums, and orders a ``zeuthen`` side's outcomes by their worth to it
(its search for an offer goes down them:
:func:`~negsim.negotiation.strategies.zeuthen.zeuthen_offer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

import negsim.negotiation.strategies as strategies
from negsim.negotiation.party import PARTY_NAMES, Negotiation
from negsim.negotiation.strategies.base import ASPIRATION_TOLERANCE
from negsim.negotiation.strategies.time_dependent import TimeDependent, concession_curves
from negsim.negotiation.strategies.tit_for_tat import TitForTat
from negsim.negotiation.strategies.zeuthen import (
    Zeuthen,
    learn_walk_out,
    posterior_means,
    types,
    zeuthen_turn,
)
from negsim.rng import named_streams

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
TIME_DEPENDENT, TIT_FOR_TAT, ZEUTHEN = 0, 1, 2
#: The most types a ``zeuthen`` prior holds (its grid plus the believed values).
MAX_TYPES = 22 * 6
ENDED_BY = ("agreement", "walk_away", "deadline")


@dataclass(frozen=True, kw_only=True)
class BatchSide:
    """One side (a or b) of K negotiations; every array has K rows.

    ``weights`` is (K, n_issues); ``evaluations`` is (K, total number of issue values), issue
    after issue, so issue i's values start at the sum of the sizes before it. ``kind`` is
    :data:`TIME_DEPENDENT` (parameters ``e``, ``k``), :data:`TIT_FOR_TAT` (``generosity``) or
    :data:`ZEUTHEN` (``noise``, ``temperature``, and its prior about the other side:
    ``belief_reservation``, ``belief_walk_away``, ``belief_uncertainty`` — the other's true
    values and 0 for complete information). The ``zeuthen`` fields may be left out (None) when
    no row is :data:`ZEUTHEN`.
    """

    weights: FloatArray
    evaluations: FloatArray
    kind: IntArray
    e: FloatArray
    k: FloatArray
    horizon: IntArray  # T without a deadline; 0 = the protocol's cut-off
    generosity: FloatArray
    reservation: FloatArray
    discount: FloatArray
    walk_away: FloatArray
    patience: IntArray
    noise: FloatArray | None = None
    temperature: FloatArray | None = None
    belief_reservation: FloatArray | None = None
    belief_walk_away: FloatArray | None = None
    belief_uncertainty: FloatArray | None = None


#: The zeuthen fields of a :class:`BatchSide`, in the kernel's order.
ZEUTHEN_FIELDS = (
    "noise",
    "temperature",
    "belief_reservation",
    "belief_walk_away",
    "belief_uncertainty",
)


@dataclass(frozen=True, kw_only=True)
class BatchProblem:
    """K negotiations over issues of sizes ``shape`` sharing a protocol.

    ``seeds`` (one per negotiation) feed the walk-away draws when a ``walk_away`` is fractional.
    """

    shape: tuple[int, ...]
    a: BatchSide
    b: BatchSide
    deadline: int
    opener: str = "a"
    max_rounds: int = 10_000
    seeds: Sequence[int | np.random.SeedSequence] | None = None

    @property
    def last_round(self) -> int:
        """The last round in which an offer may be made."""
        return self.deadline if self.deadline > 0 else self.max_rounds


@dataclass(frozen=True, kw_only=True)
class BatchResult:
    """Outcomes of K negotiations; ``offers[k, t-1]`` is round t's offer (-1 after the end)."""

    agreement: IntArray  # outcome index, -1 without agreement
    ended_by: IntArray  # index into ENDED_BY
    walked_away: IntArray  # 0 = a, 1 = b, -1 nobody
    round: IntArray
    utilities: FloatArray  # (K, 2) realised payoffs
    offers: NDArray[np.int32]
    #: (K, 2, 3): each side's final beliefs about the other — reservation, walk_away and
    #: breakdown (posterior means), as ``zeuthen`` reports them; NaN for other strategies.
    beliefs: FloatArray


def linear_utilities(
    weights: FloatArray, evaluations: FloatArray, shape: tuple[int, ...]
) -> FloatArray:
    """Utilities of every outcome for each row of ``weights`` and ``evaluations`` (laid out as
    in :class:`BatchSide`), shape (K, N), row-major.

    Sums issue by issue from zero, as ``LinearAdditiveUtility.values`` does.
    """
    n_neg = len(weights)
    out = np.zeros((n_neg, *shape))
    offset = 0
    for i, size in enumerate(shape):
        axes: list[slice | None] = [slice(None)] + [None] * len(shape)
        axes[i + 1] = slice(None)
        term = weights[:, i : i + 1] * evaluations[:, offset : offset + size]
        out += term[tuple(axes)]
        offset += size
    return out.reshape(n_neg, -1)


def utilities_at(
    weights: FloatArray,
    evaluations: FloatArray,
    shape: tuple[int, ...],
    outcomes: IntArray,
    rows: IntArray | None = None,
) -> FloatArray:
    """The utilities of the outcomes ``outcomes[k, j]`` (row-major indices) for row k of
    ``weights`` and ``evaluations``, shape of ``outcomes``: the sums of
    :func:`linear_utilities` (issue by issue from zero, so bit for bit the same), for those
    outcomes only. With ``rows`` (as long as a 1-D ``outcomes``), outcome j is valued by row
    ``rows[j]``."""
    idx = np.unravel_index(outcomes, shape)
    if rows is None:
        rows = np.arange(len(weights)).reshape(-1, *([1] * (outcomes.ndim - 1)))
    out = np.zeros(outcomes.shape)
    offset = 0
    for i, size in enumerate(shape):
        out += weights[rows, i] * evaluations[rows, offset + idx[i]]
        offset += size
    return out


def _curves(
    sides: tuple[BatchSide, BatchSide], p: BatchProblem, n_rounds: int
) -> tuple[FloatArray, IntArray]:
    """The distinct concession curves ``f`` and, per side and row, which one it follows.

    The curves come from the function the protocol uses, row by row the same operations, so
    aspirations built from them are bit-for-bit those of the one-at-a-time path.
    """
    horizon = np.concatenate(
        [
            np.where(s.horizon > 0, s.horizon, p.max_rounds)
            if not p.deadline
            else np.full(len(s.e), p.deadline)
            for s in sides
        ]
    ).astype(np.int64)
    e, k = np.concatenate([s.e for s in sides]), np.concatenate([s.k for s in sides])
    order = np.lexsort((horizon, k, e))  # rows with equal (e, k, T) next to each other
    e, k, horizon = e[order], k[order], horizon[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (e[1:] != e[:-1]) | (k[1:] != k[:-1]) | (horizon[1:] != horizon[:-1])
    which = np.empty(len(order), dtype=np.int64)
    which[order] = np.cumsum(new) - 1
    curves = concession_curves(e[new], k[new], horizon[new], n_rounds)
    return curves, which.reshape(2, -1)


def _walk_draws(side: BatchSide, p: BatchProblem, name: str, n_rounds: int) -> FloatArray:
    """The walk-away coin per row and round, drawn as the protocol draws it.

    Rows whose ``walk_away`` is 0 or 1 decide without a draw (their entries are never read).
    """
    w = side.walk_away
    fractional = np.flatnonzero((w > 0) & (w < 1))
    if fractional.size and p.seeds is None:
        raise ValueError("fractional walk_away needs per-negotiation seeds")
    draws = np.zeros((len(w), n_rounds + 1))
    for row in fractional:
        assert p.seeds is not None
        draws[row] = named_streams(p.seeds[int(row)], PARTY_NAMES)[name].random(n_rounds + 1)
    return draws


@njit(cache=True)
def _utilities(
    weights: FloatArray,
    evaluations: FloatArray,
    shape: IntArray,
    out: FloatArray,
    spare: FloatArray,
) -> None:
    """Linear-additive utility of every outcome (row-major) into ``out``, issue by issue.

    Partial sums start from zero and add the issues in order, as
    ``LinearAdditiveUtility.values`` does, so the results are identical to it. ``spare`` is a
    second buffer of the same size (the two alternate).
    """
    src, dst = out, spare
    if shape.size % 2 == 1:  # buffers alternate: start so that the last issue lands in `out`
        src, dst = spare, out
    src[0] = 0.0
    n, offset = 1, 0
    for i in range(shape.size):
        size = shape[i]
        w = weights[i]
        for j in range(n):
            base = src[j]
            for v in range(size):
                dst[j * size + v] = base + w * evaluations[offset + v]
        n *= size
        offset += size
        src, dst = dst, src


@njit(cache=True)
def _sort(
    values: FloatArray, y: FloatArray, ids: IntArray, bucket: IntArray, count: IntArray
) -> None:
    """``y``: ``values`` in ascending order; ``ids``: their positions in ``values``.

    A counting sort into buckets of equal width (``count`` has one more entry than there are
    buckets, ``bucket`` as many as ``values``): the bucket grows with the value, so buckets come
    in order and the insertion sort after it only orders values sharing one. Should values crowd
    into a few buckets, a merge sort takes over.
    """
    n, n_buckets = values.size, count.size - 1
    lo, hi = values[0], values[0]
    for x in values:
        lo, hi = min(lo, x), max(hi, x)
    scale = (n_buckets - 1) / (hi - lo) if 0.0 < hi - lo < np.inf else 0.0
    if not scale < np.inf:  # a subnormal spread
        scale = 0.0
    count[:] = 0
    for i in range(n):
        b = int((values[i] - lo) * scale) if scale > 0.0 else 0
        bucket[i] = min(max(b, 0), n_buckets - 1)
        count[bucket[i] + 1] += 1
    for b in range(n_buckets - 1):
        count[b + 1] += count[b]
    for i in range(n):
        pos = count[bucket[i]]
        count[bucket[i]] = pos + 1
        y[pos], ids[pos] = values[i], i
    shifts = 0
    for i in range(1, n):
        x, j = y[i], i
        if not x < y[j - 1]:
            continue
        x_id = ids[i]
        while j > 0 and x < y[j - 1]:
            y[j], ids[j] = y[j - 1], ids[j - 1]
            j -= 1
        y[j], ids[j] = x, x_id
        shifts += i - j
        if shifts > 8 * n:  # crowded buckets: insertion sort would go quadratic
            ids[:] = np.argsort(values, kind="mergesort")
            y[:] = values[ids]
            return


@njit(cache=True)
def _offer_index(
    weights: FloatArray,
    evaluations: FloatArray,
    shape: IntArray,
    head: FloatArray,
    tail: FloatArray,
    outer: FloatArray,
    inner: FloatArray,
    inner_ids: IntArray,
    spare: FloatArray,
    bucket: IntArray,
    count: IntArray,
) -> float:
    """One party's utilities, split at the last addition, ready for :func:`_least_above`.

    Outcome ``j · len(tail) + v`` is worth ``head[j] + tail[v]``: ``head`` holds the partial
    sums over every issue but the last (by :func:`_utilities`, so bit for bit those of the full
    sum) and ``tail`` the last issue's weighted evaluations, the term the full sum adds last.
    ``inner`` receives the longer of the two (``head`` if neither is) in ascending order
    (``inner_ids``: their positions in it) and ``outer`` the other as it is. ``spare``,
    ``bucket`` and ``count`` are scratch. Returns the best utility.
    """
    n_tail = tail.size
    _utilities(weights, evaluations, shape[:-1], head, spare)
    offset = evaluations.size - n_tail
    for v in range(n_tail):
        tail[v] = weights[shape.size - 1] * evaluations[offset + v]
    longer, shorter = (tail, head) if n_tail > head.size else (head, tail)
    _sort(longer, inner, inner_ids, bucket, count)
    outer[:] = shorter
    top = -np.inf
    for x in outer:  # float addition is monotone: each value's best pairs with inner's last
        top = max(top, x + inner[-1])
    return top


@njit(cache=True)
def _first_reaching(x: float, y: FloatArray, goal: float, hint: int) -> int:
    """The first position ``q`` with ``x + y[q] >= goal`` in ascending ``y`` (``y.size``: none).

    Float addition is monotone, so positions that reach ``goal`` form a suffix. The search
    gallops from ``hint`` (the answer to a nearby goal), outwards and then by halving.
    """
    n = y.size
    if hint >= n or x + y[hint] >= goal:  # the answer is at or below hint
        hi, step = hint, 1
        lo = hi - step
        while lo >= 0 and x + y[lo] >= goal:
            hi = lo
            step *= 2
            lo = hi - step
        lo = max(lo, -1)
    else:  # above hint
        lo, step = hint, 1
        hi = lo + step
        while hi < n and not x + y[hi] >= goal:
            lo = hi
            step *= 2
            hi = lo + step
        hi = min(hi, n)
    while hi - lo > 1:  # lo does not reach goal (or is -1), hi does (or is n)
        mid = (lo + hi) // 2
        if x + y[mid] >= goal:
            hi = mid
        else:
            lo = mid
    return hi


@njit(cache=True)
def _least_above(
    outer: FloatArray, inner: FloatArray, ids: IntArray, hints: IntArray, n_tail: int, goal: float
) -> tuple[int, float, float]:
    """The outcome of least utility reaching ``goal``, lowest index among equals.

    Returns (outcome, its utility, the greatest utility below ``goal``): (-1, inf, ·) if no
    outcome reaches ``goal``, (·, ·, -inf) if all do. Utilities are ``outer[o] + inner[q]``,
    laid out by :func:`_offer_index` (``ids``: its ``inner_ids``; ``n_tail``: the last issue's
    size); for each ``o`` the least reaching one is found by :func:`_first_reaching` from
    ``hints[o]``, which it updates.
    """
    n = inner.size
    # outcome = head position · n_tail + tail position; outer is the tail unless it is longer
    stride_outer, stride_inner = (1, n_tail) if outer.size == n_tail else (n_tail, 1)
    low, low_idx, below = np.inf, -1, -np.inf
    for o in range(outer.size):
        x = outer[o]
        q = _first_reaching(x, inner, goal, hints[o])
        hints[o] = q
        if q > 0:
            below = max(below, x + inner[q - 1])
        if q == n:
            continue
        value = x + inner[q]
        if low_idx >= 0 and value > low:
            continue
        idx = o * stride_outer + ids[q] * stride_inner
        q += 1
        while q < n and x + inner[q] == value:  # equal sums: the lowest index
            idx = min(idx, o * stride_outer + ids[q] * stride_inner)
            q += 1
        if low_idx < 0 or value < low or idx < low_idx:
            low, low_idx = value, idx
    return low_idx, low, below


@njit(cache=True)
def _play(
    shape: IntArray,
    weights: FloatArray,
    evaluations: FloatArray,
    kind: IntArray,
    curves: FloatArray,
    curve_of: IntArray,
    generosity: FloatArray,
    reservation: FloatArray,
    walk_away: FloatArray,
    patience: IntArray,
    draws: FloatArray,
    zeuthen: FloatArray,
    first: int,
    last: int,
    deadline: int,
    offers: NDArray[np.int32],
    out: IntArray,
    agreed_u: FloatArray,
    beliefs: FloatArray,
) -> None:
    """Play each negotiation to its end; arrays carry a leading side axis (0 = a, 1 = b).

    ``out[k]`` receives (agreement, ended_by, walked_away, round), ``agreed_u[k]`` the two
    undiscounted utilities of the agreement and ``beliefs[k]`` the ``zeuthen`` sides' final
    beliefs. ``zeuthen[side, k]`` holds a side's :data:`ZEUTHEN_FIELDS`. Mirrors
    :meth:`Conceding.act <negsim.negotiation.strategies.base.Conceding.act>` (and
    :class:`~negsim.negotiation.strategies.zeuthen.Zeuthen`) step by step. Side ``s`` values
    outcome ``o`` at ``head[s, o // n_tail] + tail[s, o % n_tail]`` (see :func:`_offer_index`);
    in a negotiation with a ``zeuthen`` side, which weighs every outcome for both sides, the
    kernel also fills ``u`` with every outcome's utility (:func:`_utilities`, the same sums).
    """
    n_tail = shape[-1]
    n_head = 1
    for size in shape[:-1]:
        n_head *= size
    n_inner, n_outer = max(n_head, n_tail), min(n_head, n_tail)
    head = np.empty((2, n_head))
    tail = np.empty((2, n_tail))
    outer = np.empty((2, n_outer))
    inner = np.empty((2, n_inner))
    inner_ids = np.empty((2, n_inner), dtype=np.int64)
    hints = np.empty((2, n_outer), dtype=np.int64)
    spare = np.empty(n_head)
    bucket = np.empty(n_inner, dtype=np.int64)
    count = np.empty(2 * n_inner + 1, dtype=np.int64)  # two buckets per value
    # the last answer of each side: outcome (-1: none), its utility, the greatest utility below
    found = np.empty(2, dtype=np.int64)
    reach = np.empty(2)
    below = np.empty(2)
    best_idx = np.empty(2, dtype=np.int64)
    best = np.empty(2)
    target = np.empty(2)
    streak = np.empty(2, dtype=np.int64)
    seen = np.empty(2, dtype=np.int64)
    last_seen = np.empty(2)
    # zeuthen: every outcome's utility, both sides (allocated only if a row needs it)
    n_u = n_head * n_tail if (kind == ZEUTHEN).any() else 1
    u = np.empty((2, n_u))
    spare_u = np.empty(n_u)
    order = np.empty((2, n_u), dtype=np.int64)  # zeuthen: its outcomes by u, ascending
    sorted_u = np.empty(n_u)
    bucket_u = np.empty(n_u, dtype=np.int64)
    count_u = np.empty(2 * n_u + 1, dtype=np.int64)
    type_d = np.empty((2, MAX_TYPES))  # zeuthen: the other's types and the posterior
    type_w = np.empty((2, MAX_TYPES))
    type_alike = np.empty((2, MAX_TYPES), dtype=np.int64)
    posterior = np.empty((2, MAX_TYPES))
    hold = np.empty((2, MAX_TYPES))  # zeuthen: learn_offer's chances of a hold, and their inputs
    memo = np.empty((2, 3))
    n_types = np.zeros(2, dtype=np.int64)
    for k in range(weights.shape[1]):
        for side in range(2):
            top = _offer_index(
                weights[side, k],
                evaluations[side, k],
                shape,
                head[side],
                tail[side],
                outer[side],
                inner[side],
                inner_ids[side],
                spare,
                bucket,
                count,
            )
            hints[side, :] = n_inner
            found[side], reach[side], below[side] = _least_above(
                outer[side], inner[side], inner_ids[side], hints[side], n_tail, top
            )
            best_idx[side], best[side] = found[side], reach[side]
            n_types[side] = 0
            if kind[side, k] == ZEUTHEN:
                z = zeuthen[side, k]
                td, tw, tl, ta = types(z[2], z[3], z[4])
                n_types[side] = td.size
                type_d[side, : td.size] = td
                type_w[side, : td.size] = tw
                posterior[side, : td.size] = tl
                type_alike[side, : td.size] = ta
                memo[side] = np.nan  # new types: no chance of a hold computed yet
        if n_types[0] > 0 or n_types[1] > 0:
            for side in range(2):
                _utilities(weights[side, k], evaluations[side, k], shape, u[side], spare_u)
                if n_types[side] > 0:
                    _sort(u[side], sorted_u, order[side], bucket_u, count_u)
        target[:] = best
        streak[:] = 0
        seen[:] = 0
        last_seen[:] = 0.0
        out[k, 0], out[k, 1], out[k, 2], out[k, 3] = -1, 2, -1, last
        standing = -1
        for turn in range(1, last + 2):
            m = first if (turn - 1) % 2 == 0 else 1 - first
            value = 0.0
            if standing >= 0:
                value = head[m, standing // n_tail] + tail[m, standing % n_tail]
                if seen[m] >= 1:
                    streak[m] = streak[m] + 1 if not value > last_seen[m] else 0
                    if kind[m, k] == TIT_FOR_TAT:
                        t = target[m] - (value - last_seen[m]) - generosity[m, k]
                        target[m] = min(max(t, reservation[m, k]), best[m])
                seen[m] += 1
                last_seen[m] = value
            if kind[m, k] == ZEUTHEN:
                if best[m] < reservation[m, k]:  # nothing reaches its reservation: it leaves
                    out[k, 1], out[k, 2], out[k, 3] = 1, m, max(turn - 1, 1)
                    _saw_walk_out(
                        kind, zeuthen, type_d, type_w, posterior, n_types, u, m, k, standing
                    )
                    break
                n = n_types[m]
                nxt = zeuthen_turn(
                    u[m],
                    u[1 - m],
                    order[m],
                    reservation[m, k],
                    walk_away[m, k] * reservation[m, k],
                    posterior[m, :n],
                    type_d[m, :n],
                    type_w[m, :n],
                    type_alike[m, :n],
                    hold[m, :n],
                    memo[m],
                    zeuthen[m, k, 0],
                    zeuthen[m, k, 1],
                    standing,
                    offers[k, turn - 4] if turn >= 4 else -1,  # its previous offer
                    offers[k, turn - 3] if turn >= 3 else -1,  # my last offer
                    turn,
                    deadline,
                )
                nxt_value = u[m, nxt]
            else:
                if kind[m, k] == TIT_FOR_TAT:
                    aim = target[m]
                else:  # the protocol's r + (best − r)(1 − f), operation for operation
                    r = reservation[m, k]
                    aim = r + (best[m] - r) * (1.0 - curves[curve_of[m, k], turn - 1])
                goal = aim - ASPIRATION_TOLERANCE
                if not below[m] < goal <= reach[m]:  # else no utility lies in between
                    found[m], reach[m], below[m] = _least_above(
                        outer[m], inner[m], inner_ids[m], hints[m], n_tail, goal
                    )
                # the least demanding outcome reaching the aspiration, or the best if none does
                nxt, nxt_value = (found[m], reach[m]) if found[m] >= 0 else (best_idx[m], best[m])
            if standing >= 0:
                if value >= nxt_value and value >= reservation[m, k]:
                    out[k, 0], out[k, 1], out[k, 3] = standing, 0, turn - 1
                    j, v = standing // n_tail, standing % n_tail
                    agreed_u[k, 0] = head[0, j] + tail[0, v]
                    agreed_u[k, 1] = head[1, j] + tail[1, v]
                    break
                w = walk_away[m, k]
                if (
                    w > 0
                    and value < reservation[m, k]
                    and streak[m] >= patience[m, k]
                    and (w >= 1.0 or draws[m, k, turn] < w)
                ):
                    out[k, 1], out[k, 2], out[k, 3] = 1, m, max(turn - 1, 1)
                    _saw_walk_out(
                        kind, zeuthen, type_d, type_w, posterior, n_types, u, m, k, standing
                    )
                    break
            if turn > last:
                break
            offers[k, turn - 1] = nxt
            standing = nxt
        for side in range(2):
            n = n_types[side]
            if n > 0:
                means = posterior_means(posterior[side, :n], type_d[side, :n], type_w[side, :n])
                beliefs[k, side, 0], beliefs[k, side, 1], beliefs[k, side, 2] = means


@njit(cache=True)
def _saw_walk_out(
    kind: IntArray,
    zeuthen: FloatArray,
    type_d: FloatArray,
    type_w: FloatArray,
    posterior: FloatArray,
    n_types: IntArray,
    u: FloatArray,
    walker: int,
    k: int,
    standing: int,
) -> None:
    """The walker's counterpart, if ``zeuthen``, takes the walk-out in (its beliefs)."""
    other = 1 - walker
    n = n_types[other]
    if kind[other, k] == ZEUTHEN and standing >= 0:
        learn_walk_out(
            posterior[other, :n],
            type_d[other, :n],
            type_w[other, :n],
            u[walker, standing],
            zeuthen[other, k, 0],
        )


def run_batch(p: BatchProblem) -> BatchResult:
    """Play every negotiation of ``p`` to its end (see the module docstring)."""
    n_rounds = p.last_round + 1
    sides = (p.a, p.b)

    def stack(field: str) -> NDArray[Any]:
        return np.ascontiguousarray(np.stack([getattr(s, field) for s in sides]))

    n_neg = len(p.a.reservation)
    offers = np.full((n_neg, p.last_round), -1, dtype=np.int32)
    out = np.empty((n_neg, 4), dtype=np.int64)
    agreed_u = np.zeros((n_neg, 2))
    beliefs = np.full((n_neg, 2, 3), np.nan)
    curves, curve_of = _curves(sides, p, n_rounds)
    if any(((s.walk_away > 0) & (s.walk_away < 1)).any() for s in sides):
        draws = np.stack(
            [_walk_draws(s, p, n, n_rounds) for s, n in zip(sides, PARTY_NAMES, strict=True)]
        )
    else:
        draws = np.zeros((2, 1, 1))  # no row draws: the kernel never reads it
    _play(
        np.asarray(p.shape, dtype=np.int64),
        stack("weights"),
        stack("evaluations"),
        stack("kind"),
        curves,
        curve_of,
        stack("generosity"),
        stack("reservation"),
        stack("walk_away"),
        stack("patience"),
        draws,
        _zeuthen_fields(sides, n_neg),
        PARTY_NAMES.index(p.opener),
        p.last_round,
        p.deadline,
        offers,
        out,
        agreed_u,
        beliefs,
    )
    agreement, ended, walked, rnd = (col.copy() for col in out.T)
    return BatchResult(
        agreement=agreement,
        ended_by=ended,
        walked_away=walked,
        round=rnd,
        utilities=_payoffs(p, agreed_u, ended, rnd),
        offers=offers,
        beliefs=beliefs,
    )


def _zeuthen_fields(sides: tuple[BatchSide, BatchSide], n_neg: int) -> FloatArray:
    """(2, K, 5): each side's :data:`ZEUTHEN_FIELDS` (zeros where left out)."""
    out = np.zeros((2, n_neg, len(ZEUTHEN_FIELDS)))
    for j, side in enumerate(sides):
        for f, name in enumerate(ZEUTHEN_FIELDS):
            values = getattr(side, name)
            if values is not None:
                out[j, :, f] = values
            elif (side.kind == ZEUTHEN).any():
                raise ValueError(f"zeuthen rows need BatchSide.{name}")
    return out


def _payoffs(p: BatchProblem, agreed_u: FloatArray, ended: IntArray, rnd: IntArray) -> FloatArray:
    """Realised payoffs by the protocol's rules (Python float powers, as the protocol uses).

    A discount of 1 needs no power: ``1.0 ** n`` is exactly 1.0.
    """
    out = np.empty((len(ended), 2))
    for j, side in enumerate((p.a, p.b)):
        disc = np.ones(len(ended))
        rows = np.flatnonzero(side.discount != 1.0)
        disc[rows] = [
            d ** (r - 1)
            for d, r in zip(side.discount[rows].tolist(), rnd[rows].tolist(), strict=True)
        ]
        base = np.where(ended == ENDED_BY.index("agreement"), agreed_u[:, j], side.reservation)
        out[:, j] = np.where(ended == ENDED_BY.index("deadline"), side.reservation, disc * base)
    return out


@dataclass(frozen=True, kw_only=True)
class Player:
    """How the kernel plays one registered strategy with given parameters: its kind and the
    per-row fields of a :class:`BatchSide` that the strategy sets (zeuthen's beliefs aside)."""

    kind: int
    e: float = 0.0
    k: float = 0.0
    horizon: int = 0
    generosity: float = 0.0
    noise: float = 0.0
    temperature: float = 0.0


def player(key: str, given: Mapping[str, object] | None = None, field: str = "params") -> Player:
    """The batch kernel's view of strategy ``key`` with parameters ``given`` (checked by the
    strategy, defaults from the registry; ``field`` names them in errors).

    Raises ValueError for a strategy (or parameter) the batch path does not play, and
    :class:`~negsim.negotiation.strategies.base.StrategyError` (a ValueError) for a parameter
    the strategy itself rejects.

    Examples:
        >>> player("boulware").e, player("tit_for_tat", {"generosity": 0.01}).generosity
        (0.2, 0.01)
    """
    cls = strategies.get(key)
    params = {n: spec.default for n, spec in cls.params.items()} | cls.resolve_params(
        given or {}, field
    )
    horizon = int(params.get("horizon", 0))
    if issubclass(cls, TitForTat):
        return Player(kind=TIT_FOR_TAT, horizon=horizon, generosity=float(params["generosity"]))
    if issubclass(cls, Zeuthen):
        return Player(
            kind=ZEUTHEN,
            horizon=horizon,
            noise=float(params["noise"]),
            temperature=float(params["temperature"]),
        )
    if (
        issubclass(cls, TimeDependent)
        and cls.traits.batch
        and params.get("opponent_model", "none") == "none"
    ):
        hard = cls.key == "hardliner"
        return Player(
            kind=TIME_DEPENDENT,
            horizon=horizon,
            e=0.0 if hard else float(params["e"]),
            k=0.0 if hard else float(params["k"]),
        )
    raise ValueError(f"strategy {key!r} with {dict(given or {})} has no batch path")


def side_from_negotiations(negs: Sequence[Negotiation], which: int) -> BatchSide:
    """One side of a batch from negotiations (party ``which``: 0 = a, 1 = b); errors as
    :func:`player`'s."""
    members = [neg.parties[which] for neg in negs]
    others = [neg.parties[1 - which] for neg in negs]
    players = [player(p.strategy, p.params, f"parties.{p.name}.params") for p in members]
    beliefs = np.zeros((len(members), 3))
    for row, (party, other) in enumerate(zip(members, others, strict=True)):
        b = party.beliefs
        beliefs[row] = (
            (other.reservation, other.walk_away, 0.0)
            if b is None
            else (b.reservation, b.walk_away, b.uncertainty)
        )
    return BatchSide(
        weights=np.array([party.utility.weights for party in members]),
        evaluations=np.array([np.concatenate(party.utility.evaluations) for party in members]),
        kind=np.asarray([pl.kind for pl in players], dtype=np.int64),
        e=np.asarray([pl.e for pl in players]),
        k=np.asarray([pl.k for pl in players]),
        horizon=np.asarray([pl.horizon for pl in players], dtype=np.int64),
        generosity=np.asarray([pl.generosity for pl in players]),
        reservation=np.asarray([party.reservation for party in members]),
        discount=np.asarray([party.discount for party in members]),
        walk_away=np.asarray([party.walk_away for party in members]),
        patience=np.asarray([party.patience for party in members], dtype=np.int64),
        noise=np.asarray([pl.noise for pl in players]),
        temperature=np.asarray([pl.temperature for pl in players]),
        belief_reservation=beliefs[:, 0].copy(),
        belief_walk_away=beliefs[:, 1].copy(),
        belief_uncertainty=beliefs[:, 2].copy(),
    )


def problem_from_negotiations(
    negs: Sequence[Negotiation], seeds: Sequence[int | np.random.SeedSequence] | None = None
) -> BatchProblem:
    """A batch of negotiations that share a protocol and the sizes of their issues."""
    protocols = {neg.protocol for neg in negs}
    shapes = {neg.domain.shape for neg in negs}
    if len(protocols) != 1 or len(shapes) != 1:
        raise ValueError("a batch needs one protocol and one set of issue sizes for all")
    proto = protocols.pop()
    return BatchProblem(
        shape=shapes.pop(),
        a=side_from_negotiations(negs, 0),
        b=side_from_negotiations(negs, 1),
        deadline=proto.deadline,
        opener=proto.opener,
        max_rounds=proto.max_rounds,
        seeds=seeds,
    )
