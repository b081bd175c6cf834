"""Hypothesis strategies for random negotiation scenarios, shared by the negotiation tests.

Small random domains (:func:`domains`), random linear-additive utilities over them
(:func:`utilities`), random strategy parameters within their declared ranges
(:func:`params_for`) and the two parties of a negotiation built from them (:func:`parties`).
Each test module picks its ranges and distributions through the keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

import negsim.negotiation.strategies as strategies
from negsim.negotiation.domain import Domain, Issue
from negsim.negotiation.party import Party
from negsim.negotiation.utility import LinearAdditiveUtility

TIES = (0.0, 0.5, 1.0)
#: Evaluations (or reservations) that tie often: every draw is 0, 0.5 or 1.
TIED = st.sampled_from(TIES)
#: Any float in [0, 1], subnormals excluded.
UNIT = st.floats(0.0, 1.0, allow_subnormal=False)


@st.composite
def domains(
    draw: st.DrawFn,
    *,
    low: float = 0.0,
    highs: Sequence[float] = (1.0,),
    max_steps: int = 6,
) -> Domain:
    """1–3 issues, each discrete (1–5 labels) or numeric (2–``max_steps`` steps).

    A numeric issue runs from ``low`` to an upper bound drawn from ``highs``. With the default
    ``max_steps`` a domain has at most 216 outcomes.
    """
    issues = []
    for i in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            n = draw(st.integers(1, 5))
            issues.append(Issue.discrete(f"d{i}", [f"v{j}" for j in range(n)]))
        else:
            high = draw(st.sampled_from(highs))
            issues.append(Issue.numeric(f"n{i}", low, high, draw(st.integers(2, max_steps))))
    return Domain(tuple(issues))


@st.composite
def utilities(
    draw: st.DrawFn,
    domain: Domain,
    *,
    weights: st.SearchStrategy[float],
    evaluations: st.SearchStrategy[float],
    always_linear: bool = False,
) -> LinearAdditiveUtility:
    """Random normalised weights and evaluations over ``domain``.

    Args:
        domain: The domain the utility is defined on.
        weights: Raw (non-negative) issue weights, normalised to sum to 1; if all are 0 the
            first issue gets all the weight.
        evaluations: Each value's evaluation, e.g. :data:`TIED` for tied utilities, :data:`UNIT`
            or ``TIED | UNIT``.
        always_linear: Numeric issues are always evaluated linearly (increasing or decreasing
            in the issue's position); otherwise half the time, and drawn from ``evaluations``
            like a discrete issue the other half.
    """
    raw = np.array([draw(weights) for _ in domain.issues], dtype=float)
    if raw.sum() == 0:
        raw[0] = 1.0
    evals = []
    for issue in domain.issues:
        if issue.is_numeric and (always_linear or draw(st.booleans())):
            pos = issue.position()
            evals.append(tuple(float(x) for x in (pos if draw(st.booleans()) else 1.0 - pos)))
        else:
            evals.append(tuple(draw(evaluations) for _ in issue.values))
    return LinearAdditiveUtility(
        domain=domain, weights=tuple(float(w) for w in raw / raw.sum()), evaluations=tuple(evals)
    )


@st.composite
def params_for(
    draw: st.DrawFn,
    key: str,
    *,
    values: Mapping[str, st.SearchStrategy[Any]] | None = None,
    int_span: int = 10,
    unbounded_low: float = -10.0,
) -> dict[str, float | int | str]:
    """A random valid subset of ``key``'s declared parameters (each present half the time).

    A parameter named in ``values`` is drawn from that strategy. Any other is drawn from its
    choices, or from its declared range cut to ``[low, low + 10]`` (``[low, low + int_span]``
    for an integer parameter), where a missing lower bound counts as ``unbounded_low``.
    """
    out: dict[str, float | int | str] = {}
    for name, spec in strategies.get(key).params.items():
        if not draw(st.booleans()):
            continue
        if values is not None and name in values:
            out[name] = draw(values[name])
        elif spec.choices is not None:
            out[name] = draw(st.sampled_from(spec.choices))
        else:
            integer = isinstance(spec.default, int)
            low = spec.low if spec.low is not None else unbounded_low
            span = int_span if integer else 10.0
            high = min(spec.high, low + span) if spec.high is not None else low + span
            if integer:
                out[name] = draw(st.integers(int(np.ceil(low)), int(high)))
            else:
                out[name] = draw(st.floats(low, high, allow_subnormal=False))
    return out


@st.composite
def parties(
    draw: st.DrawFn,
    keys: Sequence[str],
    utility: st.SearchStrategy[LinearAdditiveUtility],
    *,
    params: Callable[[str], st.SearchStrategy[dict[str, float | int | str]]],
    reservation: st.SearchStrategy[float],
    discount: st.SearchStrategy[float],
    walk_away: Sequence[float],
) -> tuple[Party, Party]:
    """Parties ``a`` and ``b``, each drawn independently.

    Each plays a strategy from ``keys`` with parameters from ``params(key)``, has a utility from
    ``utility``, a reservation and a discount from those strategies, a ``walk_away`` readiness
    from that list and a patience of 1–3.
    """
    drawn = []
    for name in "ab":
        key = draw(st.sampled_from(keys))
        drawn.append(
            Party(
                name=name,
                utility=draw(utility),
                strategy=key,
                params=draw(params(key)),
                reservation=draw(reservation),
                discount=draw(discount),
                walk_away=draw(st.sampled_from(walk_away)),
                patience=draw(st.integers(1, 3)),
            )
        )
    return drawn[0], drawn[1]
