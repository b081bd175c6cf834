"""Alliance terms, negotiated with the core's batch path (essays 000, 003).

Four issues: the value split (a's share, 11 steps), each partner's resource commitment (low,
mid, high: "A-team or B-team") and governance (a-led, joint, b-led). Each organisation weighs
them by its own interests, so partners who care about different issues can trade (logrolling).
A party likes a larger share, a partner who commits more, committing less itself, and leading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from negsim.negotiation.batch import (
    BatchProblem,
    BatchSide,
    linear_utilities,
    player,
    run_batch,
    utilities_at,
)
from negsim.world import concessions
from negsim.world.organisations import Organisations
from negsim.world.scenario import OrganisationsSection

SHAPE = (11, 3, 3, 3)  # value_split, commit_a, commit_b, governance
COMMITMENT = np.array([0.4, 0.7, 1.0])  # resources committed at low / mid / high
SPLIT = np.linspace(0.0, 1.0, SHAPE[0])
_OWN_COMMIT = np.array([1.0, 0.6, 0.2])  # committing less is cheaper
_PARTNER_COMMIT = np.array([0.0, 0.6, 1.0])
_LEAD = np.array([1.0, 0.7, 0.0])  # a-led, joint, b-led, from a's side
#: Evaluations of each side's 20 issue values, in issue order.
EVAL_A = np.concatenate([SPLIT, _OWN_COMMIT, _PARTNER_COMMIT, _LEAD])
EVAL_B = np.concatenate([SPLIT[::-1], _PARTNER_COMMIT, _OWN_COMMIT, _LEAD[::-1]])


@dataclass(frozen=True, kw_only=True)
class Terms:
    """Agreed terms of K negotiations (NaN where no agreement)."""

    agreed: NDArray[np.bool_]
    outcome: NDArray[np.int64]  # the agreed outcome's index in SHAPE (−1: none)
    rounds: NDArray[np.int64]
    split: NDArray[np.float64]  # a's share of the value
    commit_a: NDArray[np.float64]
    commit_b: NDArray[np.float64]
    governance: NDArray[np.float64]  # 1 = a leads, 0.5 joint, 0 = b leads
    utility_a: NDArray[np.float64]
    utility_b: NDArray[np.float64]
    symbolic_a: NDArray[np.int64]  # 1 where a made a symbolic gesture at signing (essay 000)
    symbolic_b: NDArray[np.int64]
    quadrants: NDArray[np.int64]  # (K, 2, 4): concessions by maker and quadrant (QUADRANT_ORDER)
    walked: NDArray[np.int64]  # 0: a walked away, 1: b did, -1: neither
    offers: NDArray[np.int32]  # (K, deadline): round t's offer at t − 1 (see :func:`utilities`)


def _preferences(
    orgs: Organisations, idx: NDArray[np.intp], role_a: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weights and evaluations of the organisations ``idx`` in role a (or b)."""
    w = orgs.interests[idx]  # (split, own commitment, partner's commitment, governance)
    weights = np.ascontiguousarray(w if role_a else w[:, [0, 2, 1, 3]])
    return weights, np.tile(EVAL_A if role_a else EVAL_B, (len(idx), 1))


def utilities(orgs: Organisations, idx: NDArray[np.intp], role_a: bool) -> NDArray[np.float64]:
    """Each organisation's utility of every terms outcome in role a (or b), shape (K, N): what
    :attr:`Terms.offers` are worth to it (the batch path's own sums)."""
    weights, evaluations = _preferences(orgs, idx, role_a)
    return linear_utilities(weights, evaluations, SHAPE)


