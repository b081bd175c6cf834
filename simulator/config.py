"""Loading and validating configuration files (TOML) at the boundary.

Every problem is a :class:`ConfigError` naming the file, the field, the bad value and what is
allowed, so the CLI can print it as one line and exit with code 2.

Examples:
    >>> print(ConfigError("x.toml", "protocol.deadline", -1, "an integer >= 0"))
    x.toml: protocol.deadline = -1 is not allowed; allowed: an integer >= 0
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration value is missing, unknown or out of range."""

    def __init__(self, file: str | Path, field: str, value: object, allowed: str) -> None:
        shown = "(missing)" if value is _MISSING else repr(value)
        super().__init__(f"{file}: {field} = {shown} is not allowed; allowed: {allowed}")
        self.file, self.field, self.value, self.allowed = str(file), field, value, allowed


_MISSING = object()


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning unreadable or malformed files into a :class:`ConfigError`."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(p, "(file)", str(p), "an existing TOML file") from None
    except IsADirectoryError:
        raise ConfigError(p, "(file)", str(p), "a file, not a directory") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(p, "(syntax)", str(exc), "valid TOML") from None


class Fields:
    """Typed, range-checked access to one table of a config file."""

    def __init__(self, file: str | Path, prefix: str, table: object) -> None:
        if not isinstance(table, Mapping):
            raise ConfigError(file, prefix or "(top level)", table, "a table")
        self.file, self.prefix, self.table = file, prefix, table

    def name(self, key: str) -> str:
        """The dotted field name of ``key``."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, value: object, allowed: str) -> ConfigError:
        """A :class:`ConfigError` for ``key``."""
        return ConfigError(self.file, self.name(key), value, allowed)

    def only(self, allowed: Iterable[str]) -> None:
        """Reject keys outside ``allowed``."""
        allowed = list(allowed)
        for key in self.table:
            if key not in allowed:
                raise self.error(key, self.table[key], f"known keys {allowed}")

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        low: float = -float("inf"),
        high: float = float("inf"),
    ) -> float:
        """A real number in [low, high]."""
        value = self.table.get(key, _MISSING if default is None else default)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not low <= value <= high:
            raise self.error(key, value, f"a number in [{low:g}, {high:g}]")
        return float(value)

    def integer(
        self, key: str, default: int | None = None, *, low: int = 0, high: int = 10**9
    ) -> int:
        """An integer in [low, high]."""
        value = self.table.get(key, _MISSING if default is None else default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.error(key, value, f"an integer in [{low}, {high}]")
        return value

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str:
        """One of ``choices``."""
        choices = list(choices)
        value = self.table.get(key, _MISSING if default is None else default)
        if value not in choices:
            raise self.error(key, value, f"one of {choices}")
        return str(value)

    def sub(self, key: str, default: object = _MISSING) -> Fields:
        """A nested table."""
        return Fields(self.file, self.name(key), self.table.get(key, default))
