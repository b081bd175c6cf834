"""``zeuthen``'s compiled kernels against plain references: the shortcuts that make them fast
(shared chances of a hold, remembered chances, an ordered search for the best offer) change
nothing they compute."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from negsim.negotiation.strategies.zeuthen import (
    RESERVATION_GRID,
    WALK_GRID,
    _best_for_me,
    learn_offer,
    must_concede,
    types,
)

FAST = settings(max_examples=200, deadline=None)
#: Beliefs: anywhere in [0, 1], on a grid point, or at an end.
BELIEF = st.one_of(
    st.floats(0.0, 1.0),
    st.sampled_from([float(g) for g in RESERVATION_GRID]),
    st.sampled_from([float(g) for g in WALK_GRID]),
)
SPREAD = st.one_of(st.just(0.0), st.floats(0.01, 1.0))


@FAST
@given(BELIEF, BELIEF, SPREAD)
def test_types_alike_share_their_breakdown_point(d0: float, w0: float, spread: float) -> None:
    """Each type's ``alike`` is itself or an earlier type with the same ``w·d``."""
    d, w, post, alike = types(d0, w0, spread)
    assert d.size == w.size == post.size == alike.size
    for t in range(d.size):
        first = alike[t]
        assert 0 <= first <= t
        assert w[first] * d[first] == w[t] * d[t]


@FAST
@given(
    BELIEF,
    BELIEF,
    SPREAD,
    st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
    st.booleans(),
    st.floats(1e-6, 0.5),
    st.floats(1e-6, 10.0),
)
def test_remembered_chances_of_a_hold_change_no_update(
    d0: float,
    w0: float,
    spread: float,
    utilities: list[float],
    held: bool,
    noise: float,
    temperature: float,
) -> None:
    """Updating with the chances of a hold remembered from the last update gives the same
    posterior, bit for bit, as computing them afresh."""
    d, w, post, alike = types(d0, w0, spread)
    hold, memo = np.empty(d.size), np.full(3, np.nan)
    op_own, op_faced, me_faced, me_own = utilities
    args = (op_own, True, held, op_own, op_faced, me_faced, me_own, 0.2, noise, temperature)
    learn_offer(post, d, w, alike, hold, memo, *args)
    remembered, fresh = post.copy(), post.copy()
    learn_offer(remembered, d, w, alike, hold, memo, *args)  # the same values: remembered
    learn_offer(fresh, d, w, alike, np.empty(d.size), np.full(3, np.nan), *args)
    assert remembered.tobytes() == fresh.tobytes()


def best_by_weighing_all(
    u: NDArray[np.float64],
    u_op: NDArray[np.float64],
    reservation: float,
    floor_op: float,
    cap: float,
    breakdown_me: float,
    breakdown_op: float,
    standing: int,
) -> int:
    """The rule of ``_best_for_me``, outcome by outcome: the best for itself among those it may
    offer, worth at most ``cap``, that shift the duty to concede; ties: best for the other, then
    lowest index."""
    best = -1
    for j in range(u.size):
        if u[j] > cap or u[j] < reservation or u_op[j] < floor_op:
            continue
        if standing >= 0 and must_concede(u, u_op, j, standing, breakdown_me, breakdown_op):
            continue
        if best < 0 or (u[j], u_op[j]) > (u[best], u_op[best]):
            best = j
    return best


@FAST
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 8), min_size=n, max_size=n),  # coarse: many ties
            st.lists(st.integers(0, 8), min_size=n, max_size=n),
        )
    ),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.one_of(st.just(math.inf), st.floats(0.0, 1.0)),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.integers(-1, 39),
)
def test_the_ordered_search_finds_the_best_offer(
    values: tuple[list[int], list[int]],
    reservation: float,
    floor_op: float,
    cap: float,
    breakdown_me: float,
    breakdown_op: float,
    standing: int,
) -> None:
    """Searching down the outcomes in order of their worth picks what weighing every outcome
    picks, ties included."""
    u, u_op = (np.asarray(v, dtype=np.float64) / 8.0 for v in values)
    standing = min(standing, u.size - 1)
    order = np.argsort(u, kind="stable")
    got = _best_for_me(
        u, u_op, order, reservation, floor_op, cap, breakdown_me, breakdown_op, standing
    )
    want = best_by_weighing_all(
        u, u_op, reservation, floor_op, cap, breakdown_me, breakdown_op, standing
    )
    assert got == want
