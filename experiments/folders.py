"""Results folders on disk: checked before any work, temporaries that name their writer, and
OS errors that name the user's folder.

Every command that writes results (``run``, ``sweep``, ``claim``, ``sensitivity``) checks its
folder before it simulates anything (:func:`check_out`): not a file, a name the file system
takes, a place negsim can write. What can only fail while writing (a full disk) is reported by
:func:`writing` as one error naming the results folder, never a temporary file inside it.

Everything negsim writes goes first to a hidden temporary name beside its target,
``.NAME.negsim<pid>-<host>-<random>.tmp`` (:func:`temp_path`), then is renamed into place. The
name says which process on which machine wrote it, so a temporary whose writer is gone (killed
with ``kill -9``, or out of room) is recognised and removed by the next negsim call on the
folder (:func:`clean_stale`); one whose writer lives, or that another machine wrote, is left
alone.

Folders and files are created with the user's umask, as any other program's.

Examples:
    >>> name = temp_path(Path("results") / "classroom-seed1").name
    >>> name.startswith(".classroom-seed1.negsim") and name.endswith(".tmp")
    True
    >>> is_stale(name)  # this process is alive
    False
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from negsim.config import ConfigError

#: This machine, in temporary names: 6 hex digits of a hash of the host name (process ids of
#: another machine sharing the folder say nothing about this one's processes).
HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
_TEMP = re.compile(r"\.negsim(?P<pid>\d+)-(?P<host>[0-9a-f]{6})-[0-9a-f]{8}\.tmp$")

#: Characters a temporary name adds to its target's name (``.`` + ``.negsim<pid>-<host>-
#: <random>.tmp``, with a process id of up to 10 digits): a name longer than the file system's
#: limit minus this cannot be written atomically.
TEMP_ROOM = 38
#: Characters the deepest path negsim writes inside a results folder adds to the folder's
#: path (a chunk's temporary in ``runs/``: about 80).
INSIDE_ROOM = 100


def temp_path(target: Path) -> Path:
    """A hidden temporary name beside ``target`` that names this process and machine."""
    return target.with_name(f".{target.name}.negsim{os.getpid()}-{HOST}-{uuid.uuid4().hex[:8]}.tmp")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def is_stale(name: str) -> bool:
    """Whether ``name`` is a temporary negsim wrote on this machine from a process now gone.

    A process id in use again by another process keeps its temporaries (never removed wrongly;
    at worst kept until that process ends).
    """
    match = _TEMP.search(name)
    if not name.startswith(".") or match is None or match["host"] != HOST:
        return False
    return not _alive(int(match["pid"]))


def clean_stale(folder: Path) -> list[Path]:
    """Remove the stale temporaries (:func:`is_stale`) directly in ``folder``; returns them."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:  # missing or unreadable: nothing of ours to clean
        return []
    for entry in entries:
        if not is_stale(entry.name):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:  # another negsim call cleaned it first
            continue
        removed.append(path)
    return removed


def remove_quietly(path: Path) -> None:
    """Remove a file or folder if it is there (cleaning up after a failed write)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _limit(path: Path, name: str, default: int) -> int:
    try:
        return int(os.pathconf(path, name))
    except (OSError, ValueError):
        return default


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name too long for the file system does not."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return False
        raise
    return True


def check_out(folder: str | Path, option: str = "--out", *, room: int = 0) -> Path:
    """The absolute ``folder`` if negsim can create or write it, else a :class:`ConfigError`.

    Checked without leaving anything behind: ``folder`` is not a file and lies under folders
    (not under a file); each new name fits the file system (``room`` more characters for a
    temporary sibling); the path is not too long; and the folder, or the nearest one above it
    that exists, takes a new file (a probe file is created and removed: permission bits
    do not tell about read-only mounts, and do not stop root).

    Args:
        folder: the results folder, as the user gave it.
        option: how the caller names it in errors (``--out``, or ``(results folder)`` for a
            default one).
        room: characters a temporary name beside ``folder`` adds (:data:`TEMP_ROOM` for a
            folder written whole and renamed into place).
    """
    path = Path(os.path.abspath(folder))

    def refuse(allowed: str) -> ConfigError:
        return ConfigError(option, option, Path(folder), allowed)

    existing = path
    try:
        while not _exists(existing):  # the root always exists
            existing = existing.parent
    except OSError as exc:  # a folder on the way that negsim may not look into
        raise refuse(f"a folder negsim can reach ({exc.filename}: {exc.strerror})") from None
    if existing == path and not path.is_dir():
        raise refuse("a folder (this is a file)")
    if not existing.is_dir():
        raise refuse(f"a path through folders ({existing} is a file)")
    name_max = _limit(existing, "PC_NAME_MAX", 255)
    new = path.relative_to(existing).parts
    for part in new:
        if len(part) > name_max:
            raise refuse(f"folder names of at most {name_max} characters ({part[:20]}… is longer)")
    if len(path.name) + room > name_max:
        raise refuse(
            f"a folder name of at most {name_max - room} characters (a temporary name beside "
            f"it needs {room} more; this one has {len(path.name)})"
        )
    path_max = _limit(existing, "PC_PATH_MAX", 4096)
    if len(str(path)) + INSIDE_ROOM > path_max:
        raise refuse(f"a path of at most {path_max - INSIDE_ROOM} characters")
    probe = temp_path(existing / "probe")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise refuse(f"a folder negsim can write ({existing}: {exc.strerror})") from None
    os.unlink(probe)
    return path


@contextmanager
def writing(folder: Path, note: str = "") -> Iterator[None]:
    """Report an OS error raised inside as one naming ``folder`` (not a temporary in it).

    The error keeps its type and errno (a full disk is still ``ENOSPC``); its message says
    which folder was being written and ``note`` (what was kept).
    """
    try:
        yield
    except OSError as exc:
        if getattr(exc, "negsim_folder", None) is not None:  # named already, by an inner call
            raise
        reason = exc.strerror or str(exc) or type(exc).__name__
        notes = [note] if note else []
        if exc.errno == errno.ENOSPC:
            notes.append("make room, or choose another --out")
        detail = f"{reason} while writing this results folder" + (
            f" ({'; '.join(notes)})" if notes else ""
        )
        named = OSError(exc.errno, detail, str(folder))
        named.negsim_folder = str(folder)  # type: ignore[attr-defined]
        raise named from None
