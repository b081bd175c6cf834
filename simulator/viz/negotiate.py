"""Negotiate against an agent: a student plays a negotiation by hand, then reads a debrief.

The student picks a shipped negotiation (``alliance_terms`` by default) and an opponent
strategy (:data:`OPPONENTS`), and plays side a with the file's utility and alternative against
side b, which keeps its file's utility and alternative but plays the chosen strategy
(:func:`against`). The student sees only their own interests: the weight and value of each
issue, their alternative's worth and the rounds left. They set one control per issue (toggle
buttons or a list for labelled issues, a slider for numeric ones), read what the offer is
worth to them, and make it, accept the agent's offer or walk away; the agent replies at once
(:class:`~negsim.negotiation.session.Session`).

When the talks end — agreement, walk-out or deadline — the debrief reveals the agent's side:
every outcome in utility space with the Pareto frontier, the Nash point, both alternatives and
both offer traces, the student's concessions coloured by essay 000's quadrants, their counts,
and a few plain sentences (:func:`~negsim.negotiation.session.debrief`).

Everything is computed and drawn on the server (matplotlib, sent as PNG); the page asks for
nothing beyond the Solara server it is served from; it is the ``/negotiate`` page of
:mod:`negsim.viz.app`. CSS classes for browser tests:
``negsim-negotiate`` (the page), ``negsim-brief``, ``negsim-issue`` (one per issue control),
``negsim-offer-worth``, ``negsim-standing``, ``negsim-history``, ``negsim-debrief`` (holding
the figure's ``img``), ``negsim-quadrant-counts``, ``negsim-debrief-text`` and
``negsim-problem``; the buttons are labelled "Start", "New game", "Make offer", "Accept their
offer" and "Walk away".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import solara
from matplotlib.figure import Figure

import negsim.negotiation.strategies as strategies
import negsim.shipped as shipped
from negsim.config import ConfigError
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import PARTY_NAMES, Negotiation
from negsim.negotiation.play import load
from negsim.negotiation.protocol import NegotiationResult
from negsim.negotiation.session import (
    QUADRANT_LABELS,
    QUADRANT_MEANINGS,
    Debrief,
    Session,
    debrief,
    describe,
    format_value,
)
from negsim.viz.figures import DPI, FIRST, NASH, OKABE_ITO, QUADRANT_COLOURS, SECOND

#: The strategies a student may play against, in a student's words.
OPPONENT_WORDS = {
    "boulware": "holds out: concedes little until the deadline nears",
    "conceder": "concedes early and fast",
    "tit_for_tat": "mirrors you: concedes as much as you just did",
    "zeuthen": "concedes when it has less to lose than you from a breakdown, judging your "
    "alternative from your offers",
}
OPPONENTS = tuple(OPPONENT_WORDS)
#: A numeric issue with more values than this cannot be set by hand (a slider's steps).
MAX_STEPS = 101
DEFAULT_NEGOTIATION = "alliance_terms"
DEFAULT_OPPONENT = "boulware"
HUMAN, AGENT = "a", "b"
#: Labelled issues with at most this many values get toggle buttons; longer ones a list.
MAX_TOGGLES = 6

YOU, THEM = FIRST, SECOND
#: Font sizes (points) for a projector at 1280×720.
FONT, SMALL = 13, 11


# --- the game, without the page -------------------------------------------------------------
def against(neg: Negotiation, strategy: str, side: str = AGENT) -> Negotiation:
    """``neg`` with party ``side`` playing ``strategy`` (its utility and alternative kept).

    A parameter of the file's strategy is kept only if the new strategy takes it with the same
    default (so it means the same thing: ``conceder`` does not inherit ``boulware``'s ``e``);
    beliefs about the other side are kept only for a strategy that reads them.

    Examples:
        >>> neg = against(load("alliance_terms"), "boulware")
        >>> neg.parties[1].strategy, dict(neg.parties[1].params)  # tit_for_tat's generosity goes
        ('boulware', {})
    """
    new = strategies.get(strategy)
    party = neg.party(side)
    if party.strategy == strategy:
        return neg
    old = strategies.get(party.strategy)
    params = {
        k: v
        for k, v in party.params.items()
        if k in new.params and k in old.params and new.params[k].default == old.params[k].default
    }
    changed = replace(
        party,
        strategy=strategy,
        params=params,
        beliefs=party.beliefs if new.reads_beliefs else None,
    )
    parties = (changed, neg.parties[1]) if side == PARTY_NAMES[0] else (neg.parties[0], changed)
    return replace(neg, parties=parties)


@dataclass(frozen=True, kw_only=True)
class Game:
    """One game on the page: what was chosen, the negotiation played and its session."""

    name: str
    opponent: str
    neg: Negotiation
    session: Session
    number: int  # games started on this page so far, this one included (its seed)


def new_game(name: str, opponent: str, number: int) -> Game:
    """Start a game of ``name`` against ``opponent``, seeded by the game's ``number``.

    Raises:
        ConfigError: a file that does not load.
        ValueError: the opponent cannot play this negotiation (a StrategyError says why).
    """
    neg = against(load(name), opponent)
    return Game(
        name=name,
        opponent=opponent,
        neg=neg,
        session=Session(neg, human=HUMAN, seed=number),
        number=number,
    )


def playable() -> tuple[str, ...]:
    """The shipped negotiations a person can play by hand: every numeric issue has at most
    :data:`MAX_STEPS` values (``split_the_pie``'s 100,001-step share is for the theory)."""
    return tuple(
        name
        for name in shipped.names("negotiation")
        if all(i.size <= MAX_STEPS for i in load(name).domain.issues if i.is_numeric)
    )


def best_positions(neg: Negotiation) -> tuple[int, ...]:
    """The value positions, per issue, of the student's best outcome (where the controls open)."""
    best = int(np.argmax(neg.party(HUMAN).utility.values))
    return tuple(int(k) for k in np.unravel_index(best, neg.domain.shape))


def outcome_at(domain: Domain, positions: tuple[int, ...]) -> int:
    """The outcome whose issues take the values at ``positions``."""
    return int(np.ravel_multi_index(positions, domain.shape))


def valuation(issue: Issue, evaluations: tuple[float, ...]) -> str:
    """How a party values an issue's values, in a line (a long numeric grid by its ends).

    Examples:
        >>> valuation(Issue.numeric("share", 0.0, 1.0, 101), tuple(np.linspace(0, 1, 101)))
        'from 0.00 at 0 to 1.00 at 1, rising evenly'
        >>> valuation(Issue.discrete("price", ["low", "high"]), (1.0, 0.25))
        'low 1.00 · high 0.25'
    """
    if issue.size <= MAX_TOGGLES or not issue.is_numeric:
        return " · ".join(
            f"{format_value(v)} {e:.2f}" for v, e in zip(issue.values, evaluations, strict=True)
        )
    ev = np.asarray(evaluations)
    steps = np.diff(ev)
    if np.allclose(steps, steps[0]):
        shape = "rising evenly" if steps[0] > 0 else "falling evenly" if steps[0] < 0 else "flat"
    else:
        shape = "unevenly"
    first, last = format_value(issue.values[0]), format_value(issue.values[-1])
    return f"from {ev[0]:.2f} at {first} to {ev[-1]:.2f} at {last}, {shape}"


def brief_rows(neg: Negotiation, side: str = HUMAN) -> list[tuple[str, str, str]]:
    """The student's interests: (issue, weight, how each value is valued) per issue."""
    u = neg.party(side).utility
    return [
        (issue.name, f"{w:.2f}", valuation(issue, ev))
        for issue, w, ev in zip(neg.domain.issues, u.weights, u.evaluations, strict=True)
    ]


def history_rows(game: Game) -> list[tuple[str, str, str, str]]:
    """The exchange so far: (round, who, the terms, worth to the student) per offer."""
    h = PARTY_NAMES.index(HUMAN)
    return [
        (
            str(o.round),
            "you" if o.by == HUMAN else "them",
            describe(game.neg.domain, o.outcome),
            f"{o.utilities[h]:.2f}",
        )
        for o in game.session.offers
    ]


def debrief_figure(neg: Negotiation, result: NegotiationResult, d: Debrief, agent: str) -> Figure:
    """The debrief in utility space: x the student's utility, y the agent's.

    All outcomes faint, the Pareto frontier, the Nash point, both alternatives, both offer
    traces, the deal (or the end without one), and the student's concessions by quadrant.
    """
    h = PARTY_NAMES.index(d.human)
    u = (d.ua, d.ub)
    x, y = u[h], u[1 - h]
    fig = Figure(figsize=(8.4, 5.0), dpi=DPI)
    fig.subplots_adjust(left=0.09, right=0.64, bottom=0.11, top=0.92)
    ax = fig.subplots()
    ax.scatter(x, y, s=10, color="#999999", alpha=0.35, linewidths=0, label="every outcome")
    ax.plot(x[d.frontier], y[d.frontier], color=OKABE_ITO["black"], lw=2.2, label="Pareto frontier")
    ax.axvline(d.reservations[h], color=YOU, ls="--", lw=1.6, label="your alternative")
    ax.axhline(d.reservations[1 - h], color=THEM, ls="--", lw=1.6, label="their alternative")
    for who, colour, label in ((d.human, YOU, "your offers"), (d.agent, THEM, "their offers")):
        made = [o for o in result.offers if o.by == who]
        if made:
            ax.plot(
                [o.utilities[h] for o in made],
                [o.utilities[1 - h] for o in made],
                color=colour,
                lw=1.2,
                alpha=0.8,
                marker="o",
                ms=4,
                label=label,
            )
    mine = {o.round: o for o in result.offers if o.by == d.human}
    by_quadrant = []
    for quadrant, colour in QUADRANT_COLOURS.items():
        points = [mine[c.round] for c in d.concessions if c.quadrant == quadrant]
        by_quadrant.append(
            ax.scatter(
                [o.utilities[h] for o in points],
                [o.utilities[1 - h] for o in points],
                s=110,
                color=colour,
                edgecolors=OKABE_ITO["black"],
                linewidths=0.8,
                zorder=4,
                label=f"{QUADRANT_LABELS[quadrant]} ({len(points)})",
            )
        )
    if d.nash_utilities is not None:
        ax.scatter(
            d.nash_utilities[h],
            d.nash_utilities[1 - h],
            marker="*",
            s=380,
            color=NASH,
            edgecolors=OKABE_ITO["black"],
            linewidths=1.2,
            zorder=5,
            label="Nash point",
        )
    if d.deal_utilities is not None:
        end = (d.deal_utilities[h], d.deal_utilities[1 - h])
        end_label, marker = f"your deal (round {d.round})", "D"
    else:
        end = (d.reservations[h], d.reservations[1 - h])
        what = "walk-out" if d.ended_by == "walk_away" else "deadline"
        end_label, marker = f"no deal: {what} (round {d.round})", "X"
    ax.scatter(
        *end,
        marker=marker,
        s=200,
        color=OKABE_ITO["black"],
        edgecolors="white",
        linewidths=1.2,
        zorder=6,
        label=end_label,
    )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("your utility", fontsize=FONT)
    ax.set_ylabel(f"their utility ({neg.party(agent).strategy})", fontsize=FONT)
    ax.tick_params(labelsize=SMALL)
    ax.grid(True, color="#dddddd", lw=0.6)
    ax.set_title("Every deal, and yours", fontsize=FONT)
    handles, labels = ax.get_legend_handles_labels()
    main = [(hd, lb) for hd, lb in zip(handles, labels, strict=True) if hd not in by_quadrant]
    first = ax.legend(
        *zip(*main, strict=True),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=SMALL,
        frameon=False,
        borderaxespad=0,
    )
    ax.add_artist(first)
    ax.legend(
        handles=by_quadrant,
        loc="lower left",
        bbox_to_anchor=(1.02, 0.0),
        fontsize=SMALL,
        title="your concessions",
        title_fontsize=SMALL,
        alignment="left",
        frameon=False,
        borderaxespad=0,
    )
    return fig


# --- the page --------------------------------------------------------------------------------
def _shown(x: float) -> float:
    """``x`` to 10 significant digits: ``np.linspace``'s float noise removed."""
    return float(format_value(float(x)))


def _table(header: tuple[str, ...], rows: list[Any], classes: list[str]) -> None:
    """A plain HTML table (no Markdown: nothing to fetch)."""
    v = solara.v
    cell = "padding: 2px 12px 2px 0; text-align: left; vertical-align: top;"
    head = v.Html(tag="tr", children=[v.Html(tag="th", children=[h], style_=cell) for h in header])
    body = [
        v.Html(tag="tr", children=[v.Html(tag="td", children=[c], style_=cell) for c in row])
        for row in rows
    ]
    v.Html(
        tag="table",
        children=[v.Html(tag="thead", children=[head]), v.Html(tag="tbody", children=body)],
        class_=" ".join(classes),
        style_="border-collapse: collapse; font-size: 15px;",
    )


@solara.component
def Setup(
    name: str,
    opponent: str,
    on_name: Callable[[str], None],
    on_opponent: Callable[[str], None],
    on_start: Callable[[], None],
    problem: str,
) -> None:
    """Choose the negotiation and the opponent, then Start."""
    with solara.Column(classes=["negsim-setup"]):
        solara.Select(label="Negotiation", values=list(playable()), value=name, on_value=on_name)
        solara.Select(
            label="Opponent", values=list(OPPONENTS), value=opponent, on_value=on_opponent
        )
        solara.Text(f"{opponent}: {OPPONENT_WORDS[opponent]}", classes=["negsim-opponent-summary"])
        solara.Button("Start", on_click=on_start, color="primary")
        if problem:
            solara.Text(
                problem, classes=["negsim-problem"], style={"color": OKABE_ITO["vermillion"]}
            )


@solara.component
def Brief(game: Game, moves: int) -> None:
    """What the student knows: their interests, their alternative and the rounds left."""
    me = game.neg.party(HUMAN)
    s = game.session
    with solara.Column(classes=["negsim-brief"]):
        solara.Text(
            "Your interests (the agent's are hidden until the end)", style={"font-weight": "bold"}
        )
        _table(("issue", "weight", "what each option is worth to you"), brief_rows(game.neg), [])
        lines = [f"Your alternative (walking away) is worth {me.reservation:.2f} to you."]
        if me.discount < 1:
            lines.append(f"Each round's delay multiplies what you get by {me.discount:g}.")
        if not s.ended:
            last = s.round + s.rounds_left - 1
            lines.append(
                f"Round {s.round} of {last}: {s.rounds_left} round(s) left, theirs and yours."
            )
        for line in lines:
            solara.Text(line, classes=["negsim-brief-line"])


@solara.component
def IssueControl(
    issue: Issue, evaluations: tuple[float, ...], position: int, on_position: Callable[[int], None]
) -> None:
    """One issue's control: toggle buttons, a list or a slider, labelled with the issue name."""
    values = [format_value(x) for x in issue.values]
    # a slider gets room to be read and set; its value label rides above the thumb
    room = {"min-width": "300px", "padding-top": "28px"} if issue.is_numeric else {}
    with solara.Column(classes=["negsim-issue"], gap="2px", style=room):
        if issue.is_numeric:
            grid = np.asarray(issue.values, dtype=np.float64)
            step = grid[1] - grid[0] if grid.size > 1 else 1.0

            def on_slide(value: float) -> None:
                on_position(int(np.argmin(np.abs(grid - value))))

            # Values as the browser's slider rounds them (0.3, not 0.30000000000000004), so the
            # server never echoes back a value that differs only by float noise.
            solara.SliderFloat(
                label=issue.name,
                value=_shown(grid[position]),
                min=_shown(grid[0]),
                max=_shown(grid[-1]),
                step=_shown(step),
                on_value=on_slide,
                thumb_label="always",
            )
        elif issue.size <= MAX_TOGGLES:
            solara.Text(issue.name, classes=["negsim-issue-name"], style={"font-weight": "bold"})
            solara.ToggleButtonsSingle(
                value=values[position],
                values=values,
                on_value=lambda value: on_position(values.index(value)),
            )
        else:
            solara.Select(
                label=issue.name,
                values=values,
                value=values[position],
                on_value=lambda value: on_position(values.index(value)),
            )
        solara.Text(
            f"worth {evaluations[position]:.2f} on this issue to you",
            classes=["negsim-issue-worth"],
            style={"font-size": "13px"},
        )


@solara.component
def Board(
    game: Game,
    moves: int,
    positions: tuple[int, ...],
    on_positions: Callable[[tuple[int, ...]], None],
    on_move: Callable[[Callable[[], None]], None],
) -> None:
    """The student's turn: the controls, what the offer is worth, and the three moves."""
    s = game.session
    neg = game.neg
    me = neg.party(HUMAN)
    outcome = outcome_at(neg.domain, positions)

    def set_position(k: int) -> Callable[[int], None]:
        def update(p: int) -> None:
            on_positions((*positions[:k], p, *positions[k + 1 :]))

        return update

    with solara.Column(classes=["negsim-board"]):
        standing = s.standing
        if standing is None:
            text = "No offer of theirs on the table yet: make the first offer."
        else:
            text = (
                f"Their offer (round {s.round - 1}): {describe(neg.domain, standing)} — "
                f"worth {s.worth(standing):.2f} to you."
            )
        solara.Text(text, classes=["negsim-standing"], style={"font-size": "16px"})
        if s.rounds_left == 0:
            solara.Text(
                "That is the last offer: accept it or walk away; an offer now ends the talks at "
                "the deadline, with your alternative.",
                classes=["negsim-deadline"],
            )
        with solara.Row(classes=["negsim-issues"], style={"flex-wrap": "wrap", "gap": "24px"}):
            for k, issue in enumerate(neg.domain.issues):
                IssueControl(
                    issue=issue,
                    evaluations=me.utility.evaluations[k],
                    position=positions[k],
                    on_position=set_position(k),
                )
        solara.Text(
            f"This offer is worth {me.utility(outcome):.2f} to you.",
            classes=["negsim-offer-worth"],
            style={"font-size": "16px", "font-weight": "bold"},
        )
        with solara.Row():
            solara.Button(
                "Make offer", on_click=lambda: on_move(lambda: s.offer(outcome)), color="primary"
            )
            solara.Button(
                "Accept their offer",
                on_click=lambda: on_move(s.accept),
                disabled=standing is None,
                color="success",
            )
            solara.Button("Walk away", on_click=lambda: on_move(s.walk), outlined=True)


@solara.component
def History(game: Game, moves: int) -> None:
    """The exchange so far."""
    rows = history_rows(game)
    with solara.Column(classes=["negsim-history-box"]):
        solara.Text("The exchange", style={"font-weight": "bold"})
        if rows:
            _table(("round", "who", "terms", "worth to you"), rows, ["negsim-history"])
        else:
            solara.Text("No offers yet.", classes=["negsim-history"])


@solara.component
def DebriefView(game: Game) -> None:
    """The debrief: the figure, the quadrant counts, the sentences."""
    result = game.session.result
    assert result is not None
    d = solara.use_memo(lambda: debrief(game.neg, result, HUMAN), [game.number])
    fig = solara.use_memo(lambda: debrief_figure(game.neg, result, d, AGENT), [game.number])
    with solara.Column(classes=["negsim-debrief"]):
        solara.Text("Debrief", style={"font-weight": "bold", "font-size": "20px"})
        with solara.Row(style={"align-items": "flex-start"}):
            solara.FigureMatplotlib(fig, format="png", dependencies=[game.number])
            with solara.Column(style={"min-width": "20em", "flex": "1"}):
                solara.Text("Your concessions by quadrant:", style={"font-weight": "bold"})
                solara.Text(
                    d.quadrant_text, classes=["negsim-quadrant-counts"], style={"font-size": "16px"}
                )
                with solara.Column(classes=["negsim-debrief-text"], gap="4px"):
                    for sentence in d.sentences:
                        solara.Text(sentence, style={"font-size": "16px"})
        _table(
            ("quadrant", "what it means"),
            [(QUADRANT_LABELS[q], m) for q, m in QUADRANT_MEANINGS.items()],
            ["negsim-quadrant-meanings"],
        )


@dataclass(frozen=True, kw_only=True)
class PageState:
    """What the page keeps between renders: the choices, the game, the student's controls."""

    name: solara.Reactive[str]
    opponent: solara.Reactive[str]
    game: solara.Reactive[Game | None]
    problem: solara.Reactive[str]
    started: solara.Reactive[int]
    moves: solara.Reactive[int]
    positions: solara.Reactive[tuple[int, ...]]
    mistake: solara.Reactive[str]


def use_page_state() -> PageState:
    """The hooks of a fresh :class:`PageState`."""
    return PageState(
        name=solara.use_reactive(DEFAULT_NEGOTIATION),
        opponent=solara.use_reactive(DEFAULT_OPPONENT),
        game=solara.use_reactive(cast(Game | None, None)),
        problem=solara.use_reactive(""),
        started=solara.use_reactive(0),
        moves=solara.use_reactive(0),
        positions=solara.use_reactive(cast(tuple[int, ...], ())),
        mistake=solara.use_reactive(""),
    )


#: The session's :class:`PageState`, provided by :func:`negsim.viz.app.Layout`.
page_context = solara.create_context(cast(PageState | None, None))


@solara.component
def NegotiatePage() -> None:
    """The page: set up a game, play it, read the debrief."""
    provided = solara.use_context(page_context)
    own = use_page_state()
    st = provided or own  # held by the app's Layout: a game outlives a look at the world
    name, set_name = st.name.value, st.name.set
    opponent, set_opponent = st.opponent.value, st.opponent.set
    game, set_game = st.game.value, st.game.set  # a Game once started
    problem, set_problem = st.problem.value, st.problem.set
    started, set_started = st.started.value, st.started.set
    moves, set_moves = st.moves.value, st.moves.set
    positions, set_positions = st.positions.value, st.positions.set
    mistake, set_mistake = st.mistake.value, st.mistake.set

    def start() -> None:
        try:
            g = new_game(name, opponent, started + 1)
        except (ConfigError, ValueError) as exc:
            set_problem(f"{opponent} cannot play {name}: {exc}")
            return
        set_problem("")
        set_mistake("")
        set_started(started + 1)
        set_positions(best_positions(g.neg))
        set_game(g)
        set_moves(0)

    def move(act: Callable[[], None]) -> None:
        try:
            act()
        except ValueError as exc:  # a move the rules refuse: say so, keep the game
            set_mistake(str(exc))
        else:
            set_mistake("")
        set_moves(moves + 1)

    with solara.Column(
        classes=["negsim-negotiate"], style={"font-size": "15px", "padding": "16px"}
    ):
        solara.Text(
            "Negotiate against an agent", style={"font-size": "24px", "font-weight": "bold"}
        )
        if game is None:
            Setup(
                name=name,
                opponent=opponent,
                on_name=set_name,
                on_opponent=set_opponent,
                on_start=start,
                problem=problem,
            )
            return
        with solara.Row(style={"align-items": "center"}):
            solara.Text(
                f"{game.name}: you (a) against {game.opponent} (b)",
                classes=["negsim-game-title"],
                style={"font-size": "18px"},
            )
            solara.Button("New game", on_click=lambda: set_game(None), outlined=True)
        if mistake:
            solara.Text(
                mistake, classes=["negsim-problem"], style={"color": OKABE_ITO["vermillion"]}
            )
        if game.session.ended:
            DebriefView(game=game)
            History(game=game, moves=moves)
            return
        with solara.Row(style={"flex-wrap": "wrap", "gap": "32px", "align-items": "flex-start"}):
            with solara.Column(style={"min-width": "560px", "flex": "2"}):
                Board(
                    game=game,
                    moves=moves,
                    positions=positions,
                    on_positions=set_positions,
                    on_move=move,
                )
                History(game=game, moves=moves)
            with solara.Column(style={"min-width": "360px", "flex": "1"}):
                Brief(game=game, moves=moves)
