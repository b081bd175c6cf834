"""``zeuthen`` by play: the Nash solution under complete information, leverage from beliefs.

Every property is checked on played negotiations — through ``negsim negotiate`` (a negotiation
file in, its JSON out) where a file can say it, through the protocol the command plays
otherwise (random domains, many examples).
The Nash products below are test oracles only: the strategy never maximises one directly, it
concedes step by step by Zeuthen's risk rule.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import negsim
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Beliefs, Negotiation, Party, Protocol
from negsim.negotiation.protocol import build_strategies, negotiate
from negsim.negotiation.spec import load_negotiation
from negsim.negotiation.strategies.base import State
from negsim.negotiation.utility import LinearAdditiveUtility
from tests.conftest import play
from tests.negotiation.generators import UNIT, domains, utilities

STEPS = 101  # a pie in hundredths
GRID = 1.0 / (STEPS - 1)
PIE = Domain((Issue.numeric("share_a", 0.0, 1.0, STEPS),))
UA = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "increasing"})
UB = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "decreasing"})
FAST = settings(max_examples=60, deadline=None)


def pie_file(
    path: Path,
    *,
    d_a: float = 0.2,
    d_b: float = 0.4,
    opener: str = "a",
    deadline: int = 0,
    b: str = "zeuthen",
    walk_a: float = 1.0,
    walk_b: float = 1.0,
    patience_b: int = 1,
    beliefs_a: dict[str, float] | None = None,
) -> Path:
    """A split-the-pie negotiation file with a ``zeuthen`` party a."""
    lines = [
        "[protocol]",
        f"deadline = {deadline}",
        f'opener = "{opener}"',
        "[[issues]]",
        'name = "share_a"',
        "range = [0.0, 1.0]",
        f"steps = {STEPS}",
        "[parties.a]",
        'strategy = "zeuthen"',
        f"reservation = {d_a}",
        f"walk_away = {walk_a}",
        "weights = { share_a = 1.0 }",
        'evaluations = { share_a = "increasing" }',
    ]
    if beliefs_a is not None:
        lines += ["[parties.a.beliefs]", *(f"{k} = {v}" for k, v in beliefs_a.items())]
    lines += [
        "[parties.b]",
        f'strategy = "{b}"',
        f"reservation = {d_b}",
        f"walk_away = {walk_b}",
        f"patience = {patience_b}",
        "weights = { share_a = 1.0 }",
        'evaluations = { share_a = "decreasing" }',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def share_b(summary: dict[str, Any]) -> float:
    assert summary["ended_by"] == "agreement", summary["ended_by"]
    return 1.0 - float(summary["agreement"]["share_a"])


# --- complete information: the Nash bargaining solution, by play -----------------------------


def negotiation_file(path: Path, neg: Negotiation) -> Path:
    """``neg`` written as a negotiation file (numeric issues evaluated linearly)."""
    lines = [
        "[protocol]",
        f"deadline = {neg.protocol.deadline}",
        f'opener = "{neg.protocol.opener}"',
    ]
    for issue in neg.domain.issues:
        lines += ["[[issues]]", f'name = "{issue.name}"']
        if issue.is_numeric:
            lines += [f"range = [{issue.values[0]!r}, {issue.values[-1]!r}]"]
            lines += [f"steps = {issue.size}"]
        else:
            lines += ["values = [" + ", ".join(f'"{v}"' for v in issue.values) + "]"]
    for party in neg.parties:
        u = party.utility
        lines += [
            f"[parties.{party.name}]",
            f'strategy = "{party.strategy}"',
            f"reservation = {party.reservation!r}",
            f"walk_away = {party.walk_away!r}",
            f"patience = {party.patience}",
            f"[parties.{party.name}.weights]",
            *(f"{i.name} = {w!r}" for i, w in zip(neg.domain.issues, u.weights, strict=True)),
            f"[parties.{party.name}.evaluations]",
        ]
        for issue, evals in zip(neg.domain.issues, u.evaluations, strict=True):
            if issue.is_numeric:
                shape = "increasing" if evals[-1] >= evals[0] else "decreasing"
                lines.append(f'{issue.name} = "{shape}"')
            else:
                pairs = ", ".join(f"{v} = {e!r}" for v, e in zip(issue.values, evals, strict=True))
                lines.append(f"{issue.name} = {{ {pairs} }}")
    path.write_text("\n".join(lines) + "\n")
    return path


@st.composite
def complete_information(draw: st.DrawFn) -> Negotiation:
    """Two ``zeuthen`` players on a random multi-issue domain, each knowing the other, both
    ready to walk away (so each one's breakdown point is its reservation)."""
    domain = draw(domains(highs=(1.0, 10.0), max_steps=6))
    parties = []
    for name in "ab":
        utility = draw(
            utilities(domain, weights=st.integers(0, 10), evaluations=UNIT, always_linear=True)
        )
        parties.append(
            Party(
                name=name,
                utility=utility,
                strategy="zeuthen",
                reservation=draw(st.floats(0.0, 0.7, allow_subnormal=False)),
                walk_away=1.0,
                patience=draw(st.integers(1, 3)),
            )
        )
    opener = draw(st.sampled_from("ab"))
    return Negotiation(
        domain=domain,
        parties=(parties[0], parties[1]),
        protocol=Protocol(deadline=0, opener=opener),
    )


@FAST
@given(complete_information())
def test_complete_information_ends_on_the_highest_nash_product(neg: Negotiation) -> None:
    """Played through ``negsim negotiate``: the agreement's Nash product over the reservations
    is the maximum over the outcomes both may accept (each at least its reservation) — the Nash
    bargaining solution."""
    with tempfile.TemporaryDirectory() as tmp:
        file = negotiation_file(Path(tmp) / "n.toml", neg)
        played = play(CliRunner(), file)
        neg = load_negotiation(file)  # the oracle reads what the command played
    a, b = neg.parties
    ua, ub = a.utility.values, b.utility.values
    rational = (ua >= a.reservation) & (ub >= b.reservation)
    if not rational.any():
        assert played["agreement"] is None
        return
    nash = (ua - a.reservation) * (ub - b.reservation)
    assert played["ended_by"] == "agreement"
    got = played["utilities"]  # undiscounted: no discounting here
    assert got["a"] >= a.reservation and got["b"] >= b.reservation
    product = (got["a"] - a.reservation) * (got["b"] - b.reservation)
    assert product == pytest.approx(nash[rational].max(), abs=1e-12)


@FAST
@given(complete_information(), st.sampled_from([0.0, 1.0]), st.sampled_from([0.0, 1.0]))
def test_readiness_to_walk_sets_the_threat_points(
    neg: Negotiation, walk_a: float, walk_b: float
) -> None:
    """Complete information, any readiness: the agreement maximises the Nash product over the
    threats (walk_away × reservation) among the outcomes worth both reservations."""
    a, b = (replace(p, walk_away=w) for p, w in zip(neg.parties, (walk_a, walk_b), strict=True))
    result = negotiate(replace(neg, parties=(a, b)), 0)
    ua, ub = a.utility.values, b.utility.values
    floors = (ua >= a.reservation) & (ub >= b.reservation)
    if not floors.any():
        assert result.agreement is None
        return
    product = (ua - walk_a * a.reservation) * (ub - walk_b * b.reservation)
    assert result.agreement is not None
    assert product[result.agreement] == pytest.approx(product[floors].max(), abs=1e-12)


@pytest.mark.parametrize("opener", ["a", "b"])
def test_pie_split_is_the_nash_split_within_a_grid_step(
    cli: CliRunner, tmp_path: Path, opener: str
) -> None:
    """b's share is d_b + (1 − d_a − d_b)/2, played through ``negsim negotiate``."""
    for d_a, d_b in [(0.0, 0.0), (0.2, 0.4), (0.1, 0.7), (0.45, 0.05), (0.3, 0.3)]:
        file = pie_file(tmp_path / "pie.toml", d_a=d_a, d_b=d_b, opener=opener)
        got = share_b(play(cli, file))
        assert abs(got - (d_b + (1 - d_a - d_b) / 2)) <= GRID + 1e-9, (d_a, d_b, got)


def test_b_share_rises_with_its_alternative_at_slope_one_half(
    cli: CliRunner, tmp_path: Path
) -> None:
    """The Nash line: each unit of b's reservation is worth half a unit at the table."""
    reservations = np.linspace(0.0, 0.6, 7)
    shares = [
        share_b(play(cli, pie_file(tmp_path / "pie.toml", d_b=float(r)))) for r in reservations
    ]
    slope = np.polyfit(reservations, shares, 1)[0]
    assert slope == pytest.approx(0.5, abs=0.02)
    assert all(np.diff(shares) > 0)


def test_beliefs_at_the_truth_and_certain_play_as_complete_information(
    cli: CliRunner, tmp_path: Path
) -> None:
    truth = play(cli, pie_file(tmp_path / "a.toml"))
    certain = {"reservation": 0.4, "walk_away": 1.0, "uncertainty": 0.0}
    believed = play(cli, pie_file(tmp_path / "b.toml", beliefs_a=certain))
    assert believed["offers"] == truth["offers"]
    assert believed["beliefs"]["a"]["reservation"] == 0.4  # a certain prior never moves


# --- beliefs: leverage from the counterpart's decisions ---------------------------------------


def most_offered_to_b(cli: CliRunner, tmp_path: Path, **beliefs: float) -> float:
    """The most a offers b over a whole negotiation (no deadline) against a ``zeuthen`` b
    (alternative 0.4, ready to walk, patient), a's beliefs certain."""
    file = pie_file(tmp_path / "pie.toml", patience_b=10_000, beliefs_a=beliefs)
    return max(o["utilities"]["b"] for o in play(cli, file)["offers"] if o["by"] == "a")


def test_a_better_alternative_believed_is_offered_more(cli: CliRunner, tmp_path: Path) -> None:
    offers = [
        most_offered_to_b(cli, tmp_path, reservation=r, walk_away=1.0, uncertainty=0.0)
        for r in (0.0, 0.2, 0.4, 0.6)
    ]
    assert offers == sorted(offers) and offers[0] < offers[-1]


def test_a_readier_walker_believed_is_offered_more(cli: CliRunner, tmp_path: Path) -> None:
    """b's alternative is 0.4: a never offers less, but credits b's threat to leave only as far
    as it believes b ready to: it concedes to the Nash split (0.6) only for a sure walker."""
    offers = [
        most_offered_to_b(cli, tmp_path, reservation=0.4, walk_away=w, uncertainty=0.0)
        for w in (0.0, 0.5, 1.0)
    ]
    assert offers == sorted(offers)
    assert offers[0] == pytest.approx(0.4, abs=1e-9)
    assert offers[-1] == pytest.approx(0.6, abs=1e-9)


@FAST
@given(
    domains(highs=(1.0,), max_steps=6),
    st.data(),
    st.floats(0.0, 0.9),
    st.floats(0.0, 0.9),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_opening_offers_rise_with_the_believed_alternative_and_readiness(
    domain: Domain, data: st.DataObject, r1: float, r2: float, w1: float, w2: float
) -> None:
    """On any domain: believing more of the other's alternative, or of its readiness to take
    it, never lowers what a offers it first."""
    ua = data.draw(utilities(domain, weights=st.integers(0, 10), evaluations=UNIT))
    ub = data.draw(utilities(domain, weights=st.integers(0, 10), evaluations=UNIT))
    a = Party(name="a", utility=ua, strategy="zeuthen", reservation=0.1, walk_away=1.0)
    b = Party(name="b", utility=ub, strategy="hardliner", reservation=0.3, walk_away=1.0)

    def opening(res: float, walk: float) -> float:
        believing = replace(a, beliefs=Beliefs(reservation=res, walk_away=walk, uncertainty=0.0))
        neg = Negotiation(domain=domain, parties=(believing, b), protocol=Protocol(deadline=10))
        first = build_strategies(neg, 0)[0].act(
            State(round=1, standing=None, my_offers=(), their_offers=())
        )
        return float(ub.values[first.outcome])

    low, high = sorted((r1, r2))
    assert opening(low, 1.0) <= opening(high, 1.0)
    slow, ready = sorted((w1, w2))
    assert opening(0.5, slow) <= opening(0.5, ready)


def test_holding_firm_moves_the_counterparts_beliefs(cli: CliRunner, tmp_path: Path) -> None:
    """A hardliner never moves: a comes to believe its alternative is better, and offers more;
    a side that concedes readily is believed to have less."""
    beliefs = {"reservation": 0.1, "walk_away": 1.0, "uncertainty": 0.2}
    firm, soft = (
        play(
            cli,
            pie_file(
                tmp_path / f"{b}.toml",
                b=b,
                walk_a=0.0,
                walk_b=0.0,
                deadline=40,
                beliefs_a=beliefs,
            ),
        )
        for b in ("hardliner", "conceder")
    )
    to_b = [o["utilities"]["b"] for o in firm["offers"] if o["by"] == "a"]
    assert firm["beliefs"]["a"]["reservation"] > 0.5
    assert to_b[-1] > to_b[0] + 0.3
    assert soft["beliefs"]["a"]["reservation"] < firm["beliefs"]["a"]["reservation"]


def test_wrong_beliefs_are_corrected_by_play(cli: CliRunner, tmp_path: Path) -> None:
    """a underestimates b's alternative (0.1 for 0.4); b, a patient walker, holds firm until a
    has learnt it, and they end on the Nash split under the truth."""
    beliefs = {"reservation": 0.1, "walk_away": 1.0, "uncertainty": 0.1}
    summary = play(cli, pie_file(tmp_path / "w.toml", patience_b=3, beliefs_a=beliefs))
    assert share_b(summary) == pytest.approx(0.6, abs=GRID + 1e-9)
    assert summary["beliefs"]["a"]["reservation"] == pytest.approx(0.4, abs=0.05)


def test_a_walk_out_is_a_signal(cli: CliRunner, tmp_path: Path) -> None:
    """An impatient walker leaves a that underestimates it; a's beliefs take the walk-out in:
    they rise from where play had left them just before it."""
    beliefs = {"reservation": 0.1, "walk_away": 1.0, "uncertainty": 0.3}
    file = pie_file(tmp_path / "w.toml", patience_b=1, beliefs_a=beliefs)
    summary = play(cli, file)
    assert summary["ended_by"] == "walk_away" and summary["walked_away"] == "b"
    # replay a's side of the same negotiation up to the walk-out
    neg = load_negotiation(file)
    a = build_strategies(neg, 0)[0]
    offers = [o["outcome"]["share_a"] for o in summary["offers"]]
    index = {v: i for i, v in enumerate(neg.domain.issues[0].values)}
    trace = [index[v] for v in offers]
    mine, theirs = trace[0::2], trace[1::2]  # a opened
    for k in range(len(mine)):
        a.act(
            State(
                round=2 * k + 1,
                standing=theirs[k - 1] if k else None,
                my_offers=mine[:k],
                their_offers=theirs[:k],
            )
        )
    before = a.beliefs()
    a.saw_walk_out(trace[-1])
    assert a.beliefs() == summary["beliefs"]["a"]
    assert a.beliefs()["reservation"] > before["reservation"] + 0.05


@st.composite
def wrong_beliefs(draw: st.DrawFn) -> Negotiation:
    """Two ``zeuthen`` players, each with random (mostly wrong) beliefs about the other."""
    domain = draw(domains(highs=(1.0, 10.0), max_steps=6))
    parties = []
    for name in "ab":
        utility = draw(utilities(domain, weights=st.integers(0, 10), evaluations=UNIT))
        beliefs = Beliefs(
            reservation=draw(UNIT), walk_away=draw(UNIT), uncertainty=draw(st.floats(0.0, 1.0))
        )
        parties.append(
            Party(
                name=name,
                utility=utility,
                strategy=draw(st.sampled_from(["zeuthen", "zeuthen", "boulware", "hardliner"])),
                reservation=draw(st.floats(0.0, 0.9, allow_subnormal=False)),
                discount=draw(st.floats(0.5, 1.0)),
                walk_away=draw(st.sampled_from([0.0, 0.5, 1.0])),
                patience=draw(st.integers(1, 5)),
                beliefs=None,
            )
        )
        if parties[-1].strategy == "zeuthen":
            parties[-1] = replace(parties[-1], beliefs=beliefs)
    deadline = draw(st.integers(0, 40))
    protocol = Protocol(deadline=deadline, opener=draw(st.sampled_from("ab")), max_rounds=200)
    return Negotiation(domain=domain, parties=(parties[0], parties[1]), protocol=protocol)


@FAST
@given(wrong_beliefs(), st.integers(0, 2**32 - 1))
def test_wrong_beliefs_end_by_the_deadline_and_never_below_a_reservation(
    neg: Negotiation, seed: int
) -> None:
    result = negotiate(neg, seed)
    assert result.round <= neg.protocol.last_round
    if result.agreement is not None:
        acceptor = "b" if result.offers[-1].by == "a" else "a"
        for party in neg.parties:
            # within reach: it may walk away to its reservation, or a deadline will pay it
            in_reach = neg.protocol.deadline > 0 or party.walk_away > 0
            if party.strategy == "zeuthen" or (in_reach and party.name == acceptor):
                assert party.utility(result.agreement) >= party.reservation
    for party, belief in zip(neg.parties, result.beliefs, strict=True):
        assert (belief is not None) == (party.strategy == "zeuthen")
        if belief is not None:
            assert 0.0 <= belief["breakdown"] <= belief["reservation"] <= 1.0 + 1e-12


def test_a_deadlock_ends_at_max_rounds() -> None:
    """Two zeuthen players that will never walk and each believe the other must concede (both
    certain the other's alternative is worth nothing) cannot stall past ``max_rounds``."""
    certain_of_nothing = Beliefs(reservation=0.0, walk_away=0.0, uncertainty=0.0)
    a, b = (
        Party(name=n, utility=u, strategy="zeuthen", reservation=0.6, beliefs=certain_of_nothing)
        for n, u in (("a", UA), ("b", UB))
    )
    neg = Negotiation(domain=PIE, parties=(a, b), protocol=Protocol(deadline=0, max_rounds=50))
    result = negotiate(neg, 0)
    assert result.ended_by == "deadline" and result.round == 50


# --- the file format ---------------------------------------------------------------------------


def test_beliefs_left_out_are_the_truth(cli: CliRunner, tmp_path: Path) -> None:
    partial = play(cli, pie_file(tmp_path / "p.toml", beliefs_a={"uncertainty": 0.0}))
    truth = play(cli, pie_file(tmp_path / "t.toml"))
    assert partial["offers"] == truth["offers"]


@pytest.mark.parametrize(
    ("beliefs", "words"),
    [
        ({"reservation": 1.5}, "parties.a.beliefs.reservation = 1.5"),
        ({"walk_away": -0.1}, "parties.a.beliefs.walk_away = -0.1"),
        ({"confidence": 0.3}, "parties.a.beliefs.confidence"),
    ],
)
def test_bad_beliefs_get_one_clear_line(
    cli: CliRunner, tmp_path: Path, beliefs: dict[str, float], words: str
) -> None:
    file = pie_file(tmp_path / "bad.toml", beliefs_a=beliefs)
    result = cli.invoke(negsim.cli.app, ["negotiate", str(file)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "bad.toml" in line and words in line


def test_beliefs_only_for_a_strategy_that_reads_them(cli: CliRunner, tmp_path: Path) -> None:
    file = pie_file(tmp_path / "bad.toml", beliefs_a={"reservation": 0.3})
    file.write_text(file.read_text().replace('strategy = "zeuthen"', 'strategy = "boulware"', 1))
    result = cli.invoke(negsim.cli.app, ["negotiate", str(file)])
    assert result.exit_code == 2
    assert "parties.a.beliefs" in result.stderr and "zeuthen" in result.stderr


@pytest.mark.parametrize("walk_away", [0.0, 1.0])
def test_a_side_no_outcome_satisfies_leaves_at_once(walk_away: float) -> None:
    """Nothing reaches b's reservation: it has nothing to offer that it would accept."""
    flat = LinearAdditiveUtility(domain=PIE, weights=(1.0,), evaluations=((0.3,) * STEPS,))
    a = Party(name="a", utility=UA, strategy="zeuthen")
    b = Party(name="b", utility=flat, strategy="zeuthen", reservation=0.5, walk_away=walk_away)
    result = negotiate(Negotiation(domain=PIE, parties=(a, b), protocol=Protocol(deadline=0)), 0)
    assert result.ended_by == "walk_away" and result.walked_away == "b" and result.round == 1
    assert result.utilities == (0.0, 0.5)
