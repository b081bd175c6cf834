"""The strategy registry as plain data, for ``negsim strategies`` and documentation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import negsim.negotiation.strategies as strategies


def strategy_catalogue() -> dict[str, dict[str, Any]]:
    """Every registered strategy: summary, traits and parameters with defaults and ranges."""
    out: dict[str, dict[str, Any]] = {}
    for key in strategies.keys():
        cls = strategies.get(key)
        out[key] = {
            "summary": cls.summary,
            "traits": asdict(cls.traits),
            "params": {
                name: {"default": p.default, "allowed": p.allowed(), "doc": p.doc}
                for name, p in cls.params.items()
            },
        }
    return out
