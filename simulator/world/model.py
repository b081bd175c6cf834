"""The alliance world as a Mesa model driven by discrete events at continuous times.

Organisations are Mesa agents on a :class:`mesa.discrete_space.Network`; their state and the
alliance table live in numpy arrays so each event processes every alliance at once. The model
holds the state and wires each event to the module of its mechanism, scheduled with Mesa's own
``schedule_recurring`` / ``schedule_event`` (bound methods only: Mesa holds them by weak
reference):

* ``search`` (every ``world.search_interval``): free organisations court neighbours and
  negotiate alliance terms (:mod:`~negsim.world.search`; essays 000, 002, 003); the signed
  alliances open their trust accounts (:mod:`~negsim.world.trust`).
* ``operate`` (monthly): reputations mend (:mod:`~negsim.world.reputation`); alliances create
  value, shirk and learn (:mod:`~negsim.world.value`; essays 002, 004); a month's trust
  withdrawals and deposits (essay 003); broken relationships and completed terms end.
* ``meet`` (every ``trust.meeting_interval``): meetings deposit trust (essays 001, 002).
* ``crisis`` (a Poisson process, by thinning): :mod:`~negsim.world.crises` (essay 004).
* ``review`` (every ``world.review_interval``): :mod:`~negsim.world.reviews` (essays 001, 003),
  which also holds how alliances end (:class:`~negsim.world.reviews.Exits`).
"""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.time import Schedule
from numpy.typing import NDArray

from negsim.rng import named_streams, root_entropy, root_sequence
from negsim.world import alternatives, beliefs, search, value
from negsim.world.alliances import CAUSE, AllianceTable
from negsim.world.crises import Crises
from negsim.world.network import build_network, edge_array
from negsim.world.organisations import Organisations, assign, draw_organisations
from negsim.world.records import AGENT_REPORTERS, MODEL_REPORTERS, Organisation
from negsim.world.reputation import Reputation
from negsim.world.reviews import Exits, Reviews
from negsim.world.scenario import WorldScenario
from negsim.world.search import Courtship
from negsim.world.terms import QUADRANT_ORDER, Stance, Terms
from negsim.world.trust import TrustAccounts

