"""Trust bank accounts: one balance per relationship and direction.

Essay 003, "Building a 'Trust Bank Account'": "Small, consistent deposits — meeting deadlines,
transparent communication, following through on promises — build a balance. When a major
conflict arises ... you can make a withdrawal from this account to navigate the crisis without
destroying the relationship. Alliances that start with purely contractual trust have no balance
to draw from when trouble hits."

Balances live in [-bound, bound]. Deposits add their amount; withdrawals subtract
``loss_aversion`` times theirs (losses weigh more than gains, Kahneman & Tversky 1979). A
withdrawal the balance cannot cover — one that would take it below zero — is *uncovered*: the
caller decides what that means (conflict, a break-up).

Examples:
    >>> ledger = TrustLedger(bound=1.0, loss_aversion=2.0)
    >>> ledger.open(2, initial=0.3)
    >>> ledger.deposit(np.array([0, 1]), np.array([0.1, 0.1]))
    >>> ledger.withdraw(np.array([0]), np.array([0.25])).tolist()
    [True]
    >>> [round(float(x), 6) for x in ledger.balance[:2]]
    [-0.1, 0.4]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class TrustLedger:
    """Balances of many accounts, held in one growing array (one account per index)."""

    def __init__(self, *, bound: float, loss_aversion: float, capacity: int = 64) -> None:
        if bound <= 0 or loss_aversion < 1:
            raise ValueError("trust needs bound > 0 and loss_aversion >= 1")
        self.bound = bound
        self.loss_aversion = loss_aversion
        self._balance = np.zeros(capacity)
        self.size = 0

    @property
    def balance(self) -> FloatArray:
        """The balances of the open accounts (a view)."""
        return self._balance[: self.size]

    def open(self, n: int, initial: float | FloatArray = 0.0) -> None:
        """Open ``n`` new accounts at the end, with ``initial`` balances (clipped to the bound)."""
        if self.size + n > self._balance.size:
            grown = np.zeros(max(2 * self._balance.size, self.size + n))
            grown[: self.size] = self.balance
            self._balance = grown
        self._balance[self.size : self.size + n] = np.clip(initial, -self.bound, self.bound)
        self.size += n

    def deposit(self, accounts: IntArray, amounts: FloatArray) -> None:
        """Add ``amounts`` (>= 0) to ``accounts``; repeated accounts add up."""
        np.add.at(self._balance, accounts, amounts)
        np.clip(self.balance, -self.bound, self.bound, out=self.balance)

    def withdraw(self, accounts: IntArray, amounts: FloatArray) -> NDArray[np.bool_]:
        """Take ``loss_aversion · amounts`` from ``accounts``; True where it was not covered.

        ``accounts`` must be distinct (each crisis hits an account once per call).
        """
        cost = self.loss_aversion * np.asarray(amounts, dtype=np.float64)
        before = self._balance[accounts]
        self._balance[accounts] = np.maximum(before - cost, -self.bound)
        return np.asarray(before < cost)
