"""The results store of a sweep: append-only Parquet chunks and an atomic manifest.

Layout of ``results/<name>/``::

    manifest.json          the spec, root entropy, provenance (negsim.provenance), progress
    runs/part-*.parquet    one row per finished run; files are only ever added
    .*.tmp files           a file being written; readers ignore names starting with "."

Every file is written to a temporary name, flushed to disk and renamed into place, so a
``kill -9`` at any moment leaves either the whole chunk or none of it; the temporaries such a
kill (or a full disk) leaves are removed by the next call that takes the folder's lock. An OS
error while writing (a full disk) is reported naming the results folder
(:func:`negsim.experiments.folders.writing`), and leaves no partial file. Rows are keyed by
``run_id``; should a run ever be present twice (it cannot be by construction, but a store
copied together by hand might), :func:`load_runs` keeps the first.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from negsim.config import ConfigError, Described, read_text
from negsim.experiments.folders import clean_stale, remove_quietly, temp_path, writing
from negsim.provenance import provenance

MANIFEST = "manifest.json"
#: The largest manifest read, in bytes (it lists every design point: a million points fit).
MAX_MANIFEST_BYTES = 256 * 2**20
RUNS = "runs"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsync and rename.

    On an OS error (a full disk) the temporary is removed and the error names ``path``.
    """
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        remove_quietly(tmp)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    _fsync_dir(path.parent)


def _code(record: Mapping[str, Any]) -> str:
    """The version of the code a manifest or session names: negsim's version and commit."""
    commit = record.get("git_commit")
    return f"negsim {record.get('negsim')}" + (f" (commit {commit})" if commit else "")


