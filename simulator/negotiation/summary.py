"""A negotiation's result as plain data: the JSON contract of ``negsim negotiate --json``.

Outcomes are issue → value mappings. The ``analysis`` section holds ``pareto_size`` (the number
of Pareto-optimal outcomes), the Nash, Kalai–Smorodinsky and maximum-welfare points, and the
distances of the result (its undiscounted utilities, or the reservations without an agreement)
to the Pareto set and the Nash point. The Pareto set itself is listed, as ``pareto``, only when
asked for (``pareto=True``, ``negsim negotiate --pareto``): every outcome up to
:data:`MAX_LISTED` of them, beyond that an evenly spaced sample. A one-issue pie of 100,001
shares has a Pareto set of 100,001 outcomes, so the listing would dwarf everything else.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from negsim.display import readable
from negsim.negotiation.analysis import analyse
from negsim.negotiation.party import PARTY_NAMES, Negotiation
from negsim.negotiation.protocol import NegotiationResult

MAX_LISTED = 10_000


def _pair(values: tuple[float, float]) -> dict[str, float]:
    return dict(zip(PARTY_NAMES, (float(v) for v in values), strict=True))


def summarise(
    neg: Negotiation, result: NegotiationResult, seed: int | None = None, *, pareto: bool = False
) -> dict[str, Any]:
    """The result, its trace and its analysis as JSON-ready data.

    With ``pareto`` the analysis lists the Pareto set (see the module docstring).
    """
    dom = neg.domain
    a, b = neg.parties
    ua, ub = a.utility.values, b.utility.values

    def outcome(index: int | None) -> dict[str, Any] | None:
        return None if index is None else dom.mapping(index)

    if result.agreement is not None:
        point = (float(ua[result.agreement]), float(ub[result.agreement]))
    else:
        point = (a.reservation, b.reservation)
    an = analyse(ua, ub, a.reservation, b.reservation, point)
    analysis: dict[str, Any] = {
        "pareto_size": int(an.pareto.size),
        "nash": outcome(an.nash),
        "kalai_smorodinsky": outcome(an.kalai_smorodinsky),
        "max_welfare": outcome(an.max_welfare),
        "distance_to_pareto": an.distance_to_pareto,
        "distance_to_nash": an.distance_to_nash,
    }
    if pareto:
        listed = an.pareto
        if listed.size > MAX_LISTED:
            listed = listed[np.linspace(0, listed.size - 1, MAX_LISTED).round().astype(int)]
        analysis = {"pareto": [dom.mapping(int(i)) for i in listed], **analysis}
    return {
        "agreement": outcome(result.agreement),
        "ended_by": result.ended_by,
        "walked_away": result.walked_away,
        "round": result.round,
        "utilities": _pair(result.utilities),
        "seed": seed,
        "offers": [
            {
                "round": o.round,
                "by": o.by,
                "outcome": dom.mapping(o.outcome),
                "utilities": _pair(o.utilities),
            }
            for o in result.offers
        ],
        "concessions": [
            {"round": c.round, "by": c.by, "cost": c.cost, "value": c.value, "quadrant": c.quadrant}
            for c in result.concessions
        ],
        "concessions_by_quadrant": dict(Counter(c.quadrant for c in result.concessions)),
        "beliefs": dict(zip(PARTY_NAMES, result.beliefs, strict=True)),
        "analysis": analysis,
    }


def describe(neg: Negotiation, summary: dict[str, Any]) -> str:
    """A readable account of a summary, for the terminal (numbers rounded by ``readable``)."""
    lines = [
        f"{p.name}: {p.strategy} (reservation {readable(p.reservation)}, "
        f"discount {readable(p.discount)}, walk_away {readable(p.walk_away)})"
        for p in neg.parties
    ]
    how = summary["ended_by"]
    if how == "agreement":
        lines.append(f"agreement in round {summary['round']}: {_fmt(summary['agreement'])}")
    elif how == "walk_away":
        lines.append(f"{summary['walked_away']} walked away in round {summary['round']}")
    else:
        lines.append(f"no agreement by the deadline (round {summary['round']})")
    u = summary["utilities"]
    an = summary["analysis"]
    lines += [
        f"realised utilities: a {readable(u['a'])}, b {readable(u['b'])}",
        f"offers: {len(summary['offers'])}; concessions by quadrant: "
        + (
            ", ".join(f"{k} {v}" for k, v in sorted(summary["concessions_by_quadrant"].items()))
            or "none"
        ),
        f"Nash point: {_fmt(an['nash'])}; Kalai–Smorodinsky: {_fmt(an['kalai_smorodinsky'])}; "
        f"max welfare: {_fmt(an['max_welfare'])}",
        f"distance to Pareto set {readable(an['distance_to_pareto'])}"
        + (
            ""
            if an["distance_to_nash"] is None
            else f", to Nash point {readable(an['distance_to_nash'])}"
        ),
    ]
    for me, other in (neg.parties, neg.parties[::-1]):
        end = summary.get("beliefs", {}).get(me.name)
        if end is None:
            continue
        start = me.beliefs
        began = (
            (other.reservation, other.walk_away)
            if start is None
            else (start.reservation, start.walk_away)
        )
        lines.append(
            f"{me.name} now believes {other.name}'s alternative is worth "
            f"{readable(end['reservation'])} (from {readable(began[0])}) and its readiness to "
            f"walk is {readable(end['walk_away'])} (from {readable(began[1])})"
        )
    return "\n".join(lines)


def _fmt(outcome: dict[str, Any] | None) -> str:
    if outcome is None:
        return "none"
    return ", ".join(f"{k}={readable(v)}" for k, v in outcome.items())
