"""Crash reports and the log: an unhandled exception is logged with its traceback and shown in a
dialog (the error, where the log is, a button that copies the details); the app keeps running.

The log is rotated (RotatingFileHandler) in the platform's user log folder: QStandardPaths'
StateLocation (XDG_STATE_HOME on Linux, which the XDG spec reserves for logs), ~/Library/Logs on
macOS. BACKPROP_STUDIO_LOG_DIR overrides it (tests, the frozen app's smoke test).
"""
from __future__ import annotations

import faulthandler
import logging
import os
import platform
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, QUrl, Signal, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit,
                               QHBoxLayout, QPushButton, QStyle, QVBoxLayout, QWidget)

LOG_NAME = "backprop-studio.log"
FAULT_LOG_NAME = "faults.log"  # Python tracebacks of hard crashes (segfaults), from faulthandler
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
log = logging.getLogger("backprop_studio")
_fault_file = None  # kept open for faulthandler for the life of the process


def log_dir() -> Path:
    override = os.environ.get("BACKPROP_STUDIO_LOG_DIR")
    if override:
        folder = Path(override)
    elif sys.platform == "darwin":
        folder = Path.home() / "Library" / "Logs" / "Backprop Studio"
    else:
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.StateLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path() -> Path:
    return log_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send the app's log records to the rotated log file (once); returns its path."""
    path = log_path()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path
               for h in log.handlers):
        handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS,
                                      encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def enable_fault_log() -> Path:
    """A hard crash (a segfault in a C library) cannot reach the dialog; its Python traceback
    still goes to a file beside the log."""
    global _fault_file
    path = log_dir() / FAULT_LOG_NAME
    if _fault_file is None:
        _fault_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the process' life)
        faulthandler.enable(_fault_file)
    return path


def route_qt_messages() -> None:
    """Qt's own warnings go to the log as well as to stderr (when there is one)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, _context, message: str) -> None:
        logging.getLogger("backprop_studio.qt").log(levels.get(kind, logging.WARNING), message)
        if sys.stderr is not None:
            print(message, file=sys.stderr)
    qInstallMessageHandler(handler)


def environment_text() -> str:
    from importlib import metadata
    try:
        version = metadata.version("backprop-studio")
    except metadata.PackageNotFoundError:
        version = "unknown"
    frozen = " (bundled)" if getattr(sys, "frozen", False) else ""
    return (f"Backprop Studio {version}{frozen}; Python {platform.python_version()}; "
            f"Qt {qVersion()}; {platform.platform()}")


def report_text(exc_type, exc, tb) -> str:
    trace = "".join(traceback.format_exception(exc_type, exc, tb))
    return f"{environment_text()}\n\n{trace}"


class CrashDialog(QDialog):
    """Says what went wrong and where the log is; Copy Details puts the full report on the
    clipboard. Non-modal, so the window underneath stays usable for saving work."""

    def __init__(self, summary: str, details: str, log_file: Path | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CrashDialog")
        self.setWindowTitle("Unexpected error")  # Qt appends " — Backprop Studio"
        self.details = details
        self.more = 0
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxCritical).pixmap(48, 48))
        self.message = QLabel(
            "<b>Something went wrong inside Backprop Studio.</b><br>The app is still running. "
            "Save your work under a new name (File → Save As) in case this error affected it.")
        self.message.setWordWrap(True)
        self.error = QLabel(summary)
        self.error.setObjectName("CrashSummary")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        where = str(log_file) if log_file else "(no log file could be written)"
        self.log_label = QLabel(f"The details are in the log file:<br><code>{where}</code>")
        self.log_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log_label.setWordWrap(True)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.text.setMinimumHeight(140)
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton("&Copy Details", QDialogButtonBox.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button: QPushButton | None = None
        if log_file is not None:
            self.folder_button = buttons.addButton("Open Log &Folder", QDialogButtonBox.ActionRole)
            self.folder_button.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file.parent))))
        close = buttons.addButton(QDialogButtonBox.Close)
        close.clicked.connect(self.accept)
        close.setDefault(True)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignTop)
        text = QVBoxLayout()
        for w in (self.message, self.error, self.log_label):
            text.addWidget(w)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")

    def add_error(self, summary: str, details: str) -> None:
        """A further error while the dialog is open: counted and appended, not a second dialog
        (an error in a paint() would otherwise open one dialog per repaint)."""
        self.more += 1
        self.details += f"\n\n--- further error {self.more} ---\n{details}"
        self.text.setPlainText(self.details)
        self.error.setText(f"{summary}<br><i>and {self.more} more error(s) since</i>")


class CrashReporter(QObject):
    """Installed as sys.excepthook and threading.excepthook. ``on_error`` replaces the dialog
    (the smoke test exits non-zero instead)."""

    error_caught = Signal(str, str)  # summary, details; queued to the GUI thread

    def __init__(self, log_file: Path | None = None,
                 on_error: Callable[[str, str], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.on_error = on_error
        self.dialog: CrashDialog | None = None
        self._previous = None
        self.error_caught.connect(self._show, Qt.QueuedConnection)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = lambda a: self.handle(a.exc_type, a.exc_value, a.exc_traceback)

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C in a terminal still quits
            QApplication.quit()
            return
        details = report_text(exc_type, exc, tb)
        log.error("unhandled exception\n%s", details)
        if sys.stderr is not None:
            print(details, file=sys.stderr)
        summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        # Shown from the event loop, never from inside the failing paint() or slot.
        self.error_caught.emit(summary, details)

    def _show(self, summary: str, details: str) -> None:
        if self.on_error is not None:
            self.on_error(summary, details)
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_error(summary, details)
            return
        parent = QApplication.activeWindow()
        self.dialog = CrashDialog(summary, details, self.log_file, parent)
        self.dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._forget_dialog)
        self.dialog.show()
        self.dialog.raise_()
        QTimer.singleShot(0, self.dialog.activateWindow)

    def _forget_dialog(self) -> None:
        self.dialog = None

