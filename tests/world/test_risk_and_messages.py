"""Risk discussions, risk tolerance, mixed messages, kept commitments; network files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from negsim.config import ConfigError
from negsim.world.model import AllianceModel
from negsim.world.scenario import load_scenario, parse_scenario
from tests.conftest import ROOT
from tests.world.test_model import two_alliances

DEFAULT = load_scenario(ROOT / "scenarios" / "default.toml")
QUIET = replace(
    DEFAULT,
    crises=replace(DEFAULT.crises, enabled=False),
    shirking=replace(DEFAULT.shirking, enabled=False),
    messages=replace(DEFAULT.messages, enabled=False),
)


def test_a_risk_clinic_at_launch_deposits_trust() -> None:
    """Essay 001: discussing risks at launch builds trust in both accounts. (Here the clinic
    takes no time, so both worlds sign the same alliances; its time: tests/world/test_prices.)"""
    instant = replace(DEFAULT, risk=replace(DEFAULT.risk, clinic_time=0.0))
    off = replace(instant, risk=replace(instant.risk, enabled=False))
    with_clinic, without = AllianceModel(instant, seed=4), AllianceModel(off, seed=4)
    with_clinic.run(0.5)
    without.run(0.5)
    gain = with_clinic.trust.balance - without.trust.balance
    np.testing.assert_allclose(gain, DEFAULT.risk.clinic_deposit, atol=1e-12)


def test_risk_tolerant_partners_absorb_part_of_a_crisis() -> None:
    """Essay 001: the more tolerant partner's account loses less to the same crisis."""
    model = two_alliances(DEFAULT)
    model.orgs.risk_tolerance[[0, 1]] = [1.0, 0.0]  # alliance 0: a tolerant, b not
    model.trust.balance[[0, 1]] = 0.9
    model.strike(0)
    lost = 0.9 - model.trust.balance[[0, 1]]
    full = DEFAULT.trust.loss_aversion * DEFAULT.crises.severity
    np.testing.assert_allclose(lost, [full * (1 - DEFAULT.risk.tolerance_effect), full])


def test_incoherent_organisations_send_mixed_messages() -> None:
    """Essay 004: a partner without one message costs trust; a coherent one never does."""
    scenario = replace(
        QUIET,
        messages=replace(DEFAULT.messages, rate=1.0, withdrawal=0.05),
        trust=replace(DEFAULT.trust, meeting_deposit=0.0, resentment=0.0),
    )
    model = two_alliances(scenario)
    model.orgs.coherence[[0, 1, 2, 3]] = [0.0, 1.0, 1.0, 1.0]  # only organisation 0 is incoherent
    start = model.trust.balance[:4].copy()
    for month in range(1, 7):
        model.run_until(float(month))
    change = model.trust.balance[:4] - start
    # b (org 1) hears six mixed messages from a: 6 × loss aversion 2 × 0.05 withdrawn.
    assert change[1] == pytest.approx(-6 * 2 * 0.05)
    assert change[0] == 0 and np.all(change[2:] == 0)


def test_kept_commitments_earn_trust_missed_ones_cost_it() -> None:
    """Delivering month after month deposits trust; shirking withdraws it (essay 003)."""
    scenario = replace(
        QUIET,
        trust=replace(DEFAULT.trust, meeting_deposit=0.0, resentment=0.0),
        shirking=replace(DEFAULT.shirking, enabled=True),
    )
    model = two_alliances(scenario, split=0.5)  # balanced: nobody is tempted to shirk
    start = model.trust.balance[:4].copy()
    model.run_until(3.0)
    np.testing.assert_allclose(model.trust.balance[:4] - start, 3 * DEFAULT.shirking.kept_deposit)


@pytest.mark.parametrize("suffix", [".graphml", ".edges"])
def test_networks_load_from_files(tmp_path: Path, suffix: str) -> None:
    """A GraphML or edge-list file gives the world its network, nodes relabelled 0 … n-1."""
    graph = nx.relabel_nodes(nx.cycle_graph(12), {i: f"org{i:02d}" for i in range(12)})
    path = tmp_path / f"net{suffix}"
    if suffix == ".graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_edgelist(graph, path, data=False)
    scenario = parse_scenario(
        {
            "world": {"organisations": 12, "horizon": 6.0},
            "network": {"kind": "file", "path": str(path)},
        }
    )
    model = AllianceModel(scenario, seed=0)
    assert sorted(model.graph.nodes) == list(range(12)) and model.graph.number_of_edges() == 12
    model.run()


def test_a_network_file_with_the_wrong_size_is_refused(tmp_path: Path) -> None:
    """The file's node count must match world.organisations: one clear error, when the
    scenario is loaded (before any world is built)."""
    path = tmp_path / "net.edges"
    nx.write_edgelist(nx.path_graph(5), path, data=False)
    with pytest.raises(ConfigError, match=r"world\.organisations = 12 .* the 5 nodes"):
        parse_scenario(
            {"world": {"organisations": 12}, "network": {"kind": "file", "path": str(path)}}
        )


@pytest.mark.parametrize(
    "kind", ["barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block"]
)
def test_every_generator_is_seeded(kind: str) -> None:
    """Each generator builds n nodes, and the same seed builds the same network."""
    scenario = parse_scenario({"world": {"organisations": 50}, "network": {"kind": kind}})
    one, two = AllianceModel(scenario, seed=9), AllianceModel(scenario, seed=9)
    assert one.graph.number_of_nodes() == 50
    assert sorted(one.graph.edges) == sorted(two.graph.edges)
