"""A griffe extension for the API reference: read negsim's docstrings as the code means them.

negsim's docstrings follow two Sphinx habits that griffe (which reads Markdown) does not know:

* cross-references written as roles, ``:func:`negsim.negotiate``` or ``:data:`~x.METRICS```:
  turned into optional autorefs, links where the target is documented and plain code
  elsewhere (never a broken-link warning). A name without a ``negsim.`` prefix is looked up in
  the module that holds the docstring.
* module attributes documented by ``#:`` comments above them (``METRICS``, ``CAUSES``, …):
  the comment becomes the attribute's docstring, so the reference lists them.
* a literal block announced by a paragraph ending in ``::`` (the indented block after it
  already reads as code in Markdown): the ``::`` becomes ``:``.

Loaded by ``mkdocs.yml`` (the mkdocstrings handler's ``extensions``).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|data|mod|meth|attr|exc|obj):`(~?)([^`<>]+)`")
_LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)


def convert_roles(text: str, module: str, resolve: Callable[[str], str] = str) -> str:
    """Sphinx roles in ``text`` as optional autorefs (links where the target is documented).

    ``resolve`` maps an identifier to the one it is documented under (an alias's target).

    Examples:
        >>> convert_roles(":func:`~negsim.world.run.run_world`", "negsim")
        '<autoref identifier="negsim.world.run.run_world" optional><code>run_world</code></autoref>'
        >>> convert_roles(":data:`METRICS`", "negsim.world.metrics")  # doctest: +ELLIPSIS
        '<autoref identifier="negsim.world.metrics.METRICS" optional>...</autoref>'
    """

    def replace(match: re.Match[str]) -> str:
        short, name = match.group(1), match.group(2).strip()
        if name.startswith("negsim"):
            identifier = name
        elif name[:1].isupper() or "." not in name:
            identifier = f"{module}.{name}"  # a name of this module (or a class's member)
        else:
            identifier = name  # another package (scipy.stats.bootstrap): stays plain code
        title = name.rsplit(".", 1)[-1] if short else name
        return (
            f'<autoref identifier="{html.escape(resolve(identifier))}" optional>'
            f"<code>{html.escape(title)}</code></autoref>"
        )

    return _ROLE.sub(replace, text)


@functools.cache
def _lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def comment_docstring(lines: list[str], lineno: int) -> str:
    """The ``#:`` comment lines right above line ``lineno`` (1-based), joined; "" if none.

    Examples:
        >>> comment_docstring(["#: What it is,", "#: in two lines.", "X = 1"], 3)
        'What it is,\\nin two lines.'
    """
    found: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].lstrip().startswith("#:"):
        found.append(lines[i].lstrip()[2:].strip())
        i -= 1
    return "\n".join(reversed(found))


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and every object defined in it (aliases are documented where they point)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            yield from _objects(member)


class SphinxHabits(griffe.Extension):
    """``#:`` comments become attribute docstrings; roles and ``::`` become Markdown."""

    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        """Called for every object griffe loads: read its ``#:`` comment."""
        if obj.is_attribute and obj.docstring is None and obj.lineno and obj.filepath:
            path = obj.filepath if isinstance(obj.filepath, Path) else obj.filepath[0]
            text = comment_docstring(_lines(str(path)), obj.lineno)
            if text:
                obj.docstring = griffe.Docstring(text, lineno=obj.lineno, parent=obj)

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Called once the package is loaded: rewrite every docstring, resolving aliases."""

        def resolve(identifier: str) -> str:
            try:
                found = loader.modules_collection[identifier]
            except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                return identifier
            return str(found.target_path) if found.is_alias else identifier

        for obj in _objects(pkg):
            if obj.docstring is not None:
                text = _LITERAL.sub(":", obj.docstring.value)
                obj.docstring.value = convert_roles(text, obj.module.path, resolve)
