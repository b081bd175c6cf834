"""Negotiation files (TOML): the schema of ``negsim negotiate``.

The format is documented in ``docs/negotiation.md`` ("Negotiation files").
:func:`load_negotiation` validates a file at the boundary and builds a
:class:`~negsim.negotiation.party.Negotiation`; every problem is a
:class:`~negsim.config.ConfigError` naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import negsim.negotiation.strategies as strategies
from negsim.config import ConfigError, Fields, is_number, read_toml
from negsim.negotiation.domain import MAX_MAGNITUDE, MAX_OUTCOMES, Domain, Issue
from negsim.negotiation.party import (
    PARTY_NAMES,
    Beliefs,
    ConcessionThresholds,
    Negotiation,
    Party,
    Protocol,
)
from negsim.negotiation.strategies.base import StrategyError
from negsim.negotiation.utility import LINEAR_SHAPES, MAX_WEIGHT, LinearAdditiveUtility

PARTY_KEYS = (
    "strategy",
    "reservation",
    "discount",
    "walk_away",
    "patience",
    "weights",
    "evaluations",
    "params",
    "beliefs",
)
#: Keys of a party's ``beliefs`` table (what it believes about the other side).
BELIEF_KEYS = ("reservation", "walk_away", "uncertainty")


def load_negotiation(path: str | Path) -> Negotiation:
    """Read and validate a negotiation file."""
    return parse_negotiation(read_toml(path), path)


def parse_negotiation(data: Mapping[str, Any], file: str | Path = "<negotiation>") -> Negotiation:
    """Validate an already parsed negotiation table (``file`` names it in errors)."""
    top = Fields(file, "", data)
    top.only(("protocol", "issues", "parties", "concessions"))
    proto = top.sub("protocol", {})
    proto.only(("deadline", "opener", "max_rounds"))
    protocol = Protocol(
        deadline=proto.integer("deadline", 100, high=1_000_000),
        opener=proto.choice("opener", PARTY_NAMES, "a"),
        max_rounds=proto.integer("max_rounds", 10_000, low=1, high=1_000_000),
    )
    domain = _domain(file, data.get("issues"))
    conc = top.sub("concessions", {})
    conc.only(("cost_threshold", "value_threshold"))
    thresholds = ConcessionThresholds(
        cost=conc.number("cost_threshold", 0.05, low=0, high=1),
        value=conc.number("value_threshold", 0.05, low=0, high=1),
    )
    parties_table = top.sub("parties")
    parties_table.only(PARTY_NAMES)
    a, b = (_party(file, name, parties_table.sub(name), domain) for name in PARTY_NAMES)
    a, b = _with_truth(a, b), _with_truth(b, a)
    return Negotiation(domain=domain, parties=(a, b), protocol=protocol, concessions=thresholds)


def _with_truth(party: Party, other: Party) -> Party:
    """``party`` with each belief it left out set to the truth about ``other``."""
    if party.beliefs is None:
        return party
    b = party.beliefs
    return replace(
        party,
        beliefs=replace(
            b,
            reservation=other.reservation if b.reservation < 0 else b.reservation,
            walk_away=other.walk_away if b.walk_away < 0 else b.walk_away,
        ),
    )


def _domain(file: str | Path, issues: object) -> Domain:
    if not isinstance(issues, list) or not issues:
        raise ConfigError(file, "issues", issues, "a non-empty array of [[issues]] tables")
    built: list[Issue] = []
    size = 1
    for k, table in enumerate(issues):
        f = Fields(file, f"issues[{k}]", table)
        f.only(("name", "values", "range", "steps"))
        name = table.get("name")
        if not isinstance(name, str) or not name or name in {i.name for i in built}:
            raise f.error("name", name, "a non-empty string, unique among issues")
        f.prefix = f"issues.{name}"
        if ("values" in table) == ("range" in table):
            raise f.error("values", table.get("values"), "exactly one of 'values' or 'range'")
        if "values" in table:
            values = table["values"]
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, str) for v in values)
                or len(set(values)) != len(values)
            ):
                raise f.error("values", values, "a non-empty array of distinct strings")
            if "steps" in table:
                raise f.error("steps", table["steps"], "'steps' only with 'range'")
            built.append(Issue.discrete(name, values))
        else:
            bounds = table["range"]
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(is_number(v, -MAX_MAGNITUDE, MAX_MAGNITUDE) for v in bounds)
                or not bounds[0] < bounds[1]
            ):
                bound = f"{-MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}"
                raise f.error(
                    "range", bounds, f"[low, high], finite numbers in [{bound}], low < high"
                )
            steps = f.integer("steps", low=2, high=MAX_OUTCOMES)
            built.append(Issue.numeric(name, float(bounds[0]), float(bounds[1]), steps))
        size *= built[-1].size
        if size > MAX_OUTCOMES:
            raise ConfigError(
                file, "issues", f"{size} outcomes", f"at most {MAX_OUTCOMES} outcomes in all"
            )
    return Domain(tuple(built))


def _party(file: str | Path, name: str, f: Fields, domain: Domain) -> Party:
    f.only(PARTY_KEYS)
    key = f.choice("strategy", strategies.keys())
    weights = _weights(f.sub("weights"), domain)
    evaluations = _evaluations(f.sub("evaluations"), domain, weights)
    cls = strategies.get(key)
    try:
        params = cls.resolve_params(f.sub("params", {}).table, f.name("params"))
    except StrategyError as exc:
        raise ConfigError(file, exc.field, exc.value, exc.allowed) from None
    utility = LinearAdditiveUtility.from_tables(domain, weights, evaluations)
    beliefs = None
    if "beliefs" in f.table:
        if not cls.reads_beliefs:
            readers = [k for k in strategies.keys() if strategies.get(k).reads_beliefs]
            raise f.error(
                "beliefs",
                f"given for strategy {cls.key!r}",
                f"beliefs only for a strategy that reads them: {readers}",
            )
        b = f.sub("beliefs")
        b.only(BELIEF_KEYS)
        # a belief left out is the truth, filled in once the other party is read
        beliefs = Beliefs(
            reservation=b.number("reservation", low=0, high=1) if "reservation" in b.table else -1,
            walk_away=b.number("walk_away", low=0, high=1) if "walk_away" in b.table else -1,
            uncertainty=b.number("uncertainty", 0.1, low=0, high=1),
        )
    return Party(
        name=name,
        utility=utility,
        strategy=key,
        params=params,
        reservation=f.number("reservation", 0.0, low=0, high=1),
        discount=f.number("discount", 1.0, low=0, high=1),
        walk_away=f.number("walk_away", 0.0, low=0, high=1),
        patience=f.integer("patience", 1, low=1, high=1_000_000),
        beliefs=beliefs,
    )


def _weights(f: Fields, domain: Domain) -> dict[str, float]:
    f.only(domain.names)
    weights = {n: f.number(n, 0.0, low=0, high=MAX_WEIGHT) for n in domain.names}
    if sum(weights.values()) <= 0:
        raise f.error(domain.names[0], weights[domain.names[0]], "weights with a positive sum")
    return weights


def _evaluations(f: Fields, domain: Domain, weights: Mapping[str, float]) -> dict[str, Any]:
    f.only(domain.names)
    out: dict[str, Any] = {}
    for issue in domain.issues:
        spec = f.table.get(issue.name)
        if spec is None and weights[issue.name] == 0:
            out[issue.name] = (
                {v: 0.0 for v in issue.values} if not issue.is_numeric else "increasing"
            )
            continue
        if isinstance(spec, str) and spec in LINEAR_SHAPES:
            out[issue.name] = spec
        elif not issue.is_numeric and isinstance(spec, Mapping):
            table = Fields(f.file, f.name(issue.name), spec)
            table.only(issue.values)  # type: ignore[arg-type]
            out[issue.name] = {v: table.number(str(v), low=0, high=1) for v in issue.values}
        else:
            allowed = (
                f"one of {list(LINEAR_SHAPES)}"
                if issue.is_numeric
                else f"a table of {list(issue.values)} → [0, 1], or one of {list(LINEAR_SHAPES)}"
            )
            raise f.error(issue.name, spec, allowed)
    return out
