"""Bargaining-theory analysis of a discrete outcome space, exact by vectorised enumeration.

* Pareto set: outcomes no other outcome weakly improves for both parties and strictly for one.
* Nash point (Nash 1950): the individually rational outcome maximising the product of gains
  over the reservations.
* Kalai–Smorodinsky point (Kalai & Smorodinsky 1975): the individually rational outcome
  maximising the smallest normalised gain ``(u_i − r_i)/(ideal_i − r_i)``, ``ideal_i`` the best
  individually rational utility for party i.
* Maximum welfare: the outcome maximising the sum of utilities.

Ties go to the lowest outcome index. Utilities are compared after rounding to 12 decimals, so
float noise never splits equal points.

Examples:
    >>> import numpy as np
    >>> a, b = np.array([1.0, 0.6, 0.0, 0.4]), np.array([0.0, 0.7, 1.0, 0.3])
    >>> pareto_mask(a, b).tolist()
    [True, True, True, False]
    >>> nash_point(a, b, 0.0, 0.0)
    1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
_DECIMALS = 12


def pareto_mask(ua: FloatArray, ub: FloatArray) -> NDArray[np.bool_]:
    """Boolean mask of Pareto-optimal outcomes."""
    pts = np.round(np.column_stack((ua, ub)), _DECIMALS)
    unique, inverse = np.unique(pts, axis=0, return_inverse=True)
    # Sweep the distinct points by a descending, then b descending: a point is on the frontier
    # iff its b beats every point with a larger a (or equal a and larger b) seen before it.
    order = np.lexsort((-unique[:, 1], -unique[:, 0]))
    b_sorted = unique[order, 1]
    best_before = np.concatenate(([-np.inf], np.maximum.accumulate(b_sorted)[:-1]))
    keep = np.zeros(len(unique), dtype=bool)
    keep[order] = b_sorted > best_before
    return keep[inverse.ravel()]


def frontier(ua: FloatArray, ub: FloatArray) -> NDArray[np.intp]:
    """The Pareto-optimal outcomes in order along the frontier (a's utility ascending, b's
    descending): the points of a frontier line.

    Examples:
        >>> import numpy as np
        >>> frontier(np.array([1.0, 0.6, 0.0, 0.4]), np.array([0.0, 0.7, 1.0, 0.3])).tolist()
        [2, 1, 0]
    """
    front = np.flatnonzero(pareto_mask(ua, ub))
    return front[np.lexsort((-ub[front], ua[front]))]


def rational_mask(ua: FloatArray, ub: FloatArray, ra: float, rb: float) -> NDArray[np.bool_]:
    """Outcomes at least as good as each party's reservation."""
    return (np.round(ua - ra, _DECIMALS) >= 0) & (np.round(ub - rb, _DECIMALS) >= 0)


def _argmax_where(score: FloatArray, mask: NDArray[np.bool_]) -> int | None:
    if not mask.any():
        return None
    return int(np.argmax(np.where(mask, np.round(score, _DECIMALS), -np.inf)))


def nash_point(ua: FloatArray, ub: FloatArray, ra: float, rb: float) -> int | None:
    """The Nash bargaining outcome, or None when no outcome is individually rational."""
    return _argmax_where((ua - ra) * (ub - rb), rational_mask(ua, ub, ra, rb))


def kalai_smorodinsky_point(ua: FloatArray, ub: FloatArray, ra: float, rb: float) -> int | None:
    """The Kalai–Smorodinsky outcome, or None when no outcome is individually rational."""
    ir = rational_mask(ua, ub, ra, rb)
    if not ir.any():
        return None
    span_a, span_b = ua[ir].max() - ra, ub[ir].max() - rb
    gain_a = (ua - ra) / span_a if span_a > 0 else np.ones_like(ua)
    gain_b = (ub - rb) / span_b if span_b > 0 else np.ones_like(ub)
    return _argmax_where(np.minimum(gain_a, gain_b), ir)


def max_welfare_point(ua: FloatArray, ub: FloatArray) -> int:
    """The outcome with the largest sum of utilities."""
    return int(np.argmax(np.round(ua + ub, _DECIMALS)))


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """The reference points of a two-party outcome space and an outcome's distance to them."""

    pareto: NDArray[np.intp]
    nash: int | None
    kalai_smorodinsky: int | None
    max_welfare: int
    distance_to_pareto: float
    distance_to_nash: float | None


def analyse(
    ua: FloatArray, ub: FloatArray, ra: float, rb: float, point: tuple[float, float]
) -> Analysis:
    """Reference points, and the Euclidean distance of ``point`` (a utility pair) to them.

    ``point`` is the outcome's undiscounted utilities, or the reservations without agreement.
    """
    mask = pareto_mask(ua, ub)
    front = np.column_stack((ua[mask], ub[mask]))
    nash = nash_point(ua, ub, ra, rb)
    p = np.asarray(point)
    return Analysis(
        pareto=np.flatnonzero(mask),
        nash=nash,
        kalai_smorodinsky=kalai_smorodinsky_point(ua, ub, ra, rb),
        max_welfare=max_welfare_point(ua, ub),
        distance_to_pareto=float(np.sqrt(((front - p) ** 2).sum(axis=1).min())),
        distance_to_nash=None
        if nash is None
        else float(np.hypot(ua[nash] - p[0], ub[nash] - p[1])),
    )
