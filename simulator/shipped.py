"""The files negsim ships, found by name from anywhere: one finder for every front end.

Scenarios, example negotiations, claims and sweeps are package data, read through
:mod:`importlib.resources`, so ``negsim run default`` works from any folder after ``pip
install`` as it does in a clone. Wherever a name is accepted, a path works too: a value that
names an existing file, ends in ``.toml`` or contains a path separator is taken as a path.

Examples:
    >>> find("scenario", "default").name
    'default.toml'
    >>> "walk_away_leverage" in names("claim")
    True
    >>> find("claim", "no_such_claim")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    negsim.config.ConfigError: no_such_claim: (claim) = 'no_such_claim' is not allowed; ...
"""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Literal

from negsim.config import ConfigError, read_toml

Kind = Literal["scenario", "negotiation", "claim", "sweep"]

#: Where each kind of shipped file lives: (package, folder inside it).
LOCATIONS: dict[str, tuple[str, str]] = {
    "scenario": ("negsim.scenarios", ""),
    "negotiation": ("negsim.scenarios", "negotiations"),
    "claim": ("negsim.experiments", "claims"),
    "sweep": ("negsim.experiments", "sweeps"),
}


def folder(kind: Kind) -> Path:
    """The installed folder holding the shipped files of ``kind``.

    negsim installs as files on disk (a wheel or an editable install, never a zip), so the
    resource folder is a real path that errors and manifests can name.
    """
    package, sub = LOCATIONS[kind]
    root = resources.files(package)
    return Path(str(root / sub if sub else root))


def names(kind: Kind) -> list[str]:
    """The shipped names of ``kind``, sorted."""
    return sorted(p.stem for p in folder(kind).glob("*.toml"))


def is_shipped(path: str | Path, kind: Kind) -> bool:
    """True if ``path`` is one of the shipped files of ``kind``."""
    return Path(path).resolve().parent == folder(kind).resolve()


def looks_like_path(value: str | Path) -> bool:
    """A path rather than a name: a Path, an existing file, a ``.toml`` suffix or a separator."""
    if isinstance(value, Path):
        return True
    return (
        value.endswith(".toml")
        or os.sep in value
        or (os.altsep is not None and os.altsep in value)
        or Path(value).is_file()
    )


def find(kind: Kind, name_or_path: str | Path) -> Path:
    """The file for a shipped name (``default``) or a path, or a :class:`ConfigError`.

    A path is returned as given (reading it reports a missing file); a name that is not
    shipped raises an error listing the shipped names.
    """
    if looks_like_path(name_or_path):
        return Path(name_or_path)
    candidate = folder(kind) / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    known = names(kind)
    close = difflib.get_close_matches(str(name_or_path), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        name_or_path, f"({kind})", name_or_path, f"a {kind} file or one of {known}{hint}"
    )


def describe(kind: Kind, key: str = "description") -> dict[str, str]:
    """Each shipped name of ``kind`` with the file's ``key`` field (its one-line summary)."""
    return {p.stem: str(read_toml(p).get(key, "")) for p in sorted(folder(kind).glob("*.toml"))}


def list_scenarios() -> dict[str, str]:
    """The shipped world scenarios: name → description (``negsim scenarios``)."""
    return describe("scenario")


def list_claims() -> dict[str, str]:
    """The shipped claims: name → statement (``negsim claims``)."""
    return describe("claim", "statement")