def _side(
    orgs: Organisations,
    idx: NDArray[np.intp],
    role_a: bool,
    reservation: NDArray[np.float64],
    params: Mapping[str, Mapping[str, float]],
    patience: int,
    other: NDArray[np.intp],
    believed_reservation: NDArray[np.float64],
    believed_walk: NDArray[np.float64] | None,
    uncertainty: float,
) -> BatchSide:
    """Side ``idx`` of the negotiations with ``other``; a ``zeuthen`` side's prior about the
    other side is ``believed_*`` (``believed_walk`` None: the truth, for certain)."""
    weights, evaluations = _preferences(orgs, idx, role_a)
    n = len(idx)
    keys, which = np.unique(orgs.strategy[idx], return_inverse=True)
    # each strategy as the core's registry defines it (one lookup per distinct key)
    players = [player(str(key), params.get(str(key))) for key in keys]

    def column(name: str) -> NDArray[np.float64]:
        return np.array([float(getattr(pl, name)) for pl in players])[which]

    return BatchSide(
        weights=weights,
        evaluations=evaluations,
        kind=np.array([pl.kind for pl in players], dtype=np.int64)[which],
        e=column("e"),
        k=column("k"),
        horizon=np.array([pl.horizon for pl in players], dtype=np.int64)[which],
        generosity=column("generosity"),
        reservation=reservation,
        discount=np.ones(n),  # time is priced in the world: a later start, discounted value
        walk_away=np.round(orgs.walk_away[idx]),  # walks or stays: no coin needed in the batch
        patience=np.full(n, patience, dtype=np.int64),
        noise=column("noise"),
        temperature=column("temperature"),
        belief_reservation=believed_reservation,
        belief_walk_away=(
            np.round(orgs.walk_away[other]) if believed_walk is None else believed_walk
        ),
        belief_uncertainty=np.full(n, 0.0 if believed_walk is None else uncertainty),
    )


@dataclass(frozen=True, kw_only=True)
class Stance:
    """How each side of K negotiations enters them.

    ``reservation_*`` is the utility of each side's alternative (its floor:
    :func:`negsim.world.alternatives.reservation`). ``believed_*_a`` is what a's counterpart
    believes of a's alternative and readiness to walk away (read by a ``zeuthen`` counterpart;
    None: the truth, for certain), ``believed_*_b`` the same of b.
    """

    reservation_a: NDArray[np.float64]
    reservation_b: NDArray[np.float64]
    believed_reservation_a: NDArray[np.float64] | None = None
    believed_walk_a: NDArray[np.float64] | None = None
    believed_reservation_b: NDArray[np.float64] | None = None
    believed_walk_b: NDArray[np.float64] | None = None


def negotiate_terms(
    orgs: Organisations,
    a: NDArray[np.intp],
    b: NDArray[np.intp],
    deadline: int,
    stance: Stance,
    thresholds: tuple[float, float] = (0.05, 0.05),
    *,
    params: Mapping[str, Mapping[str, float]] | None = None,
    patience: int = 2,
    uncertainty: float = 0.1,
    gestures: bool = False,
) -> Terms:
    """Negotiate alliance terms for the pairs (a[i], b[i]) at once; a opens. ``params`` are
    the strategies' parameters (``organisations.params``; registry defaults for the rest),
    ``patience`` each side's (``organisations.patience``) and ``uncertainty`` the spread of a
    ``zeuthen`` side's prior about the other (``organisations.belief_uncertainty``). With
    ``gestures`` each partner then makes a symbolic gesture on the agreed terms where it finds
    one (:mod:`negsim.world.concessions`, by ``thresholds``: cost to the giver, value to the
    receiver)."""
    st = stance
    given = OrganisationsSection().params if params is None else params
    seen_a = st.reservation_a if st.believed_reservation_a is None else st.believed_reservation_a
    seen_b = st.reservation_b if st.believed_reservation_b is None else st.believed_reservation_b
    problem = BatchProblem(
        shape=SHAPE,
        a=_side(
            orgs,
            a,
            True,
            st.reservation_a,
            given,
            patience,
            b,
            seen_b,
            st.believed_walk_b,
            uncertainty,
        ),
        b=_side(
            orgs,
            b,
            False,
            st.reservation_b,
            given,
            patience,
            a,
            seen_a,
            st.believed_walk_a,
            uncertainty,
        ),
        deadline=deadline,
    )
    res = run_batch(problem)
    quadrants = concession_quadrants(problem, res.offers, thresholds)
    agreed = res.agreement >= 0
    final = res.agreement.astype(np.int64)
    payoff = res.utilities.copy()
    gave = np.zeros((2, len(a)), dtype=np.int64)
    if gestures and agreed.any():
        ok = np.flatnonzero(agreed)
        sides = [(x.weights[ok], x.evaluations[ok]) for x in (problem.a, problem.b)]
        after, gave_a, gave_b = concessions.gestures(
            SHAPE,
            (sides[0], sides[1]),
            final[ok],
            (st.reservation_a[ok], st.reservation_b[ok]),
            thresholds,
        )
        final[ok] = after
        gave[0, ok], gave[1, ok] = gave_a, gave_b
        moved = gave_a | gave_b  # the payoffs of the terms as finally signed
        rows = ok[moved]
        for j, (w, e) in enumerate(sides):
            payoff[rows, j] = utilities_at(w[moved], e[moved], SHAPE, after[moved, None])[:, 0]
    s, ca, cb, g = np.unravel_index(np.maximum(final, 0), SHAPE)
    nan = np.where(agreed, 1.0, np.nan)
    return Terms(
        agreed=agreed,
        outcome=np.where(agreed, final, -1),
        rounds=res.round,
        split=SPLIT[s] * nan,
        commit_a=COMMITMENT[ca] * nan,
        commit_b=COMMITMENT[cb] * nan,
        governance=(1.0 - g / 2.0) * nan,
        utility_a=payoff[:, 0],
        utility_b=payoff[:, 1],
        symbolic_a=gave[0],
        symbolic_b=gave[1],
        quadrants=quadrants,
        walked=res.walked_away,
        offers=res.offers,
    )


