"""Where a result came from: negsim's version, the versions that decide results, the commit.

Recorded once, here, for every results folder (``negsim run``, sweeps, claims). The git commit
is recorded only when negsim runs from its own checkout (a clone, installed editable or used
in place) — never the commit of whatever repository a user's virtual environment sits in.

Examples:
    >>> record = provenance()
    >>> record["negsim"] == __version__
    True
    >>> sorted(record)
    ['git_commit', 'negsim', 'platform', 'versions']
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from negsim.version import __version__

#: Packages whose versions can change results, recorded beside negsim's own.
PACKAGES = (
    "numpy",
    "numba",
    "mesa",
    "networkx",
    "scipy",
    "SALib",
    "pandas",
    "pyarrow",
    "dask",
    "distributed",
)


def versions() -> dict[str, str]:
    """Python's version and those of :data:`PACKAGES` that are installed (negsim's own is
    recorded beside them, see :func:`provenance`)."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def checkout() -> Path | None:
    """The root of negsim's own git checkout, if negsim runs from one (else None).

    The package folder's parent must be the top of a git work tree: true for a clone
    (``simulator/`` is the package), false for an installed wheel (``site-packages/negsim``),
    even when the environment sits inside some other repository.
    """
    root = Path(__file__).resolve().parent.parent
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root:
        return None
    return root


def source_commit() -> str | None:
    """The commit of negsim's own checkout, or None.

    ``+dirty`` marks uncommitted changes to tracked files (new untracked files are not
    counted: a module nothing imports changes no result). Asked afresh each time, so a
    notebook that outlives a commit records the new one.
    """
    root = checkout()
    if root is None:
        return None
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return None
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return commit + ("+dirty" if dirty else "")


def provenance() -> dict[str, Any]:
    """What every results folder records about the code that wrote it."""
    return {
        "negsim": __version__,
        "git_commit": source_commit(),
        "versions": versions(),
        "platform": platform.platform(),
    }


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()
