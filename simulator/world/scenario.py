"""World scenarios (TOML): one documented schema, validated at the boundary.

Every mechanism of the world has a table with ``enabled`` and its parameters, so a researcher
can switch each one off and see its effect. Time is in months. A bad file raises
:class:`~negsim.config.ConfigError` naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import negsim.negotiation.strategies as strategies
import negsim.shipped as shipped
from negsim.config import ConfigError, Fields, check_name, read_toml
from negsim.negotiation.strategies.base import StrategyError
from negsim.world.network import check_network

NETWORK_KINDS = ("barabasi_albert", "watts_strogatz", "erdos_renyi", "stochastic_block", "file")
#: Strategies organisations may use for alliance terms (the batch path plays them all;
#: ``zeuthen`` negotiates on what it can see of the other side: :mod:`negsim.world.beliefs`).
WORLD_STRATEGIES = ("boulware", "linear", "conceder", "hardliner", "tit_for_tat", "zeuthen")


@dataclass(frozen=True, kw_only=True)
class WorldSection:
    """Size, horizon and the rhythm of the world (months)."""

    organisations: int = 200
    horizon: float = 120.0
    search_interval: float = 3.0
    review_interval: float = 12.0
    alliance_term: float = 36.0
    offer_delay: float = 0.05  # months each round of a negotiation takes
    deadline: int = 40  # rounds of the alliance-terms negotiation
    discount_rate: float = 0.01  # per month: value a month later is worth exp(-rate) as much


@dataclass(frozen=True, kw_only=True)
class NetworkSection:
    """The graph organisations live on (seeded generators, or a file)."""

    kind: str = "barabasi_albert"
    m: int = 3
    k: int = 4
    p: float = 0.05
    blocks: int = 4
    p_in: float = 0.05
    p_out: float = 0.005
    path: str = ""


@dataclass(frozen=True, kw_only=True)
class OrganisationsSection:
    """How organisations are drawn."""

    capability_dims: int = 4
    value_dims: int = 3
    capacity: int = 2
    walk_away: float = 0.5
    disclosure: float = 0.5
    effort: float = 0.8
    risk_tolerance: float = 0.5
    coherence: float = 0.8
    interests_concentration: float = 2.0  # Dirichlet α of the weights over the terms issues
    walk_away_spread: float = 0.15  # standard deviation of walk_away around its mean
    disclosure_spread: float = 0.15  # ... of disclosure
    effort_spread: float = 0.1  # ... of effort
    effort_floor: float = 0.1  # the lowest effort an organisation puts in
    risk_tolerance_spread: float = 0.15  # ... of risk_tolerance
    coherence_spread: float = 0.1  # ... of coherence
    patience: int = 2  # non-improving offers an organisation tolerates before walking away
    belief_uncertainty: float = 0.1  # spread of a zeuthen negotiator's prior about the other
    alternative: float = 0.2  # standalone value a month of free capacity earns, × value.base
    strategies: Mapping[str, float] = field(
        default_factory=lambda: {
            "boulware": 0.25,
            "linear": 0.25,
            "conceder": 0.25,
            "zeuthen": 0.25,
        }
    )
    #: Parameters of the strategies (``[organisations.params.KEY]``, checked by the strategy;
    #: registry defaults otherwise), merged over these.
    params: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {"tit_for_tat": {"generosity": 0.01}}
    )


@dataclass(frozen=True, kw_only=True)
class Mechanism:
    """Base of the mechanism sections: each can be switched off."""

    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class ValueSection(Mechanism):
    """Alliance value: complementarity of capabilities and compatibility of values (essay 002)."""

    base: float = 1.0
    complementarity: float = 1.0
    compatibility: float = 1.0
    noise: float = 0.2
    trust_from_compatibility: float = 0.1  # opening trust per unit of value similarity
    compatibility_floor: float = 0.05  # the least compatible pair keeps this share of its value


@dataclass(frozen=True, kw_only=True)
class DiligenceSection(Mechanism):
    """Court carefully: optimistic estimates; diligence costs time and reduces the error."""

    optimism: float = 0.05
    noise: float = 0.3
    time: float = 2.0
    reduction: float = 0.6


@dataclass(frozen=True, kw_only=True)
class TrustSection(Mechanism):
    """Trust bank accounts (essay 003)."""

    initial: float = 0.25
    bound: float = 1.0
    loss_aversion: float = 2.0
    meeting_interval: float = 1.0
    meeting_deposit: float = 0.03
    meeting_cost: float = 0.02  # share of a month's expected output each meeting takes, per tie
    ties: int = 1  # people-level ties per alliance: each meeting deposits once per tie (002)
    tie_cost: float = 0.02  # monthly value each tie beyond the first costs the alliance
    resentment: float = 0.01  # withdrawn monthly per unit of unequal commitment (B-team)
    break_level: float = 0.5  # an account at or below -break_level · bound breaks the alliance


@dataclass(frozen=True, kw_only=True)
class ConcessionsSection(Mechanism):
    """Relative value of concessions (essay 000): symbolic ones build trust cheaply."""

    cost_threshold: float = 0.05  # below this cost to the giver a concession is cheap
    value_threshold: float = 0.05  # from this value to the receiver it is dear
    symbolic_deposit: float = 0.03  # trust each material-yet-symbolic concession deposits


@dataclass(frozen=True, kw_only=True)
class RiskSection(Mechanism):
    """Discuss risks and risk tolerances explicitly (essay 001)."""

    clinic_deposit: float = 0.05  # trust a risk discussion at signing deposits in both accounts
    clinic_time: float = 0.5  # months the risk discussion delays the alliance's start
    tolerance_effect: float = 0.5  # share of a crisis's withdrawal a fully tolerant partner absorbs


@dataclass(frozen=True, kw_only=True)
class MessagesSection(Mechanism):
    """Communicate one message (essay 004): mixed messages make partners question motives."""

    rate: float = 0.05  # monthly chance of a mixed message from a wholly incoherent organisation
    withdrawal: float = 0.03  # trust a mixed message withdraws from the partner's account


@dataclass(frozen=True, kw_only=True)
class CrisesSection(Mechanism):
    """Imagine the worst (essay 004): crises arrive as a Poisson process per alliance."""

    rate: float = 0.015
    severity: float = 0.15


@dataclass(frozen=True, kw_only=True)
class ShirkingSection(Mechanism):
    """Both partners must succeed (essays 002, 004): a lopsided split tempts the short side."""

    tolerance: float = 0.1
    sensitivity: float = 1.0
    withdrawal: float = (
        0.05  # a missed milestone: trust the victim withdraws when its partner shirks
    )
    kept_deposit: float = 0.005  # a kept commitment: monthly trust a partner who delivers earns
    effort_kept: float = 0.5  # share of its work a shirking partner still delivers


@dataclass(frozen=True, kw_only=True)
class ReviewSection(Mechanism):
    """Reviews compare the alliance with what was expected (essay 003)."""

    threshold: float = 0.7  # a review ends an alliance realising less than this of its goal
    goal: float = 0.9  # an alliance missed its goal if it realised less than this of expected
    restructure_step: float = 0.1  # split moved towards a short partner at a review (0 = never)
    alternative_margin: float = 2.0  # leave when a free neighbour promises 1 + this times more
    first_after: float = 0.5  # reviews skip alliances run less than this share of an interval


@dataclass(frozen=True, kw_only=True)
class ReputationSection(Mechanism):
    """Exit gracefully (essays 002, 003): messy exits damage reputation, which spreads."""

    graceful_cost: float = 0.02
    messy_cost: float = 0.15
    spread: float = 0.2
    floor: float = 0.4
    recovery: float = 0.01  # monthly


@dataclass(frozen=True, kw_only=True)
class CompetitionSection(Mechanism):
    """Perceived competition (essay 000): rival suitors are an organisation's options, and its
    counterpart sees them (:mod:`~negsim.world.alternatives`, :mod:`~negsim.world.beliefs`)."""

    seen: bool = True  # the counterpart sees the suitors (False: options only their owner knows)


@dataclass(frozen=True, kw_only=True)
class WalkReputationSection(Mechanism):
    """Willing to walk away (essay 000): word of a walk-out goes round the walker's neighbours,
    and a ``zeuthen`` counterpart reads the record as readiness to walk away
    (:mod:`~negsim.world.beliefs`); off, every side is believed as ready as the prior says."""


@dataclass(frozen=True, kw_only=True)
class DisclosureSection(Mechanism):
    """Showing your intent gives the other side power (essay 000): the eagerness a side shows
    (more to a partner it trusted before, essay 003) shapes what its counterpart believes of
    its readiness to walk away (:mod:`~negsim.world.beliefs`)."""


@dataclass(frozen=True, kw_only=True)
class LearningSection(Mechanism):
    """Teach and learn (essay 002): allied partners pick up each other's strengths."""

    rate: float = 0.005  # monthly share of a partner's capability lead that is learned


