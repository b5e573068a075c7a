"""Opening a network file (or reading a CSV file) without freezing the window: special files are refused before anything
opens them, and the file is read on a plain Python thread while the GUI thread shows a progress
dialog whose Cancel makes core's progress callback answer False.

Why a thread and not progress callbacks that process events: processing events inside the loader
lets every slot of the window (autosave, training reports, menus, drops, a second Open) run in
the middle of a half-read file, and the window stays frozen whenever the loader goes a while
without calling back. On a thread, the GUI thread only polls a number every 50 ms; the document
is replaced once, on the GUI thread, after the read has finished. Nothing Qt runs on the thread,
so a Python thread is enough (no QThread, no cross-thread signals).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from core.fileio import LoadCancelled, load_project
from core.project import Project
from core.safe_read import NotRegularFile, check_regular, describe_os_error

__all__ = ["LoadCancelled", "load_with_progress", "run_with_progress", "special_file_problem"]
T = TypeVar("T")

POLL_MS = 50
QUIET_SECONDS = 0.05  # a read that ends this fast shows no dialog at all
SHOW_AFTER_MS = 300  # the dialog appears only for reads longer than this


def special_file_problem(path: str | os.PathLike) -> str | None:
    """One line saying why ``path`` is not a file that can be read (a folder, a FIFO, a device,
    a symlink loop, missing), or None. Runs before any open(): opening a FIFO blocks until a
    writer comes, and /dev/zero never ends."""
    path = Path(path)
    try:
        check_regular(path)
    except NotRegularFile as exc:
        return f"{path.name} is {exc.strerror}"
    except OSError as exc:
        return f"{path.name}: {describe_os_error(exc)}"
    return None


def load_with_progress(parent: QWidget | None, path: str | os.PathLike) -> Project:
    """core.fileio.load_project(path) on a thread; a progress dialog shows after SHOW_AFTER_MS.
    Raises what the load raised, or LoadCancelled when the user cancelled."""
    path = Path(path)
    return run_with_progress(parent, f"Opening {path.name}", "Opening",
                             lambda progress: load_project(path, progress=progress))


def run_with_progress(parent: QWidget | None, label: str, title: str,
                      work: Callable[[Callable[[float], bool]], T]) -> T:
    """``work(progress)`` on a thread while the GUI thread stays responsive; a progress dialog
    titled ``title`` ("label…") shows after SHOW_AFTER_MS. ``progress(fraction)`` answers False
    once the user has pressed Cancel: ``work`` then raises its own cancellation error, which is
    raised here, as is anything else ``work`` raises."""
    fraction = [0.0]
    cancel = threading.Event()
    outcome: dict = {}

    def progress(value: float) -> bool:
        fraction[0] = float(value)
        return not cancel.is_set()

    def run() -> None:
        try:
            outcome["result"] = work(progress)
        except BaseException as exc:  # handed to the GUI thread, which raises it there
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=label, daemon=True)
    worker.start()
    worker.join(QUIET_SECONDS)
    if worker.is_alive():
        _wait_with_dialog(parent, label, title, worker, fraction, cancel)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]  # a Cancel that came after the last progress call is too late


def _wait_with_dialog(parent, label: str, title: str, worker: threading.Thread, fraction: list,
                      cancel: threading.Event) -> None:
    dialog = QProgressDialog(f"{label}…", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(420)
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    loop = QEventLoop()

    def cancelled() -> None:
        cancel.set()
        dialog.setLabelText(f"Cancelling: {label[:1].lower()}{label[1:]}…")

    def poll() -> None:
        if not worker.is_alive():
            loop.quit()
            return
        if not cancel.is_set():
            dialog.setValue(min(int(fraction[0] * 1000), 999))

    dialog.canceled.connect(cancelled)
    timer = QTimer(interval=POLL_MS)
    timer.timeout.connect(poll)
    timer.start()
    dialog.setValue(min(int(fraction[0] * 1000), 999))  # what was read before it appeared
    loop.exec()
    timer.stop()
    dialog.canceled.disconnect(cancelled)  # closing a progress dialog emits canceled
    dialog.close()
    dialog.deleteLater()
