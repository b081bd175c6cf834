"""``negsim demo``: the shipped example negotiations, and walk-away leverage by simulation."""

from __future__ import annotations

from dataclasses import replace

import negsim.shipped as shipped
from negsim.display import readable
from negsim.negotiation.analysis import nash_point
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Negotiation, Party, Protocol
from negsim.negotiation.protocol import negotiate
from negsim.negotiation.spec import load_negotiation
from negsim.negotiation.summary import describe, summarise
from negsim.negotiation.utility import LinearAdditiveUtility

EXAMPLES = ("contract_example", "price_warranty", "alliance_terms")
#: The zeuthen pie's grid: zeuthen concedes a step at a time, so a pie of n steps takes about
#: n/2 rounds; thousandths keep the demo to a second.
ZEUTHEN_STEPS = 1001


def run_demo(seed: int = 0) -> str:
    """Play each example, then sweep b's outside option in split-the-pie (spe and zeuthen)."""
    parts = []
    for name in EXAMPLES:
        neg = load_negotiation(shipped.find("negotiation", name))
        summary = summarise(neg, negotiate(neg, seed), seed)
        parts.append(f"== {name}.toml\n{describe(neg, summary)}")
    parts.append(walk_away_leverage())
    return "\n\n".join(parts)


def walk_away_leverage(
    options: tuple[float, ...] = (0.0, 0.2, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8),
) -> str:
    """b's share against its outside option, two theories each reproduced by play.

    ``spe`` (δ = 0.9, the shipped ``split_the_pie``): the outside-option principle, flat until
    the option binds, then one for one. ``zeuthen`` on both sides (the same pie in thousandths,
    no discounting, both ready to walk): the Nash line, slope one half. The Nash point is
    computed beside them, by enumeration.
    """
    base = load_negotiation(shipped.find("negotiation", "split_the_pie"))
    coarse = Domain((Issue.numeric("share_a", 0.0, 1.0, ZEUTHEN_STEPS),))
    lines = [
        "== walk-away leverage: split-the-pie, b may opt out to its alternative w",
        f"  {'w':>4}   {'spe (δ = 0.9)':>13}   {'zeuthen':>11}   {'Nash point':>10}   (b's share)",
    ]
    for w in options:
        a, b = base.parties
        spe = replace(base, parties=(a, replace(b, reservation=w)))
        ub = b.utility.values
        played = negotiate(spe, 0)
        share = "walked away" if played.agreement is None else readable(ub[played.agreement])
        risk = _zeuthen_pie(coarse, w)
        nash = nash_point(a.utility.values, ub, a.reservation, w)
        nash_share = "none" if nash is None else readable(ub[nash])
        lines.append(f"  {readable(w):>4}   {share:>13}   {risk:>11}   {nash_share:>10}")
    lines += [
        "   spe: an outside option moves b's share only once it exceeds b's Rubinstein share",
        "   9/19 ≈ 0.4737 (it binds), then one for one. zeuthen: each unit of b's alternative",
        "   is worth half a unit at the table — the side that risks less concedes, so a better",
        "   alternative, believed, is offered more (the Nash bargaining solution).",
    ]
    return "\n".join(lines)


def _zeuthen_pie(domain: Domain, w: float) -> str:
    """b's share when two ``zeuthen`` players split ``domain``'s pie, b's alternative ``w``."""
    u = (
        LinearAdditiveUtility.from_tables(domain, {"share_a": 1.0}, {"share_a": "increasing"}),
        LinearAdditiveUtility.from_tables(domain, {"share_a": 1.0}, {"share_a": "decreasing"}),
    )
    a = Party(name="a", utility=u[0], strategy="zeuthen", walk_away=1.0)
    b = Party(name="b", utility=u[1], strategy="zeuthen", reservation=w, walk_away=1.0)
    neg = Negotiation(domain=domain, parties=(a, b), protocol=Protocol(deadline=0))
    result = negotiate(neg, 0)
    return "walked away" if result.agreement is None else readable(u[1](result.agreement))
