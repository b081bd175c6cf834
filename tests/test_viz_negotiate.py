"""The "negotiate against an agent" page, rendered in-process: a scripted student plays it.

The student uses only what the page shows — the issue controls (found by their containers'
``negsim-issue`` class and labelled with the issue name), the offer's worth, the standing offer
and the buttons — as a person would. No browser: :mod:`tests.viz_student` drives the same page
in one once it is served.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara
from ipywidgets import Widget
from matplotlib.text import Text

import negsim.viz.negotiate as page
from negsim.negotiation.domain import Domain
from negsim.negotiation.play import load
from negsim.negotiation.session import QUADRANT_LABELS, Session, debrief
from negsim.viz.lesson import accepts, student_plan
from negsim.viz.negotiate import OPPONENTS, NegotiatePage, against, debrief_figure

WORTH = re.compile(r"worth (\d+\.\d+) to you")
COUNTS = re.compile(
    r"^costly trade (\d+) · material-yet-symbolic (\d+) · unnecessary cost (\d+) · "
    r"low stakes (\d+)$"
)


# --- finding what the page shows -------------------------------------------------------------
def _walk(w: Any) -> Iterator[Any]:
    yield w
    for child in getattr(w, "children", None) or []:
        if isinstance(child, Widget):
            yield from _walk(child)


def _root(rc: Any) -> Any:
    return rc.find(Widget).widgets[0]


def _with_class(rc: Any, name: str) -> list[Any]:
    """Every widget below the page whose CSS classes include ``name``."""
    return [w for w in _walk(_root(rc)) if name in str(getattr(w, "class_", "") or "").split()]


def _text(w: Any) -> str:
    """The text shown in ``w`` and below it."""
    return " ".join(
        str(c) for x in _walk(w) for c in (getattr(x, "children", None) or []) if isinstance(c, str)
    )


def _one_text(rc: Any, name: str) -> str:
    found = _with_class(rc, name)
    assert len(found) == 1, f"expected one .{name}, found {len(found)}"
    return _text(found[0])


def _button(rc: Any, label: str) -> Any:
    return rc.find(v.Btn, children=[label]).widget


def _render() -> Any:
    _, rc = solara.render(NegotiatePage(), handle_error=False)
    return rc


def _start(rc: Any, opponent: str = "boulware", negotiation: str = "alliance_terms") -> None:
    rc.find(v.Select, label="Negotiation").widget.v_model = negotiation
    rc.find(v.Select, label="Opponent").widget.v_model = opponent
    _button(rc, "Start").click()
    assert _with_class(rc, "negsim-negotiate") and not _with_class(rc, "negsim-problem")


def _set_terms(rc: Any, domain: Domain, outcome: int) -> None:
    """Set every issue control to ``outcome``'s value, through the controls."""
    terms = domain.mapping(outcome)
    boxes = _with_class(rc, "negsim-issue")
    assert len(boxes) == len(domain.issues)
    for box, issue in zip(boxes, domain.issues, strict=True):
        inside = list(_walk(box))
        sliders = [w for w in inside if isinstance(w, v.Slider)]
        toggles = [w for w in inside if isinstance(w, v.BtnToggle)]
        if issue.is_numeric:
            assert sliders[0].label == issue.name
            if abs(sliders[0].v_model - float(terms[issue.name])) > 1e-9:
                sliders[0].v_model = float(terms[issue.name])
        else:
            assert issue.name in _text(box)
            if toggles[0].v_model != issue.values.index(terms[issue.name]):
                toggles[0].v_model = issue.values.index(terms[issue.name])


def _worth(text: str) -> float:
    found = WORTH.search(text)
    assert found, text
    return float(found.group(1))


def _ended(rc: Any) -> bool:
    return bool(_with_class(rc, "negsim-debrief"))


# --- the scripted student --------------------------------------------------------------------
def play_scripted(rc: Any, opponent: str, *, max_moves: int = 200) -> int:
    """Play as :mod:`tests.viz_student`'s student (:func:`student_plan`, :func:`accepts`),
    reading the page's worth of each offer. Returns the number of moves made."""
    neg = against(load("alliance_terms"), opponent)
    plan = student_plan(neg)
    moves = 0
    while not _ended(rc) and moves < max_moves:
        nxt = plan[min(moves, len(plan) - 1)]
        standing = _one_text(rc, "negsim-standing")
        if WORTH.search(standing) and accepts(neg, _worth(standing), nxt):
            _button(rc, "Accept their offer").click()
        else:
            _set_terms(rc, neg.domain, nxt)
            shown = _worth(_one_text(rc, "negsim-offer-worth"))
            assert shown == round(neg.parties[0].utility(nxt), 2)
            _button(rc, "Make offer").click()
        moves += 1
    return moves


