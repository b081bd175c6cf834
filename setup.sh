#!/usr/bin/env bash
# One-step set-up: a virtual environment in .venv holding negsim and its development tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
    # .python-version selects 3.12 under pyenv; plain python3.12 / 3.13 also do.
    for candidate in python3 python3.12 python3.13; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    python=$(find_python) || {
        echo "setup.sh: negsim needs Python >= 3.12 (with pyenv: pyenv install 3.12)" >&2
        exit 1
    }
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
# Solara's page loads its JavaScript and CSS from a CDN at run time; install the exact versions
# the installed Solara asks for from the npm registry, so the visualiser works offline.
.venv/bin/python tools/solara_offline.py
# mypy reads files: lay the package out as installed (links into simulator/, experiments/, …).
.venv/bin/python tools/source_tree.py
