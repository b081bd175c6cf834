"""What a run of the world amounts to: the summary, the alliance table and flat run metrics."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from negsim.world.alliances import CAUSE, CAUSE_NAMES, CAUSES, COLUMNS
from negsim.world.model import AllianceModel

#: The causes ``failure_causes`` counts (the summary's ``failure_causes``): name → meaning. An
#: alliance fails if it ends early, or completes its term short of its goal (``missed_goal``).
FAILURE_CAUSES: dict[str, str] = {
    "missed_goal": (
        "completed its term, but a partner realised less than ``review.goal`` of what it "
        "expected at signing"
    ),
    **{name: text for name, text in CAUSES.items() if name not in ("running", "completed")},
}


def failure_cause(model: AllianceModel) -> NDArray[np.object_]:
    """Why each alliance failed (:data:`FAILURE_CAUSES`), or ``""`` if it has not failed.

    An alliance that completed its term short of its goal failed with ``missed_goal``; one
    that ended early failed with its ``cause``.
    """
    failed = model.failed()
    completed = CAUSE["completed"]
    return np.array(
        [
            "" if not f else "missed_goal" if c == completed else CAUSE_NAMES[c]
            for f, c in zip(failed.tolist(), model.alliances.cause.tolist(), strict=True)
        ],
        dtype=object,
    )


def failure_causes(model: AllianceModel) -> dict[str, int]:
    """Failed alliances by cause (:data:`FAILURE_CAUSES`), in name order."""
    return dict(sorted(Counter(c for c in failure_cause(model).tolist() if c).items()))


#: What :func:`summary` returns (``negsim run --json``, ``WorldRun.summary``, the manifest's
#: ``summary``): field → meaning. Alliances still running at the end are censored.
SUMMARY_FIELDS: dict[str, str] = {
    "scenario": "the scenario's name",
    "seed": "the root seed entropy: the same seed reproduces the run",
    "time": "months simulated",
    "organisations": "number of organisations",
    "negotiations": "terms negotiations held (agreed or not)",
    "alliances_formed": "alliances signed",
    "alliances_ended": "alliances that ended before the end of the run",
    "alliances_running": "alliances signed and not ended at the end of the run",
    "agreement_rate": "agreements / negotiations (null without negotiations)",
    "failure_rate": (
        "failed / ended alliances: ended early, or completed short of the goal (null if none ended)"
    ),
    "mean_duration": "mean end − start over ended alliances, months (null if none ended)",
    "mean_trust": (
        "mean trust balance over both accounts of the alliances running at the end (null if "
        "none runs)"
    ),
    "mean_reputation": "mean reputation of all organisations at the end, in [0, 1]",
    "failure_causes": "failed alliances by cause, ``{cause: count}`` (causes: ``FAILURE_CAUSES``)",
}


def summary(model: AllianceModel) -> dict[str, Any]:
    """Headline figures of a run, described in :data:`SUMMARY_FIELDS`."""
    t = model.alliances
    ended = ~t.alive
    rate = model.failure_rate()
    trust = model.mean_trust()
    return {
        "scenario": model.config.name,
        "seed": model.seed_entropy,
        "time": float(model.time),
        "organisations": model.orgs.n,
        "negotiations": model.negotiations,
        "alliances_formed": int(t.size),
        "alliances_ended": int(ended.sum()),
        "alliances_running": int(t.alive.sum()),
        "agreement_rate": model.agreements / model.negotiations if model.negotiations else None,
        "failure_rate": None if np.isnan(rate) else rate,
        "mean_duration": float((t.end - t.start)[ended].mean()) if ended.any() else None,
        "mean_trust": None if np.isnan(trust) else trust,
        "mean_reputation": float(model.orgs.reputation.mean()),
        "failure_causes": failure_causes(model),
    }


#: The alliance table (``WorldRun.alliances``, ``alliances.parquet``; one row per alliance
#: signed, indexed by ``alliance``, in signing order): column → meaning.
ALLIANCE_COLUMNS: dict[str, str] = {
    **COLUMNS,
    "failed": (
        "ended early (any cause but ``completed``), or completed with a partner realising less "
        "than ``review.goal`` × what it expected × ``months``; False while running"
    ),
    "failure_cause": (
        "why it failed: ``missed_goal`` if it completed short of the goal, else its ``cause``; "
        "empty if it has not failed (the summary's ``failure_causes`` counts these)"
    ),
    "trust_a": (
        "a's trust in b: the balance of a's account, in [−``trust.bound``, ``trust.bound``], at "
        "the end of the run (frozen when the alliance ended; a messy end sets it to −bound)"
    ),
    "trust_b": "b's trust in a, likewise",
}


def alliance_records(model: AllianceModel) -> dict[str, Any]:
    """The alliance table as columns (:data:`ALLIANCE_COLUMNS`), with cause names."""
    cols = model.alliances.columns()
    cols["cause"] = np.array([CAUSE_NAMES[c] for c in cols["cause"].tolist()], dtype=object)
    cols["failed"] = model.failed()
    cols["failure_cause"] = failure_cause(model)
    cols["trust_a"] = model.trust.balance[0::2][: model.alliances.size].copy()
    cols["trust_b"] = model.trust.balance[1::2][: model.alliances.size].copy()
    return cols


#: Months after an exit within which a partner counts as partnering again (``repartner_gap``).
REPARTNER_WINDOW = 24.0

#: What :func:`run_metrics` returns: metric name -> one-line description. Shares are a's or b's
#: part of an alliance's value as negotiated at signing (reviews may restructure the split later;
#: the metrics read the negotiated one, see :func:`negotiated_split`).
METRICS: dict[str, str] = {
    "negotiations": "terms negotiations held (agreed or not)",
    "alliances_formed": "alliances signed (ended, running and not yet started)",
    "agreement_rate": "agreements / negotiations (NaN without negotiations)",
    "failure_rate": "failed / ended alliances (ended early, or completed short of the goal)",
    "mean_duration": "mean end − start over ended alliances, months",
    "mean_trust": "mean trust balance over both accounts of the alliances running at the end",
    "mean_reputation": "mean reputation of all organisations at the end",
    "breakdown_rate": "messy (causes 'relationship' and 'shock') ends / ended alliances",
    "shock_failure_rate": "alliances ended by a crisis (cause 'shock') / all alliances formed",
    "mean_split_imbalance": "mean |negotiated split − 0.5| over alliances (0.5: all or nothing)",
    "walk_away_advantage": (
        "walker (round(walk_away) = 1) share − non-walker share, over mixed alliances"
    ),
    "popular_advantage": (
        "higher-degree partner's share − lower-degree partner's, over unequal degrees"
    ),
    "concealment_advantage": (
        "less-disclosing partner's share − more-disclosing partner's, mean over unequal disclosure"
    ),
    "balance_duration_gap": (
        "mean duration of balanced (|split − 0.5| < median) − unbalanced alliances due by the end"
    ),
    "compatibility_vs_terms": (
        "Spearman(value similarity, survived) − Spearman(−|split − 0.5|, survived), ended alliances"
    ),
    "repartner_gap": (
        "share of partners signing again within 24 months: after graceful minus after messy exits"
    ),
    "symbolic_trust": ("trust per account deposited at signing by the symbolic gestures received"),
    "walkout_rate": "terms negotiations that a side walked away from / negotiations",
    "value_per_organisation": (
        "mean over all organisations of alliance plus standalone value, discounted to month 0"
    ),
    "arm_value_gap": (
        "[assign]: treated minus control organisations' mean present_value (NaN without arms)"
    ),
    "failures_per_organisation": "alliances failed by the end / organisations (every one counted)",
    "popular_value_gap": (
        "mean present_value of organisations above the median degree − the rest (all counted)"
    ),
}


def negotiated_split(model: AllianceModel) -> NDArray[np.float64]:
    """a's share of each alliance's value as negotiated at signing.

    The ``split`` column is moved by restructuring reviews; what each partner expected at signing
    is not (``expected_a = E·split``, ``expected_b = E·(1 − split)``, with E > 0), so the
    negotiated split is ``expected_a / (expected_a + expected_b)`` (rounded to 12 decimals).
    Rows expecting nothing (hand-built ones) fall back to the ``split`` column.
    """
    t = model.alliances
    total = t.expected_a + t.expected_b
    ok = total > 0
    ratio = np.divide(t.expected_a, total, out=np.zeros(t.size), where=ok)
    return np.asarray(np.where(ok, np.round(ratio, 12), t.split))


def _mean(x: NDArray[Any]) -> float:
    return float(x.mean()) if x.size else float("nan")


def _advantage(
    split: NDArray[np.float64], a_side: NDArray[np.bool_], among: NDArray[np.bool_]
) -> float:
    """Mean over ``among`` of the favoured side's share minus the other's (a_side: a favoured)."""
    return _mean(np.where(a_side, 2 * split - 1, 1 - 2 * split)[among])


def _ranks(x: NDArray[Any]) -> NDArray[np.float64]:
    """Ranks from 1, ties sharing their average rank."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    return np.asarray((upper - (counts - 1) / 2.0)[inverse], dtype=np.float64)


