"""Seeds and named random streams.

One root :class:`numpy.random.SeedSequence` per run; child streams are spawned in a fixed,
named order so that adding draws in one mechanism never shifts another. ``seed`` is accepted
only at entry points; everything below takes a ``numpy.random.Generator`` called ``rng``.

Examples:
    >>> streams = named_streams(7, ("a", "b"))
    >>> float(streams["a"].random()) == float(named_streams(7, ("a", "b"))["a"].random())
    True
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import numpy as np


def root_sequence(seed: int | None) -> np.random.SeedSequence:
    """Return the root seed sequence; ``None`` draws fresh entropy (recorded by callers)."""
    if seed is None:
        seed = secrets.randbits(63)
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.SeedSequence(seed)


def root_entropy(root: np.random.SeedSequence) -> int:
    """The integer entropy of ``root``, to record in results so a run can be repeated."""
    entropy = root.entropy
    if not isinstance(entropy, int):
        raise TypeError("root sequences are built from one integer seed")
    return entropy


def named_streams(
    seed: int | np.random.SeedSequence, names: Sequence[str]
) -> dict[str, np.random.Generator]:
    """Spawn one independent generator per name, in the given order.

    Args:
        seed: an integer seed or an existing :class:`~numpy.random.SeedSequence`.
        names: stream names; the order is part of the reproducibility contract.

    Returns:
        A mapping from name to :class:`numpy.random.Generator`.
    """
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = root.spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}
