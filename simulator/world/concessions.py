"""Symbolic concessions (essay 000, the relative value of concessions): a gesture at signing.

"Some concessions are material yet symbolic: they cost you little and mean a lot to the other
side." With ``concessions.enabled`` each partner, once the terms are agreed, looks for one such
gesture: a tenth of the value split handed to its partner (the split is the issue that carries
value in the world; a step on a commitment or on governance would cost nothing real), where that
costs it less than ``concessions.cost_threshold`` in its own terms utility (it cares little for
the split), is worth at least ``concessions.value_threshold`` to its partner (who cares for it),
and keeps it at or above its reservation (a first, then b on the terms a left). The giver pays
with a tenth of the alliance's value, every month it runs, and the partner's trust account
gains ``concessions.symbolic_deposit`` (:meth:`~negsim.world.trust.TrustAccounts.sign`).
Whether goodwill is worth its price is what the claim on symbolic concessions tests.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from negsim.negotiation.batch import utilities_at

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


Side = tuple[FloatArray, FloatArray]  # a side's weights and evaluations, one row per deal


def _give(
    shape: tuple[int, ...],
    giver: Side,
    receiver: Side,
    at: IntArray,
    floor: FloatArray,
    thresholds: tuple[float, float],
) -> tuple[IntArray, NDArray[np.bool_]]:
    """Each row's best gesture from outcome ``at`` (see the module docstring): the new
    outcomes and where a gesture was made."""
    cand = neighbours(shape)[at][:, :2]  # a step down or up the split, the first issue
    here_and_there = np.concatenate([at[:, None], np.maximum(cand, 0)], axis=1)
    mine = utilities_at(*giver, shape, here_and_there)
    theirs = utilities_at(*receiver, shape, here_and_there)
    cost = mine[:, :1] - mine[:, 1:]
    value = theirs[:, 1:] - theirs[:, :1]
    ok = (
        (cand >= 0)
        & (cost > 0)
        & (cost < thresholds[0])
        & (value >= thresholds[1])
        & (mine[:, 1:] >= floor[:, None])
    )
    score = np.where(ok, value, -np.inf)
    best = np.argmax(score, axis=1)
    rows = np.arange(len(at))
    made = ok[rows, best]
    return np.where(made, cand[rows, best], at), made


def gestures(
    shape: tuple[int, ...],
    sides: tuple[Side, Side],
    agreement: IntArray,
    reservations: tuple[FloatArray, FloatArray],
    thresholds: tuple[float, float],
) -> tuple[IntArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """The agreed outcomes ``agreement`` (one per row, all agreed) after a's and then b's
    gesture; ``sides`` are a's and b's weights and evaluations (as in
    :class:`~negsim.negotiation.batch.BatchSide`). Returns the new outcomes and who gave
    (a, b)."""
    a, b = sides
    after_a, gave_a = _give(shape, a, b, agreement, reservations[0], thresholds)
    after_b, gave_b = _give(shape, b, a, after_a, reservations[1], thresholds)
    return after_b, gave_a, gave_b
