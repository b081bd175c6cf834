"""The teaching page's figures, sized and lettered for a projector (1280×720): the network with
its legend, the four charts with earlier runs drawn faint, and one negotiation in utility space.

Colours are colour-blind safe: the Okabe–Ito palette for categories, ColorBrewer's BrBG
(brown: trust in debit, blue-green: in credit) for the trust balance.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import PIL.Image
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from negsim.negotiation.session import QUADRANT_LABELS
from negsim.viz.world import (
    FADE_MONTHS,
    MIN_ENDED,
    STATUSES,
    TalkSpace,
    TeachingWorld,
    accumulated_value,
    edge_trust,
    events,
    history,
    status,
)
from negsim.world.scenario import WORLD_STRATEGIES
from negsim.world.terms import QUADRANT_ORDER

#: Okabe & Ito (2008), the colour-blind-safe palette: every figure of the page draws from it.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
#: Organisation status → colour (:data:`negsim.viz.world.STATUSES`), the same every month.
STATUS_COLOURS = dict(
    zip(
        STATUSES,
        ("#D9D9D9", OKABE_ITO["sky_blue"], OKABE_ITO["blue"], OKABE_ITO["vermillion"]),
        strict=True,
    )
)
#: Essay 000's quadrants → colour, on every figure that shows them (low stakes in grey: the
#: palette's yellow is too pale for a line on white).
QUADRANT_COLOURS = dict(
    zip(
        QUADRANT_ORDER,
        (OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"], "#777777"),
        strict=True,
    )
)
#: The two sides of a negotiation: the one that opened (or the student), the other.
FIRST, SECOND = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
#: The Nash point, on every negotiation figure.
NASH = OKABE_ITO["sky_blue"]
STRATEGY_COLOURS = dict(
    zip(
        WORLD_STRATEGIES,
        (
            OKABE_ITO[k]
            for k in (
                "orange",
                "sky_blue",
                "bluish_green",
                "yellow",
                "blue",
                "reddish_purple",
                "black",
            )
        ),
        strict=False,
    )
)
TRUST = mpl.colormaps["BrBG"]
NEVER = "#E3E3E3"  # an edge whose pair never allied
FONT = 12  # points: readable from the back of a room at 1280×720
DPI = 100
#: Inches at :data:`DPI`: the size the page shows them at on a 1280×720 screen, unscaled.
FIGSIZE = (8.6, 4.5)
NETWORK_SIZE = (5.6, 4.5)
mpl.rcParams.update({"font.size": FONT, "axes.titlesize": FONT + 1, "axes.labelsize": FONT})


@dataclass(frozen=True, kw_only=True)
class Run:
    """A finished or earlier run, drawn faint behind the current one."""

    label: str
    history: pd.DataFrame
    kind: str = "previous"  # "previous": the run before Reset; "seed": one of a seed spread


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, encoded fast."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


class Frames:
    """Frames of a figure whose ``moving`` artists change and whose rest does not (matplotlib's
    blitting): the rest is drawn once and kept as a background; each frame restores it and
    draws only the moving artists, so a frame costs a few lines, not every axis and tick.
    :meth:`redraw` says the rest changed (new axis limits)."""

    def __init__(self, fig: Figure, moving: Sequence[Artist]) -> None:
        self.fig, self.moving = fig, list(moving)
        self.canvas: Any = FigureCanvasAgg(fig)  # its blitting methods are untyped
        for artist in self.moving:
            artist.set_animated(True)
        self.background: Any = None

    def redraw(self) -> None:
        """The background changed: draw it again at the next frame."""
        self.background = None

    def frame(self) -> bytes:
        """The figure as PNG bytes."""
        canvas = self.canvas
        if self.background is None:
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        width, height = canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba()).convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


# --- the network ---------------------------------------------------------------------------
class NetworkPainter:
    """The network of organisations, with its legend, redrawn month by month.

    The figure and its artists are built once per world; each frame only changes their data,
    so a frame costs the drawing, not the building (a teaching page steps every few tenths of
    a second).
    """

    def __init__(self, model: TeachingWorld, colour_by: str = "status") -> None:
        self.model, self.colour_by = model, colour_by
        self.fig = fig = Figure(figsize=NETWORK_SIZE, dpi=DPI)
        self.ax = ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        pos = model.layout
        self.segments = pos[model.edges]
        self.quiet: Any = LineCollection([], zorder=1)
        self.ended: Any = LineCollection([], linewidths=2.5, linestyles=(0, (3, 2)), zorder=1)
        self.new: Any = LineCollection([], colors=OKABE_ITO["yellow"], linewidths=16, zorder=1)
        self.halo: Any = LineCollection([], colors="#222222", zorder=2)
        self.live: Any = LineCollection([], zorder=2)
        for lines in (self.quiet, self.ended, self.new, self.halo, self.live):
            ax.add_collection(lines)
        self.nodes = ax.scatter(pos[:, 0], pos[:, 1], s=80, edgecolors="#333333", zorder=3)
        self.walkouts = ax.scatter(
            np.zeros(0),
            np.zeros(0),
            marker="X",
            s=170,
            c=OKABE_ITO["vermillion"],
            edgecolors="white",
            linewidths=1.2,
            zorder=4,
        )
        if model.orgs.n <= 40:
            for i, (x, y) in enumerate(pos.tolist()):
                ax.text(x * 1.13, y * 1.13, str(i), ha="center", va="center", fontsize=9)
        ax.set_aspect("equal")
        ax.axis("off")
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        pad = 0.15 * (hi - lo).max()
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(lo[1] - pad, hi[1] + pad)
        edges = [self.quiet, self.ended, self.new, self.halo, self.live]
        self.frames = Frames(fig, [*edges, self.nodes, self.walkouts])

    def paint(self) -> bytes:
        """The current month as PNG bytes."""
        model, seg = self.model, self.segments
        bound = model.trust.bound
        trust, live = edge_trust(model)
        known = ~np.isnan(trust)
        shade = TRUST((np.nan_to_num(trust) + bound) / (2 * bound))
        colours = np.where(known[:, None], shade, mpl.colors.to_rgba(NEVER))
        widths = np.where(known, 1.0 + 3.0 * np.abs(np.nan_to_num(trust)) / bound, 0.8)
        ev = events(model)
        faded = np.zeros(len(seg), dtype=bool)
        faded[ev.ended] = True
        quiet = ~live & ~faded
        self.quiet.set_segments(seg[quiet])
        self.quiet.set_color(colours[quiet])
        self.quiet.set_linewidth(widths[quiet])
        # ended lately: dashed, red if it failed, fading out over FADE_MONTHS
        tone = np.array(
            [
                mpl.colors.to_rgba(OKABE_ITO["vermillion"] if f else "#555555")
                for f in ev.ended_failed
            ]
        ).reshape(-1, 4)
        tone[:, 3] = np.clip(1.0 - ev.ended_age / FADE_MONTHS, 0.15, 1.0)
        self.ended.set_segments(seg[ev.ended])
        self.ended.set_color(tone)
        self.new.set_segments(seg[ev.new])  # started this month: a yellow flash under it
        self.halo.set_segments(seg[live])  # running: a dark halo under a thick line
        self.halo.set_linewidth(widths[live] * 2 + 4)
        self.live.set_segments(seg[live])
        self.live.set_color(colours[live])
        self.live.set_linewidth(widths[live] * 2)
        value = accumulated_value(model)
        top = float(value.max())
        self.nodes.set_sizes(80 + 620 * value / max(top, 1e-9))
        if self.colour_by == "strategy":
            fill = [STRATEGY_COLOURS[str(s)] for s in model.orgs.strategy.tolist()]
        else:
            fill = [STATUS_COLOURS[STATUSES[s]] for s in status(model).tolist()]
        self.nodes.set_facecolor(fill)
        pos = model.layout
        if ev.walkouts.size:  # a cross on the walker's side of the edge
            ends = model.edges[ev.walkouts]
            other = np.where(ends[:, 0] == ev.walkers, ends[:, 1], ends[:, 0])
            self.walkouts.set_offsets(0.7 * pos[ev.walkers] + 0.3 * pos[other])
        else:
            self.walkouts.set_offsets(np.zeros((0, 2)))
        return self.frames.frame()


def _swatch(style: str) -> str:
    return f'<span class="negsim-swatch" style="{style}"></span>'


def network_legend(model: TeachingWorld, colour_by: str = "status") -> str:
    """The key to the network, as HTML (crisp at any screen size, readable by tests)."""
    if colour_by == "strategy":
        kinds = set(model.orgs.strategy.tolist())
        keys = [(k, c) for k, c in STRATEGY_COLOURS.items() if k in kinds]
        title = "Node colour: concession strategy"
    else:
        keys = [(name, STATUS_COLOURS[name]) for name in STATUSES]
        title = "Node colour: status"
    dot = "display:inline-block;border-radius:50%;border:1px solid #333;"
    rows = [(_swatch(f"{dot}width:14px;height:14px;background:{c}"), name) for name, c in keys]
    rows += [
        (
            _swatch(f"{dot}width:8px;height:8px;margin:0 3px")
            + _swatch(f"{dot}width:18px;height:18px"),
            "node size: value earned so far",
        ),
        (
            _swatch("display:inline-block;width:26px;height:7px;background:#222"),
            "running alliance (dark outline)",
        ),
        (
            _swatch(f"display:inline-block;width:26px;height:9px;background:{OKABE_ITO['yellow']}"),
            "new this month",
        ),
        (
            _swatch(
                f"display:inline-block;width:26px;border-top:3px dashed {OKABE_ITO['vermillion']}"
            ),
            f"ended, failed (fades over {FADE_MONTHS:g} months)",
        ),
        (_swatch("display:inline-block;width:26px;border-top:3px dashed #555"), "ended, completed"),
        (
            f'<span style="color:{OKABE_ITO["vermillion"]};font-weight:900">✖</span>',
            "walk-out (on the walker's side)",
        ),
        (
            _swatch(f"display:inline-block;width:26px;height:2px;background:{NEVER}"),
            "neighbours, never allied",
        ),
    ]
    stops = ", ".join(mpl.colors.to_hex(TRUST(x)) for x in np.linspace(0, 1, 9))
    bound = model.trust.bound
    items = "".join(
        f'<div class="negsim-legend-item"><span class="negsim-legend-key">{k}</span>{text}</div>'
        for k, text in rows
    )
    return (
        f'<div class="negsim-legend"><div class="negsim-legend-title">{title}</div>{items}'
        '<div class="negsim-legend-title">Edge colour and width: trust balance</div>'
        f'<div style="height:14px;background:linear-gradient(to right, {stops})"></div>'
        f'<div style="display:flex;justify-content:space-between"><span>−{bound:g} debit</span>'
        f"<span>0</span><span>{bound:g} credit</span></div>"
        "<div>wider: a larger balance</div></div>"
    )


# --- the charts ----------------------------------------------------------------------------
def _ceiling(x: float) -> float:
    """A round upper limit at or above ``x`` (1, 2, 5 × 10^k), so axes rescale seldom."""
    if not x > 0:
        return 1.0
    base = 10.0 ** np.floor(np.log10(x))
    return float(next(m * base for m in (1, 2, 5, 10) if m * base >= x))


class ChartsPainter:
    """Four charts over the run (alliances running, failure rate, mean trust, concessions by
    quadrant) with ``earlier`` runs drawn faint behind, redrawn month by month (built once,
    as :class:`NetworkPainter`)."""

    def __init__(self, model: TeachingWorld, earlier: Sequence[Run] = ()) -> None:
        self.model = model
        self.fig = fig = Figure(figsize=FIGSIZE, dpi=DPI)
        # A fixed layout: matplotlib's layout engines double the time a frame takes to draw.
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.93, wspace=0.3, hspace=0.5)
        self.axes = axes = fig.subplots(2, 2, sharex=True).ravel()
        styles: dict[str, dict[str, Any]] = {
            "previous": {"color": "#8C8C8C", "lw": 1.6, "alpha": 0.8},
            "seed": {"color": OKABE_ITO["sky_blue"], "lw": 1.0, "alpha": 0.6},
        }
        self.peak = [1.0, 1.0]  # the largest values drawn on the two growing charts
        labelled: set[str] = set()
        for run in earlier:
            h = run.history
            if h.empty:
                continue
            faint = styles[run.kind]
            seeds = [r.label.removeprefix("seed ") for r in earlier if r.kind == "seed"]
            first = "previous run" if run.kind == "previous" else f"seeds {seeds[0]}–{seeds[-1]}"
            label = None if run.kind in labelled else first
            labelled.add(run.kind)
            axes[0].plot(h["time"], h["alliances_alive"], label=label, **faint)
            axes[1].plot(h["time"], h["failure_rate"], **faint)
            axes[2].plot(h["time"], h["mean_trust"], **faint)
            for q in QUADRANT_ORDER:
                axes[3].plot(
                    h["time"], h[f"concessions_{q}"], color=QUADRANT_COLOURS[q], lw=1, alpha=0.35
                )
            self.peak[0] = max(self.peak[0], float(h["alliances_alive"].max()))
            self.peak[1] = max(self.peak[1], float(h.filter(like="concessions_").max().max()))
        now: dict[str, Any] = {"color": OKABE_ITO["blue"], "lw": 2.5}
        (self.running,) = axes[0].plot([], [], label="this run", **now)
        axes[0].set(title="Alliances running", ylabel="alliances")
        axes[0].legend(loc="upper left", fontsize=FONT - 2, frameon=False)
        (self.failure,) = axes[1].plot([], [], **now)
        axes[1].set(
            title="Failure rate of ended alliances", ylabel="failed / ended", ylim=(0, 1.02)
        )
        self.failure_note = axes[1].text(
            0.5, 0.5, "", transform=axes[1].transAxes, ha="center", va="center"
        )
        (self.trust,) = axes[2].plot([], [], **now)
        axes[2].set(title="Mean trust of running alliances", ylabel="trust balance", xlabel="month")
        axes[2].set_ylim(0.0, model.trust.bound)
        self.quadrants = [
            axes[3].plot([], [], color=QUADRANT_COLOURS[q], lw=2.2, label=QUADRANT_LABELS[q])[0]
            for q in QUADRANT_ORDER
        ]
        axes[3].set(
            title="Concessions by quadrant (essay 000)", ylabel="concessions so far", xlabel="month"
        )
        axes[3].legend(
            loc="upper left",
            fontsize=FONT - 3,
            frameon=False,
            ncols=2,
            handlelength=1.0,
            columnspacing=0.6,
        )
        for ax in axes:
            ax.set_xlim(0, model.config.world.horizon)
            ax.grid(alpha=0.3)
        self.hint = fig.text(0.5, 0.5, "", ha="center", fontsize=FONT + 2)
        moving = [self.running, self.failure, self.failure_note, self.trust, *self.quadrants]
        self.frames = Frames(fig, [*moving, self.hint])
        self._rescale()

    def _rescale(self) -> None:
        """Fit the two growing charts' y-axes to the peaks, redrawing the background only when
        a limit changes (limits step 1, 2, 5 × 10^k, so seldom)."""
        limits = (_ceiling(self.peak[0] * 1.05), _ceiling(self.peak[1] * 1.6))  # legend room
        for ax, top in zip((self.axes[0], self.axes[3]), limits, strict=True):
            if ax.get_ylim() != (0.0, top):
                ax.set_ylim(0.0, top)
                self.frames.redraw()

    def paint(self) -> bytes:
        """The charts up to the current month as PNG bytes."""
        df = history(self.model)
        empty = df.empty
        self.hint.set_text("press Step or ▶ to run the world" if empty else "")
        time = df["time"].to_numpy(dtype=float)
        self.running.set_data(time, df["alliances_alive"])
        trust = df["mean_trust"].to_numpy(dtype=float)
        self.trust.set_data(time, trust)
        if not empty and np.nanmin(trust, initial=0.0) < 0:  # debit: show the whole scale
            if self.axes[2].get_ylim()[0] >= 0:
                self.axes[2].set_ylim(-self.model.trust.bound, self.model.trust.bound)
                self.frames.redraw()
        for q, line in zip(QUADRANT_ORDER, self.quadrants, strict=True):
            line.set_data(time, df[f"concessions_{q}"])
        ended = int(df["ended"].iloc[-1]) if not empty else 0
        if ended >= MIN_ENDED:
            self.failure.set_data(time, df["failure_rate"])
            failed = int(df["failed"].iloc[-1])
            self.failure_note.set(
                text=f"{failed} of {ended} failed",
                x=0.03,
                y=0.9,
                ha="left",
                color=OKABE_ITO["blue"],
            )
        else:
            self.failure.set_data([], [])
            self.failure_note.set(
                text=f"blank until {MIN_ENDED} alliances have ended\n({ended} so far)",
                x=0.5,
                y=0.5,
                ha="center",
                color="#555555",
            )
        if not empty:
            peak = [
                float(df["alliances_alive"].max()),
                float(df.filter(like="concessions_").max().max()),
            ]
            if peak[0] > self.peak[0] or peak[1] > self.peak[1]:
                self.peak = [max(x, y) for x, y in zip(self.peak, peak, strict=True)]
                self._rescale()
        return self.frames.frame()


# --- one negotiation -------------------------------------------------------------------------
def talk_figure(space: TalkSpace) -> Figure:
    """One negotiation in utility space: every possible deal, the Pareto frontier, the Nash
    point, both reservations, the offers (each concession coloured by its quadrant), the deal
    or the walk-out."""
    talk = space.talk
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_axes((0.08, 0.11, 0.5, 0.8))
    ua, ub = space.ua, space.ub
    ax.scatter(ua, ub, s=10, color="#C8C8C8", label="possible terms", zorder=1)
    f = space.frontier
    ax.plot(ua[f], ub[f], color="#222222", lw=1.8, label="Pareto frontier", zorder=2)
    ax.axvline(
        talk.reservation_a,
        color=FIRST,
        ls="--",
        lw=1.5,
        label=f"{talk.a}'s alternative",
    )
    ax.axhline(talk.reservation_b, color=SECOND, ls="--", lw=1.5, label=f"{talk.b}'s alternative")
    offers = talk.offers
    for maker, (who, colour, marker) in enumerate(((talk.a, FIRST, "o"), (talk.b, SECOND, "s"))):
        mine = offers[space.makers == maker]
        ax.plot(
            ua[mine],
            ub[mine],
            color=colour,
            lw=1.5,
            marker=marker,
            ms=7,
            markerfacecolor="white",
            label=f"offers by {who}",
            zorder=3,
        )
    for q in QUADRANT_ORDER:
        hit = np.array([x == q for x in space.quadrant], dtype=bool)
        if hit.any():
            ax.scatter(
                ua[offers[hit]],
                ub[offers[hit]],
                s=80,
                color=QUADRANT_COLOURS[q],
                edgecolors="black",
                zorder=4,
                label=f"concession: {QUADRANT_LABELS[q]}",
            )
    if space.nash is not None:
        ax.scatter(
            ua[space.nash],
            ub[space.nash],
            marker="*",
            s=320,
            color=NASH,
            edgecolors="black",
            zorder=5,
            label="Nash point",
        )
    if talk.agreed:
        ax.scatter(
            ua[talk.outcome],
            ub[talk.outcome],
            marker="D",
            s=150,
            color=OKABE_ITO["black"],
            edgecolors="black",
            zorder=6,
            label="the deal",
        )
    elif talk.walked >= 0 and offers.size:
        last = offers[-1]
        walker = talk.b if talk.walked else talk.a
        ax.scatter(
            ua[last],
            ub[last],
            marker="X",
            s=260,
            color=OKABE_ITO["black"],
            edgecolors="white",
            zorder=6,
            label=f"{walker} walked out",
        )
    ax.set(
        xlabel=f"utility to {talk.a} (opened)",
        ylabel=f"utility to {talk.b}",
        xlim=(-0.03, 1.03),
        ylim=(-0.03, 1.03),
    )
    if space.nash is None:  # say why there is no star
        ax.text(
            0.03,
            0.03,
            "no Nash point: no terms beat both alternatives",
            transform=ax.transAxes,
            fontsize=FONT - 1,
            color="#333333",
        )
    ax.set_title(talk.label(), fontsize=FONT)
    ax.grid(alpha=0.3)
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="center left",
        bbox_to_anchor=(0.6, 0.5),
        frameon=False,
        fontsize=FONT - 1,
    )
    return fig
