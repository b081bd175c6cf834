"""Concession strategies: a registry of stable keys, each class declaring its traits.

Importing this package registers every built-in strategy.
"""

# Registration order is listing order: time-dependent family first, baselines and theory last.
from negsim.negotiation.strategies import time_dependent, tit_for_tat  # noqa: I001
from negsim.negotiation.strategies import baseline, spe, zeuthen
from negsim.negotiation.strategies.base import (
    Action,
    Context,
    Move,
    State,
    Strategy,
    StrategyError,
)
from negsim.negotiation.strategies.registry import get, keys, register

__all__ = [
    "Action",
    "Context",
    "Move",
    "State",
    "Strategy",
    "StrategyError",
    "baseline",
    "get",
    "keys",
    "register",
    "spe",
    "time_dependent",
    "tit_for_tat",
    "zeuthen",
]
