"""The shipped world scenarios: each loads, names itself, describes itself and forms alliances;
worlds above their size limits are refused before anything is built."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import negsim
from negsim.config import ConfigError
from negsim.world.model import AllianceModel
from negsim.world.network import build_network, expected_edges
from negsim.world.run import run_world
from negsim.world.scenario import NetworkSection, WorldScenario, load_scenario
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
#: The worlds the experiment runner's claims run on (one file per claim).
CLAIMS = (
    "walk_away",
    "competition",
    "disclosure",
    "symbolic_concessions",
    "trust_crises",
    "balanced_splits",
    "compatibility",
    "communication",
    "graceful_exits",
)


def test_every_claim_has_its_scenario() -> None:
    """Each claim the experiment runner ships has a scenario file of its own."""
    assert set(CLAIMS) <= {path.stem for path in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_is_named_after_its_file_and_described(path: Path) -> None:
    """`negsim scenarios` lists the file stem with the description: both must be there."""
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description.strip()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_runs_and_forms_alliances(path: Path) -> None:
    """Two years of the world (seed 1) sign alliances in every shipped scenario."""
    model = AllianceModel(load_scenario(path), seed=1)
    model.run(24.0)
    assert model.time == 24.0
    assert model.alliances.size > 0 and model.agreements == model.alliances.size


#: Worlds above one default limit each (and within the others), with the field named.
TOO_BIG = {
    "organisation_months": ({"world.organisations": 200_000}, "world.horizon"),
    "network_edges": (
        {"network.kind": "erdos_renyi", "network.p": 1.0, "world.organisations": 4000},
        "network",
    ),
    "negotiation_rounds": (
        {"world.deadline": 10_000, "world.organisations": 4000},
        "world.deadline",
    ),
}


@pytest.mark.parametrize("key", TOO_BIG)
def test_a_world_above_its_limits_is_refused_unless_they_are_raised(key: str) -> None:
    """Sizes are checked when the scenario loads, before anything is built; the refusal names
    the limit, and raising it (an override, as `--set`) lets the scenario load."""
    overrides, field = TOO_BIG[key]
    with pytest.raises(ConfigError) as refused:
        load_scenario("default", overrides)
    assert field in refused.value.field and f"limits.{key}" in refused.value.allowed
    raised = load_scenario("default", {**overrides, f"limits.{key}": 1e12})
    assert getattr(raised.limits, key) == 1e12


def test_the_largest_benchmarked_world_is_within_the_limits() -> None:
    """The world benchmark's largest size (100,000 organisations, 120 months) loads."""
    assert load_scenario("default", {"world.organisations": 100_000}).world.organisations == 100_000


def test_a_run_longer_than_the_horizon_is_checked_too() -> None:
    """`until` beyond the horizon counts in organisation-months, refused before building."""
    with pytest.raises(ConfigError, match="until"):
        run_world("classroom", seed=1, until=1e6)


@pytest.mark.parametrize(
    "network",
    [
        NetworkSection(kind="barabasi_albert", m=3),
        NetworkSection(kind="watts_strogatz", k=6, p=0.1),
        NetworkSection(kind="erdos_renyi", p=0.05),
        NetworkSection(kind="stochastic_block", blocks=4, p_in=0.1, p_out=0.01),
    ],
    ids=lambda n: n.kind,
)
def test_expected_edges_are_the_generators_edges(network: NetworkSection) -> None:
    """The size limit counts edges as the generators make them: exactly for Barabási–Albert and
    Watts–Strogatz, within 5 standard errors for the random graphs."""
    n = 301
    graph, _ = build_network(network, n, np.random.default_rng(7))
    expected = expected_edges(network, n)
    if network.kind in ("barabasi_albert", "watts_strogatz"):
        assert graph.number_of_edges() == expected
    else:  # a sum of binomial counts: its standard error is at most sqrt(mean)
        assert abs(graph.number_of_edges() - expected) < 5 * math.sqrt(expected)


#: Modelling constants the code once held, now scenario keys: key → (the old constant, a value
#: out of its range). The defaults keep every run bit-identical to before.
MOVED_CONSTANTS = {
    "organisations.interests_concentration": (2.0, 0.0),
    "organisations.walk_away_spread": (0.15, 1.5),
    "organisations.disclosure_spread": (0.15, -0.1),
    "organisations.effort_spread": (0.1, 2.0),
    "organisations.effort_floor": (0.1, 1.1),
    "organisations.risk_tolerance_spread": (0.15, 1.5),
    "organisations.coherence_spread": (0.1, -1.0),
    "value.compatibility_floor": (0.05, 1.5),
    "trust.break_level": (0.5, 2.0),
    "shirking.effort_kept": (0.5, 1.5),
    "review.first_after": (0.5, -0.5),
    "organisations.patience": (2, 0),
}


@pytest.mark.parametrize("key", MOVED_CONSTANTS)
def test_moved_constants_keep_their_values_and_are_checked(key: str) -> None:
    """Each default is the constant it replaced, default.toml states it, and a value out of
    range is refused with the field named."""
    old, bad = MOVED_CONSTANTS[key]
    section, name = key.split(".")
    assert getattr(getattr(WorldScenario(), section), name) == old
    assert getattr(getattr(load_scenario("default"), section), name) == old
    with pytest.raises(ConfigError) as refused:
        load_scenario("classroom", {key: bad})
    assert refused.value.field == key


def test_negotiators_come_from_the_registry_with_the_scenarios_parameters(tmp_path: Path) -> None:
    """``[organisations.params.KEY]`` is checked by strategy KEY and merged over the default
    (tit-for-tat's generosity 0.01); a world of tit-for-tat players depends on it."""
    default = load_scenario("default").organisations.params
    assert default == {"tit_for_tat": {"generosity": 0.01}}
    file = tmp_path / "tft.toml"
    file.write_text(
        'name = "tft"\n[organisations]\nstrategies = { tit_for_tat = 1 }\n'
        "[organisations.params.boulware]\ne = 0.5\n"
    )
    merged = load_scenario(file).organisations.params
    assert merged == {"tit_for_tat": {"generosity": 0.01}, "boulware": {"e": 0.5}}
    bold = tmp_path / "bold.toml"
    bold.write_text(file.read_text() + "[organisations.params.tit_for_tat]\ngenerosity = 0.2\n")
    runs = [negsim.run_world(load_scenario(f), seed=1, until=24) for f in (file, bold)]
    assert runs[0].alliances["split"].tolist() != runs[1].alliances["split"].tolist()
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[organisations.params.tit_for_tat]\ngenerosity = -1\n')
    with pytest.raises(ConfigError) as refused:
        load_scenario(bad)
    assert refused.value.field == "organisations.params.tit_for_tat.generosity"
