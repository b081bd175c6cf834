"""The strategy contract, checked for every registered strategy.

Every test is parametrized over :func:`strategies.keys`, so a newly registered strategy is held to
the same contract without editing this file. ``spe`` plays only split-the-pie, so its scenarios
are split-the-pie games (one numeric issue, a's share "increasing", b's "decreasing") with
discounts below one and ``walk_away`` in {0, 1}; every other strategy plays random small
linear-additive domains against a random (non-``spe``) opponent. The traits that promise an
independence (not time-dependent, no opponent model) are checked by replaying one strategy
against a scripted sequence of opponent offers while changing only what it claims to ignore.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim.negotiation.strategies as strategies
from negsim.negotiation.batch import ENDED_BY, problem_from_negotiations, run_batch
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Negotiation, Party, Protocol
from negsim.negotiation.protocol import build_strategies, negotiate
from negsim.negotiation.strategies.base import Action, Move, State, StrategyError
from negsim.negotiation.utility import LinearAdditiveUtility
from tests.negotiation.generators import UNIT, domains, params_for, utilities

KEYS = strategies.keys()
SPLIT_THE_PIE = tuple(k for k in KEYS if strategies.get(k).traits.split_the_pie_only)
GENERAL_KEYS = tuple(k for k in KEYS if k not in SPLIT_THE_PIE)
STOCHASTIC_KEYS = tuple(k for k in KEYS if strategies.get(k).traits.stochastic)
TIMELESS_KEYS = tuple(k for k in KEYS if not strategies.get(k).traits.time_dependent)
MODEL_FREE_KEYS = tuple(k for k in GENERAL_KEYS if not strategies.get(k).traits.uses_opponent_model)
ENDINGS = ("agreement", "walk_away", "deadline")
PIE = Domain((Issue.numeric("share_a", 0.0, 1.0, 1001),))
PIE_U = (
    LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "increasing"}),
    LinearAdditiveUtility.from_tables(PIE, {"share_a": 1}, {"share_a": "decreasing"}),
)
FAST = settings(max_examples=40, deadline=None)


# --- scenario generation ------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn, key: str, *, deterministic: bool = False) -> Negotiation:
    """``key`` on a random side against a random opponent, in a game ``key`` can play.

    With ``deterministic`` the opponent is deterministic and walk-away readiness is 0 or 1, so
    no random draw can influence the play.
    """
    pie = key in SPLIT_THE_PIE
    side = draw(st.integers(0, 1))
    pool = KEYS if pie else GENERAL_KEYS
    if deterministic:
        pool = tuple(k for k in pool if not strategies.get(k).traits.stochastic)
    opponent = draw(st.sampled_from(pool))
    domain = PIE if pie else draw(domains(highs=(1.0, 10.0), max_steps=5))
    walks = [0.0, 1.0] if pie or deterministic else [0.0, 0.5, 1.0]
    parties = []
    for i, strat in enumerate((key, opponent) if side == 0 else (opponent, key)):
        if pie:
            utility = PIE_U[i]
        else:  # discrete evaluations in [0, 1], numeric ones linear
            weights = st.integers(0, 10)
            utility = draw(utilities(domain, weights=weights, evaluations=UNIT, always_linear=True))
        plays_pie = strat in SPLIT_THE_PIE
        parties.append(
            Party(
                name="ab"[i],
                utility=utility,
                strategy=strat,
                params=draw(params_for(strat)),
                reservation=draw(st.floats(0.0, 0.95, allow_subnormal=False)),
                discount=draw(st.floats(0.5, 0.99) if pie else st.floats(0.5, 1.0)),
                walk_away=draw(st.sampled_from([0.0, 1.0] if plays_pie else walks)),
                patience=draw(st.integers(1, 3)),
            )
        )
    deadline = draw(st.integers(0, 40))
    protocol = Protocol(
        deadline=deadline, opener=draw(st.sampled_from("ab")), max_rounds=draw(st.integers(1, 40))
    )
    return Negotiation(domain=domain, parties=(parties[0], parties[1]), protocol=protocol)


# --- the contract -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@FAST
@given(data=st.data())
def test_trace_is_well_formed(key: str, data: st.DataObject) -> None:
    """Offers are valid outcomes, utilities lie in [0, 1] and the play ends by the deadline."""
    neg = data.draw(scenarios(key))
    result = negotiate(neg, data.draw(st.integers(0, 2**32)))
    n = neg.domain.n_outcomes
    ua, ub = (p.utility.values for p in neg.parties)
    for offer in result.offers:
        assert isinstance(offer.outcome, int) and 0 <= offer.outcome < n
        assert offer.utilities == (float(ua[offer.outcome]), float(ub[offer.outcome]))
        assert all(0.0 <= x <= 1.0 for x in offer.utilities)
    assert all(0.0 <= x <= 1.0 for x in result.utilities)
    assert result.ended_by in ENDINGS
    assert 1 <= result.round <= neg.protocol.last_round
    assert (result.agreement is not None) == (result.ended_by == "agreement")
    assert (result.walked_away is not None) == (result.ended_by == "walk_away")
    if result.agreement is not None:
        assert 0 <= result.agreement < n


@pytest.mark.parametrize("key", [k for k in KEYS if strategies.get(k).traits.rational])
@FAST
@given(data=st.data())
def test_rational_strategy_never_accepts_below_its_reservation(
    key: str, data: st.DataObject
) -> None:
    """A ``rational`` strategy accepts only offers worth its reservation while it can reach it."""
    neg = data.draw(scenarios(key))
    result = negotiate(neg, data.draw(st.integers(0, 2**32)))
    if result.agreement is None:
        return
    acceptor = neg.party("b" if result.offers[-1].by == "a" else "a")
    # Out of reach: no deadline will pay it and the party will not walk away to it.
    out_of_reach = neg.protocol.deadline == 0 and acceptor.walk_away == 0
    if acceptor.strategy == key and not out_of_reach:
        assert acceptor.utility(result.agreement) >= acceptor.reservation - 1e-12


def test_spe_ignores_a_reservation_out_of_its_reach() -> None:
    """With no deadline and no walking away, spe's reservation is no option: Rubinstein's split."""
    a = Party(name="a", utility=PIE_U[0], strategy="spe", reservation=0.3, discount=0.5)
    b = Party(name="b", utility=PIE_U[1], strategy="spe", discount=0.9)
    neg = Negotiation(domain=PIE, parties=(a, b), protocol=Protocol(deadline=0, opener="b"))
    result = negotiate(neg, 0)
    assert result.agreement is not None and result.round == 1
    # b proposes; a gets Rubinstein's responder share 1 - (1 - 0.5)/(1 - 0.45) ≈ 0.0909.
    assert a.utility(result.agreement) == pytest.approx(1 - 0.5 / 0.55, abs=1e-3)


@pytest.mark.parametrize("key", KEYS)
@FAST
@given(data=st.data())
def test_same_seed_gives_identical_trace(key: str, data: st.DataObject) -> None:
    """Replaying a negotiation with the same seed reproduces every offer and the result."""
    neg = data.draw(scenarios(key))
    seed = data.draw(st.integers(0, 2**32))
    assert negotiate(neg, seed) == negotiate(neg, seed)


@pytest.mark.parametrize("key", [k for k in KEYS if not strategies.get(k).traits.stochastic])
@FAST
@given(data=st.data())
def test_deterministic_strategy_ignores_the_seed(key: str, data: st.DataObject) -> None:
    """``stochastic=False``: with deterministic opponents and walk-aways, seeds do not matter."""
    neg = data.draw(scenarios(key, deterministic=True))
    seed = data.draw(st.integers(0, 2**32))
    assert negotiate(neg, seed) == negotiate(neg, seed + 1)


@pytest.mark.parametrize("key", STOCHASTIC_KEYS)
def test_stochastic_strategy_depends_on_the_seed(key: str) -> None:
    """``stochastic=True``: over ten seeds an opener facing 101 acceptable outcomes varies."""
    domain = Domain((Issue.numeric("x", 0.0, 1.0, 101),))
    ua = LinearAdditiveUtility.from_tables(domain, {"x": 1}, {"x": "increasing"})
    ub = LinearAdditiveUtility.from_tables(domain, {"x": 1}, {"x": "decreasing"})
    neg = Negotiation(
        domain=domain,
        parties=(
            Party(name="a", utility=ua, strategy=key),
            Party(name="b", utility=ub, strategy="hardliner"),
        ),
        protocol=Protocol(deadline=10),
    )
    traces = {tuple(o.outcome for o in negotiate(neg, seed).offers) for seed in range(10)}
    assert len(traces) > 1


@pytest.mark.parametrize("key", KEYS)
def test_only_complete_information_strategies_see_the_opponent(key: str) -> None:
    """The context holds the opponent's party iff the strategy declares complete information."""
    neg = Negotiation(
        domain=PIE,
        parties=(
            Party(name="a", utility=PIE_U[0], strategy=key, discount=0.9),
            Party(name="b", utility=PIE_U[1], strategy="linear", discount=0.9),
        ),
        protocol=Protocol(deadline=10),
    )
    player = build_strategies(neg, 0)[0]
    if strategies.get(key).traits.complete_information:
        assert player.ctx.opponent == neg.parties[1]
    else:
        assert player.ctx.opponent is None