def test_a_student_plays_alliance_terms_against_boulware_to_an_agreement() -> None:
    """The scripted student agrees; the debrief shows the figure, the counts and the words."""
    rc = _render()
    assert [b.children[0] for b in rc.find(v.Btn).widgets] == ["Start"]
    _start(rc)
    assert _button(rc, "Accept their offer").disabled  # nothing on the table yet
    assert "No offer of theirs" in _one_text(rc, "negsim-standing")
    brief = _one_text(rc, "negsim-brief")
    assert "value_split" in brief and "0.35" in brief and "Round 1 of 60: 60 round(s) left" in brief
    play_scripted(rc, "boulware")
    assert _ended(rc)
    box = _with_class(rc, "negsim-debrief")[0]
    images = [w for w in _walk(box) if isinstance(w, widgets.Image)]
    assert len(images) == 1 and len(bytes(images[0].value)) > 20_000
    counts = COUNTS.match(_one_text(rc, "negsim-quadrant-counts"))
    assert counts and sum(int(n) for n in counts.groups()) > 0
    words = _one_text(rc, "negsim-debrief-text")
    assert "You agreed in round " in words
    assert re.search(r"Walking away would have given you 0\.35; the deal gave you 0\.\d\d", words)
    assert "Pareto frontier" in words and "Nash point" in words
    rows = _one_text(rc, "negsim-history")
    assert "you" in rows and "them" in rows
    assert not _with_class(rc, "negsim-problem")


def test_walking_away_ends_the_game_and_the_debrief_names_the_alternative() -> None:
    """Offer once, walk away: the debrief says what the alternative gave; New game goes back."""
    rc = _render()
    _start(rc)
    _button(rc, "Make offer").click()
    assert "Their offer (round 2)" in _one_text(rc, "negsim-standing")
    assert not _button(rc, "Accept their offer").disabled
    _button(rc, "Walk away").click()
    assert _ended(rc)
    words = _one_text(rc, "negsim-debrief-text")
    assert "You walked away in round 2: your alternative gave you 0.35." in words
    assert _one_text(rc, "negsim-quadrant-counts") == " · ".join(
        f"{label} 0" for label in QUADRANT_LABELS.values()
    )
    _button(rc, "New game").click()
    assert not _ended(rc) and _button(rc, "Start")


@pytest.mark.parametrize("opponent", OPPONENTS)
def test_each_opponent_can_be_chosen_and_played(opponent: str) -> None:
    """A few rounds against each strategy: offers go back and forth, the history grows."""
    rc = _render()
    _start(rc, opponent)
    assert opponent in _one_text(rc, "negsim-game-title")
    neg = against(load("alliance_terms"), opponent)
    order = np.argsort(-neg.parties[0].utility.values, kind="stable")
    for k in range(4):
        if _ended(rc):
            break
        _set_terms(rc, neg.domain, int(order[3 * k]))
        _button(rc, "Make offer").click()
    history = _with_class(rc, "negsim-history")
    assert history and _text(history[0]).count("you") >= 1
    if not _ended(rc):
        _button(rc, "Walk away").click()
    assert _ended(rc) and COUNTS.match(_one_text(rc, "negsim-quadrant-counts"))


def test_a_strategy_that_cannot_play_is_said_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A game that cannot be built leaves the setup with a one-line reason, not a crash."""

    def refuse(name: str, opponent: str, number: int) -> page.Game:
        raise ValueError("it needs something this file lacks")

    monkeypatch.setattr(page, "new_game", refuse)
    rc = _render()
    _button(rc, "Start").click()
    assert _one_text(rc, "negsim-problem") == (
        "boulware cannot play alliance_terms: it needs something this file lacks"
    )
    assert _button(rc, "Start")


def test_every_shipped_negotiation_starts_against_every_opponent() -> None:
    """The page's choices all build a game (the agent opens or waits for the student)."""
    for name in ("alliance_terms", "contract_example", "price_warranty"):
        for opponent in OPPONENTS:
            game = page.new_game(name, opponent, 1)
            assert game.neg.parties[1].strategy == opponent and not game.session.ended


def test_the_agent_keeps_its_interests_but_plays_the_chosen_strategy() -> None:
    """Utility and alternative kept; parameters the new strategy does not take (or takes with
    another meaning) dropped; beliefs only for a strategy that reads them."""
    base = load("contract_example")  # a: boulware, e = 0.2
    conceder = against(base, "conceder", "a").parties[0]
    assert conceder.strategy == "conceder" and dict(conceder.params) == {}
    assert conceder.utility == base.parties[0].utility
    assert conceder.reservation == base.parties[0].reservation
    assert against(base, "boulware", "a") is base
    tft = against(load("alliance_terms"), "zeuthen").parties[1]
    assert tft.strategy == "zeuthen" and dict(tft.params) == {} and tft.beliefs is None


def test_the_debrief_figure_is_readable_on_a_projector() -> None:
    """Labelled axes, no text under 11 pt, colour-blind-safe colours for the quadrants."""
    neg = against(load("alliance_terms"), "conceder")
    s = Session(neg, "a", seed=1)
    order = np.argsort(-neg.parties[0].utility.values, kind="stable")
    for k in range(6):
        if s.ended:
            break
        s.offer(int(order[10 * k]))
    if not s.ended:
        s.walk()
    assert s.result is not None
    fig = debrief_figure(neg, s.result, debrief(neg, s.result), "b")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "your utility" and ax.get_ylabel().startswith("their utility")
    fig.savefig(io.BytesIO(), format="png")  # tick labels exist once drawn
    shown = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    assert len(shown) > 20 and min(t.get_fontsize() for t in shown) >= 11
    colours = list(page.QUADRANT_COLOURS.values())  # Okabe–Ito, or a grey (no hue to confuse)
    assert len(set(colours)) == 4
    assert all(c in page.OKABE_ITO.values() or c[1:3] == c[3:5] == c[5:7] for c in colours)
