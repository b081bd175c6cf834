"""Results folders on disk: checked before any work, errors naming the user's folder, the
temporaries of killed writers cleaned, no partial file on a full disk, the user's umask."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import negsim.experiments.folders as folders
from negsim.config import ConfigError
from negsim.experiments.folders import HOST, TEMP_ROOM, check_out, is_stale, temp_path
from negsim.experiments.runner import run_sweep
from negsim.experiments.store import Store
from negsim.experiments.sweep import load_sweep
from tests.conftest import ROOT, run_cli

NOOP_GRID = ROOT / "tests" / "data" / "sweeps" / "noop_grid.toml"
#: Each command that writes a results folder, with arguments that would write one quickly.
WRITERS = {
    "run": ("run", "classroom", "--seed", "1", "--until", "1"),
    "sweep": ("sweep", str(NOOP_GRID), "--executor", "inprocess", "--quiet"),
    "claim": ("claim", "walk_away_leverage", "--replications", "2", "--quiet"),
    "sensitivity": ("sensitivity", "trust_morris", "--executor", "inprocess", "--quiet"),
}


def _dead_pid() -> int:
    """The id of a process that has ended and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _temporary(parent: Path, target: str, pid: int, host: str = HOST) -> Path:
    """The name negsim gives a temporary of ``target`` written by process ``pid``."""
    return parent / f".{target}.negsim{pid}-{host}-0123abcd.tmp"


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test that sets it."""
    old = os.umask(0o022)
    os.umask(old)
    try:
        yield
    finally:
        os.umask(old)


# --- checked before any work ------------------------------------------------------------------

BAD_OUT = {
    "a file": lambda tmp: tmp / "file",
    "under a file": lambda tmp: tmp / "file" / "results",
    "a name too long": lambda tmp: tmp / ("x" * 256),
}


@pytest.mark.parametrize("where", BAD_OUT)
@pytest.mark.parametrize("command", WRITERS)
def test_a_bad_out_is_refused_before_any_work(
    cli: Any, tmp_path: Path, command: str, where: str
) -> None:
    """`--out` that is a file, lies under one or has a name the file system refuses: one line
    naming --out and the folder, exit 2, and nothing created or run."""
    (tmp_path / "file").write_text("mine")
    out = BAD_OUT[where](tmp_path)
    result = run_cli(cli, *WRITERS[command], "--out", str(out))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "--out" in result.stderr, result.stderr
    assert str(out) in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "mine"


def test_a_default_results_folder_that_is_a_file_is_refused_before_the_run(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --out or --seed the folder's name waits for the run; `results/` is checked first."""
    import negsim.world.run

    def no_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the world ran before its results folder was checked")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(negsim.world.run, "run_world", no_run)
    (tmp_path / "results").write_text("")
    result = run_cli(cli, "run", "classroom", "--until", "1")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "results" in result.stderr and "a folder (this is a file)" in result.stderr


def test_an_unwritable_out_is_refused_before_any_work(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder negsim cannot write (permission, a read-only mount) fails its probe: one line
    naming --out; the probe leaves nothing. (Simulated: permission bits do not stop root.)"""
    real_open = os.open
    locked = tmp_path / "locked"
    locked.mkdir()

    def refuse_probe(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path).parent == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(folders.os, "open", refuse_probe)
    for command in ("run", "sweep"):
        result = run_cli(cli, *WRITERS[command], "--out", str(locked / "out"))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert "--out" in result.stderr and "Permission denied" in result.stderr
    assert not any(locked.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    """A folder without write permission is refused by the probe, for real."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="a folder negsim can write"):
            check_out(locked / "out")
    finally:
        locked.chmod(0o700)


def test_check_out_leaves_room_for_a_temporary_beside_the_folder(tmp_path: Path) -> None:
    """A folder written whole and renamed into place needs TEMP_ROOM characters to spare."""
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    fits = tmp_path / ("n" * (name_max - TEMP_ROOM))
    assert check_out(fits, room=TEMP_ROOM) == fits
    with pytest.raises(ConfigError, match="a temporary name beside it"):
        check_out(tmp_path / ("n" * (name_max - TEMP_ROOM + 1)), room=TEMP_ROOM)
    assert len(temp_path(fits).name) <= name_max
    assert not any(tmp_path.iterdir())  # the probes are gone


# --- temporaries of killed writers --------------------------------------------------------------


def test_is_stale_only_for_a_dead_writer_on_this_machine() -> None:
    """A temporary is stale when its writer is gone; a live one, another machine's, or a name
    negsim did not write is never touched."""
    dead = _dead_pid()
    assert is_stale(_temporary(Path("."), "x", dead).name)
    assert not is_stale(_temporary(Path("."), "x", os.getpid()).name)
    assert not is_stale(
        _temporary(Path("."), "x", dead, host="abcdef" if HOST != "abcdef" else "fedcba").name
    )
    assert not is_stale(f".x.{dead}.tmp") and not is_stale(f"x.negsim{dead}-{HOST}-0123abcd.tmp")


def test_a_run_cleans_the_temporary_folders_of_killed_runs(cli: Any, tmp_path: Path) -> None:
    """The hidden folder a `kill -9` left beside a target (its writer is gone) is removed by the
    next run written there; one whose writer lives, or another machine's, is kept."""
    dead = _temporary(tmp_path, "classroom-seed3", _dead_pid())
    alive = _temporary(tmp_path, "classroom-seed4", os.getpid())
    remote = _temporary(tmp_path, "classroom-seed5", _dead_pid(), host="000000")
    for folder in (dead, alive, remote):
        folder.mkdir()
        (folder / "timeseries.parquet").write_bytes(b"PAR1 half")
    result = run_cli(cli, *WRITERS["run"], "--out", str(tmp_path / "new"))
    assert result.exit_code == 0, result.stderr
    assert not dead.exists() and alive.exists() and remote.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["new", alive.name, remote.name])


