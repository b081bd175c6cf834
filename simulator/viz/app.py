"""The teaching page (``negsim viz``): the alliance world for a class, and a negotiation a student
plays against one of negsim's strategies.

The page is built from Mesa's visualiser parts (its model controller: Reset, ▶, Step) and
Solara's; its own parts, in the house of the NetLogo Interface tab a teacher knows:

* **readouts** (NetLogo's monitors): the month, negotiations, deals and walk-outs so far, the
  alliances formed, running, ended and failed, mean trust, and the settings the world was built
  with;
* **settings**: a slider per parameter, its value always shown; they take effect on Reset,
  which rebuilds the world *with the same seed* (the same organisations and luck), and the run
  before stays on the charts as a faint line; a seed box, and "Run 5 seeds" for the spread;
* tabs: **Network** (status colours, legend, new alliances flash, ended ones fade dashed,
  walk-outs marked), **Charts** (four labelled charts), **Negotiations** (one of the world's
  negotiations in utility space), **Negotiate against an agent** (:mod:`negsim.viz.negotiate`) and
  **About this model** (what each visual means, the essay idea behind each slider, things to
  notice and to try).

Served by ``solara run negsim.viz.app``; the scenario and seed come from the environment
(:data:`SCENARIO_ENV`, :data:`SEED_ENV`), which ``negsim viz`` sets. The numba kernels and
matplotlib are warmed up when the module is imported (server start), so the first Step is as
fast as the others. Solara's telemetry is switched off unless
``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` says otherwise.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
import solara
import solara.server.settings as solara_settings
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from negsim.negotiation.session import QUADRANT_LABELS
from negsim.viz import SCENARIO_ENV, SEED_ENV
from negsim.viz.about import About
from negsim.viz.figures import (
    ChartsPainter,
    NetworkPainter,
    Run,
    network_legend,
    png,
    talk_figure,
)
from negsim.viz.negotiate import NegotiatePage, page_context, use_page_state
from negsim.viz.world import KNOBS, TalkSpace, TeachingWorld, history, readouts, talk_space

# Telemetry is sent from the server's start-up hook, which runs after this module is imported.
if "SOLARA_TELEMETRY_MIXPANEL_ENABLE" not in os.environ:
    solara_settings.telemetry.mixpanel_enable = False

#: The page's tabs, in order.
TABS = ("Network", "Charts", "Negotiations", "About this model")
#: Seeds "Run 5 seeds" runs, from the seed in the box.
SPREAD = 5
CSS = """
.negsim-monitors { display: flex; flex-wrap: nowrap; }
.negsim-monitors .negsim-monitor { flex: 1 1 0; min-width: 5.4em; padding: 0 8px; margin: 2px;
  border: 1px solid #bbb; border-radius: 4px; }
.negsim-monitor .negsim-monitor-label { font-size: 13px; color: #555; white-space: nowrap; }
.negsim-monitor .negsim-monitor-value { font-size: 20px; font-weight: 600; white-space: nowrap; }
.negsim-caption { font-size: 14px; }
.negsim-pending { color: #D55E00; font-weight: 600; }
.negsim-setting .v-label { display: none; }
.negsim-setting-value { font-weight: 600; }
.negsim-spread table { border-collapse: collapse; font-size: 15px; }
.negsim-spread th, .negsim-spread td { padding: 2px 14px 2px 0; text-align: right; }
.negsim-figure img { max-height: calc(100vh - 320px); width: auto !important; max-width: 100%;
  object-fit: contain; }
.negsim-network img { height: calc(100vh - 290px); }
.negsim-legend { font-size: 15px; line-height: 1.5; min-width: 17em; }
.negsim-legend-title { font-weight: 600; margin-top: 6px; }
.negsim-legend-key { display: inline-block; width: 46px; text-align: center; }
"""


def warm_up() -> None:
    """Load the compiled kernels and draw each figure once, so the first Step is fast."""
    world = TeachingWorld(seed=0)
    for _ in range(3):
        world.step()
    NetworkPainter(world).paint()
    ChartsPainter(world).paint()


def describe_settings(settings: dict[str, float]) -> str:
    """The settings, as one line."""
    return " · ".join(f"{KNOBS[k].short} {KNOBS[k].show(v)}" for k, v in settings.items())


def run_to_end(world: TeachingWorld) -> TeachingWorld:
    """Run a world to its horizon."""
    while world.running:
        world.step()
    return world


def spread(scenario_file: str, seed: int, settings: dict[str, float]) -> list[TeachingWorld]:
    """:data:`SPREAD` worlds with these settings, seeds ``seed`` on, run to the horizon."""
    return [
        run_to_end(TeachingWorld(scenario_file=scenario_file, seed=s, **settings))  # type: ignore[arg-type]
        for s in range(seed, seed + SPREAD)
    ]


def spread_table(worlds: list[TeachingWorld]) -> pd.DataFrame:
    """What each of the worlds ended with, a row per seed, and their mean."""
    rows = []
    for w in worlds:
        r = readouts(w)
        rows.append(
            {
                "seed": str(w.root_seed),
                "deals": r["deals"],
                "walk-outs": r["walkouts"],
                "ended": r["ended"],
                "failed": r["failed"],
                "failure rate": r["failed"] / r["ended"] if r["ended"] else np.nan,
                "mean trust at the end": r["mean_trust"],
            }
        )
    df = pd.DataFrame(rows)
    numbers = df.columns.drop("seed")
    mean = {"seed": "mean", **{k: f"{df[k].mean():.2f}" for k in numbers}}
    shown = df.astype({k: str for k in numbers})
    for k in ("failure rate", "mean trust at the end"):
        shown[k] = [f"{x:.2f}" for x in df[k]]
    return pd.concat([shown, pd.DataFrame([mean])], ignore_index=True)


# --- the parts of the page -------------------------------------------------------------------
def monitors(items: list[tuple[str, str]]) -> str:
    """NetLogo-style monitors, a label over a value each, as one piece of HTML (one widget to
    update per step, not thirty)."""
    return "".join(
        f'<div class="negsim-monitor"><div class="negsim-monitor-label">{html.escape(label)}'
        f'</div><div class="negsim-monitor-value">{html.escape(value)}</div></div>'
        for label, value in items
    )


@solara.component
def Readouts(model: TeachingWorld, pending: dict[str, float]) -> None:
    """The monitors, the settings the world was built with, and the settings waiting for Reset."""
    update_counter.get()
    r = readouts(model)
    ended, failed = r["ended"], r["failed"]
    trust = r["mean_trust"]
    with solara.Column(classes=["negsim-readouts"], gap="4px"):
        items = [
            ("month", f"{r['month']:g} of {model.config.world.horizon:g}"),
            ("negotiations", str(r["negotiations"])),
            ("deals", str(r["deals"])),
            ("walk-outs", str(r["walkouts"])),
            ("formed", str(r["formed"])),
            ("running", str(r["running"])),
            ("ended", str(ended)),
            ("failed", f"{failed} of {ended}"),
            ("mean trust", "–" if np.isnan(trust) else f"{trust:.2f}"),
        ]
        solara.HTML(tag="div", unsafe_innerHTML=monitors(items), classes=["negsim-monitors"])
        built = describe_settings({k: v for k, v in model.settings.items() if k != "organisations"})
        solara.Text(
            f"{model.orgs.n} organisations · month {model.time:g} · seed {model.root_seed} · "
            f"{built}",
            classes=["negsim-caption"],
        )
        changed = [
            f"{KNOBS[k].short} {KNOBS[k].show(v)}"
            for k, v in pending.items()
            if k in KNOBS and v != model.settings[k]
        ]
        if pending.get("seed", model.root_seed) != model.root_seed:
            changed.append(f"seed {pending['seed']}")
        if changed:
            solara.Text(
                f"Changed, not yet in this world: press Reset to build it ({' · '.join(changed)}).",
                classes=["negsim-pending"],
            )


@solara.component
def Settings(pending: solara.Reactive[dict[str, Any]]) -> None:
    """A slider per knob with its value shown, and the seed box: the next Reset's world."""
    values = pending.value

    def setter(key: str) -> Callable[[float], None]:
        return lambda v: pending.set({**pending.value, key: v})

    solara.Markdown("**Settings take effect when you press Reset** (same seed: same luck).")
    for key, knob in KNOBS.items():
        with solara.Column(classes=["negsim-setting"], gap="0px"):
            with solara.Row(justify="space-between"):
                solara.Text(knob.label)
                solara.Text(knob.show(values[key]), classes=["negsim-setting-value"])
            slider = solara.SliderInt if knob.integer else solara.SliderFloat
            slider(
                knob.label,
                value=int(values[key]) if knob.integer else values[key],
                min=int(knob.low) if knob.integer else knob.low,
                max=int(knob.high) if knob.integer else knob.high,
                step=int(knob.step) if knob.integer else knob.step,
                on_value=setter(key),
            )
    solara.InputInt(
        "Seed", value=int(values["seed"]), on_value=setter("seed"), continuous_update=True
    )


@solara.component
def NetworkTab(model: TeachingWorld) -> None:
    """The network with its colour switch."""
    update_counter.get()
    colour_by, set_colour_by = solara.use_state("status")
    painter = solara.use_memo(lambda: NetworkPainter(model, colour_by), [model, colour_by])
    with solara.Column(classes=["negsim-network", "negsim-figure"], gap="0px"):
        with solara.Row(style={"align-items": "center"}):
            solara.Text("Colour organisations by")
            solara.ToggleButtonsSingle(
                value=colour_by, values=["status", "strategy"], on_value=set_colour_by, dense=True
            )
        with solara.Row(style={"align-items": "flex-start"}):
            solara.Image(painter.paint(), format="png", width="100%")
            solara.HTML(tag="div", unsafe_innerHTML=network_legend(model, colour_by))


@solara.component
def ChartsTab(model: TeachingWorld, earlier: list[Run], table: pd.DataFrame | None) -> None:
    """The four charts, the earlier runs faint behind, and the five seeds' figures."""
    update_counter.get()
    painter = solara.use_memo(lambda: ChartsPainter(model, earlier), [model, earlier])
    with solara.Column(classes=["negsim-charts", "negsim-figure"]):
        solara.Image(painter.paint(), format="png", width="100%")
        faint = [r.label for r in earlier if r.kind == "previous"]
        seeds = [r.label for r in earlier if r.kind == "seed"]
        if faint or seeds:
            solara.Text(
                " · ".join(
                    [f"Faint grey: the {x}" for x in faint]
                    + ([f"faint blue: {', '.join(seeds)}"] if seeds else [])
                ),
                classes=["negsim-earlier"],
            )
        if table is not None:
            solara.Text(
                f"{SPREAD} seeds with the settings of the world they were run from, to the "
                "horizon (faint blue lines):",
                style={"font-weight": "600"},
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=table.to_html(index=False, na_rep="–", border=0),
                classes=["negsim-spread"],
            )


@solara.component
def NegotiationsTab(model: TeachingWorld) -> None:
    """One of the world's negotiations in utility space (the latest by default)."""
    update_counter.get()
    talks = model.talks
    choice, set_choice = solara.use_state("latest")
    recent = talks[::-1][:60]
    talk = (
        None
        if not recent
        else {
            "latest": recent[0],
            "latest walk-out": next((t for t in recent if t.walked >= 0), recent[0]),
            "latest deal": next((t for t in recent if t.agreed), recent[0]),
        }.get(choice)
        or next((t for t in recent if t.label() == choice), recent[0])
    )

    def draw() -> tuple[TalkSpace, bytes] | None:
        if talk is None:
            return None
        space = talk_space(model, talk)
        return space, png(talk_figure(space))

    # drawn when the talks shown change, not at every Step (the talks are kept in model.talks)
    drawn = solara.use_memo(draw, [model, id(talk)])
    with solara.Column(classes=["negsim-negotiations", "negsim-figure"]):
        if drawn is None:
            solara.Markdown("No negotiation yet: press **Step**.")
            return
        space, image = drawn
        labels = ["latest", "latest walk-out", "latest deal", *(t.label() for t in recent)]
        with solara.Row(style={"align-items": "center"}):
            with solara.Column(style={"min-width": "22em"}):
                solara.Select("Negotiation", value=choice, values=labels, on_value=set_choice)
            solara.Text(talk_summary(space), classes=["negsim-talk-summary"])
        solara.Image(image, format="png", width="100%")


def talk_summary(space: TalkSpace) -> str:
    """How a negotiation of the world ended, and its concessions by quadrant, in words."""
    talk, ua, ub = space.talk, space.ua, space.ub
    made = [q for q in space.quadrant if q]
    counts = " · ".join(f"{QUADRANT_LABELS[q]} {made.count(q)}" for q in QUADRANT_LABELS)
    if talk.agreed:
        end = (
            f"Deal: worth {ua[talk.outcome]:.2f} to {talk.a} (alternative "
            f"{talk.reservation_a:.2f}) and {ub[talk.outcome]:.2f} to {talk.b} (alternative "
            f"{talk.reservation_b:.2f})."
        )
    elif talk.walked >= 0 and talk.offers.size:
        walker, last = (talk.b, ub) if talk.walked else (talk.a, ua)
        worth = talk.reservation_b if talk.walked else talk.reservation_a
        end = (
            f"{walker} walked out: the offer on the table was worth {last[talk.offers[-1]]:.2f} "
            f"to it, its alternative {worth:.2f}."
        )
    else:
        end = "No deal by the deadline."
    return f"{end} Concessions: {counts}."


@dataclass(frozen=True, kw_only=True)
class WorldState:
    """A browser session's world and what the page keeps beside it (held by :func:`Layout`, so
    it outlives a visit to the negotiation page)."""

    scenario_file: str
    model: solara.Reactive[TeachingWorld]
    pending: solara.Reactive[dict[str, Any]]  # the settings the next Reset builds
    earlier: solara.Reactive[list[Run]]  # the run before Reset, and a seed spread
    table: solara.Reactive[pd.DataFrame | None]  # the seed spread's figures
    tab: solara.Reactive[int]
    play_interval: solara.Reactive[int]


#: The session's :class:`WorldState`, provided by :func:`Layout`.
world_context = solara.create_context(cast(WorldState | None, None))


def use_world_state(create: bool) -> WorldState:
    """The hooks of a :class:`WorldState` (a world is built only if ``create``)."""
    scenario_file = os.environ.get(SCENARIO_ENV, "classroom")
    seed = int(os.environ.get(SEED_ENV, "1"))
    first = solara.use_memo(
        lambda: TeachingWorld(scenario_file=scenario_file, seed=seed) if create else None, []
    )
    model = solara.use_reactive(first)
    pending = solara.use_reactive(
        {"scenario_file": scenario_file, "seed": seed, **(first.settings if first else {})}
    )
    earlier: solara.Reactive[list[Run]] = solara.use_reactive([])
    last = solara.use_ref(first)

    def keep_the_run_before() -> None:
        """After Reset: the run before stays, faint, on the charts."""
        before = last.current
        if before is not None and before is not model.value:
            last.current = model.value
            if before.time > 0:
                label = (
                    f"previous run (seed {before.root_seed}: {describe_settings(before.settings)})"
                )
                runs = [r for r in earlier.value if r.kind != "previous"]
                earlier.set([*runs, Run(label=label, history=history(before))])

    solara.use_effect(keep_the_run_before, [model.value])
    return WorldState(
        scenario_file=scenario_file,
        model=cast(solara.Reactive[TeachingWorld], model),
        pending=pending,
        earlier=earlier,
        table=solara.use_reactive(cast(pd.DataFrame | None, None)),
        tab=solara.use_reactive(0),
        play_interval=solara.use_reactive(300),
    )


#: The pages, by route: the world, and a negotiation a student plays.
PAGES = (("", "The world"), ("negotiate", "Negotiate against an agent"))


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's signature
    """Every page's frame: the title, a tab per page, the session's world."""
    state = use_world_state(create=True)
    world_context.provide(state)
    page_context.provide(use_page_state())
    route, routes = solara.use_route()
    router = solara.use_router()
    index = routes.index(route) if route in routes else 0
    solara.Style(CSS)
    with solara.AppLayout(navigation=False, title="negsim"):
        with solara.AppBar():  # the pages, as buttons: tabs would add a second bar
            paths = [solara.resolve_path(r, level=0) for r in routes]
            for i, (r, path) in enumerate(zip(routes, paths, strict=True)):
                here = "border-bottom: 3px solid white;" if i == index else ""
                solara.Button(
                    r.label,
                    text=True,
                    on_click=lambda path=path: router.push(path),
                    style=f"color: white; font-size: 15px; {here}",
                    classes=["negsim-page-link"],
                )
        solara.Column(children=children)


@solara.component
def Page() -> None:
    """The world page: the session's world (a new one if rendered without :func:`Layout`)."""
    provided = solara.use_context(world_context)
    own = use_world_state(create=provided is None)
    state = provided or own
    model, pending, earlier, table, tab = (
        state.model,
        state.pending,
        state.earlier,
        state.table,
        state.tab,
    )

    def run_spread() -> None:
        """This world's settings, from its seed on, to the horizon: the spread of what the
        class sees."""
        world = model.value
        worlds = spread(state.scenario_file, world.root_seed, world.settings)
        runs = [Run(label=f"seed {w.root_seed}", history=history(w), kind="seed") for w in worlds]
        earlier.set([r for r in earlier.value if r.kind != "seed"] + runs)
        table.set(spread_table(worlds))
        tab.set(TABS.index("Charts"))

    spreading = solara.lab.use_task(run_spread, dependencies=None)  # in a thread: the page lives

    solara.Style(CSS)
    with solara.Sidebar():
        with solara.Card("Run", classes=["negsim-controls"]):
            ModelController(
                model,
                model_parameters=pending,
                play_interval=state.play_interval,
                render_interval=solara.use_reactive(1),
                use_threads=solara.use_reactive(False),
            )
            first = model.value.root_seed
            with solara.Row(style={"align-items": "center"}):
                solara.Button(
                    f"Run {SPREAD} seeds",
                    on_click=spreading,
                    disabled=spreading.pending,
                    color="secondary",
                )
                solara.Text(
                    "running…"
                    if spreading.pending
                    else f"this world's settings, seeds {first}–{first + SPREAD - 1}",
                    classes=["negsim-spread-note"],
                )
        with solara.Card("Settings"):
            Settings(pending)
        with solara.Details("Advanced (Mesa's controls)"):
            solara.SliderInt(
                "Play interval (ms)", value=state.play_interval, min=50, max=1000, step=50
            )
    Readouts(model.value, pending.value)
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab(TABS[0]):
            NetworkTab(model.value)
        with solara.lab.Tab(TABS[1]):
            ChartsTab(model.value, earlier.value, table.value)
        with solara.lab.Tab(TABS[2]):
            NegotiationsTab(model.value)
        with solara.lab.Tab(TABS[3]):
            About()


routes = [
    solara.Route(path="/", component=Page, label=PAGES[0][1], layout=Layout),
    solara.Route(path=PAGES[1][0], component=NegotiatePage, label=PAGES[1][1]),
]

warm_up()
