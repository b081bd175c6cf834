"""negsim as an installed wheel: pyproject.toml lists every package and data file, and the
front end works from a clean virtual environment in a folder far from the repository."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import negsim
from negsim import provenance
from negsim.experiments.claim import VERDICTS
from negsim.experiments.demo import run_demo
from negsim.experiments.store import load_runs
from negsim.experiments.sweep import load_sweep
from negsim.world.run import run_world
from tests.conftest import ROOT

PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS: dict[str, Any] = PYPROJECT["tool"]["setuptools"]
#: Import name → source folder: ``negsim`` is ``simulator/``, ``negsim.cli`` is ``cli/``, …
PACKAGE_DIR: dict[str, str] = SETUPTOOLS["package-dir"]
#: Top-level names a wheel install must not add: the source folders and the test suite.
FOREIGN = {"simulator", "experiments", "scenarios", "cli", "tests"}
#: Environment variables through which a child Python could reach the repository.
LEAKS = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV"}
#: Seconds for one negsim command (the claim takes ~20 s on a quiet machine; this one is shared).
COMMAND_TIMEOUT = 600
#: Seconds for ``pip install`` of the wheel: every dependency comes from the pip cache or PyPI.
INSTALL_TIMEOUT = 1800

#: Run in the clean venv: what ``import negsim`` finds, and whether the source folders import.
PROBE = """
import importlib.util, json, sys
import negsim
import negsim.viz.app  # what `negsim viz` serves: Solara and the widgets must be installed
print(json.dumps({
    "file": negsim.__file__,
    "version": negsim.__version__,
    "foreign": sorted(n for n in sys.argv[1:] if importlib.util.find_spec(n) is not None),
    "path": sys.path,
}))
"""


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def call(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = COMMAND_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a command; it must exit 0 (else the end of its output is shown)."""
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    command = " ".join(str(a) for a in args)
    tail = proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == 0, f"{command}: exit {proc.returncode}\n{tail}"
    return proc


def source_files() -> dict[str, Path]:
    """Every file of the mapped source folders, by its path as installed (``negsim/…``)."""
    files = {}
    for name, folder in PACKAGE_DIR.items():
        base = ROOT / folder
        for path in base.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(base).as_posix()
                files[f"{name.replace('.', '/')}/{rel}"] = path
    return files


def owning_package(installed: str) -> tuple[str, str]:
    """The listed package holding an installed file, and the file's path inside it."""
    folders = {p.replace(".", "/") + "/": p for p in SETUPTOOLS["packages"]}
    prefix = max((f for f in folders if installed.startswith(f)), key=len)
    return folders[prefix], installed.removeprefix(prefix)


def matches(rel: str, pattern: str) -> bool:
    """A setuptools package-data glob: ``*`` stays inside one folder."""
    path, glob = PurePosixPath(rel), PurePosixPath(pattern)
    return len(path.parts) == len(glob.parts) and path.match(pattern)


# --- pyproject.toml against the source tree (fast) --------------------------------------------
def test_packages_list_every_package_folder() -> None:
    """`packages` names every folder holding an __init__.py under the mapped source folders."""
    on_disk = {
        installed.removesuffix("/__init__.py").replace("/", ".")
        for installed in source_files()
        if installed.endswith("/__init__.py")
    }
    assert sorted(SETUPTOOLS["packages"]) == sorted(on_disk)


def test_no_python_file_lies_outside_a_package() -> None:
    """Every folder holding Python code has an __init__.py, so no module is left out."""
    loose = sorted(
        str(path.relative_to(ROOT))
        for path in source_files().values()
        if path.suffix == ".py" and not (path.parent / "__init__.py").is_file()
    )
    assert loose == []


def test_package_data_ships_every_toml() -> None:
    """Each .toml under the mapped folders matches a package-data glob of its package."""
    data: dict[str, list[str]] = SETUPTOOLS["package-data"]
    tomls = {k: v for k, v in source_files().items() if v.suffix == ".toml"}
    missing = []
    for installed in tomls:
        package, rel = owning_package(installed)
        if not any(matches(rel, glob) for glob in data.get(package, [])):
            missing.append(installed)
    assert missing == []
    # the check is not vacuous: the four folders of shipped files are among those covered
    folders = {path.parent for path in tomls.values()}
    for sub in ("scenarios", "scenarios/negotiations", "experiments/claims", "experiments/sweeps"):
        assert ROOT / sub in folders


