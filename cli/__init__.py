"""The ``negsim`` command line: a thin typer layer over the Python API, one module per group.

* :mod:`negsim.cli.negotiation` — ``negotiate``, ``strategies``, ``demo``, ``tournament``
* :mod:`negsim.cli.world` — ``run``, ``scenarios``
* :mod:`negsim.cli.runner` — ``sweep``, ``claims``, ``claim``, ``report``, ``sensitivity``
* :mod:`negsim.cli.viz` — ``viz``

Bad input is reported as one line on stderr, naming the file, the field, the bad value and what
is allowed, with exit code 2 and no traceback (:func:`negsim.cli.app.clean_errors`).
"""

from __future__ import annotations

from negsim.cli import negotiation, runner, viz, world
from negsim.cli.app import app

__all__ = ["app", "main", "negotiation", "runner", "viz", "world"]


def main() -> None:  # pragma: no cover - console entry point
    """The ``negsim`` console script and ``python -m negsim``."""
    app()
