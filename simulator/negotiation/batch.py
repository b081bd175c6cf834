"""Many independent negotiations at once: the batch path.

The batch path plays K negotiations over the same issues (linear-additive utilities, any
weights and evaluations per negotiation) with the time-dependent family (``time_dependent``,
``boulware``, ``linear``, ``conceder``, ``hardliner``; opponent model ``none``) and
``tit_for_tat``, mixed freely per negotiation and per side. It follows
:mod:`negsim.negotiation.protocol` exactly — the same utilities (same products, same order of
addition), the same aspiration curve (computed by the same call), the same choice of offer (the
least demanding outcome reaching the aspiration, lowest index among equals), the same float
comparisons and the same walk-away draws — so its results are identical to playing each
negotiation alone (a test says so).

Where the time goes, and why numba: numpy cannot choose offers without sorting every party's
outcomes, and that sort alone costs more than a whole negotiation should. So the inner loop is one
compiled kernel that, per negotiation and side, computes the utilities into a scratch buffer that
stays in cache, files the outcomes into buckets by utility (a counting sort: no comparisons), and
then answers each "least demanding offer reaching this aspiration" by looking at about one bucket.
The set-up (concession curves, walk-away draws) stays in numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from negsim.rng import named_streams

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
TIME_DEPENDENT, TIT_FOR_TAT = 0, 1
ENDED_BY = ("agreement", "walk_away", "deadline")
BUCKET_SIZE = 4  # outcomes per bucket of the offer index, on average


@dataclass(frozen=True, kw_only=True)
class BatchSide:
    """One side (a or b) of K negotiations; every array has K rows.

    ``weights`` is (K, n_issues); ``evaluations`` is (K, total number of issue values), issue
    after issue, so issue i's values start at the sum of the sizes before it. ``kind`` is
    :data:`TIME_DEPENDENT` (parameters ``e``, ``k``) or :data:`TIT_FOR_TAT` (``generosity``).
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


def side_utilities(side: BatchSide, shape: tuple[int, ...]) -> FloatArray:
    """Utilities of every outcome for each row of ``side``, shape (K, N), row-major.

    Sums issue by issue from zero, as ``LinearAdditiveUtility.values`` does.
    """
    n_neg = len(side.weights)
    out = np.zeros((n_neg, *shape))
    offset = 0
    for i, size in enumerate(shape):
        axes: list[slice | None] = [slice(None)] + [None] * len(shape)
        axes[i + 1] = slice(None)
        term = side.weights[:, i : i + 1] * side.evaluations[:, offset : offset + size]
        out += term[tuple(axes)]
        offset += size
    return out.reshape(n_neg, -1)


def _curves(
    sides: tuple[BatchSide, BatchSide], p: BatchProblem, n_rounds: int
) -> tuple[FloatArray, IntArray]:
    """The distinct concession curves ``f`` and, per side and row, which one it follows.

    The curves come from the function the protocol uses, row by row the same operations, so
    aspirations built from them are bit-for-bit those of the one-at-a-time path.
    """
    horizon = [
        np.where(s.horizon > 0, s.horizon, p.max_rounds)
        if not p.deadline
        else np.full(len(s.e), p.deadline)
        for s in sides
    ]
    keys = np.column_stack(
        [
            np.concatenate([s.e for s in sides]),
            np.concatenate([s.k for s in sides]),
            np.concatenate(horizon).astype(np.float64),
        ]
    )
    distinct, which = np.unique(keys, axis=0, return_inverse=True)
    curves = concession_curves(
        distinct[:, 0], distinct[:, 1], distinct[:, 2].astype(np.int64), n_rounds
    )
    return curves, which.reshape(2, -1).astype(np.int64)


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
def _index(u: FloatArray, start: IntArray, members: IntArray, ids: IntArray, fill: IntArray) -> int:
    """Counting sort of outcomes into buckets by utility, ascending index within a bucket.

    Bucket ``min(int(x·B), B − 1)`` (clipped at 0) is monotone in ``x``: a lower bucket holds
    only lower utilities. Returns the best outcome (lowest index among equals).
    """
    n_buckets = start.size - 1
    top = n_buckets - 1
    best, best_idx = -np.inf, 0
    for j in range(u.size):
        x = u[j]
        ids[j] = min(max(int(x * n_buckets), 0), top)
        if x > best:
            best, best_idx = x, j
    start[:] = 0
    for j in range(u.size):
        start[ids[j] + 1] += 1
    for b in range(n_buckets):
        start[b + 1] += start[b]
        fill[b] = start[b]
    for j in range(u.size):
        b = ids[j]
        members[fill[b]] = j
        fill[b] += 1
    return best_idx


