"""Bargaining theory in general, by simulation: the SPE player's played splits against closed forms.

The reference file is a sample; these cases sweep discount factors, horizons, openers and
outside options. The closed forms below are test oracles only — the library never uses them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Negotiation, Party, Protocol
from negsim.negotiation.protocol import negotiate
from negsim.negotiation.strategies.base import StrategyError
from negsim.negotiation.utility import LinearAdditiveUtility

GRID = 1e-5
PIE = Domain((Issue.numeric("share_a", 0.0, 1.0, 100_001),))
UA = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "increasing"})
UB = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "decreasing"})


def pie(
    d1: float,
    d2: float,
    *,
    deadline: int = 0,
    opener: str = "a",
    w1: float = 0.0,
    w2: float = 0.0,
    walk1: float = 1.0,
    walk2: float = 1.0,
) -> Negotiation:
    """Split-the-pie between two SPE players."""
    a = Party(name="a", utility=UA, strategy="spe", discount=d1, reservation=w1, walk_away=walk1)
    b = Party(name="b", utility=UB, strategy="spe", discount=d2, reservation=w2, walk_away=walk2)
    return Negotiation(
        domain=PIE, parties=(a, b), protocol=Protocol(deadline=deadline, opener=opener)
    )


def share_a(neg: Negotiation) -> float:
    """a's share in the played agreement (which must come in round 1)."""
    result = negotiate(neg, 0)
    assert result.ended_by == "agreement" and result.round == 1
    assert result.agreement is not None
    return float(UA.values[result.agreement])


def rubinstein_proposer_share(d_proposer: float, d_responder: float) -> float:
    """Rubinstein (1982): the first proposer's share."""
    return (1 - d_responder) / (1 - d_proposer * d_responder)


def finite_proposer_share(deadline: int, d_first: float, d_second: float) -> float:
    """Ståhl (1972): backward induction, the last proposer takes all (rejection → 0, 0)."""
    deltas = [d_first if t % 2 == 0 else d_second for t in range(deadline)]
    share = 1.0  # the proposer of round T
    for t in range(deadline - 2, -1, -1):
        share = 1 - deltas[t + 1] * share  # the responder of round t proposes in round t + 1
    return share


DELTAS = [(0.5, 0.5), (0.9, 0.6), (0.6, 0.9), (0.3, 0.95), (0.99, 0.99), (0.8, 0.2)]


@pytest.mark.parametrize(("d1", "d2"), DELTAS)
@pytest.mark.parametrize("opener", ["a", "b"])
def test_rubinstein_any_discounts(d1: float, d2: float, opener: str) -> None:
    """With no deadline the played split is Rubinstein's, for either opener."""
    got = share_a(pie(d1, d2, opener=opener, walk1=0, walk2=0))
    if opener == "a":
        assert got == pytest.approx(rubinstein_proposer_share(d1, d2), abs=GRID)
    else:
        assert 1 - got == pytest.approx(rubinstein_proposer_share(d2, d1), abs=GRID)


@pytest.mark.parametrize("deadline", [1, 2, 3, 4, 5, 8, 13])
@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.7, 0.95), (0.95, 0.5)])
def test_backward_induction_any_horizon(deadline: int, d1: float, d2: float) -> None:
    """With a deadline the played split is the backward-induction one."""
    got = share_a(pie(d1, d2, deadline=deadline, walk1=0, walk2=0))
    assert got == pytest.approx(finite_proposer_share(deadline, d1, d2), abs=GRID)


def test_long_horizon_approaches_rubinstein() -> None:
    """As the deadline grows, the finite game's split tends to Rubinstein's."""
    got = share_a(pie(0.9, 0.8, deadline=201, walk1=0, walk2=0))
    assert got == pytest.approx(rubinstein_proposer_share(0.9, 0.8), abs=1e-4)


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.8, 0.95), (0.95, 0.7)])
@pytest.mark.parametrize("w2", [0.0, 0.1, 0.3, 0.45, 0.5, 0.6, 0.75, 0.9])
def test_outside_option_principle_sweep(d1: float, d2: float, w2: float) -> None:
    """b's share is max(w2, its Rubinstein share): flat until the option binds, then 1 for 1."""
    x2_rubinstein = 1 - rubinstein_proposer_share(d1, d2)
    got = 1 - share_a(pie(d1, d2, w2=w2))
    assert got == pytest.approx(max(w2, x2_rubinstein), abs=GRID)


