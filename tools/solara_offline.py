"""Install the front-end assets the installed Solara fetches from a CDN, so pages work offline.

Solara's server proxies every front-end asset through ``/_solara/cdn/PATH``: it serves
``PATH`` from its proxy cache directory (``solara.server.settings.assets.proxy_cache_dir``,
by default ``<venv>/share/solara/cdn``) and, on a miss, downloads it from
``https://cdn.jsdelivr.net/npm/PATH`` and keeps it there. jsDelivr's ``/npm/`` paths are files
of npm packages (``NAME@VERSION/FILE``), so with no internet the cache can be filled ahead of
time from the npm registry: ``npm pack NAME@VERSION``, unpacked into ``<cache>/NAME@VERSION/``.

The packages are read from the installed Solara's own sources (its page template, its Vue
widgets and its settings), so a Solara upgrade brings its own list. Each unpacked package
carries a marker file; a package whose marker is present is left alone, so running this again
does nothing.

Usage::

    python tools/solara_offline.py            # install what is missing (needs npm)
    python tools/solara_offline.py --check    # exit 1, naming what is missing (no network)
    python tools/solara_offline.py --list     # print the packages the installed Solara needs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Importing solara.server.settings reads the telemetry setting; keep it off here too.
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

#: Marker written into each unpacked package: what was packed and from which tarball.
MARKER = ".negsim-offline.json"

# A CDN reference in Solara's sources: the cdn prefix (Jinja ``{{cdn}}``, Vue
# ``${this.getCdn()}``, an f-string ``{cdn}``) followed by ``/NAME@VERSION/``. NAME may be
# scoped (@scope/name); VERSION may be exact (10.1.1, 2.3.13-alpha.2) or a range (5).
_REFERENCE = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|\{cdn\})"
    r"/((?:@[a-z0-9._-]+/)?[a-z0-9._-]+@[0-9][0-9a-z.+-]*)/",
    re.IGNORECASE,
)
_SOURCE_SUFFIXES = {".py", ".vue", ".js", ".j2", ".html"}


def solara_root() -> Path:
    """The installed ``solara`` package folder."""
    import solara

    return Path(solara.__file__).parent


def cache_dir() -> Path:
    """Where Solara's server looks for proxied CDN files (honours SOLARA_ASSETS_PROXY_CACHE_DIR)."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def uses_vue3() -> bool:
    """Whether the installed ipyvue is 3.x: Solara then loads its Vuetify 3 app instead."""
    import ipyvue

    return str(ipyvue.__version__).startswith("3")


def required_packages() -> list[str]:
    """``NAME@VERSION`` of every npm package the installed Solara may fetch, sorted."""
    root = solara_root()
    specs: set[str] = set()
    for path in root.rglob("*"):
        if path.suffix not in _SOURCE_SUFFIXES or "website" in path.relative_to(root).parts:
            continue
        specs.update(_REFERENCE.findall(path.read_text(encoding="utf-8", errors="replace")))
    import solara.server.settings as settings

    # The icon font's path is a setting, not a template literal.
    specs.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    # The page loads one of two application bundles, chosen by the ipyvue major version.
    unused = "solara-vuetify-app@" if uses_vue3() else "solara-vuetify3-app@"
    return sorted(s for s in specs if unused not in s)


def missing(cache: Path, specs: list[str]) -> list[str]:
    """The packages in ``specs`` not yet unpacked (with their marker) under ``cache``."""
    return [s for s in specs if not (cache / s / MARKER).is_file()]


def _strip_top(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Members with the tarball's top folder (``package/`` for npm) removed from their names."""
    members = []
    for member in tar.getmembers():
        _, _, rest = member.name.partition("/")
        if rest and (member.isfile() or member.isdir()):
            member.name = rest
            members.append(member)
    return members


def install(cache: Path, spec: str, workdir: Path) -> str:
    """``npm pack`` one package into ``workdir`` and unpack it as ``cache/spec``; its version."""
    packed = subprocess.run(
        ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(packed.stdout)[0]
    target = cache / spec
    target.parent.mkdir(parents=True, exist_ok=True)
    # Unpack beside the target and rename, so the server never sees half a package.
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        with tarfile.open(workdir / info["filename"]) as tar:
            tar.extractall(staging, members=_strip_top(tar), filter="data")
        marker = {"spec": spec, "id": info["id"], "integrity": info.get("integrity")}
        (staging / MARKER).write_text(json.dumps(marker, indent=1) + "\n")
        if target.exists():  # files Solara cached from the CDN earlier: same content, replace
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(info["version"])


def main(argv: list[str] | None = None) -> int:
    """Command line: install (default), ``--check`` or ``--list``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report what is missing")
    parser.add_argument("--list", action="store_true", help="print the needed packages")
    args = parser.parse_args(argv)
    specs = required_packages()
    cache = cache_dir()
    if args.list:
        print("\n".join(specs))
        return 0
    todo = missing(cache, specs)
    if args.check:
        for spec in todo:
            print(f"solara_offline: missing {cache / spec}", file=sys.stderr)
        return 1 if todo else 0
    if todo and shutil.which("npm") is None:
        print("solara_offline: npm is needed to fetch " + ", ".join(todo), file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        for spec in todo:
            version = install(cache, spec, Path(work))
            print(f"solara_offline: {spec} -> {cache / spec} ({version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
