"""Crash reports: a real unhandled exception in a slot, a paint() or a plain thread is logged with
its traceback and shown in one dialog (error, log path, Copy Details); the window stays."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app import crash

pytestmark = pytest.mark.qt_no_exception_capture  # the reporter under test is the excepthook
# The offscreen platform cannot raise or size native windows; it says so as warnings.
offscreen_limits = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


@pytest.fixture
def reporter(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_LOG_DIR", str(tmp_path / "logs"))
    log_file = crash.setup_logging()
    r = crash.CrashReporter(log_file)
    r.install()
    yield r
    r.uninstall()
    if r.dialog is not None:
        r.dialog.close()
    for handler in list(crash.log.handlers):
        crash.log.removeHandler(handler)
        handler.close()


def fail_in_slot() -> None:
    raise ZeroDivisionError("the learning rate was divided by nothing")


@offscreen_limits
def test_slot_exception_shows_the_dialog_and_logs_the_traceback(qtbot, reporter, window):
    QTimer.singleShot(0, fail_in_slot)
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert "ZeroDivisionError: the learning rate was divided by nothing" in dialog.error.text()
    assert str(reporter.log_file) in dialog.log_label.text()
    assert "fail_in_slot" in dialog.text.toPlainText()  # the traceback is in the details
    logged = Path(reporter.log_file).read_text(encoding="utf-8")
    assert "unhandled exception" in logged and "in fail_in_slot" in logged
    assert window.isVisible()  # the app did not vanish
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.details
    assert "Python" in dialog.details and "Qt" in dialog.details  # versions for the bug report
    assert dialog.copy_button.text() == "Copied"


class BrokenWidget(QWidget):
    def paintEvent(self, event) -> None:  # noqa: N802
        raise ValueError("paint went wrong")


@offscreen_limits
def test_repeated_paint_errors_share_one_dialog(qtbot, reporter):
    widget = BrokenWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    first = reporter.dialog
    for _ in range(3):  # update(), not repaint(): a paint from the event loop, as in the app
        widget.update()
        qtbot.waitUntil(lambda n=first.more: first.more > n)
    assert reporter.dialog is first
    assert "more error" in first.error.text()
    dialogs = [w for w in QGuiApplication.topLevelWindows() if w.isVisible()
               and w.title() == first.windowTitle()]
    assert len(dialogs) == 1
    widget.hide()


@offscreen_limits
def test_exception_in_a_plain_thread_reaches_the_gui_thread(qtbot, reporter):
    def work():
        raise RuntimeError("worker broke")
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert "RuntimeError: worker broke" in reporter.dialog.error.text()


def test_on_error_replaces_the_dialog(qtbot, tmp_path):
    seen = []
    r = crash.CrashReporter(None, on_error=lambda summary, details: seen.append(summary))
    r.install()
    try:
        QTimer.singleShot(0, fail_in_slot)
        qtbot.waitUntil(lambda: bool(seen))
    finally:
        r.uninstall()
    assert seen == ["ZeroDivisionError: the learning rate was divided by nothing"]
    assert r.dialog is None


def test_log_rotates(tmp_path, monkeypatch):
    tmp_path = tmp_path / "logs"
    monkeypatch.setenv("BACKPROP_STUDIO_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(crash, "MAX_LOG_BYTES", 2000)
    path = crash.setup_logging()
    try:
        for k in range(100):
            crash.log.info("line %d %s", k, "x" * 60)
    finally:
        for handler in list(crash.log.handlers):
            crash.log.removeHandler(handler)
            handler.close()
    rotated = sorted(p.name for p in tmp_path.iterdir())
    assert rotated == [path.name, path.name + ".1", path.name + ".2", path.name + ".3"]
    assert all((tmp_path / name).stat().st_size <= 2000 for name in rotated)
    assert "line 99" in path.read_text(encoding="utf-8")


def test_log_folder_is_the_platforms_state_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKPROP_STUDIO_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert crash.log_dir().is_relative_to(tmp_path / "state")
    assert logging.getLogger("backprop_studio") is crash.log
