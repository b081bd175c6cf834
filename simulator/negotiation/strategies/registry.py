"""The strategy registry: stable snake_case keys → strategy classes with declared traits.

Examples:
    >>> import negsim.negotiation.strategies as s
    >>> s.get("boulware").params["e"].default
    0.2
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negsim.negotiation.strategies.base import Strategy

_REGISTRY: dict[str, type[Strategy]] = {}


def register[S: type[Strategy]](cls: S) -> S:
    """Class decorator adding a strategy under its ``key``."""
    if cls.key in _REGISTRY:
        raise ValueError(f"strategy key {cls.key!r} registered twice")
    _REGISTRY[cls.key] = cls
    return cls


def get(key: str) -> type[Strategy]:
    """The strategy class registered as ``key`` (KeyError if none)."""
    return _REGISTRY[key]


def keys() -> tuple[str, ...]:
    """Every registered key, in registration order."""
    return tuple(_REGISTRY)
