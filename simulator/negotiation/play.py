"""Playing one negotiation from Python: a file, a shipped name or a loaded negotiation in,
the ``negsim negotiate --json`` contract out.

Examples:
    >>> result = negotiate("split_the_pie", seed=0)  # b's outside option 0.6 binds
    >>> result["ended_by"], result["utilities"]
    ('agreement', {'a': 0.4, 'b': 0.6})
    >>> result = negotiate("contract_example", seed=0)
    >>> result["round"], result["agreement"]
    (78, {'price': 'high', 'share_a': 0.52})
    >>> result["analysis"]["pareto_size"], "pareto" in result["analysis"]
    (145, False)
    >>> len(negotiate("contract_example", seed=0, pareto=True)["analysis"]["pareto"])
    145
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import negsim.shipped as shipped
from negsim.negotiation.party import Negotiation
from negsim.negotiation.protocol import negotiate as play_protocol
from negsim.negotiation.spec import load_negotiation
from negsim.negotiation.summary import summarise
from negsim.rng import root_entropy, root_sequence


def load(negotiation: str | Path | Negotiation) -> Negotiation:
    """A negotiation from a shipped name (``negsim demo`` plays them), a file, or as given."""
    if isinstance(negotiation, Negotiation):
        return negotiation
    return load_negotiation(shipped.find("negotiation", negotiation))


def negotiate(
    negotiation: str | Path | Negotiation, *, seed: int | None = None, pareto: bool = False
) -> dict[str, Any]:
    """Play a negotiation under the alternating-offers protocol.

    Args:
        negotiation: a shipped name (``contract_example``, ``split_the_pie``, …), a negotiation
            file (TOML, see ``docs/negotiation.md``) or a
            :class:`~negsim.negotiation.party.Negotiation`.
        seed: the root seed; ``None`` draws fresh entropy (recorded as ``seed`` in the result).
        pareto: list the Pareto set in ``analysis["pareto"]`` (up to
            :data:`~negsim.negotiation.summary.MAX_LISTED` outcomes, evenly sampled beyond);
            without it the analysis gives only its size, ``pareto_size``.

    Returns:
        The JSON contract of ``negsim negotiate --json``: ``agreement``, ``ended_by``,
        ``round``, ``utilities``, ``offers``, ``concessions``, ``analysis`` and more
        (``docs/negotiation.md``, "What --json prints").
        ``pandas.DataFrame(result["offers"])`` gives the offers as a table.

    Raises:
        ConfigError: a bad file or name.
    """
    neg = load(negotiation)
    root = root_sequence(seed)
    return summarise(neg, play_protocol(neg, root), seed=root_entropy(root), pareto=pareto)
