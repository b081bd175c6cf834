"""The teaching visualiser: a SolaraViz app on the alliance world (``negsim viz``).

The page shows the network of organisations (node colour: alliance or strategy; node size: the
value each has accumulated; edge colour and width: the pair's trust balance; running alliances
drawn thick with a dark halo) and four live charts (alliances running, failure rate, mean trust,
concessions by quadrant), with sliders for the parameters a class plays with. Reset rebuilds
the world from the sliders with the same seed, so two settings are compared on the same
organisations and the same luck (common random numbers).

Served by ``solara run negsim.viz.app``; the scenario and seed come from the environment
(:data:`SCENARIO_ENV`, :data:`SEED_ENV`), which ``negsim viz`` sets. Solara's telemetry is
switched off unless ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import solara
import solara.server.settings as solara_settings
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter
from numpy.typing import NDArray

from negsim.viz import SCENARIO_ENV, SEED_ENV
from negsim.world.model import AllianceModel
from negsim.world.scenario import WORLD_STRATEGIES, WorldScenario, load_scenario

# Telemetry is sent from the server's start-up hook, which runs after this module is imported.
if "SOLARA_TELEMETRY_MIXPANEL_ENABLE" not in os.environ:
    solara_settings.telemetry.mixpanel_enable = False


#: Essay 000's quadrants, in the order the charts stack them.
QUADRANTS = ("costly_trade", "material_yet_symbolic", "unnecessary_cost", "low_stakes")
_STRATEGY_COLOURS = {
    k: tuple(c) for k, c in zip(WORLD_STRATEGIES, mpl.colormaps["Set2"](np.arange(8)), strict=False)
}
_FREE = "#c8c8c8"
_TRUST = mpl.colormaps["RdYlGn"]


@dataclass(frozen=True, kw_only=True)
class Knob:
    """A slider: the scenario field it sets, its label and its range."""

    field: str
    label: str
    low: float
    high: float
    step: float


#: The sliders, keyed by the model parameter they set.
KNOBS: dict[str, Knob] = {
    "walk_away": Knob(
        field="organisations.walk_away", label="Willingness to walk away", low=0, high=1, step=0.05
    ),
    "trust_growth": Knob(
        field="trust.meeting_deposit", label="Trust growth per meeting", low=0, high=0.1, step=0.005
    ),
    "crisis_rate": Knob(
        field="crises.rate", label="Crisis rate (per alliance-month)", low=0, high=0.1, step=0.005
    ),
    "meeting_interval": Knob(
        field="trust.meeting_interval", label="Months between meetings", low=0.5, high=12, step=0.5
    ),
    "organisations": Knob(
        field="world.organisations", label="Organisations", low=8, high=100, step=1
    ),
}


def _current(scenario: WorldScenario, field: str) -> float:
    section, _, name = field.partition(".")
    return float(getattr(getattr(scenario, section), name))


class TeachingWorld(AllianceModel):
    """The alliance world built from a scenario file and the sliders' values.

    SolaraViz rebuilds the model on Reset by calling the class with keyword arguments only, so
    the scenario is named by ``scenario_file`` and each slider is a keyword; ``None`` keeps the
    scenario's own value. The world stops at the scenario's horizon.
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
            "organisations": organisations,
        }
        overrides: dict[str, object] = {
            KNOBS[k].field: v for k, v in chosen.items() if v is not None
        }
        if organisations is not None:
            overrides["world.organisations"] = int(organisations)
        super().__init__(load_scenario(scenario_file, overrides), seed=seed)
        self.layout = node_layout(self)

    def step(self) -> None:
        """Called by Mesa every month: stop at the horizon."""
        self.running = self.time < self.config.world.horizon


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


