"""A scripted student for the "negotiate against an agent" page (:mod:`negsim.viz.negotiate`).

The student's plan (:func:`student_plan`, :func:`accepts`) is shared by the in-process test
(``tests/test_viz_negotiate.py``) and by :func:`play_student`, which plays the page served in a
real browser through Playwright's sync API, using only what a person would: the visible
controls, found by their labels, the page's CSS classes and the buttons' names.

The student opens at its best outcome and concedes along its own utility to its alternative in
``steps`` offers; it accepts the agent's offer once that is worth at least its own next offer
and its alternative.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from playwright.sync_api import Locator, Page, expect

from negsim.negotiation.domain import Issue
from negsim.negotiation.party import Negotiation
from negsim.negotiation.play import load
from negsim.viz.lesson import accepts, student_plan
from negsim.viz.negotiate import against

WORTH = re.compile(r"worth (\d+\.\d+) to you")
#: How long to wait for the server's answer to one click (ms).
TIMEOUT = 30_000


def _choose(page: Page, label: str, value: str) -> None:
    """Pick ``value`` in the drop-down list labelled ``label``."""
    field = page.locator(".v-select").filter(has=page.locator("label", has_text=label))
    field.locator(".v-select__slot").click()
    page.locator(".menuable__content__active").get_by_role("option", name=value, exact=True).click()
    expect(field.locator(".v-select__selection")).to_have_text(value, timeout=TIMEOUT)


def _set_issue(page: Page, box: Locator, issue: Issue, position: int) -> None:
    """Set one issue's control: a toggle button by its label, or a slider by keyboard, one
    step at a time until the slider shows the value (a long grid takes many steps)."""
    if not issue.is_numeric:
        box.get_by_role("button", name=str(issue.values[position]), exact=True).click()
        return
    slider = box.get_by_role("slider")
    grid = np.asarray(issue.values, dtype=np.float64)
    for _ in range(2 * grid.size):
        now = slider.get_attribute("aria-valuenow") or "nan"
        at = int(np.argmin(np.abs(grid - float(now))))
        if at == position:
            return
        slider.press("ArrowRight" if at < position else "ArrowLeft")
        expect(slider).not_to_have_attribute("aria-valuenow", now, timeout=TIMEOUT)
    raise AssertionError(f"the {issue.name} slider did not reach {issue.values[position]}")


def _set_terms(page: Page, neg: Negotiation, outcome: int) -> None:
    """Set every issue control to ``outcome``, then wait for the page's worth to agree."""
    positions = np.unravel_index(outcome, neg.domain.shape)
    for issue, k in zip(neg.domain.issues, positions, strict=True):
        label = page.get_by_text(issue.name, exact=True)
        box = page.locator(".negsim-issue").filter(has=label)
        _set_issue(page, box, issue, int(k))
    worth = f"This offer is worth {neg.parties[0].utility(outcome):.2f} to you."
    expect(page.locator(".negsim-offer-worth")).to_have_text(worth, timeout=TIMEOUT)


def _rows(page: Page) -> int:
    return page.locator(".negsim-history tbody tr").count()


def _wait_for_reply(page: Page, rows_before: int) -> None:
    """Wait for the agent's answer: a new row in the exchange, or the debrief."""
    grown = page.locator(".negsim-history tbody tr").nth(rows_before + 1)
    expect(page.locator(".negsim-debrief").or_(grown).first).to_be_visible(timeout=TIMEOUT)


def play_student(
    page: Page,
    strategy: str = "boulware",
    *,
    negotiation: str = "alliance_terms",
    steps: int = 20,
    max_moves: int = 120,
) -> dict[str, Any]:
    """Play the page (already loaded in ``page``) as the scripted student until the debrief.

    Returns what the student saw: ``moves`` made, ``rounds`` (the last round in the exchange),
    ``quadrant_counts`` (the debrief's line), ``sentences`` (its words), ``ended_by``
    (``agreement``, ``walk_away`` or ``deadline``, read from the words) and ``images`` in the
    debrief.
    """
    neg = against(load(negotiation), strategy)
    plan = student_plan(neg, steps)
    expect(page.locator(".negsim-negotiate")).to_be_visible(timeout=60_000)
    if negotiation != "alliance_terms":
        _choose(page, "Negotiation", negotiation)
    _choose(page, "Opponent", strategy)
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".negsim-standing")).to_be_visible(timeout=TIMEOUT)
    debrief = page.locator(".negsim-debrief")
    moves = 0
    while not debrief.is_visible() and moves < max_moves:
        nxt = plan[min(moves, len(plan) - 1)]
        found = WORTH.search(page.locator(".negsim-standing").inner_text())
        rows = _rows(page)
        if found and accepts(neg, float(found.group(1)), nxt):
            page.get_by_role("button", name="Accept their offer").click()
            expect(debrief).to_be_visible(timeout=TIMEOUT)
        else:
            _set_terms(page, neg, nxt)
            page.get_by_role("button", name="Make offer").click()
            _wait_for_reply(page, rows)
        moves += 1
    expect(debrief).to_be_visible(timeout=TIMEOUT)
    expect(debrief.locator("img")).to_be_visible(timeout=TIMEOUT)
    sentences = debrief.locator(".negsim-debrief-text").inner_text().splitlines()
    words = " ".join(sentences)
    ended_by = (
        "agreement"
        if "You agreed" in words
        else "walk_away"
        if "walked away" in words
        else "deadline"
    )
    last_row = page.locator(".negsim-history tbody tr").last.locator("td").first
    return {
        "moves": moves,
        "rounds": int(last_row.inner_text()) if _rows(page) else 0,
        "quadrant_counts": page.locator(".negsim-quadrant-counts").inner_text().strip(),
        "sentences": [s for s in sentences if s.strip()],
        "ended_by": ended_by,
        "images": debrief.locator("img").count(),
    }
