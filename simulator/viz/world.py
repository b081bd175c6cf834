"""The world behind the teaching page: the sliders, the world they build, and what the page reads
from it (readouts, the monthly history, each organisation's status, the events of the last
months, the negotiations held).

Nothing here draws: :mod:`negsim.viz.figures` draws, :mod:`negsim.viz.app` lays out the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from negsim.negotiation import analysis
from negsim.negotiation.party import ConcessionThresholds
from negsim.negotiation.protocol import classify
from negsim.world import search, terms
from negsim.world.model import AllianceModel
from negsim.world.scenario import WorldScenario, load_scenario
from negsim.world.terms import Stance, Terms

#: How long an ended alliance stays on the network (a dashed edge fading out), in months.
FADE_MONTHS = 6.0
#: An organisation whose alliance failed this recently is drawn as "recently failed".
RECENT_FAILURE_MONTHS = 6.0
#: The failure-rate chart stays blank until this many alliances have ended.
MIN_ENDED = 5
#: Organisation status, in the order the legend lists them.
STATUSES = ("free", "deal signed, not started", "allied", "recently failed")


@dataclass(frozen=True, kw_only=True)
class Knob:
    """A slider: the scenario field it sets, its label, its range, and the essay idea behind it."""

    field: str
    label: str
    short: str
    low: float
    high: float
    step: float
    idea: str

    @property
    def integer(self) -> bool:
        """True for a count (the number of organisations)."""
        return self.field == "world.organisations"

    def show(self, value: float) -> str:
        """The value as the page prints it."""
        return f"{int(value)}" if self.integer else f"{value:g}"


#: The sliders, keyed by the :class:`TeachingWorld` keyword they set.
KNOBS: dict[str, Knob] = {
    "walk_away": Knob(
        field="organisations.walk_away",
        label="Willingness to walk away",
        short="walk away",
        low=0,
        high=1,
        step=0.05,
        idea="Essay 000: with an alternative, and willing to walk away, the other side chases "
        "you; walk out too often and there is no deal.",
    ),
    "trust_growth": Knob(
        field="trust.meeting_deposit",
        label="Trust growth per meeting",
        short="trust growth",
        low=0,
        high=0.1,
        step=0.005,
        idea="Essay 003: trust is a bank account; each meeting is a deposit, each conflict or "
        "shirked duty a withdrawal.",
    ),
    "crisis_rate": Knob(
        field="crises.rate",
        label="Crisis rate (per alliance-month)",
        short="crisis rate",
        low=0,
        high=0.1,
        step=0.005,
        idea="Essay 004: crises draw on both partners' trust; an alliance without reserves breaks.",
    ),
    "meeting_interval": Knob(
        field="trust.meeting_interval",
        label="Months between meetings",
        short="months between meetings",
        low=0.5,
        high=12,
        step=0.5,
        idea="Essays 001 and 002: keep communicating, in person; but every meeting takes time "
        "from the work.",
    ),
    "organisations": Knob(
        field="world.organisations",
        label="Organisations",
        short="organisations",
        low=8,
        high=100,
        step=1,
        idea="Essay 004: more organisations, more partners to choose from and to compete for.",
    ),
}


def setting(scenario: WorldScenario, key: str) -> float:
    """The value the scenario gives the slider ``key``."""
    section, _, name = KNOBS[key].field.partition(".")
    return float(getattr(getattr(scenario, section), name))


@dataclass(frozen=True, kw_only=True)
class Talk:
    """One terms negotiation of the world, as the negotiation view shows it.

    ``offers`` are the outcome indices offered, round by round (a opens, so a made the even
    positions); ``walked`` is 0 if a walked away, 1 if b did, −1 if neither; ``outcome`` is the
    signed terms (after any symbolic gesture), −1 without a deal.
    """

    time: float
    a: int
    b: int
    offers: NDArray[np.int32]
    reservation_a: float
    reservation_b: float
    walked: int
    outcome: int

    @property
    def agreed(self) -> bool:
        """Whether the talks ended in a deal."""
        return self.outcome >= 0

    def label(self) -> str:
        """One line for a list of negotiations."""
        end = (
            "deal"
            if self.agreed
            else f"walk-out by {self.b if self.walked else self.a}"
            if self.walked >= 0
            else "no deal"
        )
        return f"month {self.time:g}: {self.a} ↔ {self.b}, {end} after {self.offers.size} offers"


class TeachingWorld(AllianceModel):
    """The alliance world built from a scenario file and the sliders' values.

    The page rebuilds it on Reset by calling the class with keyword arguments only, so the
    scenario is named by ``scenario_file`` and each slider is a keyword; ``None`` keeps the
    scenario's own value. It keeps every negotiation (:attr:`talks`) for the negotiation view
    and stops at the scenario's horizon.
    """

    def __init__(
        self,
        *,
        scenario_file: str = "classroom",
        seed: int = 1,
        walk_away: float | None = None,
        trust_growth: float | None = None,
        crisis_rate: float | None = None,
        meeting_interval: float | None = None,
        organisations: int | None = None,
    ) -> None:
        chosen = {
            "walk_away": walk_away,
            "trust_growth": trust_growth,
            "crisis_rate": crisis_rate,
            "meeting_interval": meeting_interval,
            "organisations": None if organisations is None else int(organisations),
        }
        overrides: dict[str, object] = {
            KNOBS[k].field: v for k, v in chosen.items() if v is not None
        }
        self.talks: list[Talk] = []
        super().__init__(load_scenario(scenario_file, overrides), seed=seed)
        self.scenario_file = scenario_file
        self.root_seed = seed
        self.settings = {key: setting(self.config, key) for key in KNOBS}
        self.layout = node_layout(self)
        self.edge_rows = edge_index(self)  # the network is fixed: its edge → row map too

    def step(self) -> None:
        """Called by Mesa every month: stop at the horizon."""
        self.running = self.time < self.config.world.horizon

    def negotiated(self, court: search.Courtship, stance: Stance, terms: Terms) -> None:
        """Keep each negotiation of the search for the negotiation view."""
        rows = terms.offers
        for k in range(len(court.a)):
            offers = rows[k]
            self.talks.append(
                Talk(
                    time=float(self.time),
                    a=int(court.a[k]),
                    b=int(court.b[k]),
                    offers=offers[offers >= 0].copy(),
                    reservation_a=float(stance.reservation_a[k]),
                    reservation_b=float(stance.reservation_b[k]),
                    walked=int(terms.walked[k]),
                    outcome=int(terms.outcome[k]),
                )
            )


def node_layout(model: AllianceModel) -> NDArray[np.float64]:
    """Fixed node positions (n, 2): a ring for small worlds, Kamada-Kawai otherwise."""
    graph = model.graph
    if model.config.network.kind == "watts_strogatz":
        pos = nx.circular_layout(graph)
    elif graph.number_of_nodes() <= 300:
        pos = nx.kamada_kawai_layout(graph)
    else:  # a seeded spring layout: never networkx with seed=None
        pos = nx.spring_layout(graph, seed=int(model.seed_entropy % 2**32))
    return np.array([pos[i] for i in range(graph.number_of_nodes())])


# --- what the page reads ---------------------------------------------------------------------
def readouts(model: AllianceModel) -> dict[str, Any]:
    """The monitors: the month, the talks so far and the alliances' life cycle so far."""
    t = model.alliances
    started = int((t.start <= model.time).sum())
    ended = int((~t.alive).sum())
    return {
        "month": float(model.time),
        "negotiations": int(model.negotiations),
        "deals": int(model.agreements),
        "walkouts": int(model.orgs.walkouts.sum()),
        "formed": started,
        "running": int(model.live_rows().size),
        "ended": ended,
        "failed": int(model.failed().sum()),
        "mean_trust": model.mean_trust(),
    }


