"""Loading and validating configuration files (TOML) and options at the boundary.

Every problem is a :class:`ConfigError` naming the file (or option), the field, the bad value
and what is allowed, so the CLI can print it as one line and exit with code 2. This module is
the one place that decides what a number read from a file or the command line may be
(:func:`check_number`, :func:`check_integer`, used by :class:`Fields`): finite — ``nan`` and
``inf`` are refused by name — and inside its declared range. It is also the one reader of
text files (:func:`read_text`): a missing, unreadable, oversized or non-UTF-8 file, a
directory, or data nested absurdly deep each give one line naming the file.

An error line never repeats more of the input than it must: a bad value is shown as a short
quoted ``repr`` (at most :data:`VALUE_WIDTH` characters), an unknown key by its name only, a
syntax error by its position — so pointing negsim at a file of secrets does not print them.

Examples:
    >>> print(ConfigError("x.toml", "protocol.deadline", -1, "an integer >= 0"))
    x.toml: protocol.deadline = -1 is not allowed; allowed: an integer >= 0
    >>> print(ConfigError("x.toml", "e", float("nan"), number_allowed(0, 100)))
    x.toml: e = nan is not allowed; allowed: a finite number in [0, 100]
    >>> check_integer("--seed", "--seed", 3, 0, 10)
    3
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any, TypeGuard

#: The largest TOML file negsim reads, in bytes (10 MiB). The shipped files are a few
#: kilobytes; the cap only stops a wrong path (a log, a dump, a device) from being read whole.
MAX_TOML_BYTES = 10 * 2**20
#: How deep arrays and tables may nest in a file (every schema needs four levels at most);
#: deeper data is refused before anything recurses into it.
MAX_NESTING = 32
#: How many characters of a bad value an error line shows (longer ones end in "…").
VALUE_WIDTH = 40
#: How many characters of a field name an error line shows.
FIELD_WIDTH = 120
#: Characters a name that becomes a folder (a sweep's or a claim's ``name``) may not hold.
NAME_FORBIDDEN = "/\\"
#: The longest such name, in characters.
MAX_NAME = 100


class ConfigError(ValueError):
    """A configuration value is missing, unknown or out of range.

    Attributes:
        file: the file or command-line option the value came from.
        field: the dotted field name (or the option).
        value: the bad value as it was read (:data:`MISSING` if absent, :data:`HIDDEN` when
            it is not shown, as for an unknown key).
        allowed: what is allowed instead.
    """

    def __init__(self, file: str | Path, field: str, value: object, allowed: str) -> None:
        self.file, self.field, self.value, self.allowed = str(file), field, value, allowed
        super().__init__(f"{one_line(self.file)}: {problem(field, value, allowed)}")

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, str, object, str]]:
        """Pickled with its four parts (a worker process or Dask may send it back)."""
        return (ConfigError, (self.file, self.field, self.value, self.allowed))


def problem(field: str, value: object, allowed: str) -> str:
    """The words of an error after the file: ``field = value is not allowed; allowed: …``,
    on one line, the value short (:func:`shown_value`) and left out if :data:`HIDDEN`.

    >>> problem("TOKEN", HIDDEN, "known keys ['name']")
    "TOKEN is not allowed; allowed: known keys ['name']"
    """
    hidden = isinstance(value, Described) and value == HIDDEN  # also once unpickled
    shown = "" if hidden else f" = {shown_value(value)}"
    return (
        f"{clip(one_line(field), FIELD_WIDTH)}{shown} is not allowed; allowed: {one_line(allowed)}"
    )


class Described(str):
    """A value an error line shows as plain words, unquoted (``(file) = a directory``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


#: The value of a field that is absent.
MISSING = Described("(missing)")
#: The value of an error that does not show it (an unknown key's value may be anything).
HIDDEN = Described("(hidden)")


def one_line(text: str) -> str:
    """``text`` with every unprintable character escaped, so it stays on one line.

    >>> one_line("a\\nb\\x00")
    'a\\\\nb\\\\x00'
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in "…" when cut.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def shown_value(value: object) -> str:
    """How an error line shows a value: its ``repr``, on one line and at most
    :data:`VALUE_WIDTH` characters (a :class:`~pathlib.Path`, a folder the user named, whole).

    >>> shown_value("s3cr3t-" + "x" * 60)
    "'s3cr3t-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
    """
    if isinstance(value, PurePath):  # a path the user chose (--out) is shown whole
        return one_line(repr(str(value)))
    try:
        text = repr(value)
    except Exception:  # a repr that fails (or recurses) must not hide the error itself
        text = f"<{type(value).__name__}>"
    return clip(one_line(text), VALUE_WIDTH)


# --- numbers ------------------------------------------------------------------------------


def _g(x: float, integer: bool = False) -> str:
    """A bound as people write it: ``0.01``, ``1e+06``; an integer bound in full."""
    if integer and float(x).is_integer():
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def number_allowed(low: float = -math.inf, high: float = math.inf, integer: bool = False) -> str:
    """What :func:`is_number` allows, in words.

    >>> number_allowed(0, 1), number_allowed(low=0), number_allowed(2, 5, integer=True)
    ('a finite number in [0, 1]', 'a finite number >= 0', 'an integer in [2, 5]')
    """
    kind = "an integer" if integer else "a finite number"
    if math.isinf(low) and math.isinf(high):
        return kind
    lo, hi = _g(low, integer), _g(high, integer)
    if math.isinf(high):
        return f"{kind} >= {lo}"
    if math.isinf(low):
        return f"{kind} <= {hi}"
    return f"{kind} in [{lo}, {hi}]"


def is_number(
    value: object, low: float = -math.inf, high: float = math.inf, integer: bool = False
) -> TypeGuard[float]:
    """True if ``value`` is a finite number (an ``int`` if ``integer``) in [low, high].

    Booleans are not numbers; ``nan``, ``±inf`` and integers too large for a float are not
    finite.

    >>> is_number(0.5, 0, 1), is_number(float("nan")), is_number(float("inf")), is_number(True)
    (True, False, False, False)
    >>> is_number(10**400), is_number(3.0, integer=True)
    (False, False)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if integer and not isinstance(value, int):
        return False
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond the float range
        return False
    return finite and low <= value <= high


def check_number(
    file: str | Path, field: str, value: object, low: float = -math.inf, high: float = math.inf
) -> float:
    """``value`` as a float if it is a finite number in [low, high], else a ConfigError."""
    if not is_number(value, low, high):
        raise ConfigError(file, field, value, number_allowed(low, high))
    return float(value)


def check_integer(
    file: str | Path, field: str, value: object, low: float = 0, high: float = 10**9
) -> int:
    """``value`` if it is an integer in [low, high], else a ConfigError."""
    if not is_number(value, low, high, integer=True):
        raise ConfigError(file, field, value, number_allowed(low, high, integer=True))
    return int(value)


def check_finite(file: str | Path, field: str, value: object) -> object:
    """``value``, unless it is a float that is not finite: for values whose schema is checked
    later (a sweep's overrides), ``nan`` and ``inf`` are refused at once.

    >>> check_finite("s.toml", "factors.x", "text")
    'text'
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(file, field, value, "a finite number")
    return value


def check_name(file: str | Path, field: str, value: object) -> str:
    """A name that becomes a folder: non-empty, at most :data:`MAX_NAME` characters, no
    slashes, control characters or leading dot.

    >>> check_name("s.toml", "name", "walk_away_grid")
    'walk_away_grid'
    """
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_NAME
        or value[0] == "."
        or any(c in NAME_FORBIDDEN for c in value)
        or not value.isprintable()
    ):
        raise ConfigError(
            file,
            field,
            value,
            f"a name of 1 to {MAX_NAME} printable characters, without slashes or a leading dot",
        )
    return value


# --- files --------------------------------------------------------------------------------


def read_text(path: str | Path, *, limit: int, kind: str = "file") -> str:
    """The UTF-8 text of a file of at most ``limit`` bytes, or a one-line ConfigError naming
    it: missing, a directory, unreadable, too large or not UTF-8. ``kind`` names what the file
    should be, without an article ("TOML file")."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(p, "(file)", MISSING, f"an existing {kind}") from None
    except IsADirectoryError:
        raise ConfigError(p, "(file)", Described("a directory"), f"a {kind}") from None
    except PermissionError:
        raise ConfigError(
            p, "(file)", Described("unreadable (permission denied)"), f"a {kind} negsim may read"
        ) from None
    except (OSError, ValueError) as exc:  # a NUL in the name, a name too long, an I/O error
        why = getattr(exc, "strerror", None) or "not a usable file name"
        raise ConfigError(p, "(file)", Described(f"unreadable ({why})"), f"a {kind}") from None
    if len(data) > limit:
        size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit} bytes"
        raise ConfigError(
            p, "(file)", Described(f"larger than {size}"), f"a {kind} of {size} at most"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            p,
            "(encoding)",
            Described(f"a byte that is not UTF-8 at offset {exc.start}"),
            f"a {kind} in UTF-8",
        ) from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file (see :func:`read_text` for what is refused, and :func:`parse_toml`)."""
    return parse_toml(read_text(path, limit=MAX_TOML_BYTES, kind="TOML file"), path)


#: Messages of tomllib that quote the document, and what an error line says instead.
_TOML_QUOTING = {
    "Found invalid character": "an invalid character",
    "Illegal character": "an illegal character",
    "Cannot declare": "a key declared twice",
    "Cannot mutate immutable namespace": "a change to an inline table or array",
    "Cannot redefine namespace": "a table defined twice",
    "Duplicate inline table key": "a key repeated in an inline table",
}


def parse_toml(text: str, file: str | Path) -> dict[str, Any]:
    """Parse TOML ``text`` read from ``file``; syntax errors say where, not what the file holds.

    >>> parse_toml("a = [1, 2]", "x.toml")
    {'a': [1, 2]}
    >>> parse_toml('TOKEN = "s3cr3t', "x.toml")
    Traceback (most recent call last):
    ...
    negsim.config.ConfigError: x.toml: (syntax) = Unterminated string, at end of document \
