"""The alliance world as a Mesa model driven by discrete events at continuous times.

Organisations are Mesa agents on a :class:`mesa.discrete_space.Network`; their state and the
alliance table live in numpy arrays so each event processes every alliance at once. Events,
scheduled with Mesa's own ``schedule_recurring`` / ``schedule_event`` (bound methods only: Mesa
holds them by weak reference):

* ``search`` (every ``world.search_interval``): free organisations court neighbours, estimate
  partner value with optimistic noise (essays 002, 003: court carefully; diligence costs time
  and reduces the error) and negotiate alliance terms with the core's batch path (essay 000).
* ``operate`` (monthly): alliances create value from complementarity, compatibility and both
  efforts; the short side of a lopsided split is tempted to shirk (essays 002, 004); unequal
  commitment withdraws trust (essay 003, B-team); partners learn from each other (essay 002).
* ``meet`` (every ``trust.meeting_interval``): meetings deposit trust (essays 001, 002).
* ``crisis`` (a Poisson process, by thinning): a crisis needs a trust withdrawal; an alliance
  whose balance cannot cover it goes into conflict and may break (essay 004, imagine the worst).
* ``review`` (every ``world.review_interval``): an alliance realising too little of what was
  expected exits gracefully (essays 002, 003).

Messy exits (breaks) destroy trust and damage reputation, which spreads to neighbours and lowers
future partnering; graceful exits cost little (essays 002, 003).
"""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.time import Schedule
from numpy.typing import NDArray

from negsim.rng import named_streams, root_entropy, root_sequence
from negsim.world.alliances import CAUSE, AllianceTable
from negsim.world.network import build_network
from negsim.world.organisations import Organisations, draw_organisations
from negsim.world.records import AGENT_REPORTERS, MODEL_REPORTERS, Organisation
from negsim.world.scenario import WorldScenario
from negsim.world.stance import stance
from negsim.world.terms import QUADRANT_ORDER, negotiate_terms
from negsim.world.trust import TrustLedger

#: Named random streams, spawned in this order (adding draws to one never shifts another).
STREAMS = ("model", "network", "organisations", "search", "operate", "crises")


