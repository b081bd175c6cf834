"""Symbolic concessions (essay 000, the relative value of concessions): a gesture at signing.

"Some concessions are material yet symbolic: they cost you little and mean a lot to the other
side." With ``concessions.enabled`` each partner, once the terms are agreed, looks for one such
gesture — a single step on one issue of the agreed terms (a tenth of the split, one level of a
commitment, the lead) that costs it more than nothing but less than
``concessions.cost_threshold`` in its own terms utility, is worth at least
``concessions.value_threshold`` to its partner, and keeps it at or above its reservation — and
makes the one its partner values most (a first, then b on the terms a left). The terms change:
the giver pays for the gesture with what it gives up (a share of the value, more work, the
lead), and the partner's trust account gains ``concessions.symbolic_deposit``
(:meth:`~negsim.world.trust.TrustAccounts.sign`). Whether goodwill is worth its price is what
the claim on symbolic concessions tests.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@cache
def neighbours(shape: tuple[int, ...]) -> IntArray:
    """For each outcome of a domain of ``shape``, the outcomes one step away on one issue
    (shape (N, 2 · issues); −1 where a step leaves the domain)."""
    grid = np.indices(shape).reshape(len(shape), -1)  # (issues, N)
    out = []
    for issue, size in enumerate(shape):
        for step in (-1, 1):
            moved = grid.copy()
            moved[issue] += step
            inside = (moved[issue] >= 0) & (moved[issue] < size)
            flat = np.ravel_multi_index(np.clip(moved, 0, np.array(shape)[:, None] - 1), shape)
            out.append(np.where(inside, flat, -1))
    table = np.stack(out, axis=1).astype(np.int64)
    table.setflags(write=False)
    return table


def _give(
    giver: FloatArray,
    receiver: FloatArray,
    at: IntArray,
    floor: FloatArray,
    nbr: IntArray,
    thresholds: tuple[float, float],
) -> tuple[IntArray, NDArray[np.bool_]]:
    """Each row's best gesture from outcome ``at`` (see the module docstring): the new
    outcomes and where a gesture was made."""
    rows = np.arange(len(at))[:, None]
    cand = nbr[at]  # (K, steps)
    safe = np.maximum(cand, 0)
    cost = giver[rows, at[:, None]] - giver[rows, safe]
    value = receiver[rows, safe] - receiver[rows, at[:, None]]
    ok = (
        (cand >= 0)
        & (cost > 0)
        & (cost < thresholds[0])
        & (value >= thresholds[1])
        & (giver[rows, safe] >= floor[:, None])
    )
    score = np.where(ok, value, -np.inf)
    best = np.argmax(score, axis=1)
    made = ok[np.arange(len(at)), best]
    return np.where(made, cand[np.arange(len(at)), best], at), made


def gestures(
    shape: tuple[int, ...],
    utilities: tuple[FloatArray, FloatArray],
    agreement: IntArray,
    reservations: tuple[FloatArray, FloatArray],
    thresholds: tuple[float, float],
) -> tuple[IntArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """The agreed outcomes ``agreement`` (one per row, all agreed) after a's and then b's
    gesture; ``utilities`` are (K, N) per side. Returns the new outcomes and who gave (a, b)."""
    nbr = neighbours(tuple(shape))
    ua, ub = utilities
    after_a, gave_a = _give(ua, ub, agreement, reservations[0], nbr, thresholds)
    after_b, gave_b = _give(ub, ua, after_a, reservations[1], nbr, thresholds)
    return after_b, gave_a, gave_b
