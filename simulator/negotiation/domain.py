"""Issues and outcome spaces.

An *issue* is one dimension of a deal: a list of discrete values (``["low", "mid", "high"]``) or
a numeric range split into evenly spaced steps. An *outcome* picks one value per issue. Outcomes
are enumerated in row-major order of the issues' value indices, so an outcome is identified by
one integer (its index) everywhere in the core; :meth:`Domain.mapping` turns it back into an
issue → value mapping for people and files.

Examples:
    >>> d = Domain((Issue.discrete("price", ["low", "high"]), Issue.numeric("share", 0.0, 1.0, 3)))
    >>> d.n_outcomes
    6
    >>> d.mapping(5)
    {'price': 'high', 'share': 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

#: Outcome spaces are enumerated; beyond this many outcomes the core refuses the domain.
MAX_OUTCOMES = 5_000_000

#: The largest magnitude of a numeric issue's bounds: beyond it the gap between the bounds
#: could overflow a float, and no price, share or date needs it.
MAX_MAGNITUDE = 1e12

Value = str | float


@dataclass(frozen=True, kw_only=True)
class Issue:
    """One issue of a negotiation: discrete labels or an evenly stepped numeric range."""

    name: str
    values: tuple[Value, ...]
    is_numeric: bool = False

    @classmethod
    def discrete(cls, name: str, values: Sequence[str]) -> Issue:
        """An issue whose values are labels, in the given order."""
        return cls(name=name, values=tuple(values), is_numeric=False)

    @classmethod
    def numeric(cls, name: str, low: float, high: float, steps: int) -> Issue:
        """An issue over ``steps`` evenly spaced numbers from ``low`` to ``high`` inclusive."""
        grid = np.linspace(low, high, steps)
        return cls(name=name, values=tuple(float(v) for v in grid), is_numeric=True)

    @property
    def size(self) -> int:
        """The number of values."""
        return len(self.values)

    def position(self) -> NDArray[np.float64]:
        """Each value's relative position in [0, 1] (first value 0, last 1)."""
        if self.size == 1:
            return np.zeros(1)
        if self.is_numeric:
            v = np.asarray(self.values, dtype=np.float64)
            return np.asarray((v - v[0]) / (v[-1] - v[0]), dtype=np.float64)
        return np.linspace(0.0, 1.0, self.size)


@dataclass(frozen=True)
class Domain:
    """The outcome space: the cartesian product of the issues' values."""

    issues: tuple[Issue, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [i.name for i in self.issues]
        if len(set(names)) != len(names):
            raise ValueError(f"issue names must be unique, got {names}")
        object.__setattr__(self, "_index", {n: k for k, n in enumerate(names)})
        if self.n_outcomes > MAX_OUTCOMES:
            raise ValueError(f"{self.n_outcomes} outcomes is more than the {MAX_OUTCOMES} allowed")

    @property
    def names(self) -> tuple[str, ...]:
        """Issue names, in order."""
        return tuple(i.name for i in self.issues)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values per issue."""
        return tuple(i.size for i in self.issues)

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return int(np.prod(self.shape, dtype=np.int64))

    @cached_property
    def outcome_matrix(self) -> NDArray[np.intp]:
        """``(n_outcomes, n_issues)`` value indices of every outcome, row-major."""
        grids = np.indices(self.shape).reshape(len(self.issues), -1)
        return np.ascontiguousarray(grids.T)

    def issue_index(self, name: str) -> int:
        """Position of the issue called ``name``."""
        return self._index[name]

    def mapping(self, outcome: int) -> dict[str, Value]:
        """The issue → value mapping of outcome ``outcome``."""
        idx = np.unravel_index(int(outcome), self.shape)
        return {i.name: i.values[int(k)] for i, k in zip(self.issues, idx, strict=True)}

    def index_of(self, mapping: Mapping[str, Value]) -> int:
        """The index of the outcome given as an issue → value mapping."""
        idx = [issue.values.index(mapping[issue.name]) for issue in self.issues]
        return int(np.ravel_multi_index(idx, self.shape))