class AllianceModel(Model):
    """Organisations forming, running and ending alliances (see the module docstring)."""

    alliances: AllianceTable  # declared for mypy, which types the reporters above first

    def __init__(
        self,
        scenario: WorldScenario,
        seed: int | None = None,
        *,
        record_organisations: bool = True,
    ) -> None:
        """Build the world. Its DataCollector records the time series every month and, as Mesa
        users expect, each organisation's state (``model.datacollector.
        get_agent_vars_dataframe()``, :data:`~negsim.world.records.AGENT_REPORTERS`).
        ``record_organisations=False`` skips the per-organisation records, as sweeps do: they
        read only run metrics, and the records cost about 1 µs per organisation-month (a third
        of a default run's time) and memory that grows with organisations × months."""
        root = root_sequence(seed)
        self.seed_entropy = root_entropy(root)
        streams = named_streams(root, STREAMS)
        super().__init__(rng=streams["model"])
        self.config = s = scenario
        self.streams = streams
        n = s.world.organisations
        self.graph, block = build_network(s.network, n, streams["network"])
        self.orgs: Organisations = draw_organisations(
            s.organisations, n, block, streams["organisations"]
        )
        for i in range(n):  # Mesa agents: the organisations' monthly records read through them
            Organisation(self, i)
        edges = np.array(self.graph.edges(), dtype=np.int64).reshape(-1, 2)
        self.edges = edges[edges[:, 0] != edges[:, 1]]
        # Neighbours as CSR arrays, for spreading reputation without Python loops.
        adjacency = [list(self.graph.adj[i]) for i in range(n)]
        self.nbr_ptr = np.cumsum([0] + [len(x) for x in adjacency])
        self.nbr_idx = np.fromiter(
            (j for x in adjacency for j in x), dtype=np.int64, count=int(self.nbr_ptr[-1])
        )
        # Rows of running alliances, kept between changes (crises need them one at a time).
        self._live = np.zeros(0, dtype=np.int64)
        self._live_stale = True
        self._next_start = np.inf
        self.alliances = AllianceTable()
        self.trust = TrustLedger(bound=s.trust.bound, loss_aversion=s.trust.loss_aversion)
        self.active = np.zeros(n, dtype=np.int64)  # running alliances per organisation
        self.signed = np.zeros(n, dtype=np.int64)  # alliances signed per organisation
        self.earned = np.zeros(n)  # value realised per organisation
        self.negotiations = 0
        self.agreements = 0
        # Concessions made in every terms negotiation, by quadrant (QUADRANT_ORDER, essay 000).
        self.concessions = np.zeros(len(QUADRANT_ORDER), dtype=np.int64)
        # Trust between a pair when they last worked together (graceful exits keep it).
        self.pair_trust: dict[tuple[int, int], float] = {}
        self.max_alliances = max(1, int(self.orgs.capacity.sum()) // 2)
        self.datacollector = DataCollector(
            model_reporters={name: report for name, (report, _) in MODEL_REPORTERS.items()},
            agent_reporters=dict(AGENT_REPORTERS) if record_organisations else None,
        )
        self.schedule_recurring(self.search, Schedule(interval=s.world.search_interval, start=0.0))
        self.schedule_recurring(self.operate, Schedule(interval=1.0, start=1.0))
        self.schedule_recurring(
            self.review, Schedule(interval=s.world.review_interval, start=s.world.review_interval)
        )
        if s.trust.enabled:
            interval = s.trust.meeting_interval
            self.schedule_recurring(self.meet, Schedule(interval=interval, start=interval))
        if s.crises.enabled and s.crises.rate > 0:
            self._next_crisis()

    # --- queries -----------------------------------------------------------------------
    def started_alive(self) -> NDArray[np.bool_]:
        """Alliances that have started operating and not ended."""
        t = self.alliances
        return np.asarray(t.alive & (t.start <= self.time), dtype=bool)

    def failed(self) -> NDArray[np.bool_]:
        """Ended alliances that failed: ended early, or realised less than expected at signing."""
        t = self.alliances
        goal = self.config.review.goal
        short = (t.realised_a < goal * t.expected_a * t.months) | (
            t.realised_b < goal * t.expected_b * t.months
        )
        return np.asarray(~t.alive & ((t.cause != CAUSE["completed"]) | short), dtype=bool)

    def failure_rate(self) -> float:
        """Failed alliances over ended ones (alliances still running are censored)."""
        ended = int((~self.alliances.alive).sum())
        return float(self.failed().sum() / ended) if ended else float("nan")

    def mean_trust(self) -> float:
        """Mean trust balance over the accounts of running alliances."""
        rows = self.live_rows()
        if rows.size == 0:
            return float("nan")
        return float(self.trust.balance[np.concatenate([2 * rows, 2 * rows + 1])].mean())

    def potential(self, a: NDArray[np.intp], b: NDArray[np.intp]) -> NDArray[np.float64]:
        """Monthly value two organisations could create together (essay 002)."""
        v = self.config.value
        o = self.orgs
        if not v.enabled:
            return np.full(len(a), v.base)
        strength = (o.strength[a] + o.strength[b]) / 2  # "networks of the weak do not survive"
        complement = np.abs(o.capabilities[a] - o.capabilities[b]).mean(axis=1)
        similarity = (o.values[a] * o.values[b]).sum(axis=1)
        compatible = np.maximum((1 + v.compatibility * similarity) / (1 + v.compatibility), 0.05)
        return np.asarray(v.base * strength * (1 + v.complementarity * complement) * compatible)

    # --- events ------------------------------------------------------------------------
    def search(self) -> None:
        """Free organisations court neighbours; matched pairs negotiate terms at once."""
        s, o, rng = self.config, self.orgs, self.streams["search"]
        free = self.active < o.capacity
        if s.reputation.enabled:
            free &= o.reputation >= s.reputation.floor
        u, v = self.edges[:, 0], self.edges[:, 1]
        keep = free[u] & free[v]
        u, v = u[keep], v[keep]
        if u.size == 0:
            return
        true = self.potential(u, v)
        d = s.diligence
        bias, noise, delay = d.optimism, d.noise, 0.0
        if d.enabled:  # diligence costs time and removes part of the optimism and the noise
            bias, noise, delay = bias * (1 - d.reduction), noise * (1 - d.reduction), d.time
        estimate = true * (1 + bias + noise * rng.standard_normal(len(u)))
        appeal = estimate * o.reputation[u] * o.reputation[v]
        order = np.argsort(-appeal, kind="stable")
        # Greedy matching: each organisation opens at most one negotiation per search.
        taken = np.zeros(o.n, dtype=bool)
        pairs = []
        for k in order:
            i, j = u[k], v[k]
            if not taken[i] and not taken[j] and appeal[k] > 0:
                taken[i] = taken[j] = True
                pairs.append(k)
        if not pairs:  # no pair appeals (say, value.base = 0): nobody opens a negotiation
            return
        chosen = np.asarray(pairs, dtype=np.int64)
        a, b = u[chosen], v[chosen]
        # Every other free neighbour that found an organisation appealing is a rival suitor.
        wanted = appeal > 0
        suitors = np.bincount(np.concatenate([u[wanted], v[wanted]]), minlength=o.n)
        need = 1.0 - self.active / o.capacity  # without alliances, an organisation is eager
        past = np.array(
            [
                self.pair_trust.get((min(i, j), max(i, j)), 0.0)
                for i, j in zip(a.tolist(), b.tolist(), strict=True)
            ]
        )
        st = stance(
            o,
            a,
            b,
            rivals_a=np.maximum(suitors[a] - 1, 0),
            rivals_b=np.maximum(suitors[b] - 1, 0),
            eagerness_a=need[a],
            eagerness_b=need[b],
            past_trust=past,
            competition=s.competition,
            disclosure=s.disclosure,
        )
        c = s.concessions
        terms = negotiate_terms(
            o, a, b, s.world.deadline, st, (c.cost_threshold, c.value_threshold)
        )
        self.negotiations += len(a)
        self.concessions += terms.quadrants.sum(axis=(0, 1))
        ok = terms.agreed
        self.agreements += int(ok.sum())
        if not ok.any():
            return
        a, b, est = a[ok], b[ok], estimate[chosen][ok]
        signed = self.time + terms.rounds[ok] * s.world.offer_delay + delay
        # What the partners expect at signing: their (optimistic) estimate of the potential,
        # worked at the efforts they see in each other and the commitments they agreed.
        effort = self.orgs.effort
        expected_total = est * (effort[a] * terms.commit_a[ok] + effort[b] * terms.commit_b[ok]) / 2
        self._live_stale = True
        rows = self.alliances.add(
            a=a,
            b=b,
            signed=signed,
            start=signed,
            planned_end=signed + s.world.alliance_term,
            split=terms.split[ok],
            commit_a=terms.commit_a[ok],
            commit_b=terms.commit_b[ok],
            governance=terms.governance[ok],
            potential=true[chosen][ok],
            expected_a=expected_total * terms.split[ok],
            expected_b=expected_total * (1 - terms.split[ok]),
            realised_a=np.zeros(len(a)),
            realised_b=np.zeros(len(a)),
            output=np.zeros(len(a)),
            months=np.zeros(len(a)),
            symbolic_a=terms.symbolic_a[ok],
            symbolic_b=terms.symbolic_b[ok],
        )
        np.add.at(self.active, a, 1)
        np.add.at(self.active, b, 1)
        np.add.at(self.signed, a, 1)
        np.add.at(self.signed, b, 1)
        opening = np.full(len(rows), s.trust.initial if s.trust.enabled else 0.0)
        if s.frenemies.enabled:  # partners in one area, competitors in another (essay 004)
            opening = np.where(
                o.block[a] == o.block[b], opening * (1 - s.frenemies.trust_discount), opening
            )
        v = s.value
        if v.enabled and s.trust.enabled:  # shared values: a foundation for mutual trust (002)
            similarity = (o.values[a] * o.values[b]).sum(axis=1)
            opening = opening + v.trust_from_compatibility * similarity
        accounts = np.repeat(opening, 2)
        if c.enabled and s.trust.enabled:  # a symbolic concession received deposits trust
            accounts[0::2] += c.symbolic_deposit * terms.symbolic_b[ok]  # a's trust in b
            accounts[1::2] += c.symbolic_deposit * terms.symbolic_a[ok]  # b's trust in a
        if s.risk.enabled and s.trust.enabled:  # a risk clinic at launch builds trust (001)
            accounts += s.risk.clinic_deposit
        self.trust.open(2 * len(rows), accounts)

    def operate(self) -> None:
        """A month of running alliances: value, shirking, meetings, resentment, endings."""
        s, t, rng = self.config, self.alliances, self.streams["operate"]
        if s.reputation.enabled:  # reputations mend slowly: old stories fade
            rep = self.orgs.reputation
            np.minimum(rep + s.reputation.recovery, 1.0, out=rep)
        rows = self.live_rows()
        # The share of this month each alliance ran: from its start to its planned end.
        lo = np.maximum(t.start[rows], self.time - 1.0)
        span = np.clip(np.minimum(self.time, t.planned_end[rows]) - lo, 0.0, 1.0)
        rows, span = rows[span > 0], span[span > 0]
        if rows.size:
            a, b = t.a[rows], t.b[rows]
            work_a = self.orgs.effort[a] * t.commit_a[rows]
            work_b = self.orgs.effort[b] * t.commit_b[rows]
            split = t.split[rows]
            shirk_a = np.zeros(rows.size, dtype=bool)
            shirk_b = np.zeros(rows.size, dtype=bool)
            if s.shirking.enabled:  # the short side of a lopsided split is tempted
                sh = s.shirking
                p_a = span * np.clip(sh.sensitivity * (0.5 - sh.tolerance - split), 0, 1)
                p_b = span * np.clip(sh.sensitivity * (split - 0.5 - sh.tolerance), 0, 1)
                draws = rng.random((2, rows.size))
                shirk_a, shirk_b = draws[0] < p_a, draws[1] < p_b
                work_a = np.where(shirk_a, work_a / 2, work_a)
                work_b = np.where(shirk_b, work_b / 2, work_b)
                t.shirks[rows] += shirk_a.astype(np.int64) + shirk_b.astype(np.int64)
            noise = np.exp(s.value.noise * rng.standard_normal(rows.size) - s.value.noise**2 / 2)
            output = t.potential[rows] * (work_a + work_b) / 2 * noise * span
            if s.trust.enabled:  # ties beyond the first cost people's time
                output = output - s.trust.tie_cost * (s.trust.ties - 1) * span
            t.output[rows] += output
            t.realised_a[rows] += split * output  # the split divides the value, nothing lost
            t.realised_b[rows] += output - split * output
            np.add.at(self.earned, a, split * output)
            np.add.at(self.earned, b, output - split * output)
            t.months[rows] += span
            if s.learning.enabled:  # teach and learn: each picks up where the other is ahead
                cap = self.orgs.capabilities
                lead = cap[b] - cap[a]
                rate = s.learning.rate * span[:, None]
                np.add.at(cap, a, rate * np.maximum(lead, 0))
                np.add.at(cap, b, rate * np.maximum(-lead, 0))
            if s.trust.enabled:
                self._trust_month(rows, shirk_a, shirk_b, span)
                self._messages(rows, span)
            broken = rows[self._bankrupt(rows)]
            self._end(broken, "relationship", graceful=False)
        due = np.flatnonzero(t.alive & (t.planned_end <= self.time))
        self._end(due, "completed", graceful=True)
        self.datacollector.collect(self)

    def _trust_month(
        self,
        rows: NDArray[np.intp],
        shirk_a: NDArray[np.bool_],
        shirk_b: NDArray[np.bool_],
        span: NDArray[np.float64],
    ) -> None:
        """Withdrawals of a month (or of the part of it an alliance ran): shirking, B-team."""
        tr, t = self.config.trust, self.alliances
        if self.config.shirking.enabled:
            w = self.config.shirking.withdrawal
            # a's account (2r) is a's trust in b: b's shirking withdraws from it, and vice versa.
            self.trust.withdraw(2 * rows[shirk_b], np.full(int(shirk_b.sum()), w))
            self.trust.withdraw(2 * rows[shirk_a] + 1, np.full(int(shirk_a.sum()), w))
        if self.config.shirking.enabled:  # kept commitments: who delivered earns trust
            kept = self.config.shirking.kept_deposit * span
            self.trust.deposit(2 * rows[~shirk_b], kept[~shirk_b])
            self.trust.deposit(2 * rows[~shirk_a] + 1, kept[~shirk_a])
        gap = t.commit_a[rows] - t.commit_b[rows]  # the A-team resents a B-team partner
        more_a, more_b = gap > 0, gap < 0
        self.trust.withdraw(2 * rows[more_a], tr.resentment * gap[more_a] * span[more_a])
        self.trust.withdraw(2 * rows[more_b] + 1, -tr.resentment * gap[more_b] * span[more_b])

    def _messages(self, rows: NDArray[np.intp], span: NDArray[np.float64]) -> None:
        """Mixed messages (essay 004): an incoherent partner makes the other question it."""
        m = self.config.messages
        if not m.enabled:
            return
        t, coherence = self.alliances, self.orgs.coherence
        draws = self.streams["operate"].random((2, rows.size))
        from_a = draws[0] < m.rate * (1 - coherence[t.a[rows]]) * span
        from_b = draws[1] < m.rate * (1 - coherence[t.b[rows]]) * span
        self.trust.withdraw(2 * rows[from_b], np.full(int(from_b.sum()), m.withdrawal))
        self.trust.withdraw(2 * rows[from_a] + 1, np.full(int(from_a.sum()), m.withdrawal))

    def meet(self) -> None:
        """Partners meet (essays 001, 002: meet in person, frequently): both accounts gain."""
        rows = self.live_rows()
        both = np.concatenate([2 * rows, 2 * rows + 1])
        tr = self.config.trust  # every people-level tie makes the meeting count (essay 002)
        self.trust.deposit(both, np.full(both.size, tr.meeting_deposit * tr.ties))

    def _bankrupt(self, rows: NDArray[np.intp]) -> NDArray[np.bool_]:
        """Relationships whose trust is deeply negative on either side."""
        if not self.config.trust.enabled:
            return np.zeros(rows.size, dtype=bool)
        floor = -0.5 * self.config.trust.bound
        bal = self.trust.balance
        return np.asarray((bal[2 * rows] <= floor) | (bal[2 * rows + 1] <= floor))

    def _next_crisis(self) -> None:
        rate = self.config.crises.rate * self.max_alliances
        self.schedule_event(self.crisis, after=float(self.streams["crises"].exponential(1 / rate)))

    def live_rows(self) -> NDArray[np.int64]:
        """Rows of running alliances (ascending), recomputed only after something changed."""
        if self._live_stale or self.time >= self._next_start:
            t = self.alliances
            self._live = np.flatnonzero(self.started_alive())
            pending = t.alive & (t.start > self.time)
            self._next_start = float(t.start[pending].min()) if pending.any() else np.inf
            self._live_stale = False
        return self._live

    def crisis(self) -> None:
        """A candidate crisis (thinning): it hits a running alliance with the right chance."""
        rng = self.streams["crises"]
        rows = self.live_rows()
        accept = rng.random() < rows.size / self.max_alliances
        if rows.size and accept:
            self.strike(int(rows[rng.integers(rows.size)]))
        self._next_crisis()

    def strike(self, row: int) -> bool:
        """A crisis hits alliance ``row``: it draws on both trust accounts (essay 004).

        An alliance whose balance cannot cover the withdrawal goes into conflict and breaks with
        ``crises.break_probability``. Returns whether it broke.
        """
        c, rng = self.config.crises, self.streams["crises"]
        self.alliances.crises[row] += 1
        if self.config.trust.enabled:
            accounts = np.array([2 * row, 2 * row + 1])
            hit = np.full(2, c.severity)
            if self.config.risk.enabled:  # risk-tolerant partners absorb part of the shock
                owners = np.array([self.alliances.a[row], self.alliances.b[row]])
                hit *= 1 - self.config.risk.tolerance_effect * self.orgs.risk_tolerance[owners]
            uncovered = bool(self.trust.withdraw(accounts, hit).any())
        else:  # no trust account to draw on: every crisis is uncovered
            uncovered = True
        broke = uncovered and bool(rng.random() < c.break_probability)
        if broke:
            self._end(np.array([row]), "shock", graceful=False)
        return broke

    def review(self) -> None:
        """Review, then restructure or exit (essays 001, 003).

        An alliance where a partner realises less than ``review.threshold`` of what it expected
        exits gracefully (cause ``underperformed``). One where a partner misses its goal while
        the other beats its expectation is restructured: the split moves towards the short
        partner. A partner whose free neighbours promise clearly more than the alliance delivers
        leaves gracefully (cause ``alternative``).
        """
        s, t = self.config, self.alliances
        r = s.review
        if not r.enabled:
            return
        rows = np.flatnonzero(self.started_alive() & (t.months >= s.world.review_interval / 2))
        if rows.size == 0:
            return
        months = t.months[rows]
        ratio = []
        for realised, expected in ((t.realised_a, t.expected_a), (t.realised_b, t.expected_b)):
            goal = expected[rows] * months  # a partner expecting nothing is never short
            ratio.append(np.where(goal > 0, realised[rows] / np.where(goal > 0, goal, 1), np.inf))
        short = (ratio[0] < r.threshold) | (ratio[1] < r.threshold)
        self._end(rows[short], "underperformed", graceful=True)
        rows, ratio = rows[~short], [x[~short] for x in ratio]
        if r.restructure_step > 0:  # rebalance a split that leaves one partner behind
            a_behind = (ratio[0] < r.goal) & (ratio[1] > 1)
            b_behind = (ratio[1] < r.goal) & (ratio[0] > 1)
            t.split[rows[a_behind]] = np.minimum(t.split[rows[a_behind]] + r.restructure_step, 1)
            t.split[rows[b_behind]] = np.maximum(t.split[rows[b_behind]] - r.restructure_step, 0)
            t.restructured[rows[a_behind | b_behind]] += 1
        if np.isfinite(r.alternative_margin) and rows.size:
            delivering = np.minimum(np.minimum(ratio[0], ratio[1]), 1.0)
            leave = self._better_elsewhere(rows, delivering)
            self._end(rows[leave], "alternative", graceful=True)

    def _better_elsewhere(
        self, rows: NDArray[np.intp], delivering: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        """Alliances one of whose partners has a free neighbour promising clearly more.

        Like is compared with like: a neighbour's potential (reputation-weighted) against this
        alliance's potential, discounted by how far it delivers on its expectations.
        """
        t, o = self.alliances, self.orgs
        free = self.active < o.capacity
        u, v = self.edges[:, 0], self.edges[:, 1]
        best = np.zeros(o.n)  # the best potential a free neighbour offers each organisation
        for x, y in ((u, v), (v, u)):
            mask = free[y]
            np.maximum.at(best, x[mask], self.potential(x[mask], y[mask]) * o.reputation[y[mask]])
        here = (1 + self.config.review.alternative_margin) * t.potential[rows] * delivering
        return np.asarray((best[t.a[rows]] > here) | (best[t.b[rows]] > here))

    def _end(self, rows: NDArray[np.intp], cause: str, *, graceful: bool) -> None:
        """End alliances: free capacity, record the cause, charge reputation."""
        if rows.size == 0:
            return
        t, rep = self.alliances, self.config.reputation
        t.end[rows] = self.time
        t.cause[rows] = CAUSE[cause]
        t.graceful[rows] = graceful
        partners = np.concatenate([t.a[rows], t.b[rows]])
        self._live_stale = True
        bal = self.trust.balance
        for row, i, j in zip(rows.tolist(), t.a[rows].tolist(), t.b[rows].tolist(), strict=True):
            self.pair_trust[(min(i, j), max(i, j))] = (
                -self.trust.bound if not graceful else float(bal[2 * row : 2 * row + 2].mean())
            )
        np.subtract.at(self.active, partners, 1)
        if not graceful and self.config.trust.enabled:  # messy exits destroy trust
            self.trust.balance[np.concatenate([2 * rows, 2 * rows + 1])] = -self.trust.bound
        if rep.enabled:
            cost = rep.graceful_cost if graceful else rep.messy_cost
            np.subtract.at(self.orgs.reputation, partners, cost)
            touched = partners
            if not graceful:  # word spreads to the neighbours
                near = np.concatenate(
                    [self.nbr_idx[self.nbr_ptr[p] : self.nbr_ptr[p + 1]] for p in partners.tolist()]
                )
                np.subtract.at(self.orgs.reputation, near, rep.spread * cost)
                touched = np.concatenate([partners, near])
            rep_now = self.orgs.reputation
            rep_now[touched] = np.clip(rep_now[touched], 0.0, 1.0)

    def run(self, until: float | None = None) -> None:
        """Run to ``until`` (default: the scenario's horizon)."""
        self.run_until(self.config.world.horizon if until is None else until)