def _replies(neg: Negotiation, side: int, seed: int, theirs: list[int]) -> list[Action]:
    """What party ``side`` does, turn after turn, facing the scripted opponent offers ``theirs``.

    Stops at its first accept or walk, or when the script or the rounds run out.
    """
    player = build_strategies(neg, seed)[side]
    mine: list[int] = []
    seen: list[int] = []
    script = iter(theirs)
    actions: list[Action] = []
    opens = neg.protocol.opener == "ab"[side]
    for turn in range(1, neg.protocol.last_round + 1):
        if (turn % 2 == 1) != opens:  # the opponent's turn: the next scripted offer
            offer = next(script, None)
            if offer is None:
                break
            seen.append(offer)
            continue
        standing = seen[-1] if seen else None
        action = player.act(State(round=turn, standing=standing, my_offers=mine, their_offers=seen))
        actions.append(action)
        if action.move is not Move.OFFER:
            break
        mine.append(action.outcome)
    return actions


@st.composite
def scripted(draw: st.DrawFn, key: str, domain: Domain) -> tuple[Negotiation, int, list[int]]:
    """``key`` on a random side of ``domain`` (deterministic walking) and a script of offers."""
    side = draw(st.integers(0, 1))
    parties = []
    for i in range(2):
        strat = key if i == side else "linear"
        utility = draw(utilities(domain, weights=st.integers(0, 10), evaluations=UNIT))
        parties.append(
            Party(
                name="ab"[i],
                utility=utility,
                strategy=strat,
                params=draw(params_for(strat)),
                reservation=draw(st.floats(0.0, 0.95, allow_subnormal=False)),
                walk_away=draw(st.sampled_from([0.0, 1.0])),
                patience=draw(st.integers(1, 3)),
            )
        )
    protocol = Protocol(deadline=40, opener=draw(st.sampled_from("ab")))
    neg = Negotiation(domain=domain, parties=(parties[0], parties[1]), protocol=protocol)
    offers = st.integers(0, domain.n_outcomes - 1)
    return neg, side, draw(st.lists(offers, min_size=1, max_size=15))


