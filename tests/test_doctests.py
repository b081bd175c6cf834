"""The docstring examples of every negsim module, run as tests (as installed: ``negsim.*``)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import negsim


def _modules() -> list[str]:
    names = [negsim.__name__]
    for info in pkgutil.walk_packages(negsim.__path__, prefix="negsim."):
        if not info.name.endswith(".__main__"):  # running it is the command line
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    """Every example in the module's docstrings prints what it shows."""
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, name):
        runner.run(test)
    failed, _ = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} docstring example(s) failed in {name} (output above)"
