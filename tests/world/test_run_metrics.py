"""Flat run metrics: the schema, determinism, each metric on a hand-built alliance table.

Hand-built tables are added to a fresh model (never run) whose clock is set by hand:
``run_metrics`` reads the alliance table, the organisations, ``model.edges`` and ``model.time``.
Each fixture row's negotiated split is set through what the partners expected at signing
(``expected_a = split``, ``expected_b = 1 - split``), as the model records it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from negsim.world.alliances import CAUSE
from negsim.world.metrics import METRICS, negotiated_split, run_metrics
from negsim.world.model import AllianceModel
from negsim.world.scenario import WorldScenario, load_scenario, parse_scenario
from tests.conftest import ROOT

SMALL = parse_scenario({"world": {"organisations": 60, "horizon": 48.0}})


def finished(scenario: WorldScenario, seed: int) -> AllianceModel:
    """A model run to its horizon."""
    model = AllianceModel(scenario, seed=seed)
    model.run()
    return model


def fresh(now: float = 0.0, scenario: WorldScenario = SMALL) -> AllianceModel:
    """A model that never ran, its clock set to ``now``."""
    model = AllianceModel(scenario, seed=0)
    model.time = now
    return model


def add(
    model: AllianceModel,
    pairs: list[tuple[int, int]],
    split: list[float] | None = None,
    *,
    start: float | list[float] = 0.0,
    end: float | list[float] = math.nan,
    cause: str | list[str] = "completed",
    graceful: bool | list[bool] = True,
    **columns: Any,
) -> None:
    """Append alliances between ``pairs`` (a 50/50 split unless given); NaN ``end`` = running."""
    k = len(pairs)
    a, b = np.array(pairs).T
    s = np.full(k, 0.5) if split is None else np.array(split)
    starts = np.broadcast_to(np.asarray(start, dtype=np.float64), k)
    cols: dict[str, Any] = {
        "signed": starts,
        "start": starts,
        "planned_end": starts + 36.0,
        "split": s,
        "expected_a": s,
        "expected_b": 1 - s,
    } | columns
    rows = model.alliances.add(a=a, b=b, **{n: np.broadcast_to(v, k) for n, v in cols.items()})
    model.trust.open(2 * k, 0.5)
    t = model.alliances
    t.end[rows] = end
    t.cause[rows] = np.where(
        np.isnan(t.end[rows]), 0, [CAUSE[c] for c in np.broadcast_to(cause, k)]
    )
    t.graceful[rows] = graceful


def same(x: dict[str, float], y: dict[str, float]) -> bool:
    """Equal, NaN equal to NaN."""
    return x.keys() == y.keys() and all(
        (math.isnan(x[k]) and math.isnan(y[k])) or x[k] == y[k] for k in x
    )


# --- the schema ------------------------------------------------------------------------------
def test_keys_are_the_documented_metrics_and_values_are_floats() -> None:
    """Exactly the keys of METRICS, each a Python float, finite or NaN (never None)."""
    metrics = run_metrics(finished(SMALL, 0))
    assert list(metrics) == list(METRICS)
    for name, value in metrics.items():
        assert type(value) is float, name
        assert math.isfinite(value) or math.isnan(value), name
    assert metrics["alliances_formed"] > 0 and math.isfinite(metrics["walk_away_advantage"])
    for name, text in METRICS.items():
        assert text and "\n" not in text and len(text) <= 100, name


def test_same_seed_same_metrics() -> None:
    """One seed, one row of metrics."""
    assert same(run_metrics(finished(SMALL, 3)), run_metrics(finished(SMALL, 3)))
    assert not same(run_metrics(finished(SMALL, 3)), run_metrics(finished(SMALL, 4)))


def test_an_empty_world_is_nan_not_an_error() -> None:
    """No alliances, no negotiations: counts are 0, rates NaN (and numpy warns of nothing)."""
    metrics = run_metrics(fresh())
    assert metrics["negotiations"] == 0.0 and metrics["alliances_formed"] == 0.0
    assert metrics["mean_reputation"] == 1.0 and metrics["value_per_organisation"] == 0.0
    assert metrics["failures_per_organisation"] == metrics["popular_value_gap"] == 0.0
    counted = {
        "negotiations",
        "alliances_formed",
        "mean_reputation",
        "value_per_organisation",
        "failures_per_organisation",
        "popular_value_gap",
    }
    rest = set(METRICS) - counted
    assert all(math.isnan(metrics[k]) for k in rest)


def test_intention_to_treat_metrics_count_every_organisation() -> None:
    """``failures_per_organisation`` divides failed alliances by all organisations;
    ``popular_value_gap`` compares the present value of every organisation above the median
    degree with every other, allied or not."""
    model = finished(SMALL, 3)
    metrics = run_metrics(model)
    assert metrics["failures_per_organisation"] == model.failed().sum() / model.orgs.n
    degree = np.bincount(model.edges.ravel(), minlength=model.orgs.n)
    popular = degree > np.median(degree)
    value = model.present_value
    assert metrics["popular_value_gap"] == pytest.approx(
        value[popular].mean() - value[~popular].mean()
    )


def test_negotiated_split_survives_restructuring() -> None:
    """Reviews move ``split``; the metrics read the split agreed at signing, on the 0.1 grid."""
    model = finished(SMALL, 0)
    t = model.alliances
    signed = negotiated_split(model)
    kept = t.restructured == 0
    assert (~kept).any()
    np.testing.assert_allclose(signed[kept], t.split[kept], atol=1e-12)
    np.testing.assert_allclose(signed * 10, np.round(signed * 10), atol=1e-9)


# --- leverage: who wins the split -------------------------------------------------------------
def test_walk_away_advantage_by_hand() -> None:
    """Walker share − non-walker share over mixed pairs; walk_away 0.5 rounds to 0 (no walk)."""
    model = fresh()
    model.orgs.walk_away[:10] = [0.9, 0.1, 0.2, 0.7, 0.6, 0.6, 0.1, 0.3, 0.5, 0.9]
    # (0, 1): the walker a gets 0.7 -> +0.4 (restructured later to 0.5: still +0.4);
    # (2, 3): the walker b gets 0.4 -> -0.2; (8, 9): the walker b gets 0.8 -> +0.6;
    # (4, 5) both walk, (6, 7) neither: not compared.
    add(model, [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)], [0.7, 0.6, 0.1, 0.9, 0.2])
    model.alliances.split[0] = 0.5
    assert run_metrics(model)["walk_away_advantage"] == pytest.approx((0.4 - 0.2 + 0.6) / 3)


def test_popular_advantage_by_hand() -> None:
    """Higher-degree share − lower-degree share; equal degrees are not compared."""
    model = fresh()
    degree = dict(model.graph.degree())
    hub = max(degree, key=degree.__getitem__)
    leaf, other = [n for n in degree if degree[n] == min(degree.values())][:2]
    # (leaf, hub): the hub, b, gets 0.7 -> +0.4; (hub, leaf): the hub, a, gets 0.2 -> -0.6.
    add(model, [(leaf, hub), (hub, leaf), (leaf, other)], [0.3, 0.2, 0.9])
    assert run_metrics(model)["popular_advantage"] == pytest.approx((0.4 - 0.6) / 2)


def test_concealment_advantage_by_hand() -> None:
    """Share of the side that discloses less − the side that discloses more."""
    model = fresh()
    model.orgs.disclosure[:6] = [0.2, 0.8, 0.9, 0.1, 0.5, 0.5]
    # (0, 1): the concealer a gets 0.4 -> -0.2; (2, 3): the concealer b gets 0.7 -> +0.4.
    add(model, [(0, 1), (2, 3), (4, 5)], [0.4, 0.3, 1.0])
    assert run_metrics(model)["concealment_advantage"] == pytest.approx(0.1)


def test_walk_away_leverage_shows_in_the_walk_away_world() -> None:
    """Directional: walkers win more of the split (seeds 0-4 pooled; 0.18 at the time of writing,
    0.105 ± 0.029 over 20 seeds)."""
    scenario = load_scenario(ROOT / "scenarios" / "walk_away.toml")
    values = [run_metrics(finished(scenario, seed))["walk_away_advantage"] for seed in range(5)]
    assert np.mean(values) > 0, values


# --- life cycle ---------------------------------------------------------------------------
def test_balance_duration_gap_by_hand() -> None:
    """Alliances due by the end, balanced (|split − 0.5| below the median) minus the rest."""
    model = fresh(now=60.0)
    add(
        model,
        [(0, 1), (2, 3), (4, 5), (6, 7)],
        [0.5, 0.6, 0.9, 0.2],
        start=[0.0, 0.0, 0.0, 5.0],
        end=[36.0, 30.0, 10.0, 20.0],
    )
    add(model, [(8, 9)], [0.0], start=40.0)  # not due (planned end 76): left out
    add(model, [(10, 11)], [0.4], start=20.0)  # due at 56, still running: censored at 60
    # Imbalances of the due ones: 0, 0.1, 0.4, 0.3, 0.1 -> median 0.1: balanced = {0}.
    gap = run_metrics(model)["balance_duration_gap"]
    assert gap == pytest.approx(36.0 - (30.0 + 10.0 + 15.0 + 40.0) / 4)


def test_balanced_splits_last_longer_in_the_balanced_splits_world() -> None:
    """Directional: 9 to 18 months longer over seeds 0-3 of a small world at the time of
    writing (and 1 month with shirking off: shirking is the mechanism)."""
    s = load_scenario(ROOT / "scenarios" / "balanced_splits.toml")
    small = replace(s, world=replace(s.world, organisations=60, horizon=48.0))
    values = [run_metrics(finished(small, seed))["balance_duration_gap"] for seed in range(4)]
    assert np.mean(values) > 0, values


def test_compatibility_vs_terms_by_hand() -> None:
    """Spearman(similarity, survived) − Spearman(balance, survived) over ended alliances."""
    model = fresh(now=60.0)
    similarity = np.array([1.0, 0.5, -0.5, -1.0])
    a, b = np.arange(0, 8, 2), np.arange(1, 8, 2)
    model.orgs.values[a] = [1.0, 0.0, 0.0]
    model.orgs.values[b] = np.stack([similarity, np.sqrt(1 - similarity**2), np.zeros(4)], axis=1)
    # Similar pairs survive (ended at term, never short of a goal over 0 months), the others
    # break; the balanced splits break and the lopsided ones survive.
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    causes = ["completed", "completed", "relationship", "relationship"]
    add(model, pairs, [0.9, 0.0, 0.5, 0.6], end=30.0, cause=causes, months=0.0)
    add(model, [(8, 9)], [0.5])  # running: censored
    # Two survivors against two failures, perfectly separated: Spearman's rho = ±2/√5.
    rho = 2 / math.sqrt(5)
    assert run_metrics(model)["compatibility_vs_terms"] == pytest.approx(rho - (-rho))
    model.alliances.expected_a[:4] = 0.5  # every split balanced: the terms predict nothing
    model.alliances.expected_b[:4] = 0.5
    assert math.isnan(run_metrics(model)["compatibility_vs_terms"])


def test_repartner_gap_by_hand() -> None:
    """Partnering again within 24 months (strictly after the exit): graceful − messy exits."""
    model = fresh(now=100.0)
    add(model, [(0, 1)], end=10.0, graceful=True)  # 0 signs at 20 (in), 1 at 40 (out)
    add(model, [(2, 3)], end=10.0, cause="relationship", graceful=False)  # neither again
    add(model, [(6, 7)], start=14.0, end=50.0, cause="shock", graceful=False)
    add(model, [(4, 5)], end=90.0, graceful=True)  # too close to the end: censored
    add(model, [(0, 20), (1, 21), (6, 22), (7, 23)], start=[20.0, 40.0, 50.0, 74.0])
    # Graceful: 0 yes, 1 no -> 1/2. Messy: 2, 3 no; 6 signs at its exit (not after), 7 on the
    # last day of the window -> 1/4.
    assert run_metrics(model)["repartner_gap"] == pytest.approx(0.5 - 0.25)


def test_shocks_breakdowns_and_imbalance_by_hand() -> None:
    """Shock ends over all alliances, messy ends over ended ones, mean |split − 0.5|."""
    model = fresh(now=60.0)
    add(
        model,
        [(0, 1), (2, 3), (4, 5)],
        [0.5, 0.2, 1.0],
        end=20.0,
        cause=["shock", "relationship", "completed"],
        graceful=[False, False, True],
    )
    add(model, [(6, 7)], [0.6])
    metrics = run_metrics(model)
    assert metrics["shock_failure_rate"] == pytest.approx(1 / 4)
    assert metrics["breakdown_rate"] == pytest.approx(2 / 3)
    assert metrics["mean_split_imbalance"] == pytest.approx((0 + 0.3 + 0.5 + 0.1) / 4)


@pytest.mark.parametrize("enabled", [True, False])
def test_symbolic_trust_by_hand(enabled: bool) -> None:
    """Deposit × symbolic concessions received, per account; nothing when switched off."""
    scenario = replace(SMALL, concessions=replace(SMALL.concessions, enabled=enabled))
    model = fresh(scenario=scenario)
    add(model, [(0, 1), (2, 3)], symbolic_a=np.array([3, 0]), symbolic_b=np.array([1, 0]))
    deposit = SMALL.concessions.symbolic_deposit if enabled else 0.0
    assert run_metrics(model)["symbolic_trust"] == pytest.approx(deposit * (3 + 1) / 4)
