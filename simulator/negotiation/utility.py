"""Linear-additive utility: interests as weights over issues.

Essay 000 asks negotiators to "get them to like it too": parties care about the issues with
different intensities, so trading a cheap issue for a dear one creates joint gains (logrolling).
A party's utility of an outcome is ``u(o) = Σ_k w_k · e_k(o_k)`` with weights ``w_k ≥ 0`` summing
to one and evaluations ``e_k`` in [0, 1], so utilities lie in [0, 1].

Examples:
    >>> from negsim.negotiation.domain import Domain, Issue
    >>> d = Domain((Issue.discrete("price", ["low", "high"]), Issue.numeric("share", 0, 1, 3)))
    >>> evaluations = {"price": {"low": 0.0, "high": 1.0}, "share": "increasing"}
    >>> u = LinearAdditiveUtility.from_tables(d, {"price": 3, "share": 1}, evaluations)
    >>> [round(float(x), 3) for x in u.values]
    [0.0, 0.125, 0.25, 0.75, 0.875, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from negsim.negotiation.domain import Domain, Issue, Value

#: How an issue's values are evaluated: a table (value → [0, 1]) or a linear shape.
Evaluation = Mapping[Value, float] | str
LINEAR_SHAPES = ("increasing", "decreasing")
#: The largest weight a file may give an issue. Weights are relative (they are normalised to
#: sum to one), so the cap changes nothing a party can express; it keeps their sum finite.
MAX_WEIGHT = 1e6


@dataclass(frozen=True, kw_only=True)
class LinearAdditiveUtility:
    """A party's interests over a domain: normalised weights and per-value evaluations."""

    domain: Domain
    weights: tuple[float, ...]
    evaluations: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float64)
        if w.shape != (len(self.domain.issues),) or np.any(w < 0) or not np.isclose(w.sum(), 1):
            raise ValueError("weights must be one non-negative number per issue, summing to 1")
        for issue, ev in zip(self.domain.issues, self.evaluations, strict=True):
            if len(ev) != issue.size or min(ev) < 0 or max(ev) > 1:
                raise ValueError(
                    f"evaluations of {issue.name!r} must be {issue.size} values in [0, 1]"
                )

    @classmethod
    def from_tables(
        cls, domain: Domain, weights: Mapping[str, float], evaluations: Mapping[str, Evaluation]
    ) -> LinearAdditiveUtility:
        """Build from issue-name keyed weights (normalised here) and evaluations."""
        raw = np.array([float(weights.get(name, 0.0)) for name in domain.names])
        if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw.max(initial=0.0) <= 0:
            raise ValueError("weights must be finite and non-negative with a positive sum")
        scaled = raw / raw.max()  # first to the largest: the sum cannot overflow
        evals = tuple(_evaluate(issue, evaluations[issue.name]) for issue in domain.issues)
        return cls(
            domain=domain,
            weights=tuple(float(x) for x in scaled / scaled.sum()),
            evaluations=evals,
        )

    @cached_property
    def values(self) -> NDArray[np.float64]:
        """Utility of every outcome, indexed like :attr:`Domain.outcome_matrix` (read-only)."""
        out = np.zeros(self.domain.n_outcomes)
        for k, (w, ev) in enumerate(zip(self.weights, self.evaluations, strict=True)):
            out += w * np.asarray(ev)[self.domain.outcome_matrix[:, k]]
        out.setflags(write=False)
        return out

    @cached_property
    def best(self) -> float:
        """The highest utility any outcome gives."""
        return float(self.values.max())

    def __call__(self, outcome: int) -> float:
        """Utility of one outcome."""
        return float(self.values[outcome])


def _evaluate(issue: Issue, spec: Evaluation) -> tuple[float, ...]:
    """Evaluations of each of ``issue``'s values from a table or a linear shape."""
    if isinstance(spec, str):
        if spec not in LINEAR_SHAPES:
            raise ValueError(
                f"evaluation of {issue.name!r} must be a table or one of {LINEAR_SHAPES}"
            )
        pos = issue.position()
        return tuple(float(x) for x in (pos if spec == "increasing" else 1.0 - pos))
    missing = [v for v in issue.values if v not in spec]
    if missing:
        raise ValueError(f"evaluation of {issue.name!r} lacks values {missing}")
    return tuple(float(spec[v]) for v in issue.values)