def test_the_linked_source_tree_is_current() -> None:
    """build/source-tree (what mypy and the API reference read) links every entry of the
    package's folders: a module added since setup.sh ran would be skipped silently."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import source_tree
    finally:
        sys.path.pop(0)
    top = source_tree.TREE / "negsim"
    expected = {
        entry.name for entry in (ROOT / "simulator").iterdir() if entry.name != "__pycache__"
    } | {name.split(".")[1] for name in SETUPTOOLS["package-dir"] if "." in name}
    linked = {entry.name for entry in top.iterdir()} if top.is_dir() else set()
    assert linked == expected, "run `.venv/bin/python tools/source_tree.py` (setup.sh does)"


def test_source_commit_in_the_checkout() -> None:
    """Run from its own clone, negsim records the clone's HEAD (``+dirty`` if edited)."""
    head = call("git", "rev-parse", "HEAD", cwd=ROOT).stdout.strip()
    commit = provenance.source_commit()
    assert commit is not None and re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit)
    assert commit.removesuffix("+dirty") == head


# --- the wheel, installed into a clean venv inside someone else's repository (slow) -----------
@dataclasses.dataclass(frozen=True, kw_only=True)
class Installed:
    """A wheel of this checkout installed into a clean venv, and how to run its commands."""

    wheel: Path
    host: Path  # a git repository of its own, holding the venv
    venv: Path
    site: Path  # the venv's site-packages
    env: dict[str, str]

    def run(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the venv's ``ARGS[0]`` in ``cwd``; it must exit 0 and write nothing to stderr."""
        assert not _inside(cwd, ROOT), "commands must run outside the repository"
        proc = call(self.venv / "bin" / args[0], *args[1:], cwd=cwd, env=self.env)
        assert proc.stderr == "", f"{' '.join(args)} wrote to stderr:\n{proc.stderr}"
        return proc


def build_wheel(tmp: Path) -> Path:
    """The wheel of this checkout, built from a copy of what the build reads.

    Building in a copy leaves the checkout as it was: setuptools writes ``build/lib`` and
    ``negsim.egg-info`` beside pyproject.toml, and a ``build/lib`` left by an earlier build
    would slip modules deleted since into the wheel (``build/source-tree`` is mypy's).
    """
    src = tmp / "src"
    src.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", src)
    shutil.copy2(ROOT / PYPROJECT["project"]["readme"], src)
    for folder in PACKAGE_DIR.values():
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # build isolation: the dev venv holds no setuptools; pip fetches it like any user's pip
    call(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", src)
    (wheel,) = (tmp / "dist").glob("negsim-*.whl")
    return wheel


def host_repository(host: Path) -> Path:
    """A git repository with one commit: a user's project, in which the venv will sit."""
    host.mkdir()
    git = ("git", "-c", "user.name=negsim tests", "-c", "user.email=tests@negsim.invalid")
    call(*git, "init", "--quiet", cwd=host)
    (host / "README.md").write_text("a project that uses negsim\n", encoding="utf-8")
    call(*git, "add", "README.md", cwd=host)
    call(*git, "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "start", cwd=host)
    return host


def clean_env(venv: Path) -> dict[str, str]:
    """This process's environment minus every way back into the repository, venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKS and not k.startswith("NEGSIM_")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not _inside(Path(p), ROOT)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONNOUSERSITE"] = "1"  # a user site-packages could supply what the wheel lacks
    # the install skips compiling 1 GB of dependencies up front (most of its CPU): the commands
    # write bytecode for what they import, once
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def constraints(dest: Path) -> Path:
    """The versions this suite runs against, as a pip constraints file.

    The wheel is then tested with the dependencies the rest of the suite used, so a new
    upstream release shows in every test at once rather than only here, and a run of the
    installed package can be compared with a run in this process.
    """
    pins = {
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in metadata.distributions()
        if dist.metadata["Name"] and dist.metadata["Name"].lower() != "negsim"
    }
    dest.write_text("".join(f"{pin}\n" for pin in sorted(pins)), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """Build the wheel, make a git repository with a clean venv in it, pip install the wheel."""
    tmp = tmp_path_factory.mktemp("packaging")
    assert not _inside(tmp, ROOT)
    wheel = build_wheel(tmp)
    host = host_repository(tmp / "host")
    venv = host / ".venv"
    call(sys.executable, "-m", "venv", venv)  # no --system-site-packages: nothing but pip
    env = clean_env(venv)
    pins = constraints(tmp / "constraints.txt")
    pip = (venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile")
    call(*pip, "-c", pins, wheel, env=env, timeout=INSTALL_TIMEOUT)
    (site,) = venv.glob("lib/python*/site-packages")
    yield Installed(wheel=wheel, host=host, venv=venv, site=site, env=env)
    # pytest keeps the last three runs' temporary folders: keep the wheel, not a 1 GB venv
    shutil.rmtree(venv, ignore_errors=True)


@pytest.mark.slow
def test_the_wheel_holds_one_package(installed: Installed) -> None:
    """The wheel holds `negsim` (every module and data file of the checkout) and its metadata."""
    dist_info = f"negsim-{negsim.__version__}.dist-info"
    assert installed.wheel.name == f"negsim-{negsim.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        top_level = wheel.read(f"{dist_info}/top_level.txt").decode().split()
    assert {name.split("/")[0] for name in names} == {"negsim", dist_info}
    assert top_level == ["negsim"]
    expected = {
        installed_name
        for installed_name, path in source_files().items()
        if path.suffix in {".py", ".toml"} or path.name == "py.typed"
    }
    assert sorted(n for n in names if n.startswith("negsim/")) == sorted(expected)


@pytest.mark.slow
def test_site_packages_holds_negsim_and_no_source_folder(installed: Installed) -> None:
    """The install adds `negsim`, its dist-info and script; nothing named like a source folder."""
    record = installed.site / f"negsim-{negsim.__version__}.dist-info" / "RECORD"
    paths = [line.split(",")[0] for line in record.read_text(encoding="utf-8").splitlines()]
    inside = {p.split("/")[0] for p in paths if not p.startswith("../")}
    outside = sorted(p for p in paths if p.startswith("../"))
    assert inside == {"negsim", record.parent.name}
    assert [Path(p).name for p in outside] == ["negsim"]  # the console script, in bin/
    entries = {entry.name for entry in installed.site.iterdir()}
    entries |= {entry.stem for entry in installed.site.iterdir()}  # simulator.py, cli.pth, …
    assert "negsim" in entries
    assert entries & FOREIGN == set()


@pytest.mark.slow
def test_import_negsim_from_the_venv_not_the_repo(installed: Installed, tmp_path: Path) -> None:
    """`python -c "import negsim"` loads the installed copy; no source folder is importable."""
    proc = installed.run(tmp_path, "python", "-c", PROBE, *sorted(FOREIGN))
    found = json.loads(proc.stdout)
    assert Path(found["file"]).is_relative_to(installed.site)
    assert found["version"] == negsim.__version__
    assert found["foreign"] == []
    assert [p for p in found["path"] if p and _inside(Path(p), ROOT)] == []


@pytest.mark.slow
def test_version(installed: Installed, tmp_path: Path) -> None:
    """`negsim --version` and `python -m negsim --version` print the package's version."""
    expected = f"negsim {negsim.__version__}\n"
    assert installed.run(tmp_path, "negsim", "--version").stdout == expected
    assert installed.run(tmp_path, "python", "-m", "negsim", "--version").stdout == expected


@pytest.mark.slow
def test_scenarios_lists_the_shipped_scenarios(installed: Installed, tmp_path: Path) -> None:
    """`negsim scenarios` lists every scenario of the checkout, a line each."""
    lines = installed.run(tmp_path, "negsim", "scenarios").stdout.splitlines()
    listed = [line.split(":")[0] for line in lines]
    assert listed == sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert {"default", "classroom"} <= set(listed)


@pytest.mark.slow
def test_run_default_writes_results_here(installed: Installed, tmp_path: Path) -> None:
    """`negsim run default` writes here, matches the checkout's run, records no foreign commit."""
    out = json.loads(
        installed.run(tmp_path, "negsim", "run", "default", "--seed", "1", "--json").stdout
    )
    folder = tmp_path / out.pop("folder")
    assert folder.parent == tmp_path / "results" and folder.is_dir()
    assert out["scenario"] == "default" and out["seed"] == 1 and out["organisations"] > 0
    assert out["alliances_formed"] == out["alliances_ended"] + out["alliances_running"]
    assert 0 <= out["agreement_rate"] <= 1 and 0 <= out["failure_rate"] <= 1
    assert out == json.loads(json.dumps(run_world("default", seed=1).summary))
    for name in ("manifest.json", "timeseries.parquet", "alliances.parquet", "network.graphml"):
        assert (folder / name).is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"] == out
    assert manifest["negsim"] == negsim.__version__ and "negsim" not in manifest["versions"]
    # the venv does sit in a git work tree, so a commit is there to be (wrongly) found
    top = call("git", "rev-parse", "--show-toplevel", cwd=installed.site).stdout.strip()
    assert Path(top).resolve() == installed.host.resolve()
    assert manifest["git_commit"] is None


@pytest.mark.slow
def test_a_path_works_where_a_name_does(installed: Installed, tmp_path: Path) -> None:
    """`negsim run` takes a scenario file by path: the file's own values are run."""
    shipped = (ROOT / "scenarios" / "classroom.toml").read_text(encoding="utf-8")
    assert 'name = "classroom"' in shipped and "organisations = 20" in shipped
    mine = shipped.replace('name = "classroom"', 'name = "mine"')
    mine = mine.replace("organisations = 20", "organisations = 24")
    (tmp_path / "worlds").mkdir()
    (tmp_path / "worlds" / "mine.toml").write_text(mine, encoding="utf-8")
    out = json.loads(
        installed.run(tmp_path, "negsim", "run", "worlds/mine.toml", "--seed", "2", "--json").stdout
    )
    assert (out["scenario"], out["organisations"]) == ("mine", 24)
    assert (tmp_path / out["folder"] / "manifest.json").is_file()


@pytest.mark.slow
def test_claim_prints_a_verdict(installed: Installed, tmp_path: Path) -> None:
    """`negsim claim walk_away_leverage` (worker processes) gives a verdict on 10 replications
    in each of its three root seeds, with its placebo, here."""
    out = json.loads(
        installed.run(
            tmp_path, "negsim", "claim", "walk_away_leverage", "--replications", "10", "--json"
        ).stdout
    )
    assert out["claim"] == "walk_away_leverage" and out["n"] == 30
    assert out["verdict"] in VERDICTS and len(out["seeds"]) == 3
    assert out["placebo"]["n"] == 30 and out["unit"] == "organisation"
    assert out["ci"][0] <= out["effect"] <= out["ci"][1]
    assert (tmp_path / out["report"]).is_file()


@pytest.mark.slow
def test_sweep_writes_every_run(installed: Installed, tmp_path: Path) -> None:
    """`negsim sweep walk_away_grid` stores one row per run under the working folder."""
    args = ("walk_away_grid", "--replications", "1", "--executor", "inprocess", "--json")
    out = json.loads(installed.run(tmp_path, "negsim", "sweep", *args).stdout)
    runs = load_sweep("walk_away_grid", replications=1).n_runs
    assert (out["runs"], out["ran"], out["failed"]) == (runs, runs, 0)
    folder = tmp_path / out["folder"]
    assert folder.parent == tmp_path / "results"
    frame = load_runs(folder)
    assert len(frame) == runs and set(frame["status"]) == {"ok"}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [s["git_commit"] for s in manifest["sessions"]] == [None]


@pytest.mark.slow
def test_demo_shows_the_walk_away_table(installed: Installed, tmp_path: Path) -> None:
    """`negsim demo` prints what the checkout's demo prints, walk-away table included."""
    out = installed.run(tmp_path, "negsim", "demo").stdout
    assert "== walk-away leverage" in out
    assert out == run_demo(0) + "\n"
