"""What a run of the world amounts to: the summary and the alliance table as plain data."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from simulator.world.alliances import CAUSE, CAUSES
from simulator.world.model import AllianceModel


def failure_causes(model: AllianceModel) -> dict[str, int]:
    """Failed alliances by cause; reaching the term short of the goal counts as "terms"."""
    t = model.alliances
    failed = model.failed()
    names = [CAUSES[c] if c != CAUSE["term"] else "terms" for c in t.cause[failed].tolist()]
    return dict(sorted(Counter(names).items()))


def summary(model: AllianceModel) -> dict[str, Any]:
    """Headline figures of a run (alliances still running at the end are censored)."""
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


def alliance_records(model: AllianceModel) -> dict[str, Any]:
    """The alliance table as columns, with cause names and the failure flag."""
    cols = model.alliances.columns()
    cols["cause"] = np.array([CAUSES[c] for c in cols["cause"].tolist()], dtype=object)
    cols["failed"] = model.failed()
    cols["trust_a"] = model.trust.balance[0::2][: model.alliances.size].copy()
    cols["trust_b"] = model.trust.balance[1::2][: model.alliances.size].copy()
    return cols
