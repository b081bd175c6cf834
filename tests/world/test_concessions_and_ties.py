"""Symbolic concessions deposit trust; people-level ties deposit trust at a cost."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from negsim.negotiation.batch import problem_from_negotiations, run_batch
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Negotiation, Party, Protocol
from negsim.negotiation.protocol import negotiate
from negsim.negotiation.utility import LinearAdditiveUtility
from negsim.world.model import AllianceModel
from negsim.world.scenario import load_scenario
from negsim.world.terms import symbolic_concessions
from tests.conftest import ROOT
from tests.world.test_model import two_alliances

DEFAULT = load_scenario(ROOT / "scenarios" / "default.toml")
DOMAIN = Domain(tuple(Issue.discrete(f"i{k}", ["x", "y", "z", "w"]) for k in range(3)))


def negotiation(rng: np.random.Generator) -> Negotiation:
    """A random three-issue negotiation between batchable strategies."""

    def party(name: str) -> Party:
        evals = tuple(tuple(float(x) for x in rng.random(4)) for _ in range(3))
        utility = LinearAdditiveUtility(
            domain=DOMAIN, weights=tuple(rng.dirichlet(np.ones(3))), evaluations=evals
        )
        key = str(rng.choice(["boulware", "linear", "conceder", "tit_for_tat"]))
        return Party(name=name, utility=utility, strategy=key, reservation=0.2)

    return Negotiation(
        domain=DOMAIN, parties=(party("a"), party("b")), protocol=Protocol(deadline=30)
    )


def test_batch_count_matches_the_protocol_quadrants() -> None:
    """The vectorised count equals the protocol's own material-yet-symbolic classification."""
    rng = np.random.default_rng(11)
    negs = [negotiation(rng) for _ in range(150)]
    problem = problem_from_negotiations(negs)
    sym_a, sym_b = symbolic_concessions(problem, run_batch(problem).offers, (0.05, 0.05))
    for k, neg in enumerate(negs):
        quadrants = [(c.by, c.quadrant) for c in negotiate(neg, 0).concessions]
        assert sym_a[k] == quadrants.count(("a", "material_yet_symbolic"))
        assert sym_b[k] == quadrants.count(("b", "material_yet_symbolic"))
    assert sym_a.sum() + sym_b.sum() > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_symbolic_concessions_open_alliances_with_more_trust(seed: int) -> None:
    """Essay 000: cheap-to-give, dear-to-receive concessions deposit trust at signing."""
    off = replace(DEFAULT, concessions=replace(DEFAULT.concessions, enabled=False))
    with_c, without = AllianceModel(DEFAULT, seed=seed), AllianceModel(off, seed=seed)
    with_c.run(0.5)  # the first search, identical in both until trust is opened
    without.run(0.5)
    assert np.array_equal(with_c.alliances.a, without.alliances.a)
    gain = with_c.trust.balance - without.trust.balance
    assert np.all(gain >= 0) and np.any(gain > 0)


def test_more_ties_deposit_more_trust_and_cost_value() -> None:
    """Essay 002, spread involvement: three ties build trust faster and cost value monthly."""
    quiet = replace(
        DEFAULT,
        crises=replace(DEFAULT.crises, enabled=False),
        shirking=replace(DEFAULT.shirking, enabled=False),
        trust=replace(DEFAULT.trust, meeting_cost=0.0),  # meetings' time: tests/world/test_prices
    )
    one = two_alliances(quiet)
    three = two_alliances(replace(quiet, trust=replace(quiet.trust, ties=3)))
    for model in (one, three):
        model.run_until(1.0)
    rows = [0, 1, 2, 3]  # the fixture alliances' accounts
    assert np.all(three.trust.balance[rows] > one.trust.balance[rows])
    # Same noise draws, so the month's output differs by exactly the ties' cost.
    cost = quiet.trust.tie_cost * 2
    np.testing.assert_allclose(one.alliances.output[:2] - three.alliances.output[:2], cost)