@njit(cache=True)
def _least_above(u: FloatArray, start: IntArray, members: IntArray, goal: float, best: int) -> int:
    """The least utility reaching ``goal``, lowest index among equals; ``best`` if none does.

    The first bucket, from ``goal``'s own upwards, holding a value that reaches ``goal``
    holds the least such value (buckets are monotone in utility).
    """
    n_buckets = start.size - 1
    first = min(max(int(goal * n_buckets), 0), n_buckets - 1) if goal > 0.0 else 0
    for b in range(first, n_buckets):
        low, low_idx = np.inf, -1
        for pos in range(start[b], start[b + 1]):
            j = members[pos]
            x = u[j]
            if x >= goal and x < low:  # members are in ascending index order
                low, low_idx = x, j
        if low_idx >= 0:
            return low_idx
    return best


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
    first: int,
    last: int,
    offers: NDArray[np.int32],
    out: IntArray,
    agreed_u: FloatArray,
) -> None:
    """Play each negotiation to its end; arrays carry a leading side axis (0 = a, 1 = b).

    ``out[k]`` receives (agreement, ended_by, walked_away, round) and ``agreed_u[k]`` the two
    undiscounted utilities of the agreement. Mirrors :meth:`Conceding.act
    <negsim.negotiation.strategies.base.Conceding.act>` step by step.
    """
    n_out = 1
    for size in shape:
        n_out *= size
    n_buckets = max(n_out // BUCKET_SIZE, 1)
    u = np.empty((2, n_out))
    spare = np.empty(n_out)
    start = np.empty((2, n_buckets + 1), dtype=np.int64)
    fill = np.empty(n_buckets, dtype=np.int64)
    members = np.empty((2, n_out), dtype=np.int64)
    ids = np.empty(n_out, dtype=np.int64)
    best_idx = np.empty(2, dtype=np.int64)
    best = np.empty(2)
    target = np.empty(2)
    streak = np.empty(2, dtype=np.int64)
    seen = np.empty(2, dtype=np.int64)
    last_seen = np.empty(2)
    for k in range(weights.shape[1]):
        for side in range(2):
            _utilities(weights[side, k], evaluations[side, k], shape, u[side], spare)
            best_idx[side] = _index(u[side], start[side], members[side], ids, fill)
            best[side] = u[side, best_idx[side]]
        target[:] = best
        streak[:] = 0
        seen[:] = 0
        last_seen[:] = 0.0
        out[k, 0], out[k, 1], out[k, 2], out[k, 3] = -1, 2, -1, last
        standing = -1
        for turn in range(1, last + 2):
            m = first if (turn - 1) % 2 == 0 else 1 - first
            um = u[m]
            value = um[standing] if standing >= 0 else 0.0
            if standing >= 0:
                if seen[m] >= 1:
                    streak[m] = streak[m] + 1 if not value > last_seen[m] else 0
                    if kind[m, k] == TIT_FOR_TAT:
                        t = target[m] - (value - last_seen[m]) - generosity[m, k]
                        target[m] = min(max(t, reservation[m, k]), best[m])
                seen[m] += 1
                last_seen[m] = value
            if kind[m, k] == TIT_FOR_TAT:
                aim = target[m]
            else:  # the protocol's r + (best − r)(1 − f), operation for operation
                r = reservation[m, k]
                aim = r + (best[m] - r) * (1.0 - curves[curve_of[m, k], turn - 1])
            nxt = _least_above(um, start[m], members[m], aim - ASPIRATION_TOLERANCE, best_idx[m])
            if standing >= 0:
                if value >= um[nxt] and value >= reservation[m, k]:
                    out[k, 0], out[k, 1], out[k, 3] = standing, 0, turn - 1
                    agreed_u[k, 0], agreed_u[k, 1] = u[0, standing], u[1, standing]
                    break
                w = walk_away[m, k]
                if (
                    w > 0
                    and value < reservation[m, k]
                    and streak[m] >= patience[m, k]
                    and (w >= 1.0 or draws[m, k, turn] < w)
                ):
                    out[k, 1], out[k, 2], out[k, 3] = 1, m, max(turn - 1, 1)
                    break
            if turn > last:
                break
            offers[k, turn - 1] = nxt
            standing = nxt


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
        PARTY_NAMES.index(p.opener),
        p.last_round,
        offers,
        out,
        agreed_u,
    )
    agreement, ended, walked, rnd = (col.copy() for col in out.T)
    return BatchResult(
        agreement=agreement,
        ended_by=ended,
        walked_away=walked,
        round=rnd,
        utilities=_payoffs(p, agreed_u, ended, rnd),
        offers=offers,
    )