#: Named random streams, spawned in this order (adding draws to one never shifts another).
STREAMS = ("model", "network", "organisations", "search", "operate", "crises", "assign")


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
        assign(s.assign, self.orgs, streams["assign"])
        for i in range(n):  # Mesa agents: the organisations' monthly records read through them
            Organisation(self, i)
        edges = edge_array(self.graph)
        self.edges = edges[edges[:, 0] != edges[:, 1]]
        # Rows of running alliances, kept between changes (crises need them one at a time).
        self._live = np.zeros(0, dtype=np.int64)
        self._live_stale = True
        self._next_start = np.inf
        self.alliances = AllianceTable()
        self.trust = TrustAccounts(s)
        self.reputation = Reputation(s.reputation, self.orgs, edges)
        self.active = np.zeros(n, dtype=np.int64)  # running alliances per organisation
        self.signed = np.zeros(n, dtype=np.int64)  # alliances signed per organisation
        self.earned = np.zeros(n)  # value realised per organisation
        self.standalone = np.zeros(n)  # value its alternative paid, per organisation
        # both, discounted to month 0 at world.discount_rate (alternatives.annuity's rate)
        self.present_value = np.zeros(n)
        self._booked = np.zeros(n)  # earned + standalone when present_value was last updated
        self.exits = Exits(self.alliances, self.active, self.trust, self.reputation)
        self.reviews = Reviews(s, self.alliances, self.orgs, self.edges, self.active)
        self.negotiations = 0
        self.agreements = 0
        # Concessions made in every terms negotiation, by quadrant (QUADRANT_ORDER, essay 000).
        self.concessions = np.zeros(len(QUADRANT_ORDER), dtype=np.int64)
        self.crises = Crises(s, max(1, int(self.orgs.capacity.sum()) // 2), streams["crises"])
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
        if self.crises.enabled:
            self._next_crisis()

    @property
    def pair_trust(self) -> dict[tuple[int, int], float]:
        """Trust between a pair (lower index first) when they last worked together."""
        return self.trust.past

    # --- queries -----------------------------------------------------------------------
    def started_alive(self) -> NDArray[np.bool_]:
        """Alliances that have started operating and not ended."""
        t = self.alliances
        return np.asarray(t.alive & (t.start <= self.time), dtype=bool)

    def live_rows(self) -> NDArray[np.int64]:
        """Rows of running alliances (ascending), recomputed only after something changed."""
        if self._live_stale or self.time >= self._next_start:
            t = self.alliances
            self._live = np.flatnonzero(self.started_alive())
            pending = t.alive & (t.start > self.time)
            self._next_start = float(t.start[pending].min()) if pending.any() else np.inf
            self._live_stale = False
        return self._live

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
        return float(self.trust.balance[self.trust.both(rows)].mean())

    def potential(self, a: NDArray[np.intp], b: NDArray[np.intp]) -> NDArray[np.float64]:
        """Monthly value two organisations could create together (essay 002)."""
        return value.potential(self.config.value, self.orgs, a, b)

    # --- events ------------------------------------------------------------------------
    def search(self) -> None:
        """Free organisations court neighbours; matched pairs negotiate terms at once."""
        s, o = self.config, self.orgs
        free = self.reputation.eligible(self.active < o.capacity)
        pairs = self.edges[free[self.edges[:, 0]] & free[self.edges[:, 1]]]
        if pairs.shape[0] == 0:
            return
        true = self.potential(pairs[:, 0], pairs[:, 1])
        court = search.court(s, o, pairs, true, self.active, self.streams["search"])
        if court is None:
            return
        past = self.trust.remembered(court.a, court.b)
        stance = search.stance(s, o, court, 1.0 - self.active / o.capacity, past)
        terms = search.negotiate(s, o, court, stance)
        beliefs.record(o, court.a, court.b, terms.walked)  # reputations for walking away
        self.negotiations += len(court.a)
        self.agreements += int(terms.agreed.sum())
        self.concessions += terms.quadrants.sum(axis=(0, 1))
        self.negotiated(court, stance, terms)
        deals = search.deals(s, o, court, terms, self.time)
        if deals is None:
            return
        self._live_stale = True
        self.alliances.add(**deals)
        a, b = deals["a"], deals["b"]
        for counts in (self.active, self.signed):
            counts += np.bincount(a, minlength=o.n) + np.bincount(b, minlength=o.n)
        self.trust.sign(o, a, b, deals["symbolic_a"], deals["symbolic_b"])

    def negotiated(self, court: Courtship, stance: Stance, terms: Terms) -> None:
        """Called after every search's talks with the pairs, how they entered (their
        reservations) and the terms, offers and walk-outs: nothing is kept here (a sweep reads
        only the counts); a subclass may keep them, as the teaching visualiser does."""

    def operate(self) -> None:
        """A month of running alliances: value, shirking, trust, learning, endings."""
        s, t, rng = self.config, self.alliances, self.streams["operate"]
        self.reputation.recover()
        rows = self.live_rows()
        # The share of this month each alliance ran: from its start to its planned end.
        lo = np.maximum(t.start[rows], self.time - 1.0)
        span = np.clip(np.minimum(self.time, t.planned_end[rows]) - lo, 0.0, 1.0)
        rows, span = rows[span > 0], span[span > 0]
        if rows.size:
            shirk_a, shirk_b = value.month(s, self.orgs, t, self.earned, rows, span, rng)
            if s.trust.enabled:
                gap = t.commit_a[rows] - t.commit_b[rows]
                self.trust.month(rows, gap, shirk_a, shirk_b, span)
                coherence = self.orgs.coherence
                self.trust.messages(rows, coherence[t.a[rows]], coherence[t.b[rows]], span, rng)
            self._end(rows[self.trust.broken(rows)], "relationship", graceful=False)
        self._end(
            np.flatnonzero(t.alive & (t.planned_end <= self.time)), "completed", graceful=True
        )
        alternatives.standalone_month(s, self.orgs, t, self.time, self.standalone)
        self._book()
        self.datacollector.collect(self)

    def _book(self) -> None:
        """Add the value realised since the last booking (alliances' shares, standalone pay,
        meetings' costs) to ``present_value``, discounted from now."""
        total = self.earned + self.standalone
        discount = np.exp(-self.config.world.discount_rate * self.time)
        self.present_value += (total - self._booked) * discount
        self._booked = total

    def meet(self) -> None:
        """Partners meet (essays 001, 002: meet in person, frequently): both accounts gain, and
        the meeting takes time from operating."""
        rows = self.live_rows()
        self.trust.meet(rows)
        value.meeting(self.config, self.orgs, self.alliances, self.earned, rows)
        self._book()

    def _next_crisis(self) -> None:
        self.schedule_event(self.crisis, after=self.crises.wait())

    def crisis(self) -> None:
        """A candidate crisis (thinning): it hits a running alliance with the right chance."""
        row = self.crises.pick(self.live_rows())
        if row is not None:
            self.strike(row)
        self._next_crisis()

    def strike(self, row: int) -> bool:
        """A crisis hits alliance ``row``: it draws on both trust accounts (essay 004); a partner
        in conflict weighs leaving (:mod:`~negsim.world.crises`). Returns whether it broke."""
        broke = self.crises.strike(row, self.alliances, self.trust, self.orgs)
        if broke:
            self._end(np.array([row]), "shock", graceful=False)
        return broke

    def review(self) -> None:
        """Review, then restructure or exit (:meth:`~negsim.world.reviews.Reviews.review`)."""
        if self.config.review.enabled:
            self.reviews.review(self.started_alive(), self._end_gracefully)

    def _end_gracefully(self, rows: NDArray[np.intp], cause: str) -> None:
        self._end(rows, cause, graceful=True)

    def _end(self, rows: NDArray[np.intp], cause: str, *, graceful: bool) -> None:
        """End alliances (:meth:`~negsim.world.reviews.Exits.end`)."""
        if rows.size:
            self._live_stale = True
            self.exits.end(rows, cause, self.time, graceful=graceful)

    def run(self, until: float | None = None) -> None:
        """Run to ``until`` (default: the scenario's horizon)."""
        self.run_until(self.config.world.horizon if until is None else until)
