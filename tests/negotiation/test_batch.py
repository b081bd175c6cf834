"""The batch path against the one-at-a-time protocol: identical results, or a clear refusal.

``run_batch`` promises the exact results of ``negotiate`` for every negotiation it plays: the
same agreement, ending, walker and round, realised utilities equal to the bit, and the same
sequence of offers. The cases below stress that promise where float noise and ties bite: tied
utilities (evaluations from {0, 0.5, 1}), reservations equal to reachable utilities, numeric
issues, deadlines of 1 and 2, both openers, fractional walk-aways and patience.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.negotiation.batch import ENDED_BY, problem_from_negotiations, run_batch
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Beliefs, Negotiation, Party, Protocol
from negsim.negotiation.protocol import negotiate
from negsim.negotiation.utility import LinearAdditiveUtility
from tests.negotiation.generators import TIED, UNIT, domains, params_for, parties, utilities

TIME_DEPENDENT = ("time_dependent", "boulware", "linear", "conceder")
BATCH_KEYS = (*TIME_DEPENDENT, "hardliner", "tit_for_tat", "zeuthen")


def assert_identical(negs: list[Negotiation], seeds: list[int]) -> None:
    """Batch results equal the one-at-a-time results, field by field and bit by bit."""
    got = run_batch(problem_from_negotiations(negs, seeds))
    last = negs[0].protocol.last_round
    assert got.offers.shape == (len(negs), last)
    for k, (neg, seed) in enumerate(zip(negs, seeds, strict=True)):
        want = negotiate(neg, seed)
        offers = [o.outcome for o in want.offers]
        assert got.offers[k].tolist() == offers + [-1] * (last - len(offers)), k
        assert got.agreement[k] == (-1 if want.agreement is None else want.agreement), k
        assert ENDED_BY[got.ended_by[k]] == want.ended_by, k
        assert got.walked_away[k] == (
            -1 if want.walked_away is None else "ab".index(want.walked_away)
        ), k
        assert got.round[k] == want.round, k
        assert got.utilities[k].tobytes() == np.array(want.utilities).tobytes(), k
        for side, belief in enumerate(want.beliefs):
            if belief is None:
                assert np.isnan(got.beliefs[k, side]).all(), k
            else:
                held = [belief["reservation"], belief["walk_away"], belief["breakdown"]]
                assert got.beliefs[k, side].tobytes() == np.array(held).tobytes(), k


# --- random batches -----------------------------------------------------------------------------


#: Parameters the batch path plays, drawn often from edge values (0 among them); the batch path
#: has no opponent model, so ``opponent_model`` is only ever "none". ``horizon`` (0–50, from its
#: declared range) matters only without a deadline.
BATCH_VALUES = {
    "e": st.sampled_from([0.0, 0.2, 1.0, 5.0]) | st.floats(0.0, 20.0),
    "k": st.sampled_from([0.0, 0.5]) | st.floats(0.0, 1.0),
    "opponent_model": st.just("none"),
    "generosity": st.sampled_from([0.0, 0.1]) | st.floats(0.0, 0.3),
}


@st.composite
def believing(draw: st.DrawFn, pair: tuple[Party, Party]) -> tuple[Party, Party]:
    """``pair`` with random beliefs (or none: the truth) for each ``zeuthen`` party."""
    out = []
    for party in pair:
        if party.strategy == "zeuthen" and draw(st.booleans()):
            beliefs = Beliefs(
                reservation=draw(TIED | UNIT),
                walk_away=draw(st.sampled_from([0.0, 0.5, 1.0]) | UNIT),
                uncertainty=draw(st.sampled_from([0.0, 0.1]) | st.floats(0.0, 1.0)),
            )
            party = replace(party, beliefs=beliefs)
        out.append(party)
    return out[0], out[1]


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Negotiation], list[int]]:
    """1–6 negotiations sharing a protocol and issue sizes, with their seeds."""
    domain = draw(domains(highs=(100.0,)))
    deadline = draw(st.sampled_from([0, 1, 2]) | st.integers(3, 40))  # 0: cut off at max_rounds
    protocol = Protocol(
        deadline=deadline, opener=draw(st.sampled_from("ab")), max_rounds=draw(st.integers(1, 30))
    )
    ties = draw(st.booleans())  # tied utilities: evaluations from {0, 0.5, 1}, integer weights
    weights = st.sampled_from([0, 1, 1, 2, 3]) if ties else st.floats(0, 1)
    evaluations = TIED if ties else UNIT
    pair = parties(
        BATCH_KEYS,
        utilities(domain, weights=weights, evaluations=evaluations),
        params=partial(params_for, values=BATCH_VALUES, int_span=50),
        reservation=TIED | UNIT,
        discount=st.sampled_from([1.0, 0.9]) | st.floats(0.2, 1.0),
        walk_away=[0.0, 0.3, 1.0],
    )
    negs = [
        Negotiation(domain=domain, parties=draw(believing(draw(pair))), protocol=protocol)
        for _ in range(draw(st.integers(1, 6)))
    ]
    seeds = [draw(st.integers(0, 2**32)) for _ in negs]
    return negs, seeds


@settings(max_examples=100, deadline=None)
@given(case=batches())
def test_batch_equals_one_at_a_time(case: tuple[list[Negotiation], list[int]]) -> None:
    """Random batches reproduce negotiate() exactly: offers, ending, round, utilities to the bit."""
    negs, seeds = case
    assert_identical(negs, seeds)


# --- fixed cases --------------------------------------------------------------------------------

PIE = Domain((Issue.numeric("share_a", 0.0, 1.0, 101),))
UP = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "increasing"})
DOWN = LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "decreasing"})


def pie(a: str, b: str, *, deadline: int = 20, opener: str = "a", **kw: object) -> Negotiation:
    """Split-the-pie between strategies ``a`` and ``b`` (extra fields for both parties)."""
    return Negotiation(
        domain=PIE,
        parties=(
            Party(name="a", utility=UP, strategy=a, **kw),  # type: ignore[arg-type]
            Party(name="b", utility=DOWN, strategy=b, **kw),  # type: ignore[arg-type]
        ),
        protocol=Protocol(deadline=deadline, opener=opener),
    )


@pytest.mark.parametrize("a", BATCH_KEYS)
@pytest.mark.parametrize("b", BATCH_KEYS)
def test_batch_of_one_equals_negotiate(a: str, b: str) -> None:
    """A batch holding a single negotiation gives exactly that negotiation's result."""
    assert_identical([pie(a, b, reservation=0.25, discount=0.95, walk_away=0.3)], [7])