def _spearman(x: NDArray[Any], y: NDArray[Any]) -> float:
    """Spearman's rank correlation (Pearson's on tie-averaged ranks); NaN if either is constant."""
    if x.size < 3:
        return float("nan")
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    norm = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return float((rx * ry).sum() / norm) if norm > 0 else float("nan")


def _repartnered(
    model: AllianceModel, who: NDArray[np.int64], when: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Whether organisation who[i] signed an alliance in (when[i], when[i] + REPARTNER_WINDOW]."""
    t = model.alliances
    org = np.concatenate([t.a, t.b])
    signed = np.concatenate([t.signed, t.signed])
    span = float(max(model.time, signed.max(initial=0.0))) + REPARTNER_WINDOW + 1.0
    keys = np.sort(org * span + signed)  # signings ordered by organisation, then time
    lo = np.searchsorted(keys, who * span + when, side="right")
    hi = np.searchsorted(keys, who * span + when + REPARTNER_WINDOW, side="right")
    return np.asarray(hi > lo)


def run_metrics(model: AllianceModel) -> dict[str, float]:
    """Flat float figures of one finished run (NaN where undefined), described in ``METRICS``.

    Alliances still running at the end are censored wherever an outcome is needed (failure,
    breakdown, survival); ``split`` below is the negotiated split (:func:`negotiated_split`),
    a's share of the alliance's value. The advantage metrics compare the shares of agreed terms
    only (a negotiation that ends without agreement leaves no row).

    * ``walk_away_advantage`` — essay 000, "willing to walk away": organisations whose
      ``walk_away`` rounds to 1 (as in the terms negotiation: ``np.round``, so 0.5 does not walk)
      against partners whose rounds to 0; per alliance, walker share − non-walker share.
    * ``popular_advantage`` — perceived competition: degree in the search network
      (``model.edges``, self-loops dropped) stands for potential suitors.
      ``popular_value_gap`` is its intention-to-treat form: the present value of every
      organisation above the median degree against every other, deal or no deal.
    * ``failures_per_organisation`` — failed alliances per organisation: unlike
      ``failure_rate`` (failed / ended alliances) its denominator does not depend on which
      alliances were signed and ended; fewer alliances signed also means fewer to fail, so
      read it beside ``alliances_formed`` and ``value_per_organisation``.
    * ``concealment_advantage`` — showing intent gives power: ``disclosure`` of the partners.
    * ``balance_duration_gap`` — balanced splits last longer: only alliances whose planned term
      ended by the end of the run (``planned_end <= time``) are compared, so their durations are
      observed in full (one still awaiting its monthly end is censored at ``time``); balanced
      means ``|split − 0.5|`` below the median of those alliances, unbalanced at or above it.
    * ``compatibility_vs_terms`` — compatibility beats terms: survival is "ended and did not
      fail"; value similarity is the cosine of the partners' value vectors.
    * ``repartner_gap`` — graceful exits preserve partnering: each partner of each ended
      alliance is one exit; it partnered again if it signed any alliance in the
      ``REPARTNER_WINDOW`` months after (strictly after the end). Exits later than
      ``time − REPARTNER_WINDOW`` are censored.
    * ``symbolic_trust`` — symbolic concessions build trust: ``concessions.symbolic_deposit`` ×
      gestures received at signing, averaged over both accounts of all alliances (before
      clipping to the trust bound; 0 when concessions or trust are switched off). A gesture
      costs its giver utility (:mod:`negsim.world.concessions`), so whether it pays shows in
      ``failure_rate``, ``breakdown_rate`` and ``value_per_organisation`` across
      ``concessions.enabled`` on and off.
    """
    t, o, cfg = model.alliances, model.orgs, model.config
    now = float(model.time)
    a, b = t.a, t.b
    ended = ~t.alive
    failed = model.failed()
    split = negotiated_split(model)
    imbalance = np.round(np.abs(split - 0.5), 12)  # 0.3 and 0.7 tie exactly

    walker = np.round(o.walk_away) == 1
    degree = np.bincount(model.edges.ravel(), minlength=o.n)
    popular = degree > np.median(degree)
    shown = o.disclosure

    due = (t.planned_end <= now) & (t.start <= now)
    duration = np.minimum(np.where(ended, t.end, now), now) - t.start
    cut = float(np.median(imbalance[due])) if due.any() else np.nan
    balanced, unbalanced = due & (imbalance < cut), due & (imbalance >= cut)

    similarity = (o.values[a] * o.values[b]).sum(axis=1)
    survived = ~failed[ended]
    predictive = _spearman(similarity[ended], survived) - _spearman(-imbalance[ended], survived)

    exit_org = np.concatenate([a[ended], b[ended]])
    exit_time = np.concatenate([t.end[ended], t.end[ended]])
    graceful = np.concatenate([t.graceful[ended], t.graceful[ended]])
    known = exit_time + REPARTNER_WINDOW <= now
    again = _repartnered(model, exit_org, exit_time)

    c = cfg.concessions
    deposit = c.symbolic_deposit if c.enabled and cfg.trust.enabled else 0.0
    rate = model.failure_rate()
    return {
        "negotiations": float(model.negotiations),
        "alliances_formed": float(t.size),
        "agreement_rate": model.agreements / model.negotiations if model.negotiations else np.nan,
        "failure_rate": rate,
        "mean_duration": _mean((t.end - t.start)[ended]),
        "mean_trust": model.mean_trust(),
        "mean_reputation": _mean(o.reputation),
        "breakdown_rate": _mean(~t.graceful[ended]),
        "shock_failure_rate": _mean(t.cause == CAUSE["shock"]),
        "mean_split_imbalance": _mean(imbalance),
        "walk_away_advantage": _advantage(split, walker[a], walker[a] != walker[b]),
        "popular_advantage": _advantage(split, degree[a] > degree[b], degree[a] != degree[b]),
        "concealment_advantage": _advantage(split, shown[a] < shown[b], shown[a] != shown[b]),
        "balance_duration_gap": _mean(duration[balanced]) - _mean(duration[unbalanced]),
        "compatibility_vs_terms": predictive,
        "repartner_gap": _mean(again[known & graceful]) - _mean(again[known & ~graceful]),
        "symbolic_trust": _mean(deposit * (t.symbolic_a + t.symbolic_b) / 2.0),
        "walkout_rate": float(o.walkouts.sum() / model.negotiations)
        if model.negotiations
        else np.nan,
        "value_per_organisation": float(model.present_value.mean()),
        "arm_value_gap": _mean(model.present_value[o.arm == 1])
        - _mean(model.present_value[o.arm == 0]),
        "failures_per_organisation": float(failed.sum() / o.n),
        "popular_value_gap": _mean(model.present_value[popular])
        - _mean(model.present_value[~popular]),
    }