@pytest.mark.parametrize("w2", [0.3, 0.6, 0.9])
def test_an_option_that_cannot_be_taken_gives_no_leverage(w2: float) -> None:
    """Only a credible alternative moves the split: with walk_away 0, b gets Rubinstein's share."""
    got = 1 - share_a(pie(0.9, 0.9, w2=w2, walk2=0.0))
    assert got == pytest.approx(1 - rubinstein_proposer_share(0.9, 0.9), abs=GRID)


def test_options_that_leave_no_surplus_end_in_a_walk_out() -> None:
    """When w1 + w2 > 1 there is nothing to agree on: the game ends at the options."""
    result = negotiate(pie(0.9, 0.9, w1=0.6, w2=0.6), 0)
    assert result.ended_by == "walk_away"
    assert result.utilities == pytest.approx((0.6, 0.6))


def test_finite_horizon_with_outside_option_by_hand() -> None:
    """T = 2, δ = 0.9, b may opt out to 0.6: b's ultimatum gives a 0, so a must offer b 0.9."""
    # Round 2 (b's ultimatum) is worth 0.9·1 to b; in round 1 b accepts iff x2 ≥ max(0.6, 0.9).
    assert share_a(pie(0.9, 0.9, deadline=2, w2=0.6)) == pytest.approx(0.1, abs=GRID)


@pytest.mark.parametrize("steps", [11, 101, 1001])
def test_coarse_grids_round_in_the_proposers_favour_but_stay_within_a_step(steps: int) -> None:
    """On a coarse grid the split is the proposer-best grid point the responder accepts."""
    dom = Domain((Issue.numeric("share_a", 0.0, 1.0, steps),))
    ua = LinearAdditiveUtility.from_tables(dom, {"share_a": 1}, {"share_a": "increasing"})
    ub = LinearAdditiveUtility.from_tables(dom, {"share_a": 1}, {"share_a": "decreasing"})
    neg = pie(0.9, 0.9, walk1=0, walk2=0)
    neg = replace(
        neg,
        domain=dom,
        parties=(replace(neg.parties[0], utility=ua), replace(neg.parties[1], utility=ub)),
    )
    result = negotiate(neg, 0)
    assert result.agreement is not None
    x1 = float(ua.values[result.agreement])
    assert 0 <= rubinstein_proposer_share(0.9, 0.9) - x1 <= 1 / (steps - 1) + 1e-12


def test_spe_refuses_other_domains() -> None:
    """spe names the field and what is allowed on a domain that is not split-the-pie."""
    dom = Domain((Issue.discrete("p", ["x", "y"]), Issue.discrete("q", ["x", "y"])))
    u = LinearAdditiveUtility.from_tables(
        dom, {"p": 1, "q": 1}, {"p": "increasing", "q": "increasing"}
    )
    neg = Negotiation(
        domain=dom,
        parties=(
            Party(name="a", utility=u, strategy="spe"),
            Party(name="b", utility=u, strategy="linear"),
        ),
    )
    with pytest.raises(StrategyError, match=r"parties\.a\.strategy.*split-the-pie"):
        negotiate(neg, 0)


def test_spe_without_deadline_needs_discounting() -> None:
    """With no deadline and no discounting every split is an equilibrium: spe says so."""
    with pytest.raises(StrategyError, match="discount < 1"):
        negotiate(pie(1.0, 0.9), 0)


def test_spe_shares_sum_to_the_pie() -> None:
    """Realised utilities of an immediate agreement add up to the whole pie."""
    result = negotiate(pie(0.9, 0.8), 0)
    assert sum(result.utilities) == pytest.approx(1.0, abs=1e-12)
    assert np.isfinite(result.utilities).all()
