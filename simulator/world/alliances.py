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

#: Why an alliance ended (the ``cause`` column): name → meaning. Stored as the name's index
#: (``CAUSE``); the tables show the name. Graceful exits cost little reputation, messy ones
#: (``relationship``, ``shock``) destroy trust and cost reputation that spreads (essays 002, 003).
CAUSES: dict[str, str] = {
    "running": "not ended by the end of the run (censored; ``end`` is NaN)",
    "completed": (
        "reached its planned end (``planned_end``), gracefully; it still *fails* if a partner "
        "realised less than ``review.goal`` of what it expected (see ``failed``)"
    ),
    "relationship": (
        "the relationship broke, messily: a partner's trust account fell to "
        "``-trust.break_level × trust.bound`` (half the bound below zero by default)"
    ),
    "underperformed": (
        "ended early, gracefully, by a review: a partner realised less than "
        "``review.threshold`` of what it expected at signing"
    ),
    "shock": (
        "broken by a crisis, messily: a partner's trust could not cover it, and in the conflict "
        "its alternative beat staying (``negsim.world.crises``)"
    ),
    "alternative": (
        "ended early, gracefully, by a review: a partner left for a free neighbour promising "
        "clearly more (``review.alternative_margin``)"
    ),
}
#: Cause name → the integer stored in the alliance table's ``cause`` column.
CAUSE = {name: i for i, name in enumerate(CAUSES)}
#: Integer code → cause name.
CAUSE_NAMES = tuple(CAUSES)

#: The alliance table's stored columns: name → (dtype, meaning). Values are in the world's
#: units (months, value per month); ``a`` is the partner that opened the terms negotiation.
_COLUMNS: dict[str, tuple[Any, str]] = {
    "a": (np.int64, "partner a: the organisation (row of ``organisations``) that opened the talks"),
    "b": (np.int64, "partner b: the other organisation"),
    "agreed": (
        np.float64,
        "month of the search whose talks agreed it: from then it holds a share of each "
        "partner's capacity (which no longer earns its standalone value)",
    ),
    "signed": (
        np.float64,
        "month the terms were signed: the search, plus ``world.offer_delay`` per round of "
        "talks, plus ``diligence.time`` when diligence is on",
    ),
    "start": (
        np.float64,
        "month it starts operating: ``signed``, plus ``risk.clinic_time`` when the risk "
        "clinic is on",
    ),
    "planned_end": (np.float64, "``start`` + ``world.alliance_term``: its planned end"),
    "end": (np.float64, "month it ended; NaN while it runs"),
    "cause": (np.int64, "why it ended, one of the names in ``CAUSES`` (``running`` if not)"),
    "graceful": (
        np.bool_,
        "ended gracefully (``completed``, ``underperformed``, ``alternative``); False while "
        "running and for messy ends (``relationship``, ``shock``)",
    ),
    "split": (
        np.float64,
        "a's share of the value, in [0, 1]: as negotiated, then moved by restructuring reviews",
    ),
    "commit_a": (np.float64, "resources a committed: 0.4 (low), 0.7 (mid) or 1.0 (high)"),
    "commit_b": (np.float64, "resources b committed: 0.4 (low), 0.7 (mid) or 1.0 (high)"),
    "governance": (np.float64, "who leads: 1 = a, 0.5 = joint, 0 = b"),
    "potential": (
        np.float64,
        "value the pair could create per month at full effort (strength, complementarity, "
        "compatibility; ``[value]``), known to the model, estimated by the partners",
    ),
    "expected_a": (
        np.float64,
        "value per month a expected at signing: the partners' (optimistic) estimate of the "
        "potential, at the efforts and commitments agreed, times ``split``",
    ),
    "expected_b": (np.float64, "value per month b expected at signing (times 1 − ``split``)"),
    "realised_a": (np.float64, "value a has realised so far (its share of ``output``)"),
    "realised_b": (np.float64, "value b has realised so far"),
    "output": (
        np.float64,
        "value the alliance has created so far (``realised_a + realised_b``), after shirking, "
        "noise and the cost of ties beyond the first",
    ),
    "months": (np.float64, "months it has operated (fractions for part-months)"),
    "shirks": (
        np.int64,
        "partner-months of shirking: one for each partner that shirked in a month",
    ),
    "crises": (np.int64, "crises that hit it"),
    "restructured": (np.int64, "reviews that moved its split towards a partner left behind"),
    "symbolic_a": (
        np.int64,
        "1 if a made a material-yet-symbolic gesture at signing (cheap to give, dear to "
        "receive: ``negsim.world.concessions``), else 0",
    ),
    "symbolic_b": (np.int64, "1 if b made one, else 0"),
}
#: The stored columns: name → meaning (the tables add more, see ``negsim.world.metrics``).
COLUMNS: dict[str, str] = {name: text for name, (_, text) in _COLUMNS.items()}


class AllianceTable:
    """Columns of growing numpy arrays; ``alive`` marks alliances that have not ended."""

    def __init__(self, capacity: int = 256) -> None:
        self._cols: dict[str, NDArray[Any]] = {
            name: np.zeros(capacity, dtype=dtype) for name, (dtype, _) in _COLUMNS.items()
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