def history(model: AllianceModel) -> pd.DataFrame:
    """One row per month so far: the DataCollector's series, with the alliances ended and
    failed by then (from the alliance table: an ended alliance's record no longer changes) and
    the failure rate only once :data:`MIN_ENDED` have ended."""
    df = model.datacollector.get_model_vars_dataframe()
    if df.empty:
        return pd.DataFrame(columns=[*df.columns, "ended", "failed"])
    t = model.alliances
    done = ~t.alive
    months = df["time"].to_numpy(dtype=float)
    ends = np.sort(t.end[done])
    fails = np.sort(t.end[done & model.failed()])
    out = df.copy()
    out["ended"] = np.searchsorted(ends, months, side="right")
    out["failed"] = np.searchsorted(fails, months, side="right")
    shown = out["ended"] >= MIN_ENDED
    out["failure_rate"] = np.where(shown, out["failed"] / np.maximum(out["ended"], 1), np.nan)
    return out


def status(model: AllianceModel) -> NDArray[np.int64]:
    """Each organisation's index in :data:`STATUSES`: allied if in a running alliance, else
    waiting to start a signed one, else recently failed, else free."""
    t, n, now = model.alliances, model.orgs.n, model.time
    out = np.zeros(n, dtype=np.int64)
    failed = model.failed() & (t.end > now - RECENT_FAILURE_MONTHS)
    out[t.a[failed]] = 3
    out[t.b[failed]] = 3
    waiting = t.alive & (t.start > now)
    out[t.a[waiting]] = 1
    out[t.b[waiting]] = 1
    rows = model.live_rows()
    out[t.a[rows]] = 2
    out[t.b[rows]] = 2
    return out