@pytest.mark.parametrize("key", [k for k in TIMELESS_KEYS if k not in SPLIT_THE_PIE])
@FAST
@given(data=st.data())
def test_time_independent_strategy_ignores_the_deadline(key: str, data: st.DataObject) -> None:
    """``time_dependent=False``: facing the same offers, it acts the same under any deadline.

    Walk-away readiness is 0 or 1, so no coin is drawn up front (their number follows the
    horizon and would shift a stochastic strategy's later draws).
    """
    neg, side, theirs = data.draw(scripted(key, data.draw(domains(max_steps=5))))
    seed = data.draw(st.integers(0, 2**32))
    # A script of 15 offers takes at most 31 rounds: every deadline below leaves them all.
    horizons = st.sampled_from([0, 31, 32, 40, 100, 1000])
    deadlines = data.draw(st.lists(horizons, min_size=2, max_size=3, unique=True))
    runs = [
        _replies(replace(neg, protocol=replace(neg.protocol, deadline=d)), side, seed, theirs)
        for d in deadlines
    ]
    assert all(run == runs[0] for run in runs)


@pytest.mark.parametrize("key", MODEL_FREE_KEYS)
@FAST
@given(data=st.data())
def test_strategy_without_opponent_model_sees_offers_only_through_its_utility(
    key: str, data: st.DataObject
) -> None:
    """``uses_opponent_model=False``: opponent offers it values alike are alike to it.

    The domain has an extra issue the strategy's party does not care about (weight 0); the
    opponent's offers are replayed with that issue changed, which leaves their utility to the
    party unchanged but would move any model of what the opponent wants.
    """
    base = data.draw(domains(max_steps=5))
    blind = Issue.discrete("blind", [f"v{j}" for j in range(data.draw(st.integers(2, 4)))])
    domain = Domain((*base.issues, blind))
    neg, side, theirs = data.draw(scripted(key, domain))
    me = neg.parties[side]
    # The party's weights without the blind issue (plus one on the first, never all zero).
    cares = np.array(me.utility.weights[:-1]) + (np.arange(len(base.issues)) == 0)
    u = LinearAdditiveUtility(
        domain=domain,
        weights=(*(float(w) for w in cares / cares.sum()), 0.0),
        evaluations=me.utility.evaluations,
    )
    a, b = (replace(p, utility=u) if p is me else p for p in neg.parties)
    neg = replace(neg, parties=(a, b))
    # Outcomes are numbered row-major, so the blind issue (last) varies fastest: the twin of
    # outcome o has the same values on every other issue and the next value on the blind one.
    twins = [o - o % blind.size + (o + 1) % blind.size for o in theirs]
    assert [u(o) for o in twins] == [u(o) for o in theirs]
    seed = data.draw(st.integers(0, 2**32))
    assert _replies(neg, side, seed, twins) == _replies(neg, side, seed, theirs)


