"""Recovery files: one per window, ``<data dir>/recovery/<id>.bpnet`` with ``<id>.json`` (where
the work came from, when it was saved) and ``<id>.lock``, a QLockFile its window holds while it
runs. A recovery file whose lock can be taken belongs to a window that is gone (crashed, killed):
only those are offered at start, so no window ever offers, restores or deletes a live one's.

Stale-lock detection is by process only (``setStaleLockTime(0)``): Qt's default also calls a lock
stale after 30 s, which would let a second window take a first window's file that is still live.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QLockFile

from core.fileio import save_project
from core.project import Project

EXTENSION = ".bpnet"
LEGACY_NAME = "recovery"  # the single shared file of earlier versions, in the data folder itself


def _lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)
    return lock


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


class RecoverySlot:
    """This window's own recovery file, locked from creation until ``release``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.id = uuid.uuid4().hex
        self._lock: QLockFile | None = None
        self._take_lock()

    @property
    def path(self) -> Path:
        return self.folder / f"{self.id}{EXTENSION}"

    @property
    def meta_path(self) -> Path:
        return self.folder / f"{self.id}.json"

    @property
    def locked(self) -> bool:
        return self._lock is not None and self._lock.isLocked()

    def _take_lock(self) -> None:
        """Lock the slot; a folder that cannot be made now is retried at the next write. A lock
        file removed from under us (the folder was deleted) is made again."""
        lock_path = self.folder / f"{self.id}.lock"
        if self.locked and lock_path.exists():
            return
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        lock = _lock(lock_path)
        if lock.tryLock(0):
            self._lock = lock

    def write(self, project: Project, origin: Path | None, note: str = "") -> None:
        """Save ``project`` as this window's recovery file; raises OSError or ValueError."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        if not self.locked:
            raise OSError(f"cannot lock {self.folder / (self.id + '.lock')}")
        save_project(project, self.path)
        meta = {"path": str(origin) if origin else None, "time": time.time(), "note": note,
                "pid": os.getpid()}
        self.meta_path.write_text(json.dumps(meta), encoding="utf-8")

    def discard(self) -> None:
        """Remove the recovery file (the work was saved or dropped); the lock stays."""
        for p in (self.path, self.meta_path):
            try:
                _unlink(p)
            except OSError:
                pass

    def release(self) -> None:
        """The window closes: its file goes, and so does its lock."""
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def adopt(self, orphan: "Orphan") -> None:
        """Take over a restored orphan's file and lock, so the restored work stays recoverable
        until this window autosaves it again."""
        if self._lock is not None:
            self._lock.unlock()
        self.folder, self.id, self._lock = orphan.folder, orphan.id, orphan.lock
        orphan.lock = None


@dataclass
class Orphan:
    """A recovery file whose window is gone; we hold its lock until ``keep`` or ``discard``."""

    folder: Path
    id: str
    lock: QLockFile | None
    meta: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.id}{EXTENSION}"

    @property
    def origin(self) -> Path | None:
        p = self.meta.get("path")
        return Path(p) if isinstance(p, str) and p else None

    @property
    def saved_at(self) -> float:
        t = self.meta.get("time")
        if isinstance(t, (int, float)):
            return float(t)
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))
        what = self.origin.name if self.origin else "an unsaved network"
        note = self.meta.get("note")
        return f"{what} (autosaved {when}{', ' + note if note else ''})"

    def keep(self) -> None:
        """Leave the file for a later start: only the lock is let go."""
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None

    def discard(self) -> None:
        for p in (self.path, self.folder / f"{self.id}.json"):
            try:
                _unlink(p)
            except OSError:
                pass
        self.keep()


def _migrate_legacy(data_dir: Path, folder: Path) -> None:
    """The one shared recovery file of earlier versions becomes an ordinary (unlocked) orphan."""
    old = data_dir / f"{LEGACY_NAME}{EXTENSION}"
    if not old.is_file():
        return
    new_id = uuid.uuid4().hex
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(old, folder / f"{new_id}{EXTENSION}")
        old_meta = data_dir / f"{LEGACY_NAME}.json"
        if old_meta.is_file():
            os.replace(old_meta, folder / f"{new_id}.json")
    except OSError:
        pass


def find_orphans(data_dir: Path, folder: Path) -> list[Orphan]:
    """Recovery files whose owner is gone, newest first, each locked by the caller now. Stray
    locks without a file (a window that crashed before its first autosave) are cleared."""
    _migrate_legacy(data_dir, folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found = []
    for name in names:
        stem, ext = os.path.splitext(name)
        if ext == ".lock" and f"{stem}{EXTENSION}" not in names:
            lock = _lock(folder / name)
            if lock.tryLock(0):
                lock.unlock()  # removes the stale lock file
            continue
        if ext != EXTENSION or stem.startswith("."):
            continue
        lock = _lock(folder / f"{stem}.lock")
        if not lock.tryLock(0):
            continue  # its window is still running
        found.append(Orphan(folder, stem, lock, _read_meta(folder / f"{stem}.json")))
    found.sort(key=lambda o: o.saved_at, reverse=True)
    return found
