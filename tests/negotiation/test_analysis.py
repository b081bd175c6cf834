"""The vectorised bargaining analysis against brute-force definitions written out in Python.

Each reference below is the textbook definition computed the slow way — an O(N²) dominance
check, or a loop keeping the first strict maximum — with the module's documented conventions:
utilities are compared after rounding to 12 decimals, and ties go to the lowest outcome index.
Utility vectors come in three flavours: heavy ties (values from {0, 0.5, 1}), a coarse grid
(multiples of 1/20) and arbitrary floats; reservations sometimes exceed every utility, leaving no
individually rational outcome.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from negsim.negotiation.analysis import (
    analyse,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_mask,
    rational_mask,
)

Vector = NDArray[np.float64]
CHECK = settings(max_examples=100, deadline=None)
VALUES = {
    "ties": st.sampled_from([0.0, 0.5, 1.0]),
    "grid": st.integers(0, 20).map(lambda k: k / 20),
    "floats": st.floats(0.0, 1.0, allow_subnormal=False),
}


def r12(x: float) -> float:
    """The documented comparison key: the value rounded to 12 decimals."""
    return float(np.round(x, 12))


# --- brute-force references ---------------------------------------------------------------------


def ref_pareto(ua: Vector, ub: Vector) -> list[bool]:
    """Not weakly improved on for both and strictly for one by any other outcome."""
    a, b = [r12(x) for x in ua], [r12(x) for x in ub]
    n = len(a)
    return [
        not any(a[j] >= a[i] and b[j] >= b[i] and (a[j] > a[i] or b[j] > b[i]) for j in range(n))
        for i in range(n)
    ]


def ref_rational(ua: Vector, ub: Vector, ra: float, rb: float) -> list[bool]:
    """At least each party's reservation."""
    return [
        r12(float(x) - ra) >= 0 and r12(float(y) - rb) >= 0 for x, y in zip(ua, ub, strict=True)
    ]


def ref_argmax(scores: list[float], allowed: list[bool]) -> int | None:
    """The first allowed index with the largest (rounded) score; None if nothing is allowed."""
    best: int | None = None
    for i, (s, ok) in enumerate(zip(scores, allowed, strict=True)):
        if ok and (best is None or r12(s) > r12(scores[best])):
            best = i
    return best


def ref_nash(ua: Vector, ub: Vector, ra: float, rb: float) -> int | None:
    """Maximise the product of gains over the reservations among rational outcomes."""
    scores = [(float(x) - ra) * (float(y) - rb) for x, y in zip(ua, ub, strict=True)]
    return ref_argmax(scores, ref_rational(ua, ub, ra, rb))


def ref_kalai_smorodinsky(ua: Vector, ub: Vector, ra: float, rb: float) -> int | None:
    """Maximise the smaller gain, each normalised by the best rational gain for that party."""
    ok = ref_rational(ua, ub, ra, rb)
    if not any(ok):
        return None
    span_a = max(float(x) for x, r in zip(ua, ok, strict=True) if r) - ra
    span_b = max(float(y) for y, r in zip(ub, ok, strict=True) if r) - rb
    scores = [
        min(
            (float(x) - ra) / span_a if span_a > 0 else 1.0,
            (float(y) - rb) / span_b if span_b > 0 else 1.0,
        )
        for x, y in zip(ua, ub, strict=True)
    ]
    return ref_argmax(scores, ok)


def ref_max_welfare(ua: Vector, ub: Vector) -> int:
    """Maximise the sum of utilities."""
    best = ref_argmax([float(x) + float(y) for x, y in zip(ua, ub, strict=True)], [True] * len(ua))
    assert best is not None
    return best


# --- generated outcome spaces -------------------------------------------------------------------


@st.composite
def spaces(draw: st.DrawFn) -> tuple[Vector, Vector, float, float]:
    """Two utility vectors (1–60 outcomes) of one flavour and two reservations."""
    value = VALUES[draw(st.sampled_from(sorted(VALUES)))]
    n = draw(st.integers(1, 60))
    ua = np.array(draw(st.lists(value, min_size=n, max_size=n)), dtype=np.float64)
    ub = np.array(draw(st.lists(value, min_size=n, max_size=n)), dtype=np.float64)
    reservation = value | st.floats(0.0, 1.2, allow_subnormal=False)
    return ua, ub, draw(reservation), draw(reservation)


@CHECK
@given(space=spaces())
def test_pareto_mask_matches_pairwise_dominance(space: tuple[Vector, Vector, float, float]) -> None:
    """An outcome is Pareto-optimal iff no other outcome dominates it (O(N²) check)."""
    ua, ub, _, _ = space
    mask = pareto_mask(ua, ub)
    assert mask.dtype == np.bool_ and mask.shape == ua.shape
    assert mask.tolist() == ref_pareto(ua, ub)


@CHECK
@given(space=spaces())
def test_rational_mask_matches_definition(space: tuple[Vector, Vector, float, float]) -> None:
    """Individually rational = at least both reservations."""
    ua, ub, ra, rb = space
    assert rational_mask(ua, ub, ra, rb).tolist() == ref_rational(ua, ub, ra, rb)


@CHECK
@given(space=spaces())
def test_nash_point_matches_brute_force(space: tuple[Vector, Vector, float, float]) -> None:
    """The Nash point is the first rational outcome with the largest product of gains."""
    ua, ub, ra, rb = space
    assert nash_point(ua, ub, ra, rb) == ref_nash(ua, ub, ra, rb)


