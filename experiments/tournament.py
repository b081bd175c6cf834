"""A round-robin strategy tournament, as in GENIUS/ANAC and Axelrod's tournaments.

Every ordered pair of strategies (self-play included) meets on every domain: strategy X takes
party a's side of the domain (its preferences, reservation, discount, walk-away readiness and,
when a opens, the opening) and Y party b's, and each pair is also played the other way round,
so every strategy plays both roles against every opponent. Each game is repeated
``repetitions`` times with its own seed. A domain is a negotiation file (only its issues,
protocol and parties' preferences are used; the file's strategies and their parameters are
replaced by the tournament's, at their registry defaults) or a random linear-additive domain.

The default field is every registered strategy that plays any domain, each distinct player
once: a key that would play exactly like another at its defaults is entered under one name
only, the preset's (``linear``, not the family key ``time_dependent`` whose defaults it
repeats; see :func:`default_strategies`). Naming keys enters exactly those.

Games between two strategies the batch path plays (:mod:`negsim.negotiation.batch`) run
there, one batch per domain; the others are played one at a time by
:func:`negsim.negotiation.protocol.negotiate` (the two give identical results). A game whose
strategies are deterministic and whose parties walk away with probability 0 or 1 has the same
result under every seed, so it is played once and counted ``repetitions`` times.

Per strategy, over every side it played (a self-play game counts once per side, so each
strategy has ``n = 2 · strategies · domains · repetitions`` observations): mean own realised
utility (discounted; the reservation without agreement), agreement rate, mean Euclidean distance
of its agreements to the domain's Nash point in (undiscounted) utility space, and mean rounds.

Examples:
    >>> result = run_tournament(["hardliner", "conceder"], ["price_warranty"], repetitions=1)
    >>> result.ranking.index.tolist()  # conceder does well against itself
    ['conceder', 'hardliner']
    >>> float(result.matrix.loc["hardliner", "conceder"])  # but loses to the hardliner
    0.5
    >>> float(result.matrix.loc["conceder", "hardliner"])
    0.0
    >>> int(result.ranking.loc["hardliner", "n"])
    4
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

import negsim.negotiation.strategies as strategies
import negsim.shipped as shipped
from negsim.config import ConfigError
from negsim.display import readable
from negsim.negotiation.analysis import nash_point
from negsim.negotiation.batch import ENDED_BY, problem_from_negotiations, run_batch
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Negotiation, Party, Protocol
from negsim.negotiation.protocol import build_strategies, negotiate
from negsim.negotiation.spec import load_negotiation
from negsim.negotiation.strategies.base import StrategyError
from negsim.negotiation.utility import LinearAdditiveUtility
from negsim.rng import root_entropy, root_sequence

#: Where bad arguments are reported (the "file" of a ConfigError).
SOURCE = "tournament"
#: Random domains: issues, values per issue, reservations and the deadline (see random_domain).
RANDOM_ISSUES = (2, 4)
RANDOM_VALUES = (2, 8)
RANDOM_RESERVATION = 0.5
RANDOM_DEADLINE = 100
#: First entries of the seed sequences' spawn keys: random domains, games.
_DOMAIN_KEY, _GAME_KEY = 0, 1
RANKING_COLUMNS = (
    "rank",
    "mean_utility",
    "agreement_rate",
    "mean_distance_to_nash",
    "mean_rounds",
    "n",
)


@dataclass(frozen=True, kw_only=True)
class TournamentResult:
    """The outcome of :func:`run_tournament`.

    ``ranking``: one row per strategy (index), columns :data:`RANKING_COLUMNS`, best first (by
    mean utility, ties by agreement rate, then by name). ``matrix``: mean own utility of the row
    strategy against the column opponent, both in ranking order. ``negotiations``: one row per
    negotiation (repetitions included). ``seed_entropy`` repeats the run.
    """

    ranking: pd.DataFrame
    matrix: pd.DataFrame
    negotiations: pd.DataFrame
    domains: tuple[str, ...]
    repetitions: int
    seed_entropy: int


#: Shipped files left out of the default domains: split_the_pie is the infinite-horizon game
#: built for ``spe`` (100,001 outcomes, no deadline) and takes 20 s of a 21 s default run.
NOT_DEFAULT = ("split_the_pie",)


def shipped_domains() -> list[Path]:
    """The shipped negotiation files, the default domains (name others with ``domains``)."""
    return [
        shipped.find("negotiation", n) for n in shipped.names("negotiation") if n not in NOT_DEFAULT
    ]


def default_strategies() -> list[str]:
    """Every registered strategy that plays any domain, each distinct player once.

    Strategies that play only split-the-pie (``spe``) join a tournament only when named. Two
    keys are the same player when they run the same code with the same default parameters (a
    preset only sets defaults); the field keeps the preset, the more specific name, so
    ``time_dependent``, whose defaults are ``linear``'s, is left out. Any key can still be
    entered by name.

    Examples:
        >>> "time_dependent" in default_strategies(), "linear" in default_strategies()
        (False, True)
    """
    kept: dict[tuple[object, ...], str] = {}
    for key in strategies.keys():
        cls = strategies.get(key)
        if cls.traits.split_the_pie_only:
            continue
        player = _player(key)
        twin = kept.get(player)
        if twin is None or issubclass(cls, strategies.get(twin)):
            kept[player] = key
    return [k for k in strategies.keys() if k in kept.values()]


def _player(key: str) -> tuple[object, ...]:
    """What decides how ``key`` plays at its defaults: the class whose code it runs (the
    nearest one in its MRO defining methods) and its default parameters."""
    cls = strategies.get(key)
    code = next(c for c in cls.__mro__ if any(inspect.isfunction(v) for v in vars(c).values()))
    return (code, *sorted((name, spec.default) for name, spec in cls.params.items()))


def run_tournament(
    strategies: list[str] | None = None,
    domains: list[str | Path] | None = None,
    random_domains: int = 0,
    repetitions: int = 10,
    seed: int | None = 0,
) -> TournamentResult:
    """Play the round robin and rank the strategies (see the module docstring).

    Args:
        strategies: registry keys (default: :func:`default_strategies`).
        domains: negotiation files, as paths or names of shipped files (``price_warranty``);
            default: every shipped file but ``split_the_pie``. ``[]`` plays only random domains.
        random_domains: how many seeded random linear-additive domains to add.
        repetitions: seeded repetitions of every game.
        seed: root seed (``None``: fresh entropy, recorded in the result).

    Raises:
        ConfigError: an unknown strategy, a missing or invalid domain file, a strategy that
            cannot play a domain, or a count out of range.
    """
    keys = _check_strategies(default_strategies() if strategies is None else strategies)
    _check_count("random_domains", random_domains, 0)
    _check_count("repetitions", repetitions, 1)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ConfigError(SOURCE, "seed", seed, "an integer >= 0")
    root = root_sequence(seed)
    entropy = root_entropy(root)
    files = shipped_domains() if domains is None else [_find_domain(d) for d in domains]
    named = [(_domain_name(f, files), load_negotiation(f), str(f)) for f in files]
    for j in range(random_domains):
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(_DOMAIN_KEY, j)))
        named.append((f"random_{j}", random_domain(rng), f"random_{j}"))
    if not named:
        raise ConfigError(SOURCE, "domains", domains, "at least one file or random domain")
    for _, neg, where in named:
        for key in keys:
            _check_playable(key, neg, where)
    frames = [
        _play_domain(d, name, neg, keys, repetitions, entropy)
        for d, (name, neg, _) in enumerate(named)
    ]
    games = pd.concat(frames, ignore_index=True)
    ranking, matrix = _aggregate(games, keys)
    return TournamentResult(
        ranking=ranking,
        matrix=matrix,
        negotiations=games,
        domains=tuple(name for name, _, _ in named),
        repetitions=repetitions,
        seed_entropy=entropy,
    )


def random_domain(rng: np.random.Generator) -> Negotiation:
    """A random linear-additive domain: the issues, both parties' interests and the protocol.

    2–4 discrete issues of 2–8 values each; per party, weights from a flat Dirichlet,
    evaluations uniform in [0, 1] and a reservation uniform in [0, 0.5]; no discount, no
    walking away, deadline 100, a opens. The parties' strategies are placeholders.
    """
    n_issues = int(rng.integers(RANDOM_ISSUES[0], RANDOM_ISSUES[1] + 1))
    sizes = rng.integers(RANDOM_VALUES[0], RANDOM_VALUES[1] + 1, size=n_issues)
    domain = Domain(
        tuple(
            Issue.discrete(f"d{i}", [f"v{j}" for j in range(int(size))])
            for i, size in enumerate(sizes)
        )
    )
    parties = []
    for name in ("a", "b"):
        weights = rng.dirichlet(np.ones(n_issues))
        evaluations = tuple(tuple(float(x) for x in rng.random(int(size))) for size in sizes)
        utility = LinearAdditiveUtility(
            domain=domain, weights=tuple(float(w) for w in weights), evaluations=evaluations
        )
        reservation = float(rng.uniform(0.0, RANDOM_RESERVATION))
        parties.append(Party(name=name, utility=utility, reservation=reservation))
    return Negotiation(
        domain=domain,
        parties=(parties[0], parties[1]),
        protocol=Protocol(deadline=RANDOM_DEADLINE, opener="a"),
    )


def format_ranking(result: TournamentResult) -> str:
    """The ranking as a plain-text table, with the set-up in a header line."""
    header = (
        f"{'rank':>4}  {'strategy':<16}{'utility':>9}{'agreed':>9}"
        f"{'to Nash':>9}{'rounds':>9}{'n':>8}"
    )
    lines = [
        f"round robin: {len(result.ranking)} strategies, {len(result.domains)} domains "
        f"({', '.join(result.domains)}), {result.repetitions} repetitions, "
        f"seed {result.seed_entropy}",
        header,
        "-" * len(header),
    ]
    for key, row in result.ranking.iterrows():
        lines.append(
            f"{int(row['rank']):>4}  {key:<16}{readable(row['mean_utility']):>9}"
            f"{readable(row['agreement_rate']):>9}{readable(row['mean_distance_to_nash']):>9}"
            f"{readable(row['mean_rounds']):>9}{int(row['n']):>8}"
        )
    return "\n".join(lines)


def format_matrix(result: TournamentResult) -> str:
    """The pairwise matrix (row strategy's mean own utility against the column opponent)."""
    cols = list(result.matrix.columns)
    width = max(8, *(len(c) + 1 for c in cols))
    lines = ["mean own utility (row) against opponent (column)"]
    lines.append(f"{'':<16}" + "".join(f"{c:>{width}}" for c in cols))
    for key, row in result.matrix.iterrows():
        lines.append(f"{key:<16}" + "".join(f"{readable(row[c]):>{width}}" for c in cols))
    return "\n".join(lines)


# --- validation ---------------------------------------------------------------------------------


def _check_strategies(given: Sequence[str]) -> list[str]:
    known = list(strategies.keys())
    if isinstance(given, str) or not given:
        raise ConfigError(SOURCE, "strategies", given, f"a non-empty list of names from {known}")
    for key in given:
        if key not in known:
            raise ConfigError(SOURCE, "strategies", key, f"one of {known}")
    if len(set(given)) != len(given):
        raise ConfigError(SOURCE, "strategies", list(given), "distinct names")
    return list(given)


def _check_count(field: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(SOURCE, field, value, f"an integer >= {low}")


def _find_domain(given: str | Path) -> Path:
    """A negotiation file from a path or the name of a shipped file."""
    path = Path(given)
    if path.is_file():
        return path
    if not shipped.looks_like_path(given) and str(given) in shipped.names("negotiation"):
        return shipped.find("negotiation", given)
    names = shipped.names("negotiation")
    raise ConfigError(SOURCE, "domains", str(given), f"an existing TOML file or one of {names}")


def _domain_name(path: Path, files: Sequence[Path]) -> str:
    """The file's stem, or its path when two files share a stem."""
    stems = [f.stem for f in files]
    return path.stem if stems.count(path.stem) == 1 else str(path)


def _check_playable(key: str, neg: Negotiation, where: str) -> None:
    """Refuse a strategy that cannot play a domain (``spe`` off split-the-pie)."""
    try:
        build_strategies(_cast(neg, key, key), 0)
    except StrategyError as exc:
        raise ConfigError(
            where, "strategies", key, f"a strategy that plays this domain ({exc.allowed})"
        ) from None


# --- play ---------------------------------------------------------------------------------------


def _cast(neg: Negotiation, key_a: str, key_b: str) -> Negotiation:
    """The domain with strategy ``key_a`` as party a and ``key_b`` as party b, at defaults."""
    a, b = neg.parties
    return replace(
        neg, parties=(replace(a, strategy=key_a, params={}), replace(b, strategy=key_b, params={}))
    )


def _deterministic(neg: Negotiation) -> bool:
    """Whether every seed gives the same result (no stochastic strategy, no coin for walking)."""
    return all(
        not strategies.get(p.strategy).traits.stochastic and p.walk_away in (0.0, 1.0)
        for p in neg.parties
    )


def _play_domain(
    d: int, name: str, template: Negotiation, keys: list[str], repetitions: int, entropy: int
) -> pd.DataFrame:
    """Every ordered pair on one domain, ``repetitions`` times: one row per negotiation."""
    registry = list(strategies.keys())
    batchable = {k: strategies.get(k).traits.batch for k in keys}
    # One entry per negotiation actually played: (pair index, repetition, its negotiation, seed).
    plays: list[tuple[int, int, Negotiation, np.random.SeedSequence]] = []
    pairs = [(ka, kb) for ka in keys for kb in keys]
    for g, (ka, kb) in enumerate(pairs):
        neg = _cast(template, ka, kb)
        reps = 1 if _deterministic(neg) else repetitions
        for r in range(reps):
            key = (_GAME_KEY, d, registry.index(ka), registry.index(kb), r)
            plays.append((g, r, neg, np.random.SeedSequence(entropy, spawn_key=key)))
    n = len(plays)
    agreement = np.full(n, -1, dtype=np.int64)
    ended = np.empty(n, dtype=np.int64)
    rounds = np.empty(n, dtype=np.int64)
    pay = np.empty((n, 2))
    fast = [i for i, (g, _, _, _) in enumerate(plays) if all(batchable[k] for k in pairs[g])]
    if fast:
        got = run_batch(
            problem_from_negotiations([plays[i][2] for i in fast], [plays[i][3] for i in fast])
        )
        agreement[fast], ended[fast], rounds[fast] = got.agreement, got.ended_by, got.round
        pay[fast] = got.utilities
    for i in sorted(set(range(n)) - set(fast)):
        res = negotiate(plays[i][2], plays[i][3])
        agreement[i] = -1 if res.agreement is None else res.agreement
        ended[i], rounds[i] = ENDED_BY.index(res.ended_by), res.round
        pay[i] = res.utilities
    # A deterministic game, played once, stands for all its repetitions.
    copies = np.array(
        [repetitions if _deterministic(neg) else 1 for _, _, neg, _ in plays], dtype=np.int64
    )
    pair = np.array([g for g, _, _, _ in plays], dtype=np.int64)
    rep = np.array([r for _, r, _, _ in plays], dtype=np.int64)
    rows = np.repeat(np.arange(n), copies)
    # Repetition numbers: 0 … R-1 for the copies of a game played once, as played otherwise.
    first = np.cumsum(copies) - copies
    rep_of = rep[rows] + np.arange(rows.size) - first[rows]
    ua, ub = (p.utility.values for p in template.parties)
    nash = nash_point(ua, ub, template.parties[0].reservation, template.parties[1].reservation)
    agreed = agreement[rows] >= 0
    at = np.where(agreed, agreement[rows], 0)
    if nash is None:
        distance = np.full(rows.size, np.nan)
    else:
        gap = np.hypot(ua[at] - ua[nash], ub[at] - ub[nash])
        distance = np.where(agreed, gap, np.nan)
    key_a = np.array([pairs[g][0] for g in pair[rows]], dtype=object)
    key_b = np.array([pairs[g][1] for g in pair[rows]], dtype=object)
    return pd.DataFrame(
        {
            "domain": name,
            "strategy_a": key_a,
            "strategy_b": key_b,
            "repetition": rep_of,
            "agreement": agreement[rows],
            "ended_by": np.asarray(ENDED_BY, dtype=object)[ended[rows]],
            "round": rounds[rows],
            "utility_a": pay[rows, 0],
            "utility_b": pay[rows, 1],
            "distance_to_nash": distance,
        }
    )


# --- aggregation --------------------------------------------------------------------------------


def _aggregate(games: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per strategy and per (strategy, opponent), over both sides of every negotiation."""
    agreed = (games["agreement"] >= 0).astype(float)
    sides = pd.concat(
        [
            pd.DataFrame(
                {
                    "strategy": games[f"strategy_{me}"],
                    "opponent": games[f"strategy_{other}"],
                    "utility": games[f"utility_{me}"],
                    "agreed": agreed,
                    "distance": games["distance_to_nash"],
                    "round": games["round"].astype(float),
                }
            )
            for me, other in (("a", "b"), ("b", "a"))
        ],
        ignore_index=True,
    )
    by = sides.groupby("strategy", sort=False)
    ranking = pd.DataFrame(
        {
            "mean_utility": by["utility"].mean(),
            "agreement_rate": by["agreed"].mean(),
            "mean_distance_to_nash": by["distance"].mean(),  # NaN-skipping: agreements only
            "mean_rounds": by["round"].mean(),
            "n": by.size(),
        }
    ).reindex(keys)
    ranking.index.name = "strategy"
    ranking = ranking.assign(name=ranking.index).sort_values(
        ["mean_utility", "agreement_rate", "name"], ascending=[False, False, True]
    )
    ranking = ranking.drop(columns="name")
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    order = list(ranking.index)
    matrix = sides.pivot_table(
        index="strategy", columns="opponent", values="utility", aggfunc="mean"
    ).reindex(index=order, columns=order)
    matrix.index.name, matrix.columns.name = "strategy", "opponent"
    return ranking[list(RANKING_COLUMNS)], matrix


__all__ = [
    "RANKING_COLUMNS",
    "TournamentResult",
    "default_strategies",
    "format_matrix",
    "format_ranking",
    "random_domain",
    "run_tournament",
    "shipped_domains",
]