def model_params(scenario_file: str, seed: int) -> dict[str, Any]:
    """SolaraViz's model_params: the fixed scenario and seed, and a slider per knob."""
    scenario = load_scenario(scenario_file)
    params: dict[str, Any] = {"scenario_file": scenario_file, "seed": seed}
    for key, knob in KNOBS.items():
        value = _current(scenario, knob.field)
        integer = key == "organisations"
        params[key] = Slider(
            knob.label,
            value=int(value) if integer else value,
            min=int(knob.low) if integer else knob.low,
            max=int(knob.high) if integer else knob.high,
            step=int(knob.step) if integer else knob.step,
        )
    return params


# --- what the network shows ------------------------------------------------------------------
def accumulated_value(model: AllianceModel) -> NDArray[np.float64]:
    """Value each organisation has realised in all its alliances so far."""
    t, n = model.alliances, model.orgs.n
    return np.asarray(
        np.bincount(t.a, t.realised_a, minlength=n) + np.bincount(t.b, t.realised_b, minlength=n)
    )


def alliance_groups(model: AllianceModel) -> NDArray[np.int64]:
    """Per organisation, its group of organisations linked by running alliances; -1 if free."""
    rows = model.live_rows()
    t, n = model.alliances, model.orgs.n
    live = nx.Graph()
    live.add_edges_from(zip(t.a[rows].tolist(), t.b[rows].tolist(), strict=True))
    group = np.full(n, -1, dtype=np.int64)
    for k, members in enumerate(sorted(nx.connected_components(live), key=min)):
        group[list(members)] = k
    return group


def edge_trust(model: AllianceModel) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Per network edge: the pair's trust balance (NaN if never allied) and whether it is live.

    Running alliances show the mean of their accounts (a pair may run two at once); a pair
    allied only in the past shows the trust it kept when its last alliance ended.
    """
    t, bal = model.alliances, model.trust.balance
    edges = model.edges
    trust = np.full(len(edges), np.nan)
    index = {(min(u, v), max(u, v)): k for k, (u, v) in enumerate(edges.tolist())}
    for pair, value in model.pair_trust.items():
        if pair in index:
            trust[index[pair]] = value
    rows = model.live_rows()
    a, b = t.a[rows].tolist(), t.b[rows].tolist()
    k = np.array([index[(min(i, j), max(i, j))] for i, j in zip(a, b, strict=True)], dtype=int)
    total = np.bincount(k, bal[2 * rows] + bal[2 * rows + 1], minlength=len(edges))
    count = np.bincount(k, minlength=len(edges))
    live = count > 0
    trust[live] = total[live] / (2 * count[live])
    return trust, live


def network_figure(model: TeachingWorld, colour_by: str) -> Figure:
    """The network of organisations at the model's current time."""
    fig = Figure(figsize=(6.4, 6.0), dpi=80)
    ax = fig.subplots()
    pos, bound = model.layout, model.trust.bound
    trust, live = edge_trust(model)
    segments = pos[model.edges]
    known = ~np.isnan(trust)
    shade = (np.nan_to_num(trust) + bound) / (2 * bound)
    colours = np.where(known[:, None], _TRUST(shade), mpl.colors.to_rgba(_FREE))
    widths = np.where(known, 0.8 + 2.5 * np.abs(np.nan_to_num(trust)) / bound, 0.6)
    ax.add_collection(
        LineCollection(segments[~live], colors=colours[~live], linewidths=widths[~live])
    )
    if live.any():  # running alliances: a dark halo under a thick trust-coloured line
        ax.add_collection(
            LineCollection(segments[live], colors="#222222", linewidths=widths[live] * 2 + 4)
        )
        ax.add_collection(
            LineCollection(segments[live], colors=colours[live], linewidths=widths[live] * 2)
        )
    value = accumulated_value(model)
    sizes = 60 + 540 * value / max(float(value.max()), 1e-9)
    fill: list[Any]
    if colour_by == "strategy":
        fill = [_STRATEGY_COLOURS[str(s)] for s in model.orgs.strategy]
        handles = [
            mpl.lines.Line2D([], [], marker="o", ls="", color=c, label=k)
            for k, c in _STRATEGY_COLOURS.items()
            if k in set(model.orgs.strategy.tolist())
        ]
        ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    else:
        group = alliance_groups(model)
        palette = [tuple(c) for c in mpl.colormaps["tab10"](np.arange(10))]
        fill = [palette[g % len(palette)] if g >= 0 else _FREE for g in group.tolist()]
    ax.scatter(pos[:, 0], pos[:, 1], s=sizes, c=fill, edgecolors="#333333", zorder=3)
    ax.set_title(f"month {model.time:g}: {model.live_rows().size} alliances running", fontsize=11)
    fig.colorbar(
        mpl.cm.ScalarMappable(mpl.colors.Normalize(-bound, bound), _TRUST),
        ax=ax,
        shrink=0.6,
        label="trust balance",
    )
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def charts_figure(model: AllianceModel) -> Figure:
    """Four panels over time: alliances running, failure rate, mean trust, concessions."""
    df = model.datacollector.get_model_vars_dataframe()
    # A fixed layout: matplotlib's layout engines double the time a frame takes to draw.
    fig = Figure(figsize=(7.2, 6.0), dpi=80)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.08, top=0.94, wspace=0.25, hspace=0.25)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    panels = (
        ("alliances_alive", "alliances running"),
        ("failure_rate", "failure rate (of ended)"),
        ("mean_trust", "mean trust (running)"),
    )
    if df.empty:  # nothing collected before the first month
        for ax in axes:
            ax.set_axis_off()
        fig.text(0.5, 0.5, "press Step or ▶ to run the world", ha="center", fontsize=12)
        return fig
    time = df["time"]
    for ax, (column, title) in zip(axes, panels, strict=False):
        if column in df:
            ax.plot(time, df[column], color="#1f77b4")
        ax.set_title(title, fontsize=10)
    ax = axes[3]
    for q in QUADRANTS:
        column = f"concessions_{q}"
        if column in df:
            ax.plot(time, df[column], label=q.replace("_", " "))
    ax.set_title("concessions by quadrant (cumulative)", fontsize=10)
    if ax.get_lines():
        ax.legend(fontsize=7, frameon=False)
    axes[1].set_ylim(-0.02, 1.02)
    for ax in axes[2:]:
        ax.set_xlabel("month")
    return fig


