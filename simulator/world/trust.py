"""Trust bank accounts: one balance per alliance and direction, with every rule that moves them.

Essay 003, "Building a 'Trust Bank Account'": "Small, consistent deposits — meeting deadlines,
transparent communication, following through on promises — build a balance. When a major
conflict arises ... you can make a withdrawal from this account to navigate the crisis without
destroying the relationship. Alliances that start with purely contractual trust have no balance
to draw from when trouble hits."

Layout: alliance ``r`` (a row of the alliance table) owns accounts ``2r`` (a's trust in b) and
``2r + 1`` (b's trust in a); what b does moves account ``2r`` and vice versa. Balances live in
[-bound, bound]. Deposits add their amount; withdrawals subtract ``loss_aversion`` times theirs
(losses weigh more than gains, Kahneman & Tversky 1979). A withdrawal the balance cannot cover —
one that would take it below zero — is *uncovered*: the caller decides what that means
(conflict, a break-up).

The rules (:class:`TrustAccounts`): the opening balance at signing (frenemies, shared values,
symbolic concessions, a risk clinic), a month's withdrawals and deposits (shirking, kept
commitments, the B-team's resentment, mixed messages), meetings, crises, the break when an
account falls to ``-trust.break_level · trust.bound``, and the memory of a pair's trust when an
alliance ends (messy ends destroy it).

Examples:
    >>> from negsim.world.scenario import WorldScenario
    >>> ledger = TrustAccounts(WorldScenario())  # bound 1, loss aversion 2
    >>> ledger.open(2, initial=0.3)
    >>> ledger.deposit(np.array([0, 1]), np.array([0.1, 0.1]))
    >>> ledger.withdraw(np.array([0]), np.array([0.25])).tolist()
    [True]
    >>> [round(float(x), 6) for x in ledger.balance[:2]]
    [-0.1, 0.4]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from negsim.world.accumulate import add_at
from negsim.world.organisations import Organisations
from negsim.world.scenario import WorldScenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class TrustAccounts:
    """Balances of the alliances' accounts in one growing array, and the rules that move them."""

    def __init__(self, scenario: WorldScenario, capacity: int = 64) -> None:
        tr = scenario.trust
        if tr.bound <= 0 or tr.loss_aversion < 1:
            raise ValueError("trust needs bound > 0 and loss_aversion >= 1")
        self.config = scenario
        self.bound = tr.bound
        self.loss_aversion = tr.loss_aversion
        self._balance = np.zeros(capacity)
        self.size = 0
        #: Trust between a pair (lower index first) when they last worked together: the mean of
        #: their balances after a graceful end, ``-bound`` after a messy one.
        self.past: dict[tuple[int, int], float] = {}

    # --- the ledger ----------------------------------------------------------------------
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
        add_at(self._balance, accounts, amounts)
        np.clip(self.balance, -self.bound, self.bound, out=self.balance)

    def withdraw(self, accounts: IntArray, amounts: FloatArray) -> NDArray[np.bool_]:
        """Take ``loss_aversion · amounts`` from ``accounts``; True where it was not covered.

        ``accounts`` must be distinct (each crisis hits an account once per call).
        """
        cost = self.loss_aversion * np.asarray(amounts, dtype=np.float64)
        before = self._balance[accounts]
        self._balance[accounts] = np.maximum(before - cost, -self.bound)
        return np.asarray(before < cost)

    @staticmethod
    def both(rows: IntArray) -> IntArray:
        """Both accounts of alliances ``rows``: every a's trust in b, then every b's in a."""
        return np.concatenate([2 * rows, 2 * rows + 1])

    # --- the rules -----------------------------------------------------------------------
    def sign(
        self,
        orgs: Organisations,
        a: IntArray,
        b: IntArray,
        symbolic_a: NDArray[np.int64],
        symbolic_b: NDArray[np.int64],
    ) -> None:
        """Open the accounts of alliances just signed by (a[i], b[i]), appended in that order."""
        s = self.config
        opening = np.full(len(a), s.trust.initial if s.trust.enabled else 0.0)
        if s.frenemies.enabled:  # partners in one area, competitors in another (essay 004)
            opening = np.where(
                orgs.block[a] == orgs.block[b], opening * (1 - s.frenemies.trust_discount), opening
            )
        v, c = s.value, s.concessions
        if v.enabled and s.trust.enabled:  # shared values: a foundation for mutual trust (002)
            similarity = (orgs.values[a] * orgs.values[b]).sum(axis=1)
            opening = opening + v.trust_from_compatibility * similarity
        accounts = np.repeat(opening, 2)
        if c.enabled and s.trust.enabled:  # a symbolic concession received deposits trust
            accounts[0::2] += c.symbolic_deposit * symbolic_b  # a's trust in b
            accounts[1::2] += c.symbolic_deposit * symbolic_a  # b's trust in a
        if s.risk.enabled and s.trust.enabled:  # a risk clinic before launch builds trust (001)
            accounts += s.risk.clinic_deposit
        self.open(2 * len(a), accounts)

    def month(
        self,
        rows: IntArray,
        commit_gap: FloatArray,
        shirk_a: NDArray[np.bool_],
        shirk_b: NDArray[np.bool_],
        span: FloatArray,
    ) -> None:
        """Withdrawals and deposits of a month (or the part of it an alliance ran): shirking,
        kept commitments, and the A-team's resentment of a B-team partner (``commit_gap`` is
        ``commit_a - commit_b``)."""
        s = self.config
        if s.shirking.enabled:
            w = s.shirking.withdrawal
            # a's account (2r) is a's trust in b: b's shirking withdraws from it, and vice versa.
            self.withdraw(2 * rows[shirk_b], np.full(int(shirk_b.sum()), w))
            self.withdraw(2 * rows[shirk_a] + 1, np.full(int(shirk_a.sum()), w))
            kept = s.shirking.kept_deposit * span  # kept commitments: who delivered earns trust
            self.deposit(2 * rows[~shirk_b], kept[~shirk_b])
            self.deposit(2 * rows[~shirk_a] + 1, kept[~shirk_a])
        gap, resentment = commit_gap, s.trust.resentment
        more_a, more_b = gap > 0, gap < 0
        self.withdraw(2 * rows[more_a], resentment * gap[more_a] * span[more_a])
        self.withdraw(2 * rows[more_b] + 1, -resentment * gap[more_b] * span[more_b])

    def messages(
        self,
        rows: IntArray,
        coherence_a: FloatArray,
        coherence_b: FloatArray,
        span: FloatArray,
        rng: np.random.Generator,
    ) -> None:
        """Mixed messages (essay 004): an incoherent partner makes the other question it."""
        m = self.config.messages
        if not m.enabled:
            return
        draws = rng.random((2, rows.size))
        from_a = draws[0] < m.rate * (1 - coherence_a) * span
        from_b = draws[1] < m.rate * (1 - coherence_b) * span
        self.withdraw(2 * rows[from_b], np.full(int(from_b.sum()), m.withdrawal))
        self.withdraw(2 * rows[from_a] + 1, np.full(int(from_a.sum()), m.withdrawal))

    def meet(self, rows: IntArray) -> None:
        """Partners meet (essays 001, 002: meet in person, frequently): both accounts gain."""
        both = self.both(rows)
        tr = self.config.trust  # every people-level tie makes the meeting count (essay 002)
        self.deposit(both, np.full(both.size, tr.meeting_deposit * tr.ties))

    def strike(self, row: int, risk_tolerance: Sequence[float]) -> NDArray[np.bool_]:
        """A crisis draws on both accounts of alliance ``row`` (essay 004); ``risk_tolerance``
        holds its partners' (a, b). Returns, for a and b, whether its account could not cover
        it (always, without trust accounts)."""
        s = self.config
        if not s.trust.enabled:  # no trust account to draw on: every crisis is uncovered
            return np.ones(2, dtype=bool)
        uncovered = np.zeros(2, dtype=bool)
        for side in (0, 1):  # one account at a time, in scalars: crises come one by one
            hit = s.crises.severity
            if s.risk.enabled:  # risk-tolerant partners absorb part of the shock
                hit *= 1 - s.risk.tolerance_effect * float(risk_tolerance[side])
            cost = self.loss_aversion * hit
            before = float(self._balance[2 * row + side])
            self._balance[2 * row + side] = max(before - cost, -self.bound)
            uncovered[side] = before < cost
        return uncovered

    def broken(self, rows: IntArray) -> NDArray[np.bool_]:
        """Relationships whose trust is deeply negative on either side."""
        if not self.config.trust.enabled:
            return np.zeros(rows.size, dtype=bool)
        floor = -self.config.trust.break_level * self.bound
        bal = self.balance
        return np.asarray((bal[2 * rows] <= floor) | (bal[2 * rows + 1] <= floor))

    def close(self, rows: IntArray, a: IntArray, b: IntArray, *, graceful: bool) -> None:
        """Alliances ``rows`` of (a[i], b[i]) ended: remember each pair's trust; messy ends
        destroy it."""
        bal = self.balance
        if graceful:  # the mean of the pair's two balances
            kept = ((bal[2 * rows] + bal[2 * rows + 1]) / 2.0).tolist()
        else:
            kept = [-self.bound] * len(rows)
        pairs = zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True)
        self.past.update(zip(pairs, kept, strict=True))
        if not graceful and self.config.trust.enabled:  # messy exits destroy trust
            self.balance[self.both(rows)] = -self.bound

    def remembered(self, a: IntArray, b: IntArray) -> FloatArray:
        """Each pair's trust when they last worked together (0 if never)."""
        get = self.past.get
        low, high = np.minimum(a, b).tolist(), np.maximum(a, b).tolist()
        return np.array([get(pair, 0.0) for pair in zip(low, high, strict=True)], dtype=np.float64)