def accumulated_value(model: AllianceModel) -> NDArray[np.float64]:
    """Value each organisation has realised in all its alliances so far."""
    t, n = model.alliances, model.orgs.n
    return np.asarray(
        np.bincount(t.a, t.realised_a, minlength=n) + np.bincount(t.b, t.realised_b, minlength=n)
    )


def edge_index(model: AllianceModel) -> dict[tuple[int, int], int]:
    """Network edge (lower index first) → its row in ``model.edges``."""
    return {(min(u, v), max(u, v)): k for k, (u, v) in enumerate(model.edges.tolist())}


def _edges_of(index: dict[tuple[int, int], int], a: Any, b: Any) -> NDArray[np.int64]:
    return np.array(
        [index[(min(i, j), max(i, j))] for i, j in zip(a, b, strict=True)], dtype=np.int64
    )


def edge_trust(model: TeachingWorld) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Per network edge: the pair's trust balance (NaN if never allied) and whether it is live.

    Running alliances show the mean of their accounts (a pair may run two at once); a pair
    allied only in the past shows the trust it kept when its last alliance ended.
    """
    t, bal = model.alliances, model.trust.balance
    index = model.edge_rows
    trust = np.full(len(model.edges), np.nan)
    for pair, value in model.pair_trust.items():
        if pair in index:
            trust[index[pair]] = value
    rows = model.live_rows()
    k = _edges_of(index, t.a[rows].tolist(), t.b[rows].tolist())
    total = np.bincount(k, bal[2 * rows] + bal[2 * rows + 1], minlength=len(model.edges))
    count = np.bincount(k, minlength=len(model.edges))
    live = count > 0
    trust[live] = total[live] / (2 * count[live])
    return trust, live


@dataclass(frozen=True, kw_only=True)
class Events:
    """What happened lately, by network edge: alliances started in the last month, alliances
    ended in the last :data:`FADE_MONTHS` (with their age and whether they failed) and the
    walk-outs of the last search (with the organisation that walked)."""

    new: NDArray[np.int64]
    ended: NDArray[np.int64]
    ended_age: NDArray[np.float64]
    ended_failed: NDArray[np.bool_]
    walkouts: NDArray[np.int64]
    walkers: NDArray[np.int64]


def events(model: TeachingWorld) -> Events:
    """The :class:`Events` at the model's current time."""
    t, now = model.alliances, model.time
    index = model.edge_rows
    new = np.flatnonzero((t.start > now - 1.0) & (t.start <= now))
    gone = np.flatnonzero(~t.alive & (t.end > now - FADE_MONTHS))
    window = model.config.world.search_interval
    walks = [k for k in model.talks if k.walked >= 0 and k.time > now - window]
    return Events(
        new=_edges_of(index, t.a[new].tolist(), t.b[new].tolist()),
        ended=_edges_of(index, t.a[gone].tolist(), t.b[gone].tolist()),
        ended_age=now - t.end[gone],
        ended_failed=model.failed()[gone],
        walkouts=_edges_of(index, [k.a for k in walks], [k.b for k in walks]),
        walkers=np.array([k.b if k.walked else k.a for k in walks], dtype=np.int64),
    )


@dataclass(frozen=True, kw_only=True)
class TalkSpace:
    """A negotiation in utility space: every possible set of terms as (a's utility, b's), the
    Pareto frontier (outcomes ordered along it), the Nash point, both reservations and the
    offers made, each concession with its quadrant (essay 000; "" for an offer that conceded
    nothing)."""

    talk: Talk
    ua: NDArray[np.float64]
    ub: NDArray[np.float64]
    frontier: NDArray[np.intp]
    nash: int | None
    makers: NDArray[np.int64]  # 0: a made the offer, 1: b did
    quadrant: tuple[str, ...]


def talk_space(model: AllianceModel, talk: Talk) -> TalkSpace:
    """The :class:`TalkSpace` of one of the world's negotiations."""
    ua = terms.utilities(model.orgs, np.array([talk.a]), True)[0]
    ub = terms.utilities(model.orgs, np.array([talk.b]), False)[0]
    k = model.config.concessions
    limits = ConcessionThresholds(cost=k.cost_threshold, value=k.value_threshold)
    makers = np.arange(talk.offers.size) % 2
    quadrant: list[str] = []
    for j, outcome in enumerate(talk.offers.tolist()):
        mine, theirs = (ua, ub) if makers[j] == 0 else (ub, ua)
        prev = int(talk.offers[j - 2]) if j >= 2 else outcome
        cost = float(mine[prev] - mine[outcome])
        quadrant.append(
            classify(cost, float(theirs[outcome] - theirs[prev]), limits) if cost > 0 else ""
        )
    return TalkSpace(
        talk=talk,
        ua=ua,
        ub=ub,
        frontier=analysis.frontier(ua, ub),
        nash=analysis.nash_point(ua, ub, talk.reservation_a, talk.reservation_b),
        makers=makers,
        quadrant=tuple(quadrant),
    )