@dataclass(frozen=True, kw_only=True)
class FrenemiesSection(Mechanism):
    """Frenemies (essay 004): partners from the same industry are also rivals."""

    trust_discount: float = 0.5  # share of the opening trust same-industry partners lack


#: Organisation traits a world can randomise within itself (``[assign]``).
ASSIGNABLE = ("walk_away", "disclosure", "risk_tolerance", "coherence")


@dataclass(frozen=True, kw_only=True)
class AssignSection:
    """Randomisation within one world: a ``share`` of the organisations, drawn by the world's
    seed, get ``parameter`` (an organisation trait, :data:`ASSIGNABLE`) at ``treatment``, the
    rest at ``control``; every other trait is drawn as usual. Empty ``parameter``: none."""

    parameter: str = ""
    control: float = 0.0
    treatment: float = 1.0
    share: float = 0.5


@dataclass(frozen=True, kw_only=True)
class LimitsSection:
    """Size caps, checked when a scenario is loaded, before anything is built (memory and time
    grow with each). Raise one knowingly: ``--set limits.organisation_months=5e7``, or in the
    scenario file, or a sweep's ``[base]``. Measured on the default world
    (``benchmarks/world_scale.py``, docs/world.md)."""

    # organisations × months simulated: ~4 µs each to run; with the organisations' monthly
    # records (negsim run) also ~0.3 kB each: 3.5 GB at the cap, the benchmark's largest world
    # (100,000 organisations, 120 months)
    organisation_months: float = 12e6
    # expected edges of the generated network (not a network file): ~0.35 kB and ~20 µs each
    # to build, so ~1.7 GB and ~100 s at the cap
    network_edges: float = 5e6
    # organisations × world.deadline: a search negotiates up to half the organisations' terms
    # at once, holding ~25 bytes per organisation and round: ~0.5 GB at the cap
    negotiation_rounds: float = 20e6


