"""NegMAS side of the negsim-vs-NegMAS benchmark (NegMAS 0.16.0).

``run_negmas`` runs K bilateral negotiations one after another in NegMAS (one process, one
core): party ``a`` is a Boulware time-based conceder (negsim ``e=0.2``), party ``b`` a Conceder
(negsim ``e=5``), both with reservation value 0.3, on three issues with ten values each and
linear-additive utilities ``u(o) = sum_i w_i * eval_i[o_i]``. ``a`` opens.

NegMAS conventions (paths relative to ``site-packages/negmas``) and how they were aligned
-----------------------------------------------------------------------------------------
* **Step = offer.** ``SAOMechanism(one_offer_per_step=False)`` (the default) runs *every*
  negotiator in one step, so one step is a round of two offers and ``n_steps=T`` allows ``2T``
  offers (``sao/mechanism.py`` ``__call__``, the ``ordered_indices`` loop; ``one_offer_per_step``
  truncates it to one negotiator). We pass ``one_offer_per_step=True, n_steps=deadline``:
  NegMAS step ``s = 0..T-1`` is negsim round ``t = s + 1``; ``a`` offers at even steps, ``b``
  at odd ones; the offer made at the last step is never answered (``mechanisms.py``
  ``Mechanism.step`` ends the run once ``state.step >= n_steps``), as in negsim.
* **Relative time.** ``mechanisms.py`` ``Mechanism._relative_time_for``:
  ``relative_time = (step + 1) / (n_steps + 1)`` (0-based step), so round ``t`` sees
  ``t / (T + 1)``, not negsim's ``(t - 1) / T``; the first offer is already at ``1/(T+1)`` and
  the last at ``T/(T+1)``. (Wall time enters as ``time / time_limit`` only when a finite
  ``time_limit`` is given; we give none.)
* **Curve and exponent.** ``negotiators/helpers.py`` ``PolyAspiration.utility_at``:
  ``max_aspiration * (1 - t ** exponent)``, i.e. NegMAS's exponent is ``1/e`` in negsim terms.
  Named curves (``POLY_ASPIRATION_EXPONENTS``): ``"boulware"`` = 4 (negsim e = 0.25),
  ``"conceder"`` = 0.25 (negsim e = 4), ``"linear"`` = 1. ``BoulwareTBNegotiator`` /
  ``ConcederTBNegotiator`` (``gb/negotiators/timebased.py``) hard-code those two curves, so they
  cannot give e = 0.2 / 5; ``AspirationNegotiator`` takes an exponent but defaults to a 0.001
  tolerance and a non-rational-only inverter. ``ExpAspiration`` is a different (exponential)
  family.
* **Scaling to utilities.** The curve value ``x`` in [0, 1] is mapped by
  ``gb/components/inverter.py`` ``UtilityBasedOutcomeSetRecommender.scale_utilities`` to
  ``lo + (umax - lo) * x - eps`` with ``lo = max(worst utility, reserved_value)``
  (``on_preferences_changed``) and the result clipped to ``[lo, umax]``; ``eps`` is the
  negotiator's tolerance (``UtilBasedNegotiator`` default 1e-4, ``AspirationNegotiator`` 1e-3).
  So the reserved value is respected (and so is any worst outcome above it: negsim concedes
  towards ``r``, NegMAS towards ``max(worst, r)``). With the default
  ``TimeBasedConcedingNegotiator`` inverter the outcome table is also rational-only
  (``inverter.py`` ``make_inverter``: ``rational_only=True``).
* **Offer choice.** ``stochastic=False`` (default of ``TimeBasedConcedingNegotiator``) makes
  the inverter use ``worst_in`` (``gb/negotiators/utilbased.py`` ``__init__``: ``offer_selector=
  "min"``): ``preferences/inv_ufun/presorting.py`` ``PresortingInverseUtilityFunction.worst_in``
  (picked by ``adaptive.py`` for spaces up to 10^6 outcomes) takes the lowest utility ``>=``
  the aspiration, but then ``_common.py`` ``_nearest_around`` swaps in any outcome up to
  ``EPS = 1e-6`` *below* the aspiration if it is nearer to it. Ties between equal utilities
  follow ``np.argsort`` (quicksort, not stable) over the row-major enumeration.
* **Acceptance.** ``UtilBasedNegotiator.respond``: accept iff ``u(offer)`` lies in the scaled
  *accepting* curve range (the offering curve unless another is given) at the current relative
  time, i.e. ``u >= aspiration - eps``. The GB negotiator answers and counter-offers in the same
  call with the same state (``gb/negotiators/base.py`` ``__call__``), so this is the same round
  as its next offer. On a discrete space "``u >=`` aspiration" is exactly negsim's AC_next
  ("``u >=`` utility of my next offer", that offer being the lowest outcome above the
  aspiration), apart from the ``eps`` and 1e-6 windows above.
* **No agreement.** ``ufun(None)`` is the reserved value (``crisp/linear.py`` ``eval``).

Alignment chosen here (``aligned=True``, the default)
-----------------------------------------------------
``TimeBasedConcedingNegotiator(offering_curve=_NegsimCurve(...), eps=0.0)`` with the default
(``worst_in``, rational-only presorting) inverter on an ``SAOMechanism(n_steps=deadline,
one_offer_per_step=True)``. ``_NegsimCurve`` is a NegMAS ``Aspiration`` that recovers the round
``t = round(relative_time * (T + 1))``, computes negsim's raw aspiration
``r + (umax - r) * (1 - ((t - 1) / T) ** (1 / e))`` and hands NegMAS the fraction that its
``scale_utilities`` maps back onto that raw value (clipped at 0 if it lies below
``max(worst, r)``). NegMAS then offers and accepts on negsim's curve exactly.
``aligned=False`` uses stock NegMAS instead: ``offering_curve=1/e`` (a ``PolyAspiration``) with
NegMAS's own time, scaling and ``eps = 1e-4``.

Differences that remain with ``aligned=True``
---------------------------------------------
* ``worst_in`` may offer an outcome up to 1e-6 *below* the aspiration (``_nearest_around``);
  it is then not the outcome negsim offers, and acceptance (``u >= aspiration``, exact) is no
  longer exactly "``u >=`` my own next offer".
* Exact ties between outcome utilities break in ``np.argsort`` order, not by lowest index
  (measure zero for continuous random ``weights``/``evals``).
* The aspiration goes through ``lo + (umax - lo) * x`` in floating point, so it can differ from
  negsim's by a few ulps (matters only for an outcome utility equal to it to ~1e-16).
* NegMAS's ``eval`` sums ``0.0 + w0*e0 + w1*e1 + w2*e2`` left to right; a vectorised negsim
  may round differently in the last bit.
* NegMAS itself draws from the stdlib global ``random`` (``Mechanism.step`` draws
  ``random.random()`` for the ``pend`` check every step) and ``uuid4`` for ids; neither changes
  results here (``pend = 0``, ``stochastic=False``). This module uses no global RNG.

``rounds`` is the NegMAS step count at the end (``state.step``): the negsim round ``t`` in which
the offer was accepted (``t - 1`` offers were made), or ``T`` without agreement.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from negmas import SAOMechanism, make_issue, make_os
    from negmas.gb.negotiators.timebased import TimeBasedConcedingNegotiator
    from negmas.negotiators.helpers import Aspiration
    from negmas.preferences import LinearAdditiveUtilityFunction

__all__ = ["run_negmas"]

N_ISSUES = 3
N_VALUES = 10


class _NegsimCurve(Aspiration):  # type: ignore[misc]  # negmas is untyped
    """negsim's aspiration, expressed as the fraction NegMAS's ``scale_utilities`` expects.

    NegMAS maps the returned ``x`` to ``lo + (umax - lo) * x`` (``lo = max(worst, r)``).
    """

    def __init__(self, deadline: int, e: float, r: float, umax: float, lo: float) -> None:
        self.deadline, self.r, self.umax, self.lo = deadline, r, umax, lo
        self.inv_e = 1.0 / e
        self.span = umax - lo

    def utility_at(self, t: float) -> float:
        rnd = round(t * (self.deadline + 1))  # NegMAS: t = (step + 1) / (T + 1) = round / (T + 1)
        tau = (rnd - 1) / self.deadline
        aspiration = self.r + (self.umax - self.r) * (1.0 - float(tau**self.inv_e))
        if self.span <= 0.0:
            return 1.0
        return min(1.0, max(0.0, (aspiration - self.lo) / self.span))


def _ufun(weights: NDArray[Any], evals: NDArray[Any], os_: Any, r: float) -> Any:
    return LinearAdditiveUtilityFunction(
        values=[{v: float(evals[i, v]) for v in range(N_VALUES)} for i in range(N_ISSUES)],
        weights=[float(w) for w in weights],
        outcome_space=os_,
        reserved_value=r,
    )


def _negotiator(ufun: Any, e: float, r: float, deadline: int, aligned: bool, name: str) -> Any:
    if not aligned:
        return TimeBasedConcedingNegotiator(offering_curve=1.0 / e, name=name)
    worst, best = ufun.extreme_outcomes()
    umax = float(ufun(best))
    lo = max(float(ufun(worst)), r)  # what NegMAS's inverter uses as its floor
    curve = _NegsimCurve(deadline, e, r, umax, lo)
    return TimeBasedConcedingNegotiator(offering_curve=curve, eps=0.0, name=name)


def run_negmas(
    weights_a: NDArray[Any],
    weights_b: NDArray[Any],
    evals_a: NDArray[Any],
    evals_b: NDArray[Any],
    reservation: float = 0.3,
    deadline: int = 100,
    e_a: float = 0.2,
    e_b: float = 5.0,
    *,
    aligned: bool = True,
) -> dict[str, Any]:
    """Run the K negotiations sequentially in NegMAS and time them.

    Args:
        weights_a, weights_b: ``(K, 3)`` issue weights (non-negative, rows sum to 1).
        evals_a, evals_b: ``(K, 3, 10)`` value evaluations in [0, 1].
        reservation: Both parties' reservation value (utility without agreement).
        deadline: ``T``, the number of offers (NegMAS steps with ``one_offer_per_step``).
        e_a, e_b: negsim concession exponents (``f(tau) = tau ** (1/e)``) of ``a`` and ``b``.
        aligned: Use negsim's exact aspiration curve (default); ``False`` = stock NegMAS
            ``PolyAspiration(1/e)`` with NegMAS's own relative time and tolerance.

    Returns:
        ``elapsed_s`` (wall time of building and running all negotiations), ``agreement``
        (bool, K), ``utility_a`` / ``utility_b`` (float, K; ``reservation`` without agreement),
        ``rounds`` (int, K; round of acceptance, or ``deadline``).
    """
    weights_a, weights_b = np.asarray(weights_a, float), np.asarray(weights_b, float)
    evals_a, evals_b = np.asarray(evals_a, float), np.asarray(evals_b, float)
    k = weights_a.shape[0]
    if weights_a.shape != (k, N_ISSUES) or weights_b.shape != (k, N_ISSUES):
        raise ValueError("weights must have shape (K, 3)")
    if evals_a.shape != (k, N_ISSUES, N_VALUES) or evals_b.shape != (k, N_ISSUES, N_VALUES):
        raise ValueError("evals must have shape (K, 3, 10)")
    agreement = np.zeros(k, dtype=bool)
    utility_a = np.full(k, reservation, dtype=float)
    utility_b = np.full(k, reservation, dtype=float)
    rounds = np.zeros(k, dtype=int)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        os_ = make_os([make_issue(N_VALUES, name=f"i{i}") for i in range(N_ISSUES)])
        for j in range(k):
            ua = _ufun(weights_a[j], evals_a[j], os_, reservation)
            ub = _ufun(weights_b[j], evals_b[j], os_, reservation)
            mech = SAOMechanism(outcome_space=os_, n_steps=deadline, one_offer_per_step=True)
            mech.add(_negotiator(ua, e_a, reservation, deadline, aligned, "a"), ufun=ua)
            mech.add(_negotiator(ub, e_b, reservation, deadline, aligned, "b"), ufun=ub)
            state = mech.run()
            if state.agreement is not None:
                agreement[j] = True
                utility_a[j] = float(ua(state.agreement))
                utility_b[j] = float(ub(state.agreement))
            rounds[j] = state.step
        elapsed = time.perf_counter() - start
    return {
        "elapsed_s": elapsed,
        "agreement": agreement,
        "utility_a": utility_a,
        "utility_b": utility_b,
        "rounds": rounds,
    }


def _inputs(k: int, seed: int = 0) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(N_ISSUES), size=(2, k))
    evals = rng.uniform(0.0, 1.0, size=(2, k, N_ISSUES, N_VALUES))
    return weights[0], weights[1], evals[0], evals[1]


def _summary(label: str, res: dict[str, Any]) -> str:
    k = len(res["agreement"])
    return (
        f"{label}: K={k} elapsed={res['elapsed_s']:.3f}s "
        f"({k / res['elapsed_s']:.1f} negotiations/s) agreement={res['agreement'].mean():.3f} "
        f"mean u_a={res['utility_a'].mean():.4f} mean u_b={res['utility_b'].mean():.4f} "
        f"mean rounds={res['rounds'].mean():.2f}"
    )


def _compare(res: dict[str, Any], ref: dict[str, Any]) -> str:
    same = (
        (res["agreement"] == ref["agreement"])
        & (res["rounds"] == ref["rounds"])
        & np.isclose(res["utility_a"], ref["utility_a"], rtol=0, atol=1e-12)
        & np.isclose(res["utility_b"], ref["utility_b"], rtol=0, atol=1e-12)
    )
    return f"identical to negsim's batch path in {int(same.sum())}/{len(same)}"


def _negsim(
    inputs: tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]],
) -> dict[str, Any]:
    """negsim's batch path (``vs_negmas.run_negsim``) on the same inputs.

    ``run_negsim`` plays ``run_negmas``'s defaults: r = 0.3, T = 100, e_a = 0.2, e_b = 5.
    """
    from vs_negmas import run_negsim  # imported here: vs_negmas imports this module

    keys = ("weights_a", "weights_b", "evals_a", "evals_b")
    out = run_negsim(dict(zip(keys, inputs, strict=True)))
    # ``rounds`` here counts an agreement in the round it is accepted (NegMAS's step count);
    # negsim's ``round`` is that of the accepted offer, one earlier.
    out["rounds"] = np.where(out["agreement"], out["rounds"] + 1, out["rounds"])
    return out


if __name__ == "__main__":
    inputs50 = _inputs(50)
    ref50 = _negsim(inputs50)
    res = run_negmas(*inputs50)
    print(_summary("aligned", res), "|", _compare(res, ref50))
    stock = run_negmas(*inputs50, aligned=False)
    print(_summary("stock  ", stock), "|", _compare(stock, ref50))
    inputs200 = _inputs(200)
    runs = [run_negmas(*inputs200) for _ in range(3)]
    for res200 in runs:
        print(_summary("aligned", res200))
    print(_compare(runs[0], _negsim(inputs200)))
    rates = sorted(200 / r["elapsed_s"] for r in runs)
    print(f"K=200: median {rates[1]:.1f} negotiations/s (min {rates[0]:.1f}, max {rates[2]:.1f})")
