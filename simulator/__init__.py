"""negsim: an agent-based simulator of negotiation and strategic alliances.

The Python API, for notebooks and scripts (each call is documented where it lives):

* :func:`negsim.negotiate` — play one negotiation (:mod:`negsim.negotiation.play`);
* :func:`negsim.run_world` — run one alliance world and get its tables as pandas DataFrames
  (:mod:`negsim.world.run`);
* :func:`negsim.run_sweep` — a parameter sweep into a resumable results folder
  (:mod:`negsim.experiments.runner`);
* :func:`negsim.run_claim` — test a claim: paired runs, a verdict with its uncertainty
  (:mod:`negsim.experiments.claim`);
* :func:`negsim.list_scenarios`, :func:`negsim.list_claims` — what is shipped, by name
  (:mod:`negsim.shipped`).

Layers, each importing only those before it: :mod:`negsim.negotiation` (pure, fast, no Mesa),
:mod:`negsim.world` (the Mesa model), :mod:`negsim.experiments` (the runner), then the front
ends, :mod:`negsim.cli` and :mod:`negsim.viz`. The names above are loaded on first use, so
``import negsim`` stays fast and pulls in no layer it does not need.

Examples:
    >>> import negsim
    >>> negsim.negotiate("split_the_pie", seed=0)["utilities"]
    {'a': 0.4, 'b': 0.6}
    >>> "default" in negsim.list_scenarios()
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from negsim.version import __version__

#: Public name → the module that defines it (imported on first use, PEP 562).
_API = {
    "negotiate": "negsim.negotiation.play",
    "run_world": "negsim.world.run",
    "WorldRun": "negsim.world.run",
    "write_run": "negsim.experiments.outputs",
    "run_sweep": "negsim.experiments.runner",
    "SweepResult": "negsim.experiments.runner",
    "run_claim": "negsim.experiments.claim",
    "ClaimResult": "negsim.experiments.claim",
    "load_scenario": "negsim.world.scenario",
    "ConfigError": "negsim.config",
    "list_scenarios": "negsim.shipped",
    "list_claims": "negsim.shipped",
}

__all__ = [
    "ClaimResult",
    "ConfigError",
    "SweepResult",
    "WorldRun",
    "__version__",
    "list_claims",
    "list_scenarios",
    "load_scenario",
    "negotiate",
    "run_claim",
    "run_sweep",
    "run_world",
    "write_run",
]

if TYPE_CHECKING:
    from negsim.config import ConfigError
    from negsim.experiments.claim import ClaimResult, run_claim
    from negsim.experiments.outputs import write_run
    from negsim.experiments.runner import SweepResult, run_sweep
    from negsim.negotiation.play import negotiate
    from negsim.shipped import list_claims, list_scenarios
    from negsim.world.run import WorldRun, run_world
    from negsim.world.scenario import load_scenario


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'negsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
