"""Lay out ``negsim`` as it is installed, as symlinks into the source folders.

negsim's one import package is assembled from the design card's folders by setuptools'
``package-dir`` (``negsim`` is ``simulator/``, ``negsim.experiments`` is ``experiments/``, …).
An editable install finds them through an import hook, which tools that read files rather
than import them (mypy, IDEs) cannot follow. This script builds ``build/source-tree/negsim``:
every entry of ``simulator/`` and every mapped sub-package, linked (relative links, so a moved
clone keeps working). ``pyproject.toml``'s ``mypy_path`` points there. Run by ``setup.sh``;
safe to run again.

    python tools/source_tree.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "source-tree"


def package_dirs() -> dict[str, str]:
    """``package-dir`` from pyproject.toml: import name → source folder."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = data["tool"]["setuptools"]["package-dir"]
    return mapping


def build(tree: Path = TREE) -> Path:
    """(Re)build the tree; returns the folder holding ``negsim``."""
    mapping = package_dirs()
    top = tree / "negsim"
    if tree.exists():
        shutil.rmtree(tree)
    top.mkdir(parents=True)
    mapped = {name.split(".")[1]: folder for name, folder in mapping.items() if "." in name}
    for entry in sorted((ROOT / mapping["negsim"]).iterdir()):
        if entry.name == "__pycache__" or entry.name in mapped:
            continue
        _link(entry, top / entry.name)
    for name, folder in mapped.items():
        _link(ROOT / folder, top / name)
    return tree


def _link(target: Path, link: Path) -> None:
    link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=target.is_dir())


if __name__ == "__main__":
    print(f"source_tree: {build().relative_to(ROOT)}/negsim", file=sys.stderr)