def test_a_store_cleans_the_temporaries_of_killed_writers(tmp_path: Path) -> None:
    """Under its lock a store removes every chunk and manifest temporary (only the lock holder
    writes those; older negsim versions' names included) and other files' dead temporaries."""
    spec = load_sweep(NOOP_GRID)
    first = run_sweep(spec, tmp_path, executor="inprocess", replications=2, progress=False)
    runs = tmp_path / "runs"
    junk = [
        runs / ".part-000000004-0123abcd.parquet.feedbeef.tmp",  # an older version's name
        _temporary(runs, "part-000000005-0123abcd.parquet", os.getpid()),
        tmp_path / ".manifest.json.feedbeef.tmp",
        _temporary(tmp_path, "report.md", _dead_pid()),
    ]
    for path in junk:
        path.write_bytes(b"")
    live_report = _temporary(tmp_path, "report.md", os.getpid())  # a live `negsim claim`'s
    live_report.write_bytes(b"")
    again = run_sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert (again.skipped, again.ran) == (first.total, first.total)
    assert not any(path.exists() for path in junk)
    assert live_report.exists()


# --- a full disk --------------------------------------------------------------------------------


def _disk_full(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_during_a_sweep_is_one_line_and_leaves_no_partial_chunk(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while a store writes: one line naming the results folder (not a temporary),
    exit 2; the chunks stored before are intact and no partial file is left."""
    out = tmp_path / "store"
    args = ("sweep", str(NOOP_GRID), "--out", str(out), "--executor", "inprocess", "--quiet")
    assert run_cli(cli, *args, "--replications", "2").exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "runs").iterdir()}
    monkeypatch.setattr(os, "fsync", _disk_full)  # after the bytes are handed over, as a real one
    result = run_cli(cli, *args, "--replications", "4")
    monkeypatch.undo()
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"negsim: {out}: No space left on device")
    assert ".tmp" not in result.stderr and "--out" in result.stderr
    assert {p.name: p.read_bytes() for p in (out / "runs").iterdir()} == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_full_disk_during_a_run_is_one_line_and_leaves_nothing(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while `negsim run` writes: one line naming --out's folder, not the hidden
    temporary; neither the folder nor the temporary is left."""
    real = pd.DataFrame.to_parquet

    def half_then_full(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).name == "alliances.parquet":
            Path(path).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_full)
    out = tmp_path / "run"
    result = run_cli(cli, *WRITERS["run"], "--out", str(out))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"negsim: {out}: No space left on device")
    assert ".negsim" not in result.stderr
    assert not any(tmp_path.iterdir())


# --- the user's umask ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_results_folders_and_files_follow_the_umask(cli: Any, tmp_path: Path) -> None:
    """A run's and a sweep's folders and files get the user's umask (a group may read them
    with 027, write them with 002), never a private 0700."""
    for mask, folder_mode, file_mode in ((0o027, 0o750, 0o640), (0o002, 0o775, 0o664)):
        os.umask(mask)
        run, store = tmp_path / f"run{mask:o}", tmp_path / f"store{mask:o}"
        assert run_cli(cli, *WRITERS["run"], "--out", str(run)).exit_code == 0
        assert run_cli(cli, *WRITERS["sweep"], "--out", str(store)).exit_code == 0
        assert _mode(run) == _mode(store) == _mode(store / "runs") == folder_mode
        files = [*run.iterdir(), store / "manifest.json", *Store(store).parts()]
        assert {p.name: _mode(p) for p in files} == {p.name: file_mode for p in files}
