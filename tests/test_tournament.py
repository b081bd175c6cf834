"""The round-robin tournament: complete, deterministic for a seed, sane, and strict on input."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negsim.experiments.tournament as tournament
import negsim.negotiation.strategies as strategies
from negsim import shipped
from negsim.config import ConfigError
from negsim.experiments.tournament import (
    RANKING_COLUMNS,
    TournamentResult,
    default_strategies,
    format_matrix,
    format_ranking,
    random_domain,
    run_tournament,
)
from negsim.negotiation.party import Negotiation
from negsim.negotiation.protocol import NegotiationResult, negotiate
from negsim.negotiation.spec import load_negotiation

STRATEGIES = ["hardliner", "conceder", "boulware", "tit_for_tat", "trade_off", "random"]
REPETITIONS = 3


@pytest.fixture(scope="module")
def coin_domain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The contract example with a fractional walk-away: the walk coin needs the seeds."""
    text = shipped.find("negotiation", "contract_example").read_text()
    path = tmp_path_factory.mktemp("domains") / "coin.toml"
    path.write_text(text.replace("walk_away = 1.0", "walk_away = 0.5", 1))
    return path


def small(coin_domain: Path, seed: int = 7) -> TournamentResult:
    return run_tournament(
        STRATEGIES,
        ["price_warranty", coin_domain],
        random_domains=1,
        repetitions=REPETITIONS,
        seed=seed,
    )


@pytest.fixture(scope="module")
def result(coin_domain: Path) -> TournamentResult:
    return small(coin_domain)


def test_deterministic_for_a_seed(result: TournamentResult, coin_domain: Path) -> None:
    again = small(coin_domain)
    pd.testing.assert_frame_equal(result.negotiations, again.negotiations)
    pd.testing.assert_frame_equal(result.ranking, again.ranking)
    pd.testing.assert_frame_equal(result.matrix, again.matrix)
    assert again.seed_entropy == result.seed_entropy == 7
    other = small(coin_domain, seed=8)
    assert not result.negotiations.equals(other.negotiations)  # random and the coin move


def test_every_strategy_plays_every_side_of_every_game(result: TournamentResult) -> None:
    assert result.domains == ("price_warranty", "coin", "random_0")
    assert set(result.ranking.index) == set(STRATEGIES)
    assert list(result.ranking.columns) == list(RANKING_COLUMNS)
    n_domains = len(result.domains)
    expected = 2 * len(STRATEGIES) * n_domains * REPETITIONS
    assert (result.ranking["n"] == expected).all()
    assert len(result.negotiations) == len(STRATEGIES) ** 2 * n_domains * REPETITIONS
    per_pair = result.negotiations.groupby(["domain", "strategy_a", "strategy_b"]).size()
    assert (per_pair == REPETITIONS).all() and len(per_pair) == n_domains * len(STRATEGIES) ** 2
    assert result.ranking["rank"].tolist() == list(range(1, len(STRATEGIES) + 1))
    assert list(result.matrix.index) == list(result.matrix.columns) == list(result.ranking.index)
    assert not result.matrix.isna().any().any()


def test_ranking_is_ordered_by_utility_then_agreement(result: TournamentResult) -> None:
    keys = list(zip(result.ranking["mean_utility"], result.ranking["agreement_rate"], strict=True))
    assert keys == sorted(keys, reverse=True)


def test_matrix_agrees_with_the_ranking(result: TournamentResult) -> None:
    # Every cell averages the same number of sides, so the row means are the strategies' means.
    np.testing.assert_allclose(
        result.matrix.mean(axis=1), result.ranking["mean_utility"], rtol=0, atol=1e-12
    )


def test_hardliner_beats_conceder_head_to_head(result: TournamentResult) -> None:
    m = result.matrix
    assert m.loc["hardliner", "conceder"] > m.loc["conceder", "hardliner"]


def test_rates_and_distances_in_range(result: TournamentResult) -> None:
    r = result.ranking
    assert r["agreement_rate"].between(0.0, 1.0).all()
    distances = r["mean_distance_to_nash"].dropna()
    assert len(distances) > 0 and (distances >= 0).all()
    games = result.negotiations
    assert (games["distance_to_nash"].dropna() >= 0).all()
    assert games.loc[games["agreement"] < 0, "distance_to_nash"].isna().all()
    assert (games["round"] >= 1).all()


def test_deterministic_games_played_once_stand_for_every_repetition(
    result: TournamentResult, coin_domain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tournament, "_deterministic", lambda neg: False)
    pd.testing.assert_frame_equal(small(coin_domain).negotiations, result.negotiations)


def test_format_ranking_lists_every_strategy(result: TournamentResult) -> None:
    text = format_ranking(result)
    lines = text.splitlines()
    assert len(lines) == 3 + len(STRATEGIES)
    for rank, key in enumerate(result.ranking.index, start=1):
        assert lines[2 + rank].split()[:2] == [str(rank), key]
    assert all(key in format_matrix(result) for key in STRATEGIES)


def test_bad_strategy_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"strategies = 'nope' .*allowed: one of \[.*'boulware'"):
        run_tournament(["boulware", "nope"], ["price_warranty"], repetitions=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"domains": ["no_such_domain"]}, r"domains = 'no_such_domain' .*'price_warranty'"),
        ({"domains": ["missing/file.toml"]}, r"domains = 'missing/file.toml' .*TOML file"),
        ({"strategies": ["spe"]}, r"strategies = 'spe' .*split-the-pie"),
        ({"repetitions": 0}, r"repetitions = 0 .*integer >= 1"),
        ({"random_domains": -1}, r"random_domains = -1 .*integer >= 0"),
        ({"domains": []}, r"domains = \[\] .*at least one"),
    ],
)
def test_other_bad_input_is_a_config_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"strategies": ["linear"], "domains": ["price_warranty"]} | kwargs
    with pytest.raises(ConfigError, match=message) as info:
        run_tournament(**args)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def _games(key: str, opponents: list[str]) -> list[NegotiationResult]:
    """``key`` as party a against each opponent as b, on two shipped and one random domain."""
    domains: list[Negotiation] = [
        load_negotiation(shipped.find("negotiation", name))
        for name in ("price_warranty", "contract_example")
    ]
    domains.append(random_domain(np.random.default_rng(0)))
    return [negotiate(tournament._cast(d, key, opp), 3) for d in domains for opp in opponents]


def test_default_field_enters_each_distinct_player_once() -> None:
    """A key left out of the default field plays exactly like one in it; those all differ."""
    field = default_strategies()
    assert "linear" in field and "time_dependent" not in field and "spe" not in field
    games = {key: _games(key, field) for key in strategies.keys() if key != "spe"}
    for key in set(games) - set(field):
        assert any(games[key] == games[kept] for kept in field), key
    for x, y in combinations(field, 2):
        assert games[x] != games[y], (x, y)


def test_named_keys_enter_even_when_they_play_alike() -> None:
    """Naming ``time_dependent`` and ``linear`` enters both, and they score alike."""
    named = run_tournament(["time_dependent", "linear"], ["price_warranty"], repetitions=1)
    assert set(named.ranking.index) == {"time_dependent", "linear"}
    m = named.matrix
    assert m.loc["time_dependent"].tolist() == m.loc["linear"].tolist()