#: Essay 000's quadrants, in the order of the last axis of ``Terms.quadrants``.
QUADRANT_ORDER = ("costly_trade", "material_yet_symbolic", "unnecessary_cost", "low_stakes")


def concession_quadrants(
    problem: BatchProblem, offers: NDArray[np.int32], thresholds: tuple[float, float]
) -> NDArray[np.int64]:
    """Concessions of K negotiations by maker and quadrant: counts of shape (K, 2, 4).

    A concession is an offer worse for its maker than its previous one; its quadrant follows
    its cost to the maker and its value to the receiver against ``thresholds`` (cost, value),
    by the rule of :func:`negsim.negotiation.protocol.classify`; the last axis follows
    :data:`QUADRANT_ORDER`, the middle one the maker (a, b).
    """
    sizes = np.asarray(problem.shape, dtype=np.int64)
    return _quadrants(
        np.ascontiguousarray(offers),
        (problem.a.weights, problem.a.evaluations, problem.b.weights, problem.b.evaluations),
        sizes,
        thresholds[0],
        thresholds[1],
    )


@njit(cache=True)
def _worth(
    w: NDArray[np.float64], e: NDArray[np.float64], k: int, o: int, sizes: NDArray[np.int64]
) -> float:  # pragma: no cover - compiled
    """Row k's utility of outcome o: issue by issue from zero, as ``linear_utilities`` sums."""
    n = sizes.shape[0]
    stride = 1
    for i in range(n):
        stride *= sizes[i]
    u = 0.0
    offset = 0
    rest = o
    for i in range(n):
        stride //= sizes[i]
        value = rest // stride
        rest -= value * stride
        u += w[k, i] * e[k, offset + value]
        offset += sizes[i]
    return u


@njit(cache=True)
def _quadrants(
    offers: NDArray[np.int32],
    sides: tuple[
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
    ],
    sizes: NDArray[np.int64],
    cost_limit: float,
    value_limit: float,
) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """:func:`concession_quadrants` for every negotiation, offer by offer."""
    wa, ea, wb, eb = sides
    k_all, rounds = offers.shape
    counts = np.zeros((k_all, 2, 4), dtype=np.int64)
    for k in range(k_all):
        for maker in range(2):  # a opens: a offers in even columns, b in odd ones
            for col in range(maker, rounds - 2, 2):
                prev, new = offers[k, col], offers[k, col + 2]
                if prev < 0 or new < 0:
                    continue
                if maker == 0:
                    cost = _worth(wa, ea, k, prev, sizes) - _worth(wa, ea, k, new, sizes)
                    value = _worth(wb, eb, k, new, sizes) - _worth(wb, eb, k, prev, sizes)
                else:
                    cost = _worth(wb, eb, k, prev, sizes) - _worth(wb, eb, k, new, sizes)
                    value = _worth(wa, ea, k, new, sizes) - _worth(wa, ea, k, prev, sizes)
                if not cost > 0:
                    continue
                dear, wanted = cost >= cost_limit, value >= value_limit
                q = 0 if dear and wanted else 1 if wanted else 2 if dear else 3
                counts[k, maker, q] += 1
    return counts


def symbolic_concessions(
    problem: BatchProblem, offers: NDArray[np.int32], thresholds: tuple[float, float]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Material-yet-symbolic concessions each side made: cheap to give, dear to receive.

    Essay 000's quadrant (costing the maker less than ``thresholds[0]``, worth at least
    ``thresholds[1]`` to the receiver), from :func:`concession_quadrants`.
    """
    counts = concession_quadrants(problem, offers, thresholds)
    return counts[:, 0, 1].copy(), counts[:, 1, 1].copy()
