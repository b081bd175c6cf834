"""The alliance table: one row per alliance, from signing to its end (essays 001, 003).

Life cycle: plan (partner search and diligence), negotiate (the core protocol), invest (from
signing to start), operate, review, and restructure or exit. An alliance *fails* if it ends before
its planned term or realises less than its partners expected at signing (essay 004: 55–70% of
alliances fail or miss their goals); the cause of an early end is recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Why an alliance ended. "term" is a scheduled end; the others end it early.
CAUSES = ("", "term", "relationship", "terms", "shock", "horizon", "alternative")
CAUSE = {name: i for i, name in enumerate(CAUSES)}

_COLUMNS: dict[str, Any] = {
    "a": np.int64,
    "b": np.int64,
    "signed": np.float64,
    "start": np.float64,
    "planned_end": np.float64,
    "end": np.float64,
    "cause": np.int64,
    "graceful": np.bool_,
    "split": np.float64,
    "commit_a": np.float64,
    "commit_b": np.float64,
    "governance": np.float64,
    "potential": np.float64,
    "expected_a": np.float64,
    "expected_b": np.float64,
    "realised_a": np.float64,
    "realised_b": np.float64,
    "output": np.float64,
    "months": np.float64,
    "shirks": np.int64,
    "crises": np.int64,
    "restructured": np.int64,
    "symbolic_a": np.int64,  # material-yet-symbolic concessions a made in the terms negotiation
    "symbolic_b": np.int64,
}


class AllianceTable:
    """Columns of growing numpy arrays; ``alive`` marks alliances that have not ended."""

    def __init__(self, capacity: int = 256) -> None:
        self._cols: dict[str, NDArray[Any]] = {
            name: np.zeros(capacity, dtype=dtype) for name, dtype in _COLUMNS.items()
        }
        self.size = 0

    def __getattr__(self, name: str) -> NDArray[Any]:
        cols = self.__dict__.get("_cols")
        if cols is None or name not in cols:
            raise AttributeError(name)
        column: NDArray[Any] = cols[name][: self.size]
        return column

    def add(self, **columns: NDArray[Any]) -> NDArray[np.intp]:
        """Append rows (every column given as an equal-length array); returns their indices."""
        n = len(next(iter(columns.values())))
        if self.size + n > len(self._cols["a"]):
            new = max(2 * len(self._cols["a"]), self.size + n)
            for name, col in self._cols.items():
                grown = np.zeros(new, dtype=col.dtype)
                grown[: self.size] = col[: self.size]
                self._cols[name] = grown
        rows = np.arange(self.size, self.size + n)
        for name, col in self._cols.items():
            col[rows] = columns.get(name, np.nan if col.dtype == np.float64 else 0)
        self._cols["end"][rows] = np.nan
        self.size += n
        return rows

    @property
    def alive(self) -> NDArray[np.bool_]:
        """Rows that have not ended."""
        return np.isnan(self.end)

    def columns(self) -> dict[str, NDArray[Any]]:
        """Copies of every column, for tables and files."""
        return {name: col[: self.size].copy() for name, col in self._cols.items()}
