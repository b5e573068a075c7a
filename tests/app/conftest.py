"""Shared set-up for GUI tests: offscreen Qt, settings and recovery files in a temporary folder per
test, no real modal dialogs, and failure for any test that leaves a QThread running or a
top-level window shown."""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import uuid  # noqa: E402
import weakref  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, QThread  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

_started_threads: list[weakref.ref] = []
_original_start = QThread.start


def _tracking_start(self, *args, **kwargs):
    _started_threads.append(weakref.ref(self))
    return _original_start(self, *args, **kwargs)


QThread.start = _tracking_start


def pytest_collection_modifyitems(items):
    # The offscreen platform cannot resize native window frames; it says so as a warning.
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, request):
    """QSettings and the recovery file live in this test's tmp folder, never the user's."""
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(settings_dir))
    QCoreApplication.setOrganizationName(f"BackpropStudioTest-{request.node.name[:40]}")
    QCoreApplication.setApplicationName("Backprop Studio Test")
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    # A test that starts the app must never hand its files to a Backprop Studio the user has open
    # (the single-instance channel is per user): each test gets a channel of its own.
    monkeypatch.setenv("BACKPROP_STUDIO_INSTANCE", f"bps-test-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    yield settings_dir


@pytest.fixture(autouse=True)
def no_real_dialogs(monkeypatch):
    """Any prompt a test did not expect fails the test instead of blocking in exec()."""
    from app.dialogs import prompts

    def unexpected(name):
        def fail(*args, **kwargs):
            raise AssertionError(f"unexpected dialog: prompts.{name}{args[1:]!r}")
        return fail
    for name in ("ask_save_changes", "ask_yes_no", "show_error", "get_open_path", "get_save_path",
                 "get_double", "get_int", "get_text", "run_dialog"):
        monkeypatch.setattr(prompts, name, unexpected(name))
    yield prompts


@pytest.fixture(autouse=True)
def no_dangling_threads_or_windows(request):
    """Fail a test that leaves a QThread running or a top-level window visible."""
    _started_threads.clear()
    yield
    app = QApplication.instance()
    if app is not None:
        for _ in range(3):
            app.processEvents()
    running = [r() for r in _started_threads if r() is not None]
    running = [t for t in running if _is_running(t)]
    for t in running:
        t.quit()
        t.wait(2000)
    assert not running, f"{len(running)} QThread(s) still running after the test"
    if app is not None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
        for w in shown:
            w.hide()
        assert not shown, f"top-level windows left open: {[type(w).__name__ for w in shown]}"


def _is_running(thread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # the C++ object is already deleted
        return False


@pytest.fixture
def make_window(qtbot, monkeypatch):
    """Build MainWindows that are closed (without prompts) and deleted after the test."""
    from app.main_window import MainWindow
    windows = []

    def make(show: bool = True):
        w = MainWindow()
        windows.append(w)
        if show:
            w.resize(1200, 800)
            w.show()
            qtbot.waitExposed(w)
        return w
    yield make
    for w in windows:
        w.files.maybe_save = lambda: True
        w.close()
        w.deleteLater()
    QApplication.processEvents()


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture(scope="package", autouse=True)
def automatic_gc_after_the_gui_tests():
    """The first MainWindow turns Python's automatic collection off for the process and collects
    from a Qt timer instead (app/gui_gc.py). Tests run after these have no event loop to run that
    timer, so automatic collection comes back when the GUI tests are done."""
    yield
    import gc
    gc.collect()
    gc.enable()