@dataclass(frozen=True, kw_only=True)
class WorldScenario:
    """A whole world scenario."""

    name: str = "unnamed"
    description: str = ""
    world: WorldSection = field(default_factory=WorldSection)
    network: NetworkSection = field(default_factory=NetworkSection)
    organisations: OrganisationsSection = field(default_factory=OrganisationsSection)
    value: ValueSection = field(default_factory=ValueSection)
    diligence: DiligenceSection = field(default_factory=DiligenceSection)
    trust: TrustSection = field(default_factory=TrustSection)
    crises: CrisesSection = field(default_factory=CrisesSection)
    shirking: ShirkingSection = field(default_factory=ShirkingSection)
    review: ReviewSection = field(default_factory=ReviewSection)
    reputation: ReputationSection = field(default_factory=ReputationSection)
    concessions: ConcessionsSection = field(default_factory=ConcessionsSection)
    risk: RiskSection = field(default_factory=RiskSection)
    messages: MessagesSection = field(default_factory=MessagesSection)
    competition: CompetitionSection = field(default_factory=CompetitionSection)
    walk_reputation: WalkReputationSection = field(default_factory=WalkReputationSection)
    disclosure: DisclosureSection = field(default_factory=DisclosureSection)
    learning: LearningSection = field(default_factory=LearningSection)
    frenemies: FrenemiesSection = field(default_factory=FrenemiesSection)
    assign: AssignSection = field(default_factory=AssignSection)
    limits: LimitsSection = field(default_factory=LimitsSection)


#: The shortest span of time a scenario may set, in months (0.01 month ≈ 7 hours). Recurring
#: events (searches, reviews, meetings) fire once per interval, so an interval near zero would
#: spin the event loop without advancing time; nothing in the essays happens more often than
#: daily, and a terms negotiation round (``world.offer_delay``) takes 0.05 month by default.
MIN_INTERVAL = 0.01
#: The longest horizon, in months (a century). A run steps through every month (operations,
#: records), so the horizon bounds a run's work; alliance studies span years to decades.
MAX_HORIZON = 1200.0
#: The highest crisis rate, per alliance per month: candidate crises arrive at this rate times
#: the number of alliances the world can hold, so the rate bounds the events per month; at 1
#: an alliance meets a crisis every month on average, far past the essays' "imagine the worst".
MAX_CRISIS_RATE = 1.0