@pytest.mark.parametrize("deadline", [1, 2, 3])
@pytest.mark.parametrize("opener", ["a", "b"])
def test_batch_short_deadlines_and_both_openers(deadline: int, opener: str) -> None:
    """Deadlines of one to three rounds, either opener, every batch strategy on each side."""
    negs = [
        pie(a, b, deadline=deadline, opener=opener, reservation=0.5, walk_away=1.0)
        for a in BATCH_KEYS
        for b in BATCH_KEYS
    ]
    assert_identical(negs, list(range(len(negs))))


def test_batch_honours_the_horizon_parameter_without_deadline() -> None:
    """With deadline 0, ``horizon`` sets T on both paths, so they still agree."""
    neg = Negotiation(
        domain=PIE,
        parties=(
            Party(name="a", utility=UP, strategy="linear", params={"horizon": 10}),
            Party(name="b", utility=DOWN, strategy="hardliner"),
        ),
        protocol=Protocol(deadline=0, max_rounds=30),
    )
    assert_identical([neg], [0])


def test_batch_breaks_ties_between_sums_that_round_equal() -> None:
    """Utilities tie once rounded although their partial sums differ: the lowest index wins.

    a's first issue adds 1e-17, 5e-18 or 0 to the second issue's 0.5, all lost in rounding, so
    outcomes 1, 3 and 5 are each worth exactly 0.5; the batch path holds them in the order of
    their partial sums (5, 3, 1), and must still offer outcome 1.
    """
    domain = Domain((Issue.discrete("x", ["p", "q", "r"]), Issue.discrete("y", ["lo", "hi"])))
    tiny = LinearAdditiveUtility(
        domain=domain, weights=(0.5, 0.5), evaluations=((2e-17, 1e-17, 0.0), (0.0, 1.0))
    )
    other = LinearAdditiveUtility(
        domain=domain, weights=(0.5, 0.5), evaluations=((0.0, 0.5, 1.0), (1.0, 0.0))
    )
    negs = [
        Negotiation(
            domain=domain,
            parties=(
                Party(name="a", utility=tiny, strategy=strategy),
                Party(name="b", utility=other, strategy="linear"),
            ),
            protocol=Protocol(deadline=10),
        )
        for strategy in ("boulware", "linear", "tit_for_tat")
    ]
    assert negotiate(negs[0], 0).offers[0].outcome == 1
    assert_identical(negs, [0, 1, 2])