is not allowed; allowed: valid TOML
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "(syntax)", _syntax(str(exc)), "valid TOML") from None
    except RecursionError:
        raise ConfigError(file, "(nesting)", _too_deep(), _nesting()) from None
    check_nesting(file, data)
    return data


def _syntax(message: str) -> Described:
    """A TOML error message without any fragment of the document."""
    what, _, where = message.partition(" (")
    where = where.removesuffix(")")
    for prefix, said in _TOML_QUOTING.items():
        if what.startswith(prefix):
            what = said
    if re.search(r"'[^']{2,}'|\"", what):  # anything else that quotes: say nothing of it
        what = "invalid TOML"
    return Described(f"{what}, {where}" if where else what)


def _nesting() -> str:
    return f"arrays and tables nested at most {MAX_NESTING} levels deep"


def _too_deep() -> Described:
    return Described(f"more than {MAX_NESTING} levels")


def check_nesting(file: str | Path, data: object) -> None:
    """A ConfigError if arrays and tables in ``data`` nest deeper than :data:`MAX_NESTING`
    (checked without recursion, so any depth is safe to check)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ConfigError(file, "(nesting)", _too_deep(), _nesting())
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


# --- tables -------------------------------------------------------------------------------


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
        """Reject keys outside ``allowed`` (naming the key, not showing its value)."""
        allowed = list(allowed)
        for key in self.table:
            if key not in allowed:
                raise self.error(str(key), HIDDEN, f"known keys {allowed}")

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        low: float = -math.inf,
        high: float = math.inf,
    ) -> float:
        """A finite real number in [low, high] (:func:`check_number`)."""
        value = self.table.get(key, MISSING if default is None else default)
        return check_number(self.file, self.name(key), value, low, high)

    def integer(
        self, key: str, default: int | None = None, *, low: int = 0, high: int = 10**9
    ) -> int:
        """An integer in [low, high] (:func:`check_integer`)."""
        value = self.table.get(key, MISSING if default is None else default)
        return check_integer(self.file, self.name(key), value, low, high)

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str:
        """One of ``choices``."""
        choices = list(choices)
        value = self.table.get(key, MISSING if default is None else default)
        if value not in choices:
            raise self.error(key, value, f"one of {choices}")
        return str(value)

    def sub(self, key: str, default: object = MISSING) -> Fields:
        """A nested table."""
        return Fields(self.file, self.name(key), self.table.get(key, default))