#: Allowed ranges per (section, field); anything not listed is a finite number in [0, 1e9]
#: (integers in [0, 10⁹]). Spans of time are in months. ``world.offer_delay`` and
#: ``diligence.time`` may be 0: they delay a start, they schedule no event.
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("world", "organisations"): (4, 1_000_000),
    ("world", "horizon"): (MIN_INTERVAL, MAX_HORIZON),
    ("world", "search_interval"): (MIN_INTERVAL, 1e6),
    ("world", "review_interval"): (MIN_INTERVAL, 1e6),
    ("world", "alliance_term"): (MIN_INTERVAL, 1e6),
    ("trust", "meeting_interval"): (MIN_INTERVAL, 1e6),
    ("crises", "rate"): (0, MAX_CRISIS_RATE),
    ("world", "deadline"): (1, 10_000),
    ("world", "discount_rate"): (0, 1),
    ("network", "m"): (1, 1000),
    ("network", "k"): (2, 1000),
    ("network", "p"): (0, 1),
    ("network", "blocks"): (1, 1000),
    ("network", "p_in"): (0, 1),
    ("network", "p_out"): (0, 1),
    ("organisations", "capability_dims"): (1, 64),
    ("organisations", "value_dims"): (1, 64),
    ("organisations", "capacity"): (1, 1000),
    ("organisations", "patience"): (1, 1_000_000),
    ("organisations", "belief_uncertainty"): (0, 1),
    ("organisations", "alternative"): (0, 10),
    ("organisations", "walk_away"): (0, 1),
    ("organisations", "disclosure"): (0, 1),
    ("organisations", "risk_tolerance"): (0, 1),
    ("organisations", "coherence"): (0, 1),
    ("organisations", "interests_concentration"): (0.01, 1000),
    ("organisations", "walk_away_spread"): (0, 1),
    ("organisations", "disclosure_spread"): (0, 1),
    ("organisations", "effort_spread"): (0, 1),
    ("organisations", "effort_floor"): (0, 1),
    ("organisations", "risk_tolerance_spread"): (0, 1),
    ("organisations", "coherence_spread"): (0, 1),
    ("value", "compatibility_floor"): (0, 1),
    ("trust", "break_level"): (0, 1),
    ("shirking", "effort_kept"): (0, 1),
    ("review", "first_after"): (0, 1),
    ("risk", "tolerance_effect"): (0, 1),
    ("messages", "rate"): (0, 1),
    ("concessions", "cost_threshold"): (0, 1),
    ("concessions", "value_threshold"): (0, 1),
    ("trust", "ties"): (1, 1000),
    ("trust", "meeting_cost"): (0, 1),
    ("frenemies", "trust_discount"): (0, 1),
    ("learning", "rate"): (0, 1),
    ("organisations", "effort"): (0, 1),
    ("diligence", "reduction"): (0, 1),
    ("trust", "bound"): (1e-9, 1e6),
    ("trust", "loss_aversion"): (1, 100),
    ("review", "threshold"): (0, 10),
    ("review", "goal"): (0, 10),
    ("reputation", "spread"): (0, 1),
    ("reputation", "floor"): (0, 1),
    ("assign", "control"): (0, 1),
    ("assign", "treatment"): (0, 1),
    ("assign", "share"): (0, 1),
    ("limits", "organisation_months"): (1, 1e15),
    ("limits", "network_edges"): (1, 1e15),
    ("limits", "negotiation_rounds"): (1, 1e15),
}


#: How an error in an override names its source (``negsim run --set``, ``overrides=``).
OVERRIDES = "overrides (--set)"


def load_scenario(
    scenario: str | Path, overrides: Mapping[str, object] | None = None
) -> WorldScenario:
    """Read, override (``section.field`` → value) and validate a scenario.

    Args:
        scenario: a shipped scenario's name (``negsim scenarios``) or a scenario file.
        overrides: ``{"section.field": value}`` changes, as ``negsim run --set``.

    Examples:
        >>> load_scenario("classroom", {"world.organisations": 30}).world.organisations
        30
    """
    path = shipped.find("scenario", scenario)
    data = read_toml(path)
    data_sections = set(data)  # an unknown section an override made is the override's fault
    overrides = dict(overrides or {})
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if not name:
            raise ConfigError(OVERRIDES, key, value, "an override of the form section.field=value")
        data.setdefault(section, {})[name] = value
    try:
        return parse_scenario(data, path)
    except ConfigError as exc:
        sections = {key.partition(".")[0] for key in overrides}
        if exc.field in overrides or (exc.field in sections and exc.field not in data_sections):
            # the override is wrong, not the file it was applied to
            raise ConfigError(OVERRIDES, exc.field, exc.value, exc.allowed) from None
        raise