def _payoffs(p: BatchProblem, agreed_u: FloatArray, ended: IntArray, rnd: IntArray) -> FloatArray:
    """Realised payoffs by the protocol's rules (Python float powers, as the protocol uses)."""
    out = np.empty((len(ended), 2))
    for j, side in enumerate((p.a, p.b)):
        disc = np.array(
            [d ** (r - 1) for d, r in zip(side.discount.tolist(), rnd.tolist(), strict=True)]
        )
        base = np.where(ended == ENDED_BY.index("agreement"), agreed_u[:, j], side.reservation)
        out[:, j] = np.where(ended == ENDED_BY.index("deadline"), side.reservation, disc * base)
    return out


def side_from_negotiations(negs: Sequence[Negotiation], which: int) -> BatchSide:
    """One side of a batch from negotiations (party ``which``: 0 = a, 1 = b).

    Raises ValueError for a strategy (or parameter) the batch path does not play, and
    :class:`~negsim.negotiation.strategies.base.StrategyError` (a ValueError) for a parameter
    the strategy itself rejects.
    """
    members = [neg.parties[which] for neg in negs]
    kinds, e, k, g, h = [], [], [], [], []
    for party in members:
        cls = strategies.get(party.strategy)
        given = cls.resolve_params(party.params, f"parties.{party.name}.params")
        params = {n: spec.default for n, spec in cls.params.items()} | given
        h.append(int(params.get("horizon", 0)))
        if issubclass(cls, TitForTat):
            kinds.append(TIT_FOR_TAT)
            e.append(0.0)
            k.append(0.0)
            g.append(float(params["generosity"]))
        elif (
            issubclass(cls, TimeDependent)
            and cls.traits.batch
            and params.get("opponent_model", "none") == "none"
        ):
            kinds.append(TIME_DEPENDENT)
            hard = cls.key == "hardliner"
            e.append(0.0 if hard else float(params["e"]))
            k.append(0.0 if hard else float(params["k"]))
            g.append(0.0)
        else:
            raise ValueError(
                f"strategy {party.strategy!r} with {dict(party.params)} has no batch path"
            )
    return BatchSide(
        weights=np.array([party.utility.weights for party in members]),
        evaluations=np.array([np.concatenate(party.utility.evaluations) for party in members]),
        kind=np.asarray(kinds, dtype=np.int64),
        e=np.asarray(e),
        k=np.asarray(k),
        horizon=np.asarray(h, dtype=np.int64),
        generosity=np.asarray(g),
        reservation=np.asarray([party.reservation for party in members]),
        discount=np.asarray([party.discount for party in members]),
        walk_away=np.asarray([party.walk_away for party in members]),
        patience=np.asarray([party.patience for party in members], dtype=np.int64),
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
