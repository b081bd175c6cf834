"""The figures the lesson plans quote (``docs/teaching.md``), measured on the page itself.

Each step of the lesson sets the sliders (:data:`STEPS`) and runs the page's world from its
default seed, as the class sees it, reading the page's readouts at the months the plan names
(:data:`MONTHS`); "Run 5 seeds" gives the spread over seeds 1–5 (:data:`SEEDS`). The docs quote
these numbers through ``<!-- negsim:measured lesson.STEP.FIELD FORMAT -->`` markers, so
``tools/docs_blocks.py --check`` (run by the tests) fails if the page would show anything else.

The second lesson plays the negotiation page: :func:`student` plays a scripted student
(:func:`student_plan`, :func:`accepts`; the browser test plays the same student through the
page) against each opponent, for the debrief a class can compare its own games with.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from negsim.negotiation.party import Negotiation
from negsim.negotiation.play import load
from negsim.negotiation.session import Session, debrief
from negsim.negotiation.strategies.base import OfferTable
from negsim.viz.negotiate import OPPONENTS, against
from negsim.viz.world import TeachingWorld, readouts

#: The page's default seed (``negsim viz --seed``).
PAGE_SEED = 1
#: The seeds "Run 5 seeds" runs from the page's default seed.
SEEDS = tuple(range(PAGE_SEED, PAGE_SEED + 5))
#: The months at which the lesson reads the readouts.
MONTHS = (2, 10, 20, 30, 40, 60)
#: The lesson's steps: the sliders each sets (the rest stay at the classroom scenario's).
STEPS: dict[str, dict[str, float]] = {
    "default": {},
    "no_trust_growth": {"trust_growth": 0.0},
    "rare_meetings": {"meeting_interval": 6.0},
    "walk_away": {"walk_away": 0.9},
    "no_walk_away": {"walk_away": 0.0},
}


def _read(world: TeachingWorld) -> dict[str, Any]:
    r = readouts(world)
    r["failure_rate"] = r["failed"] / r["ended"] if r["ended"] else float("nan")
    return r


def run(settings: dict[str, float], seed: int) -> dict[str, Any]:
    """One world from the page: its readouts at each of :data:`MONTHS`, by month."""
    world = TeachingWorld(seed=seed, **settings)  # type: ignore[arg-type]
    out: dict[str, Any] = {}
    for month in range(1, max(MONTHS) + 1):
        world.step()
        if month in MONTHS:
            out[str(month)] = _read(world)
    return out


@cache
def figures() -> dict[str, Any]:
    """Per step: ``page`` (the default seed's readouts by month) and ``seeds`` (the mean of
    each month-60 readout over :data:`SEEDS`), e.g. ``figures()["default"]["page"]["60"]
    ["failed"]``."""
    out: dict[str, Any] = {}
    for step, settings in STEPS.items():
        worlds = [run(settings, seed) for seed in SEEDS]
        end = [w[str(max(MONTHS))] for w in worlds]
        out[step] = {
            "page": worlds[SEEDS.index(PAGE_SEED)],
            "seeds": {k: float(np.mean([e[k] for e in end])) for k in end[0]},
        }
    return out


# --- the negotiation page -----------------------------------------------------------------
#: The negotiation the second lesson plays (the page's default).
NEGOTIATION = "alliance_terms"


def student_plan(neg: Negotiation, steps: int = 20) -> list[int]:
    """Side a's offers: its best outcome, then the least demanding outcome reaching each of
    ``steps`` aspirations falling evenly to its alternative."""
    me = neg.parties[0]
    table = OfferTable(me.utility.values)
    aspirations = np.linspace(me.utility.best, me.reservation, steps)
    return [table.least_above(float(x)) for x in aspirations]


def accepts(neg: Negotiation, shown_worth: float, next_offer: int) -> bool:
    """Whether the student takes an offer the page says is worth ``shown_worth`` (2 decimals):
    when it is worth at least its own next offer and its alternative."""
    me = neg.parties[0]
    return shown_worth >= max(round(me.utility(next_offer), 2), round(me.reservation, 2))


def student(opponent: str, negotiation: str = NEGOTIATION) -> dict[str, Any]:
    """The scripted student's game against ``opponent``, as the page's debrief reports it."""
    neg = against(load(negotiation), opponent)
    plan = student_plan(neg)
    game = Session(neg)
    moves = 0
    while not game.ended:
        nxt = plan[min(moves, len(plan) - 1)]
        standing = game.standing
        if standing is not None and accepts(neg, round(game.worth(standing), 2), nxt):
            game.accept()
        else:
            game.offer(nxt)
        moves += 1
    assert game.result is not None
    d = debrief(neg, game.result)
    return {
        "ended_by": d.ended_by,
        "round": d.round,
        "you": d.payoffs[0],
        "them": d.payoffs[1],
        "nash_you": d.nash_utilities[0] if d.nash_utilities else float("nan"),
        "nash_them": d.nash_utilities[1] if d.nash_utilities else float("nan"),
        "alternative": d.alternative,
        "distance_to_frontier": d.distance_to_frontier,
        **{f"you_{q}": n for q, n in d.quadrant_counts.items()},
        **{f"them_{q}": n for q, n in d.agent_quadrant_counts.items()},
    }


@cache
def games() -> dict[str, Any]:
    """:func:`student` against each of the page's opponents."""
    return {opponent: student(opponent) for opponent in OPPONENTS}