def parse_scenario(data: Mapping[str, Any], file: str | Path = "<scenario>") -> WorldScenario:
    """Validate a parsed scenario table."""
    top = Fields(file, "", data)
    sections = {f.name: f for f in fields(WorldScenario)}
    top.only(sections)
    scenario = WorldScenario(name=Path(file).stem if isinstance(file, str | Path) else "scenario")
    if "name" in data or "description" in data:
        if "description" in data and not isinstance(data["description"], str):
            raise top.error("description", data["description"], "a string")
        name = check_name(file, "name", data["name"]) if "name" in data else scenario.name
        scenario = replace(scenario, name=name, description=data.get("description", ""))
    for key in sections:
        if key in ("name", "description") or key not in data:
            continue
        default = getattr(scenario, key)
        scenario = replace(scenario, **{key: _section(file, key, data[key], default)})
    _check(file, scenario)
    return scenario


def _section(file: str | Path, name: str, table: object, default: Any) -> Any:
    f = Fields(file, name, table)
    known = {x.name: x for x in fields(default)}
    f.only(known)
    values: dict[str, Any] = {}
    for key in f.table:
        current = getattr(default, key)
        value = f.table[key]
        if isinstance(current, bool):
            if not isinstance(value, bool):
                raise f.error(key, value, "true or false")
            values[key] = value
        elif isinstance(current, str):
            allowed = {"kind": NETWORK_KINDS, "parameter": ("", *ASSIGNABLE)}.get(key)
            if not isinstance(value, str) or (allowed and value not in allowed):
                raise f.error(key, value, f"one of {list(allowed)}" if allowed else "a string")
            values[key] = value
        elif isinstance(current, Mapping) and key == "params":
            values[key] = {**current, **_params(f.sub(key))}
        elif isinstance(current, Mapping):
            values[key] = _mix(f.sub(key))
        elif isinstance(current, int):
            low, high = RANGES.get((name, key), (0, 10**9))
            values[key] = f.integer(key, low=int(low), high=int(high))
        else:
            low, high = RANGES.get((name, key), (0.0, 1e9))
            values[key] = f.number(key, low=low, high=high)
    return replace(default, **values)


def _params(f: Fields) -> dict[str, dict[str, float]]:
    """``[organisations.params.KEY]`` tables, each checked by strategy KEY itself."""
    f.only(WORLD_STRATEGIES)
    out = {}
    for key in f.table:
        given = f.sub(key).table
        try:
            resolved = strategies.get(key).resolve_params(given, f.name(key))
        except StrategyError as exc:
            raise ConfigError(f.file, exc.field, exc.value, exc.allowed) from None
        out[key] = {name: float(value) for name, value in resolved.items()}
    return out


def _mix(f: Fields) -> dict[str, float]:
    f.only(WORLD_STRATEGIES)
    mix = {key: f.number(key, low=0.0, high=1e9) for key in f.table}
    if not mix or sum(mix.values()) <= 0:
        raise ConfigError(
            f.file, f.prefix, dict(f.table), f"positive weights over {list(WORLD_STRATEGIES)}"
        )
    assert all(k in strategies.keys() for k in mix)
    return mix


def check_size(
    file: str | Path, s: WorldScenario, months: float | None = None, months_name: str = ""
) -> None:
    """Refuse a world larger than its ``[limits]`` (:class:`LimitsSection`) before any of it
    is built; ``months`` (default ``world.horizon``) is how long it will run, named
    ``months_name`` in the error (``--until``). The network's edges are checked against
    ``limits.network_edges`` with the network's other rules
    (:func:`~negsim.world.network.check_network`)."""
    n, lim = s.world.organisations, s.limits
    months = s.world.horizon if months is None else months
    sizes = (
        (
            f"world.organisations × {months_name or 'world.horizon'}",
            n * months,
            lim.organisation_months,
            "organisation_months",
        ),
        (
            "world.organisations × world.deadline",
            n * s.world.deadline,
            lim.negotiation_rounds,
            "negotiation_rounds",
        ),
    )
    for what, size, cap, key in sizes:
        if size > cap:
            raise ConfigError(
                file,
                what,
                round(size),
                f"at most limits.{key} = {cap:,.0f} (memory and time grow with it; "
                f"raise it knowingly, e.g. --set limits.{key}={size:.3g})",
            )


def _check(file: str | Path, s: WorldScenario) -> None:
    """Cross-field rules: the network against the number of organisations and its edge limit
    (:func:`~negsim.world.network.check_network`), then the world's size limits."""
    check_network(s.network, s.world.organisations, file, max_edges=s.limits.network_edges)
    check_size(file, s)
