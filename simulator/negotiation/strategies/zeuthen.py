"""``zeuthen``: a negotiator who weighs the risk of breakdown, and learns the other's alternative.

Zeuthen (1930), as Harsanyi (1956) read him, and the monotonic concession protocol of Rosenschein
& Zlotkin (1994), played in the alternating-offers protocol:

* **Risk.** A side's risk is the share of its gain over breakdown it would lose by taking the
  other's offer instead of its own: ``r_i = (u_i(own) − u_i(theirs)) / (u_i(own) − D_i)``.
  The side whose risk is not greater must concede. Harsanyi's identity makes the rule a
  comparison of Nash products where both offers leave both sides at least their breakdown
  points: ``r_i ≤ r_j`` exactly when
  ``(u_i(own) − D_i)(u_j(own) − D_j) ≤ (u_i(theirs) − D_i)(u_j(theirs) − D_j)``, and the
  comparison is made that way (exact in floating point); elsewhere the risks are compared
  (:func:`must_concede`).
* **Concession.** The side that must concede makes the *smallest* concession that shifts the
  duty to the other side: the best outcome for itself after which the other's risk is the
  smaller (never better than its own last offer: concessions are monotonic). If none exists,
  the offer on the table is the best there is, and it accepts it. Otherwise it holds its offer.
  It accepts an offer worth at least its own next offer (AC_next, as every strategy but
  ``spe``), and never offers or accepts less than its own reservation — unless no outcome
  reaches it: then there is nothing it would offer or accept, and it leaves at its first turn,
  whatever its ``walk_away`` (which governs leaving talks that could still pay).
* **Floors and threats.** A side never accepts less than its reservation ``d``: that is its
  *floor*, and it offers the other side no less than the other's floor (what it believes it to
  be). A side's *breakdown point* in the risk is its threat, ``D = walk_away × d``: an
  alternative a side will not leave for gives it no leverage at the table (it is still never
  offered less than its floor, but it is credited nothing beyond it); one it is sure to take
  counts in full. Each side knows its own. With complete information both sides use the same
  floors and threats, so two ``zeuthen`` players end on the outcome maximising
  ``(u_a − D_a)(u_b − D_b)`` among the outcomes worth both floors: the Nash bargaining solution
  over the reservations when both are ready to walk (``walk_away`` 1). The tests prove it by
  play. Being ready to walk away is thus leverage, and it acts through the other side's
  concessions.
* **Deadlines.** The rule is timeless; a deadline ends it. The party whose offer is the deadline
  offer makes the best offer for itself that it may make (no better than its last); the party
  answering it takes anything worth its reservation. With no deadline, the ``max_rounds``
  cut-off is a safety net. Concessions are one outcome at a time, so on a pie of n steps two
  ``zeuthen`` players take about n/2 rounds. The rule weighs no cost of delay: under
  discounting its slow concessions cost both sides.

**Beliefs instead of complete information.** What a party believes about the other side's
reservation and readiness to walk (a party file's ``[parties.a.beliefs]``, default: the truth)
is the mean of its prior over the other's *type* ``θ = (d, w)`` on a grid (21 reservations in
[0, 1] and 5 readinesses, plus the believed values): a normal curve of width ``uncertainty`` on
each axis, tilted so that its mean is the stated belief (a belief of exactly 0 or 1 with some
uncertainty keeps the half curve, whose mean lies inside); ``uncertainty`` 0 makes the prior
certain, as with complete information, and it never moves. It takes the other's floor to be
``E[d]`` and its threat ``D̂ = E[w·d]`` under its posterior, and updates the posterior by
Bayes' rule after each of the other's offers, modelling the other as a ``zeuthen`` player who
knows this side's breakdown point:

* **holding firm or conceding**: a type holds its offer when its risk exceeds this side's —
  softened, the chance of a hold is ``noise + (1 − 2·noise)·σ((r_θ − r_me) / temperature)``
  with σ the logistic curve. A higher ``w·d`` means more to lose at the table relative to
  breakdown, hence a higher risk: a side that keeps refusing to move is believed to have a
  better alternative, or to be readier to take it, and is offered more. A concession says the
  opposite;
* **offers below an alternative**: no rational side offers less than its reservation, so types
  with ``d`` above an offer's value to the other get likelihood ``noise``;
* **a walk-out** from an offer: types with ``d`` above the offer's value walk with chance ``w``
  (at least ``noise``), the others only by mistake (``noise``). It ends the talks, so it shows
  only in the beliefs reported at the end (``--json``'s ``beliefs``, ``BatchResult.beliefs``),
  which a caller may carry to the next meeting with that side.

Leverage thus comes from the counterpart's decisions: a side believed to have a better
alternative, or believed readier to leave, is offered more, and firmness makes it believed.
Beliefs that are wrong can stall the talks or end them: a side that underestimates the other's
alternative holds an offer the other would rather leave, and a walker leaves (``patience``
decides how soon); otherwise the updates resolve it, or the deadline (``max_rounds`` without one)
ends it.

The rule lives in compiled kernels (:func:`zeuthen_turn`, :func:`zeuthen_offer`,
:func:`learn_offer`, :func:`learn_walk_out`, :func:`posterior_means`, :func:`types`) that the
strategy below and the batch path (:mod:`negsim.negotiation.batch`) both call, so the two agree
bit for bit. The posterior is kept as weights proportional to the types' probabilities, divided
by the largest after each update so that none underflows, not as logarithms: an update costs
one exponential per type (the logistic curve's), and the posterior means none.

Examples:
    >>> import numpy as np
    >>> u_a = np.linspace(0.0, 1.0, 11)  # a pie in tenths: a's share ...
    >>> u_b = 1.0 - u_a  # ... and b's
    >>> # a's opening (b's floor believed 0.35): the most a keeps while leaving b that much
    >>> order = np.argsort(u_a)  # a's outcomes from worst to best, for it
    >>> round(float(u_a[zeuthen_offer(u_a, u_b, order, 0.2, 0.35, 0.2, 0.35, -1, -1, 1, 0)]), 3)
    0.6
    >>> risk(0.8, 0.5, 0.2), risk(0.8, 0.5, 0.8)
    (0.5, inf)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from numba import njit
from numpy.typing import NDArray

from negsim.negotiation.party import ParamValue
from negsim.negotiation.strategies.base import (
    Action,
    Conceding,
    Context,
    Move,
    Param,
    State,
    Traits,
)
from negsim.negotiation.strategies.registry import register

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: The grid of the other side's possible types: reservations and readinesses to walk.
RESERVATION_GRID = np.linspace(0.0, 1.0, 21)
WALK_GRID = np.linspace(0.0, 1.0, 5)
#: Utilities within this of a type's reservation count as reaching it.
TOLERANCE = 1e-12


def _first_alike(values: FloatArray) -> NDArray[np.int64]:
    """For each entry of ``values``, the first (row-major, flat) position of the same value."""
    _, first, inverse = np.unique(values.ravel(), return_index=True, return_inverse=True)
    return np.asarray(first[inverse].reshape(values.shape), dtype=np.int64)


#: For each grid type (d, w), the first grid type (row-major, flat) with the same breakdown
#: point w·d: types alike in it are alike in their chance of a hold (:func:`learn_offer`).
GRID_ALIKE = _first_alike(RESERVATION_GRID[:, None] * WALK_GRID[None, :])


@njit(cache=True)
def risk(u_own: float, u_theirs: float, breakdown: float) -> float:
    """Zeuthen's risk: the share of the gain over ``breakdown`` lost by taking their offer.

    0 when their offer is at least as good as one's own; infinite when one's own offer gains
    nothing over breakdown (there is nothing to lose by insisting).
    """
    lose = u_own - u_theirs
    if lose <= 0.0:
        return 0.0
    gain = u_own - breakdown
    if gain <= 0.0:
        return math.inf
    return lose / gain


@njit(cache=True)
def _prior(centre: float, spread: float, grid: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Support (the grid, with the believed value inserted in order) and prior weights: a
    normal curve of width ``spread`` around the belief, tilted so that its mean is the belief
    (to 1e-12); certain at the belief when ``spread`` is 0. A belief at an end of the range (0
    or 1) with some uncertainty gets the half curve from that end, whose mean lies inside: a
    prior whose mean were 0 could never move."""
    present = False
    for g in grid:
        if g == centre:
            present = True
    n = grid.size if present else grid.size + 1
    support = np.empty(n)
    i, placed = 0, present
    for g in grid:
        if not placed and centre < g:
            support[i] = centre
            i += 1
            placed = True
        support[i] = g
        i += 1
    if not placed:
        support[i] = centre
    weights = np.zeros(n)
    if spread <= 0.0:
        for j in range(n):  # certain
            weights[j] = 1.0 if support[j] == centre else 0.0
        return support, weights
    # a normal curve around the belief, tilted by exp(λ·x) so that its mean is the belief:
    # Newton's method on λ (the mean rises with λ; its slope is the variance), kept in a bracket
    base = np.empty(n)
    for j in range(n):
        z = (support[j] - centre) / spread
        base[j] = -0.5 * z * z
    low, high, lam = -1e4, 1e4, 0.0
    tilt = support[0] < centre < support[n - 1]  # at an end: the half curve, its mean inside
    for _ in range(100 if tilt else 1):
        top = -math.inf
        for j in range(n):
            top = max(top, base[j] + lam * support[j])
        total = mean = second = 0.0
        for j in range(n):
            weights[j] = math.exp(base[j] + lam * support[j] - top)
            total += weights[j]
            mean += weights[j] * support[j]
            second += weights[j] * support[j] * support[j]
        mean /= total
        gap = mean - centre
        if not tilt or abs(gap) < 1e-13:
            break
        if gap > 0.0:
            high = lam
        else:
            low = lam
        variance = second / total - mean * mean
        step = lam - gap / variance if variance > 0.0 else 0.5 * (low + high)
        lam = step if low < step < high else 0.5 * (low + high)
    return support, weights / total


