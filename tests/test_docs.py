"""The documentation: the site builds with warnings as errors, and what it shows is true."""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import negsim

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
_PYCON = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_site_builds_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds, and the generated tables name every column."""
    if not (ROOT / "build" / "source-tree" / "negsim").exists():  # setup.sh lays it out
        _tool("source_tree").build()
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NEGSIM_DOCS_EXECUTE": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    from negsim.world.metrics import ALLIANCE_COLUMNS, METRICS

    outputs = (site / "outputs.html").read_text(encoding="utf-8")
    for name in [*ALLIANCE_COLUMNS, *METRICS]:
        assert f"<code>{name}</code>" in outputs, name
    claims = (site / "claims.html").read_text(encoding="utf-8")
    assert all(f"<code>{name}</code>" in claims for name in negsim.list_claims())
    tutorial = (site / "tutorial.html").read_text(encoding="utf-8")
    assert "negsim.run_world" in tutorial and not re.search(r'href="[^"]+\.md[#"]', tutorial)


def _examples(path: Path) -> str:
    return "\n".join(block for block in _PYCON.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "path", [ROOT / "README.md", *(p for p in PAGES if "```pycon" in p.read_text())], ids=str
)
def test_markdown_examples_print_what_they_show(path: Path) -> None:
    """The ```pycon examples of the README and the docs pages run and print what they show."""
    text = _examples(path)
    test = doctest.DocTestParser().get_doctest(text, {}, path.name, str(path), 0)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    runner.run(test)
    failed, tried = runner.summarize(verbose=False)
    assert tried > 0 and failed == 0, f"{failed} example(s) failed in {path.name} (output above)"


@pytest.mark.parametrize("name", ["docs_hooks", "griffe_roles"])
def test_docs_tools_examples(name: str) -> None:
    """The documentation tools' docstring examples hold."""
    module = _tool(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_every_negotiation_result_key_is_documented() -> None:
    """The negotiation page's table lists every key of `negsim.negotiate`'s result."""
    result = negsim.negotiate("contract_example", seed=0, pareto=True)
    page = (ROOT / "docs" / "negotiation.md").read_text(encoding="utf-8")
    for key in [*result, *result["analysis"]]:
        assert f"`{key}`" in page, key


def test_every_table_marker_is_known_and_every_page_is_in_the_nav() -> None:
    """Pages ask only for tables the hook renders; every page is reachable from the nav."""
    hooks = _tool("docs_hooks")
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        assert set(hooks.MARKER.findall(page.read_text(encoding="utf-8"))) <= set(hooks.TABLES)
        assert page.name in nav, page.name


def test_readme_links_point_at_files() -> None:
    """Every relative link in the README names a file of the repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [link for link in links if "://" not in link]
    assert local
    for link in local:
        assert (ROOT / link).exists(), link