def _batch_negotiation(key: str, seed: int) -> Negotiation:
    """``key`` (default params) against ``linear`` on a small random two-issue domain."""
    rng = np.random.default_rng(seed)
    domain = Domain((Issue.discrete("d", ["x", "y", "z"]), Issue.numeric("n", 0.0, 1.0, 4)))

    def utility() -> LinearAdditiveUtility:
        w = rng.random(2)
        return LinearAdditiveUtility(
            domain=domain,
            weights=tuple(float(x) for x in w / w.sum()),
            evaluations=(
                tuple(float(x) for x in rng.random(3)),
                tuple(float(x) for x in rng.random(4)),
            ),
        )

    return Negotiation(
        domain=domain,
        parties=(
            Party(name="a", utility=utility(), strategy=key, reservation=0.2, discount=0.95),
            Party(name="b", utility=utility(), strategy="linear", reservation=0.1),
        ),
        protocol=Protocol(deadline=12),
    )


@pytest.mark.parametrize("key", KEYS)
def test_batch_trait_matches_the_batch_path(key: str) -> None:
    """``batch=True`` strategies run (and agree) on the batch path; others are refused."""
    negs = [_batch_negotiation(key, s) for s in range(4)]
    if not strategies.get(key).traits.batch:
        with pytest.raises(ValueError, match="no batch path"):
            problem_from_negotiations(negs, list(range(4)))
        return
    got = run_batch(problem_from_negotiations(negs, list(range(4))))
    for k, neg in enumerate(negs):
        want = negotiate(neg, k)
        assert ENDED_BY[got.ended_by[k]] == want.ended_by
        assert got.round[k] == want.round
        assert got.offers[k, : len(want.offers)].tolist() == [o.outcome for o in want.offers]


@pytest.mark.parametrize("key", KEYS)
def test_declared_param_defaults_pass_their_own_check(key: str) -> None:
    """Every declared parameter's default is an allowed value of that parameter."""
    for name, spec in strategies.get(key).params.items():
        assert spec.check(f"params.{name}", spec.default) == spec.default
        assert type(spec.check(f"params.{name}", spec.default)) is type(spec.default)


@pytest.mark.parametrize("key", KEYS)
def test_resolve_params_rejects_unknown_names(key: str) -> None:
    """A parameter the strategy does not declare is a StrategyError naming the field."""
    with pytest.raises(StrategyError, match=r"parties\.a\.params\.no_such_param"):
        strategies.get(key).resolve_params({"no_such_param": 1.0}, "parties.a.params")


@pytest.mark.parametrize("key", KEYS)
def test_resolve_params_rejects_values_outside_the_declared_range(key: str) -> None:
    """Values beyond a parameter's bounds or choices, and non-numbers, are StrategyErrors."""
    cls = strategies.get(key)
    for name, spec in cls.params.items():
        bad: list[object] = []
        if spec.choices is not None:
            bad.append("not-a-choice")
        else:
            bad += ["text", True]
            if spec.low is not None:
                bad.append(spec.low - 1)
            if spec.high is not None:
                bad.append(spec.high + 1)
        for value in bad:
            with pytest.raises(StrategyError):
                cls.resolve_params({name: value}, "p")
        assert cls.resolve_params({name: spec.default}, "p") == {name: spec.default}


@pytest.mark.parametrize("key", KEYS)
def test_registry_round_trips_the_key(key: str) -> None:
    """``get(key)`` returns a class whose own ``key`` is ``key``, with a summary and traits."""
    cls = strategies.get(key)
    assert cls.key == key
    assert cls.summary
    memory = cls.traits.memory
    assert memory is None or memory >= 0