def test_batch_with_utilities_crowded_together() -> None:
    """Utilities crowded into a sliver of their range order as well as spread-out ones.

    Between one outcome worth 0 and one worth 1, 58 lie within 0.001 of 0.5 (in decreasing
    order), so sorting by bucket leaves them all in one: the batch path's sort changes method.
    """
    n = 60
    domain = Domain((Issue.discrete("x", [f"v{i}" for i in range(n)]),))
    evals = (0.0, *(0.5 + 1e-3 * (n - 1 - i) / n for i in range(1, n - 1)), 1.0)
    crowded = LinearAdditiveUtility(domain=domain, weights=(1.0,), evaluations=(evals,))
    mirrored = LinearAdditiveUtility(
        domain=domain, weights=(1.0,), evaluations=(tuple(1.0 - e for e in evals),)
    )
    pairs = [("linear", "linear"), ("conceder", "boulware"), ("tit_for_tat", "linear")]
    for opener in "ab":
        negs = [
            Negotiation(
                domain=domain,
                parties=(
                    Party(name="a", utility=crowded, strategy=a),
                    Party(name="b", utility=mirrored, strategy=b),
                ),
                protocol=Protocol(deadline=30, opener=opener),
            )
            for a, b in pairs
        ]
        assert_identical(negs, list(range(len(negs))))


@pytest.mark.parametrize(
    "params", [{"no_such_param": 1.0}, {"e": -1.0}, {"k": 2.0}], ids=["unknown", "e<0", "k>1"]
)
def test_batch_rejects_parameters_that_negotiate_rejects(params: dict[str, float]) -> None:
    """A parameter negotiate() refuses is refused by the batch path as well (ValueError)."""
    neg = pie("linear", "linear")
    bad = Negotiation(
        domain=PIE,
        parties=(
            Party(name="a", utility=UP, strategy="linear", params=params),
            neg.parties[1],
        ),
        protocol=neg.protocol,
    )
    with pytest.raises(ValueError):
        negotiate(bad, 0)
    with pytest.raises(ValueError):
        problem_from_negotiations([bad], [0])


@pytest.mark.parametrize("side", [0, 1])
@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("trade_off", {}),
        ("random", {}),
        ("spe", {}),
        ("time_dependent", {"opponent_model": "frequency"}),
        ("boulware", {"opponent_model": "frequency"}),
    ],
)
def test_unsupported_strategies_are_refused(side: int, key: str, params: dict[str, str]) -> None:
    """Strategies without a batch path (or an opponent model) raise ValueError on either side."""
    ok = pie("linear", "linear")
    parties = list(ok.parties)
    parties[side] = Party(
        name="ab"[side], utility=parties[side].utility, strategy=key, params=params
    )
    neg = Negotiation(domain=PIE, parties=(parties[0], parties[1]), protocol=ok.protocol)
    with pytest.raises(ValueError, match="no batch path"):
        problem_from_negotiations([ok, neg], [0, 1])


def test_fractional_walk_away_needs_seeds() -> None:
    """Without per-negotiation seeds a fractional walk_away cannot be replayed: ValueError."""
    with pytest.raises(ValueError, match="seeds"):
        run_batch(problem_from_negotiations([pie("linear", "linear", walk_away=0.3)]))


def test_batch_needs_one_protocol_and_one_shape() -> None:
    """Negotiations with different protocols or issue sizes cannot share a batch."""
    with pytest.raises(ValueError, match="one protocol"):
        problem_from_negotiations([pie("linear", "linear"), pie("linear", "linear", deadline=5)])
    other = Domain((Issue.numeric("share_a", 0.0, 1.0, 11),))
    small = Negotiation(
        domain=other,
        parties=(
            Party(
                name="a",
                utility=LinearAdditiveUtility.from_tables(
                    other, {"share_a": 1}, {"share_a": "increasing"}
                ),
                strategy="linear",
            ),
            Party(
                name="b",
                utility=LinearAdditiveUtility.from_tables(
                    other, {"share_a": 1}, {"share_a": "decreasing"}
                ),
                strategy="linear",
            ),
        ),
        protocol=Protocol(deadline=20),
    )
    with pytest.raises(ValueError, match="issue sizes"):
        problem_from_negotiations([pie("linear", "linear"), small])
