"""The documentation: the site builds with warnings as errors, and what it shows is true."""

from __future__ import annotations

import difflib
import doctest
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import negsim

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"
#: The one command that re-runs the tutorial and stores its outputs (no timings recorded).
REFRESH_TUTORIAL = (
    ".venv/bin/jupyter nbconvert --to notebook --execute --inplace "
    "--ExecutePreprocessor.record_timing=False docs/tutorial.ipynb"
)
_PYCON = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_site_builds_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds; the tables name every column; the tutorial has outputs."""
    if not (ROOT / "build" / "source-tree" / "negsim").exists():  # setup.sh lays it out
        _tool("source_tree").build()
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
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
    assert "data:image/png;base64," in tutorial and "<td>" in tutorial  # the plot, the tables


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


@pytest.mark.parametrize("name", ["docs_blocks", "docs_hooks", "griffe_roles"])
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


def test_generated_blocks_are_fresh() -> None:
    """Every generated block of the README and the docs pages is what the code writes now."""
    blocks = _tool("docs_blocks")
    stale = blocks.stale()  # raises on an unknown or unclosed marker, naming the file
    diffs = [
        "".join(
            difflib.unified_diff(
                path.read_text(encoding="utf-8").splitlines(keepends=True),
                fresh.splitlines(keepends=True),
                str(path.relative_to(ROOT)),
                "fresh",
                n=1,
            )
        )[:2000]
        for path, fresh in stale.items()
    ]
    assert not stale, f"stale generated blocks; refresh them with {blocks.COMMAND}\n" + "\n".join(
        diffs
    )


def test_every_page_is_in_the_nav() -> None:
    """Every page is reachable from the site's navigation."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        assert page.name in nav, page.name


@pytest.mark.parametrize("path", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_dotted_names_in_the_docs_exist(path: Path) -> None:
    """Every `negsim.…` name a page quotes in code imports (a moved table names its new home)."""
    for dotted in sorted(set(re.findall(r"`(negsim(?:\.\w+)+)", path.read_text()))):
        module, attrs = dotted, []
        while True:  # the longest importable prefix, then attributes
            try:
                obj = importlib.import_module(module)
                break
            except ModuleNotFoundError:
                module, _, attr = module.rpartition(".")
                attrs.insert(0, attr)
        for attr in attrs:
            assert hasattr(obj, attr), f"{path.name}: {dotted} does not exist"
            obj = getattr(obj, attr)


def _outputs(notebook: dict[str, Any]) -> list[list[str]]:
    """Each code cell's outputs as text (images by their kind), numbers to 6 digits."""

    def text(output: dict[str, Any]) -> str:
        data = output.get("data", {})
        body = "".join(output.get("text", "")) + "".join(data.get("text/plain", ""))
        body = re.sub(r"\d+\.\d+(?:e[-+]?\d+)?", lambda m: f"{float(m[0]):.6g}", body)
        return " ".join(sorted(k for k in data if k.startswith("image/"))) + body

    return [[text(o) for o in c["outputs"]] for c in notebook["cells"] if c["cell_type"] == "code"]


def test_tutorial_is_committed_with_its_outputs() -> None:
    """The tutorial is stored run top to bottom, plot included, with nothing machine-specific."""
    notebook = json.loads(TUTORIAL.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    hint = f"refresh the tutorial with {REFRESH_TUTORIAL}"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), hint
    assert not any("execution" in c["metadata"] for c in code), f"timings stored; {hint}"
    text = "\n".join("\n".join(cell) for cell in _outputs(notebook))
    assert "image/png" in text and "failure_rate" in text
    for volatile in (r"/tmp/|negsim-tutorial-", r"0x[0-9a-f]{6,}", r"\d+(\.\d+)? ?(ms|µs)\b"):
        assert not re.search(volatile, text), volatile
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])


@pytest.mark.slow
def test_tutorial_outputs_are_fresh(tmp_path: Path) -> None:
    """Run now, the tutorial prints what it stores (nbmake runs it too, but compares nothing)."""
    import nbclient
    import nbformat

    notebook = nbformat.read(TUTORIAL, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    stored = json.loads(TUTORIAL.read_text(encoding="utf-8"))
    fresh = json.loads(nbformat.writes(notebook))
    assert _outputs(fresh) == _outputs(stored), f"refresh the tutorial with {REFRESH_TUTORIAL}"


def test_readme_links_point_at_files() -> None:
    """Every relative link in the README names a file of the repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [link for link in links if "://" not in link]
    assert local
    for link in local:
        assert (ROOT / link).exists(), link