@njit(cache=True)
def types(
    centre_d: float, centre_w: float, spread: float
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """The other's possible types ``(d, w)``, the prior over them and, for each type, the
    first type with the same breakdown point ``w·d`` (itself if none comes before it): flat
    arrays.

    The prior (and the posterior it becomes, :func:`learn_offer`) is kept as weights, not
    logarithms: a type's weight is proportional to its probability, and a type of weight 0 is
    impossible and stays so.
    """
    sd, pd = _prior(centre_d, spread, RESERVATION_GRID)
    sw, pw = _prior(centre_w, spread, WALK_GRID)
    n = sd.size * sw.size
    d, w, post = np.empty(n), np.empty(n), np.empty(n)
    alike = np.empty(n, dtype=np.int64)
    # where the believed values were inserted into the grids (-1: they are grid points)
    at_d = _inserted(sd, centre_d, RESERVATION_GRID.size)
    at_w = _inserted(sw, centre_w, WALK_GRID.size)
    for i in range(sd.size):
        for j in range(sw.size):
            t = i * sw.size + j
            d[t], w[t] = sd[i], sw[j]
            post[t] = pd[i] * pw[j]
            if i == at_d or j == at_w:  # a believed value: alike only when w·d is 0 (type 0)
                alike[t] = 0 if w[t] * d[t] == 0.0 else t
            else:  # a grid type: the first grid type alike, where it lies among these
                g = GRID_ALIKE[_on_grid(i, at_d), _on_grid(j, at_w)]
                gi, gj = g // WALK_GRID.size, g % WALK_GRID.size
                alike[t] = _in_support(gi, at_d) * sw.size + _in_support(gj, at_w)
    return d, w, post, alike


@njit(cache=True)
def _inserted(support: FloatArray, centre: float, n_grid: int) -> int:
    """Where ``centre`` was inserted into a grid of ``n_grid`` points to make ``support`` (−1:
    it is a grid point)."""
    if support.size == n_grid:
        return -1
    for i in range(support.size):
        if support[i] == centre:
            return i
    return -1


@njit(cache=True)
def _on_grid(i: int, at: int) -> int:
    """The grid position of support position ``i`` (not ``at``, where a value was inserted)."""
    return i - 1 if 0 <= at < i else i


@njit(cache=True)
def _in_support(g: int, at: int) -> int:
    """The support position of grid position ``g``, a value having been inserted at ``at``."""
    return g + 1 if 0 <= at <= g else g


@njit(cache=True)
def posterior_means(post: FloatArray, d: FloatArray, w: FloatArray) -> tuple[float, float, float]:
    """Posterior means of the other's reservation, readiness to walk and breakdown point."""
    total = mean_d = mean_w = mean_b = 0.0
    for t in range(post.size):
        p = post[t]
        if p > 0.0:  # an impossible type adds nothing
            total += p
            mean_d += p * d[t]
            mean_w += p * w[t]
            mean_b += p * (w[t] * d[t])
    return mean_d / total, mean_w / total, mean_b / total


@njit(cache=True)
def _rescale(post: FloatArray, top: float) -> None:
    """Divide the weights by the largest, ``top``, so that a long run of updates never
    underflows (a division: a certain prior's one type keeps weight exactly 1)."""
    if top > 0.0:
        for t in range(post.size):
            post[t] /= top


@njit(cache=True)
def learn_offer(
    post: FloatArray,
    d: FloatArray,
    w: FloatArray,
    alike: IntArray,
    hold: FloatArray,
    memo: FloatArray,
    u_op_offer: float,
    seen_move: bool,
    held: bool,
    u_op_own: float,
    u_op_faced: float,
    u_me_faced: float,
    u_me_own: float,
    breakdown_me: float,
    noise: float,
    temperature: float,
) -> None:
    """Bayes' rule for one offer of the other side, in place (module docstring).

    ``u_op_offer``: the offer's value to the other. With ``seen_move``, the offer answered
    this side's offer ``faced`` after the other's own offer ``own``, and ``held`` says whether
    it kept its demand (``u_op_*``: values to the other, ``u_me_*``: to this side).

    Each type's chance of a hold is kept in ``hold`` (one entry per type) and the values it
    was computed from in ``memo`` (three: ``u_op_own``, ``u_op_faced`` and this side's risk;
    NaN for types not yet seen): when both sides held their offers since the last update, the
    same values recur and the chances are not computed again. Types with the same breakdown
    point (``alike``, from :func:`types`: 132 types have about 80) share one chance, computed
    at the first of them.
    """
    r_me = risk(u_me_faced, u_me_own, breakdown_me) if seen_move else 0.0
    fresh = seen_move and not (memo[0] == u_op_own and memo[1] == u_op_faced and memo[2] == r_me)
    if fresh:
        memo[0], memo[1], memo[2] = u_op_own, u_op_faced, r_me
    top = 0.0
    for t in range(post.size):
        if post[t] == 0.0:  # impossible, whatever it does (and it stays so)
            continue
        lik = noise if d[t] > u_op_offer + TOLERANCE else 1.0
        if seen_move:
            if fresh:
                first = alike[t]  # a possible type alike: its chance is this update's
                if first < t and post[first] != 0.0:
                    hold[t] = hold[first]
                else:
                    hold[t] = _p_hold(u_op_own, u_op_faced, w[t] * d[t], r_me, noise, temperature)
            lik *= hold[t] if held else 1.0 - hold[t]
        post[t] *= lik
        top = max(top, post[t])
    _rescale(post, top)


@njit(cache=True)
def _p_hold(
    u_op_own: float, u_op_faced: float, b: float, r_me: float, noise: float, temperature: float
) -> float:
    """The chance that a type of breakdown point ``b`` holds its offer (module docstring)."""
    r_op = risk(u_op_own, u_op_faced, b)
    if r_op == math.inf and r_me == math.inf:
        gap = 0.0
    elif r_op == math.inf:
        gap = 50.0
    elif r_me == math.inf:
        gap = -50.0
    else:
        gap = min(max((r_op - r_me) / temperature, -50.0), 50.0)
    return noise + (1.0 - 2.0 * noise) / (1.0 + math.exp(-gap))


@njit(cache=True)
def learn_walk_out(
    post: FloatArray, d: FloatArray, w: FloatArray, u_op_left: float, noise: float
) -> None:
    """Bayes' rule for a walk-out from an offer worth ``u_op_left`` to the other, in place."""
    top = 0.0
    for t in range(post.size):
        post[t] *= max(w[t], noise) if u_op_left < d[t] else noise
        top = max(top, post[t])
    _rescale(post, top)


@njit(cache=True)
def zeuthen_turn(
    u: FloatArray,
    u_op: FloatArray,
    order: IntArray,
    reservation: float,
    breakdown_me: float,
    post: FloatArray,
    d: FloatArray,
    w: FloatArray,
    alike: IntArray,
    hold: FloatArray,
    memo: FloatArray,
    noise: float,
    temperature: float,
    standing: int,
    before: int,
    mine: int,
    turn: int,
    deadline: int,
) -> int:
    """One turn of a ``zeuthen`` side, as both the strategy and the batch kernel play it: take
    in the other's offer on the table, ``standing`` (its previous one ``before``, answering my
    last offer ``mine``; −1 where there is none) into the posterior ``post`` over the types
    ``d``, ``w`` (``alike``, ``hold`` and ``memo``: :func:`learn_offer`'s), then hold or concede
    (:func:`zeuthen_offer`; ``order``: the outcomes by ``u``, ascending)."""
    if standing >= 0:
        seen_move = before >= 0 and mine >= 0  # it answered an offer of mine with a move
        own = before if seen_move else standing
        faced = mine if seen_move else standing
        learn_offer(
            post,
            d,
            w,
            alike,
            hold,
            memo,
            u_op[standing],
            seen_move,
            u_op[standing] >= u_op[own],
            u_op[own],
            u_op[faced],
            u[faced],
            u[own],
            breakdown_me,
            noise,
            temperature,
        )
    if deadline > 0 and turn > deadline:  # answering the deadline offer needs no beliefs
        return zeuthen_offer(
            u, u_op, order, reservation, 0.0, breakdown_me, 0.0, mine, standing, turn, deadline
        )
    floor_op, _, breakdown_op = posterior_means(post, d, w)
    return zeuthen_offer(
        u,
        u_op,
        order,
        reservation,
        floor_op,
        breakdown_me,
        breakdown_op,
        mine,
        standing,
        turn,
        deadline,
    )


@njit(cache=True)
def zeuthen_offer(
    u: FloatArray,
    u_op: FloatArray,
    order: IntArray,
    reservation: float,
    floor_op: float,
    breakdown_me: float,
    breakdown_op: float,
    own: int,
    standing: int,
    turn: int,
    last: int,
) -> int:
    """The next offer: hold ``own``, or make the smallest concession that shifts the duty.

    ``own`` is this side's last offer and ``standing`` the other's (−1: none yet); ``turn`` is
    the round and ``last`` the deadline (0: none). It may offer the outcomes worth at least its
    ``reservation`` to itself and at least ``floor_op`` (the other's reservation, as it believes
    it) to the other; among equals it picks the best for the other, then the lowest index. If
    none is, it opens with the most it can give the other, and with its best outright if no
    outcome is worth its reservation. Who must concede is Zeuthen's comparison of risks over the
    breakdown points ``breakdown_me`` and ``breakdown_op`` (:func:`must_concede`). With no
    concession shifting the duty it returns ``standing`` if that is worth its reservation (the
    offer on the table is the best there is: accept it), else ``own``.

    At a deadline no risk is left to weigh: if the deadline offer is its own, it offers the best
    outcome for itself that it may offer (never better than its last: concessions are
    monotonic); if it answers the deadline offer, it takes any offer worth its reservation.
    """
    if last > 0 and turn > last:  # the deadline offer: take it if it beats breakdown
        if standing >= 0 and u[standing] >= reservation:
            return standing
        return int(np.argmax(u))
    if own < 0:  # the opening: the best outcome it may offer
        own = _best_for_me(
            u, u_op, order, reservation, floor_op, math.inf, breakdown_me, breakdown_op, -1
        )
        if own < 0:  # none: come as close as it can
            own = _most_for_them(u, u_op, reservation)
    if standing < 0:
        return own
    if last > 0 and turn == last:  # the deadline offer: the best it may offer, if any
        final = _best_for_me(
            u, u_op, order, reservation, floor_op, u[own], breakdown_me, breakdown_op, -1
        )
        return final if final >= 0 else own
    if _may_offer(u, u_op, reservation, floor_op, own) and not must_concede(
        u, u_op, own, standing, breakdown_me, breakdown_op
    ):
        return own  # the other side risks less: it must concede
    best = _best_for_me(
        u, u_op, order, reservation, floor_op, u[own], breakdown_me, breakdown_op, standing
    )
    if best >= 0:
        return best
    # nothing shifts the duty: the offer on the table is the best there is
    return standing if u[standing] >= reservation else own


@njit(cache=True)
def must_concede(
    u: FloatArray,
    u_op: FloatArray,
    own: int,
    standing: int,
    breakdown_me: float,
    breakdown_op: float,
) -> bool:
    """Zeuthen's rule: this side must concede when its risk is not greater than the other's.

    Where both offers give both sides at least their breakdown points the comparison is
    Harsanyi's, of Nash products (exact in floating point); otherwise the risks themselves
    (:func:`risk`), so a side whose offer on the table falls below its breakdown point risks
    more than all its gain and holds.
    """
    gain_me: float = u[own] - breakdown_me
    left_me: float = u[standing] - breakdown_me
    gain_op: float = u_op[standing] - breakdown_op
    left_op: float = u_op[own] - breakdown_op
    if left_me >= 0.0 and left_op >= 0.0:
        return gain_me * left_op <= left_me * gain_op
    return risk(u[own], u[standing], breakdown_me) <= risk(u_op[standing], u_op[own], breakdown_op)


@njit(cache=True)
def _may_offer(
    u: FloatArray, u_op: FloatArray, reservation: float, floor_op: float, j: int
) -> bool:
    """Whether outcome ``j`` is worth its reservation to this side and ``floor_op`` to the other."""
    mine: float = u[j]
    theirs: float = u_op[j]
    return mine >= reservation and theirs >= floor_op


@njit(cache=True)
def _most_for_them(u: FloatArray, u_op: FloatArray, reservation: float) -> int:
    """The best outcome for the other among those worth its ``reservation`` to this side (ties:
    best for this side, then lowest index); its own best outright if none is."""
    best, best_op, best_u = -1, -math.inf, -math.inf
    for j in range(u.size):
        if u[j] < reservation or u_op[j] < best_op:
            continue
        if u_op[j] > best_op or u[j] > best_u:
            best, best_op, best_u = j, u_op[j], u[j]
    return best if best >= 0 else int(np.argmax(u))


@njit(cache=True)
def _best_for_me(
    u: FloatArray,
    u_op: FloatArray,
    order: IntArray,
    reservation: float,
    floor_op: float,
    cap: float,
    breakdown_me: float,
    breakdown_op: float,
    standing: int,
) -> int:
    """The best outcome for itself that it may offer, worth at most ``cap`` to it and, with
    ``standing`` ≥ 0, shifting the duty to concede to the other side (ties: best for the other,
    then lowest index); −1 if none.

    ``order`` lists the outcomes by ``u``, ascending (ties in any order): the search starts
    from the best outcome worth at most ``cap`` and goes down, and stops below the first
    outcome found (past its ties) or below the reservation.
    """
    lo, hi = 0, order.size  # the outcomes worth at most cap: order[:hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if u[order[mid]] > cap:
            hi = mid
        else:
            lo = mid + 1
    best, best_u, best_op = -1, -math.inf, -math.inf
    for p in range(hi - 1, -1, -1):
        j = order[p]
        x = u[j]
        if x < best_u or x < reservation:  # so are all the rest: none may be offered or better
            break
        if not _may_offer(u, u_op, reservation, floor_op, j):
            continue
        if standing >= 0 and must_concede(u, u_op, j, standing, breakdown_me, breakdown_op):
            continue
        if best < 0 or u_op[j] > best_op or (u_op[j] == best_op and j < best):
            best, best_u, best_op = j, x, u_op[j]
    return best


@register
class Zeuthen(Conceding):
    """Zeuthen's risk rule with beliefs about the other side (see the module docstring)."""

    key: ClassVar[str] = "zeuthen"
    summary: ClassVar[str] = (
        "weighs the risk of breakdown (Zeuthen 1930): the side that risks less concedes, just "
        "enough to shift the duty; learns the other's alternative from play"
    )
    traits: ClassVar[Traits] = Traits(
        stochastic=False,
        time_dependent=True,  # only at a deadline (see zeuthen_offer)
        uses_opponent_model=True,
        complete_information=True,  # it knows the other side's utility; beliefs cover the rest
        rational=True,
        batch=True,
        memory=None,
    )
    params: ClassVar[Mapping[str, Param]] = {
        "noise": Param(
            default=0.05,
            low=1e-6,
            high=0.5,
            doc="how often it expects the other side to break Zeuthen's rule (the likelihood "
            "of a move its beliefs did not predict)",
        ),
        "temperature": Param(
            default=0.1,
            low=1e-6,
            high=10.0,
            doc="how sharply it expects the other side to follow Zeuthen's rule: the width, in "
            "risk, over which a hold turns from unlikely to likely",
        ),
    }
    reads_beliefs: ClassVar[bool] = True

    def __init__(self, ctx: Context, rng: np.random.Generator, **params: ParamValue) -> None:
        super().__init__(ctx, rng, **params)
        if ctx.opponent is None:
            raise ValueError("zeuthen needs the opponent's utility (complete information)")
        me, op = ctx.me, ctx.opponent
        self.u_op: FloatArray = op.utility.values
        self.order: IntArray = np.argsort(self.u, kind="stable")  # its outcomes, worst first
        self.breakdown_me = me.walk_away * me.reservation  # its own breakdown point, D_i
        belief = me.beliefs
        if belief is None:  # the truth, for certain
            self.d, self.w, self.post, self.alike = types(op.reservation, op.walk_away, 0.0)
        else:
            self.d, self.w, self.post, self.alike = types(
                belief.reservation, belief.walk_away, belief.uncertainty
            )
        self.hold = np.empty(self.post.size)  # learn_offer's chances of a hold, and their inputs
        self.memo = np.full(3, np.nan)
        self.noise = float(self.p["noise"])
        self.temperature = float(self.p["temperature"])
        self.hopeless = not bool((self.u >= me.reservation).any())

    def act(self, state: State) -> Action:
        """As every conceding strategy; but a side with nothing to gain (no outcome reaches its
        reservation) leaves at once, whatever its ``walk_away``: it has nothing to offer that it
        would accept, and leaving pays its reservation."""
        if self.hopeless:
            return Action(Move.WALK)
        return super().act(state)

    def beliefs(self) -> dict[str, float]:
        """The posterior means: the other's ``reservation``, ``walk_away`` and the breakdown
        point credited to it, ``breakdown`` = E[w·d]."""
        mean_d, mean_w, mean_b = posterior_means(self.post, self.d, self.w)
        return {"reservation": mean_d, "walk_away": mean_w, "breakdown": mean_b}

    def saw_walk_out(self, standing: int | None) -> None:
        """The other side walked away from ``standing``: types that would have, did."""
        if standing is not None:
            learn_walk_out(self.post, self.d, self.w, self.u_op[standing], self.noise)

    def next_offer(self, state: State) -> int:
        """Take in the offer on the table, then hold or make the smallest concession that
        shifts the duty to concede (:func:`zeuthen_turn`)."""
        theirs, mine = state.their_offers, state.my_offers
        return int(
            zeuthen_turn(
                self.u,
                self.u_op,
                self.order,
                self.ctx.me.reservation,
                self.breakdown_me,
                self.post,
                self.d,
                self.w,
                self.alike,
                self.hold,
                self.memo,
                self.noise,
                self.temperature,
                -1 if state.standing is None else state.standing,
                theirs[-2] if len(theirs) >= 2 else -1,
                mine[-1] if mine else -1,
                state.round,
                self.ctx.deadline,
            )
        )