@CHECK
@given(space=spaces())
def test_kalai_smorodinsky_point_matches_brute_force(
    space: tuple[Vector, Vector, float, float],
) -> None:
    """The KS point is the first rational outcome with the largest smaller normalised gain."""
    ua, ub, ra, rb = space
    assert kalai_smorodinsky_point(ua, ub, ra, rb) == ref_kalai_smorodinsky(ua, ub, ra, rb)


@CHECK
@given(space=spaces())
def test_max_welfare_point_matches_brute_force(space: tuple[Vector, Vector, float, float]) -> None:
    """The maximum-welfare point is the first outcome with the largest sum of utilities."""
    ua, ub, _, _ = space
    assert max_welfare_point(ua, ub) == ref_max_welfare(ua, ub)


@CHECK
@given(space=spaces(), extra=st.floats(1e-9, 0.5))
def test_no_rational_outcome_gives_none(
    space: tuple[Vector, Vector, float, float], extra: float
) -> None:
    """A reservation above every utility leaves no rational outcome: Nash and KS are None."""
    ua, ub, ra, rb = space
    for ra_, rb_ in ((float(ua.max()) + extra, rb), (ra, float(ub.max()) + extra)):
        assert not rational_mask(ua, ub, ra_, rb_).any()
        assert nash_point(ua, ub, ra_, rb_) is None
        assert kalai_smorodinsky_point(ua, ub, ra_, rb_) is None
        result = analyse(ua, ub, ra_, rb_, (ra_, rb_))
        assert result.nash is None and result.kalai_smorodinsky is None
        assert result.distance_to_nash is None


@CHECK
@given(space=spaces(), data=st.data())
def test_analyse_matches_the_references(
    space: tuple[Vector, Vector, float, float], data: st.DataObject
) -> None:
    """analyse() gathers the reference points and the distances of a point to them."""
    ua, ub, ra, rb = space
    unit = st.floats(0.0, 1.0, allow_subnormal=False)
    point = (data.draw(unit), data.draw(unit))
    got = analyse(ua, ub, ra, rb, point)
    front = [i for i, keep in enumerate(ref_pareto(ua, ub)) if keep]
    assert got.pareto.tolist() == front
    assert got.nash == ref_nash(ua, ub, ra, rb)
    assert got.kalai_smorodinsky == ref_kalai_smorodinsky(ua, ub, ra, rb)
    assert got.max_welfare == ref_max_welfare(ua, ub)
    nearest = min(math.hypot(ua[i] - point[0], ub[i] - point[1]) for i in front)
    assert got.distance_to_pareto == pytest.approx(nearest, abs=1e-12)
    if got.nash is None:
        assert got.distance_to_nash is None
    else:
        want = math.hypot(ua[got.nash] - point[0], ub[got.nash] - point[1])
        assert got.distance_to_nash == pytest.approx(want, abs=1e-12)


@CHECK
@given(space=spaces())
def test_points_with_positive_gains_are_pareto_optimal(
    space: tuple[Vector, Vector, float, float],
) -> None:
    """A Nash point with a positive product, and the welfare maximum, lie on the Pareto set."""
    ua, ub, ra, rb = space
    mask = pareto_mask(ua, ub)
    assert mask[max_welfare_point(ua, ub)]
    nash = nash_point(ua, ub, ra, rb)
    if nash is not None and r12((ua[nash] - ra) * (ub[nash] - rb)) > 0:
        assert mask[nash]


# --- fixed cases --------------------------------------------------------------------------------


def test_duplicate_points_are_all_kept_and_ties_go_to_the_lowest_index() -> None:
    """Equal points are all Pareto-optimal; every reference point picks the first of equals."""
    ua = np.array([0.5, 0.5, 1.0, 0.0, 1.0])
    ub = np.array([0.5, 0.5, 0.0, 1.0, 0.0])
    assert pareto_mask(ua, ub).tolist() == [True, True, True, True, True]
    assert max_welfare_point(ua, ub) == 0
    assert nash_point(ua, ub, 0.0, 0.0) == 0
    assert kalai_smorodinsky_point(ua, ub, 0.0, 0.0) == 0


def test_float_noise_does_not_split_equal_points() -> None:
    """0.1 + 0.2 and 0.3 are the same utility after rounding: neither dominates the other."""
    ua = np.array([0.1 + 0.2, 0.3])
    ub = np.array([0.7, 0.7])
    assert 0.1 + 0.2 > 0.3  # the noise is real
    assert pareto_mask(ua, ub).tolist() == [True, True]
    assert max_welfare_point(ua, ub) == 0
    assert nash_point(ua, ub, 0.0, 0.0) == 0


def test_single_outcome_is_every_reference_point() -> None:
    """With one outcome, it is Pareto-optimal, the welfare maximum and (if rational) Nash and KS."""
    ua, ub = np.array([0.4]), np.array([0.6])
    assert pareto_mask(ua, ub).tolist() == [True]
    assert max_welfare_point(ua, ub) == 0
    assert nash_point(ua, ub, 0.4, 0.6) == 0  # zero gains are still rational
    assert kalai_smorodinsky_point(ua, ub, 0.4, 0.6) == 0
    assert nash_point(ua, ub, 0.5, 0.0) is None


def test_kalai_smorodinsky_equalises_normalised_gains() -> None:
    """KS picks the outcome whose gains are proportional to the ideal gains (2:1 here)."""
    ua = np.array([1.0, 0.8, 0.5, 0.0])
    ub = np.array([0.0, 0.4, 0.25, 0.5])
    # Ideal gains (1.0, 0.5); outcome 1 has normalised gains (0.8, 0.8), the best minimum.
    assert kalai_smorodinsky_point(ua, ub, 0.0, 0.0) == 1
    assert nash_point(ua, ub, 0.0, 0.0) == 1  # product 0.32
