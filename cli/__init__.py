"""The ``negsim`` command line: a thin typer layer over the Python API, one module per group.

* :mod:`negsim.cli.negotiation` — ``negotiate``, ``strategies``, ``demo``, ``tournament``
* :mod:`negsim.cli.world` — ``run``, ``scenarios``
* :mod:`negsim.cli.runner` — ``sweep``, ``claims``, ``claim``, ``report``, ``sensitivity``
* :mod:`negsim.cli.viz` — ``viz``

Bad input is reported as one line on stderr, naming the file, the field, the bad value and what
is allowed, with exit code 2 and no traceback (:func:`negsim.cli.app.clean_errors`).
"""

from __future__ import annotations

# isort: off
# Commands are listed in `negsim --help` in the order their modules register them: the core,
# the world, the runner, the visualiser.
from negsim.cli.app import app
from negsim.cli import negotiation
from negsim.cli import world
from negsim.cli import runner
from negsim.cli import viz

# isort: on

__all__ = ["app", "main", "negotiation", "runner", "viz", "world"]


def main() -> None:  # pragma: no cover - console entry point
    """The ``negsim`` console script and ``python -m negsim``."""
    app()