# --- the page ------------------------------------------------------------------------------
@solara.component
def NetworkView(model: TeachingWorld) -> None:
    """The network panel with its colour switch."""
    update_counter.get()  # re-render after every step
    colour_by, set_colour_by = solara.use_state("alliance")
    with solara.Column(classes=["negsim-network"]):
        solara.ToggleButtonsSingle(
            value=colour_by, values=["alliance", "strategy"], on_value=set_colour_by
        )
        solara.FigureMatplotlib(
            network_figure(model, colour_by),
            dependencies=[model, model.time, colour_by],
            format="png",
        )
        solara.Text(
            f"{model.orgs.n} organisations · month {model.time:g} · seed {model.seed_entropy}",
            classes=["negsim-caption"],
        )


@solara.component
def ChartsView(model: AllianceModel) -> None:
    """The four live charts."""
    update_counter.get()
    with solara.Column(classes=["negsim-charts"]):
        solara.FigureMatplotlib(
            charts_figure(model), dependencies=[model, model.time], format="png"
        )


@solara.component
def Page() -> None:
    """The app: a world per browser session, from :data:`SCENARIO_ENV` and :data:`SEED_ENV`."""
    scenario_file = os.environ.get(SCENARIO_ENV, "classroom")
    seed = int(os.environ.get(SEED_ENV, "1"))
    params = solara.use_memo(lambda: model_params(scenario_file, seed), [])
    model = solara.use_memo(lambda: TeachingWorld(scenario_file=scenario_file, seed=seed), [])
    SolaraViz(
        model,
        components=[NetworkView, ChartsView],
        model_params=params,
        name=f"negsim: {model.config.name}",
        play_interval=300,
    )