class Store:
    """A results folder: open (or create) it for one sweep, append chunks, read what is done."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS
        self._lock_fd: int | None = None
        self._compact = self.folder / ".runs.compact"
        self._old = self.folder / ".runs.old"

    def recover(self) -> None:
        """Finish or undo a compaction that a crash interrupted (see :meth:`compact`), and
        remove the temporaries that killed writers left (only with the lock held)."""
        with writing(self.folder):
            if not self.runs.exists() and self._compact.is_dir():
                os.replace(self._compact, self.runs)  # died between the two renames: finish
                _fsync_dir(self.folder)
            if self._old.exists():
                shutil.rmtree(self._old)  # died after the swap: the old chunks are garbage
            if self._compact.exists():
                shutil.rmtree(self._compact)  # died while writing the compacted file: retry
            # Only the lock holder writes chunks and the manifest, so every temporary of those
            # is a dead writer's, whatever its name (older negsim versions named them
            # without their writer); other files' temporaries go when their writer is gone.
            clean_stale(self.folder)
            for tmp in [*self.runs.glob(".*.tmp"), *self.folder.glob(f".{MANIFEST}.*.tmp")]:
                tmp.unlink(missing_ok=True)

    def compact(self) -> None:
        """Merge every chunk into one file, streaming, and swap it in with two renames.

        Readers see either the old chunks or the new file, never both: the new file is
        written and synced in a hidden folder, then ``runs`` is renamed away and the hidden
        folder renamed into its place. A crash between the renames leaves no ``runs`` folder
        for a moment; :meth:`recover` (run by every negsim call on the folder) finishes it.
        """
        parts = self.parts()
        if len(parts) <= 1:
            return
        self.recover()
        with writing(self.folder, "the runs are kept in their chunks"):
            self._compact.mkdir()
            dataset = ds.dataset(parts, format="parquet")
            target = self._compact / f"part-000000000-{uuid.uuid4().hex[:8]}.parquet"
            try:
                with target.open("wb") as fh:
                    with pq.ParquetWriter(fh, dataset.schema, compression="zstd") as writer:
                        for batch in dataset.to_batches():
                            writer.write_batch(batch)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError:
                remove_quietly(self._compact)  # a half-written merge is garbage; retried later
                raise
            _fsync_dir(self._compact)
            os.replace(self.runs, self._old)
            os.replace(self._compact, self.runs)
            _fsync_dir(self.folder)
            shutil.rmtree(self._old)

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.folder / MANIFEST

    def manifest(self) -> dict[str, Any] | None:
        """The manifest, or None for a new folder."""
        if not self.manifest_path.exists():
            return None
        text = read_text(self.manifest_path, limit=MAX_MANIFEST_BYTES, kind="negsim manifest")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # not JSON, or nested absurdly deep
            where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "nesting"
            raise ConfigError(
                self.manifest_path,
                "(syntax)",
                Described(f"not JSON ({where})"),
                "a negsim manifest",
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(
                self.manifest_path, "(top level)", Described("not an object"), "a negsim manifest"
            )
        return data

    def open(self, spec: Mapping[str, Any], fingerprint: str, root_entropy: int) -> dict[str, Any]:
        """Create the folder, or check that it holds this same sweep (then it is resumed)."""
        self.recover()
        old = self.manifest()
        if old is not None and old.get("fingerprint") != fingerprint:
            raise ConfigError(
                self.folder,
                "(results folder)",
                str(self.folder),
                "a folder holding the same sweep, or the same one with other replications "
                "(this one holds a different spec; choose another --out or remove it)",
            )
        with writing(self.folder):
            self.runs.mkdir(parents=True, exist_ok=True)
        if old is not None:  # same sweep; more replications extend it, fewer read a prefix
            stored = int(old["spec"].get("replications", 0))
            old["spec"] = {**spec, "replications": max(stored, int(spec.get("replications", 0)))}
        manifest = old or {
            "negsim_results": 1,
            "spec": dict(spec),
            "fingerprint": fingerprint,
            "root_entropy": root_entropy,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        session = {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "replications": spec.get("replications"),
            **provenance(),
        }
        if old is None:  # the first session also speaks for the folder
            manifest.update(provenance())
        elif _code(old) != _code(session):
            manifest.setdefault("warnings", []).append(
                f"resumed at {session['started']} by {_code(session)}, not {_code(old)}: "
                "runs may come from two versions of the code"
            )
        manifest.setdefault("sessions", []).append(session)
        self.write_manifest(manifest)
        return manifest

    def lock(self) -> None:
        """Hold this folder for one negsim process (released on close or at exit, even kill -9)."""
        import fcntl

        with writing(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                self.folder,
                "(results folder)",
                str(self.folder),
                "a folder no other negsim process is writing to (one is, now)",
            ) from None
        self._lock_fd = fd

    def unlock(self) -> None:
        """Release :meth:`lock`."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def discard(self) -> None:
        """Remove the folder (with the lock held): a call that created it and failed before
        storing any run leaves nothing behind."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Replace the manifest atomically."""
        blob = json.dumps(manifest, indent=2, sort_keys=False, default=str).encode()
        with writing(self.folder):
            write_atomic(self.manifest_path, blob + b"\n")

    def append(self, rows: Sequence[Mapping[str, Any]]) -> Path | None:
        """Write rows as a new Parquet chunk (atomically); returns its path."""
        if not rows:
            return None
        table = pa.Table.from_pylist(list(rows))
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        first = int(rows[0]["run_id"])
        path = self.runs / f"part-{first:09d}-{uuid.uuid4().hex[:8]}.parquet"
        with writing(self.folder, "the runs stored before are kept"):
            write_atomic(path, sink.getvalue().to_pybytes())
        return path

    def parts(self) -> list[Path]:
        """Finished chunk files."""
        if not self.runs.is_dir():
            return []
        return sorted(p for p in self.runs.glob("part-*.parquet"))

    def done_ids(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """``run_id`` of every run already stored."""
        parts = self.parts()
        if not parts:
            return np.zeros(0, dtype=np.int64)
        table = ds.dataset(parts, format="parquet").to_table(columns=["run_id"])
        ids: np.ndarray[Any, np.dtype[np.int64]] = np.unique(
            table.column("run_id").to_numpy().astype(np.int64)
        )
        return ids


def load_runs(folder: str | Path) -> pd.DataFrame:
    """Every stored run of a results folder, one row per run, ordered by ``run_id``."""
    store = Store(folder)
    parts = store.parts()
    if not parts and not store.runs.exists() and store._compact.is_dir():
        # a compaction was interrupted between its two renames: the merged file is complete
        parts = sorted(store._compact.glob("part-*.parquet"))
    if not parts:
        if store.manifest() is None:
            raise ConfigError(folder, "(results folder)", str(folder), "a negsim results folder")
        return pd.DataFrame(columns=["run_id"])
    frame = ds.dataset(parts, format="parquet").to_table().to_pandas()
    frame = frame.drop_duplicates("run_id").sort_values("run_id").reset_index(drop=True)
    return frame
