"""Start the app: ``main(argv) -> exit code``; ``backprop-studio [FILE]`` and ``python -m app [FILE]``.

One process per user runs all windows (app/single_instance.py): a later start with a file opens it
in a new window here, as does a file handed over by macOS (QFileOpenEvent). Unhandled exceptions
are logged and shown (app/crash.py); the window stays.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.resources import resource_path

APP_ID = "backprop-studio"  # the desktop entry's name; Wayland's app_id and X11's WM_CLASS
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
CASCADE = 32  # pixels each new window is moved from the one before, so none hides another
log = logging.getLogger("backprop_studio")


def app_icon() -> QIcon:
    """From the PNG renderings, so no SVG icon-engine plugin is needed at run time."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource_path("icons", f"{APP_ID}-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


class FileOpenFilter(QObject):
    """macOS hands files to a running app (double-click in Finder, drop on the Dock icon) as a
    QFileOpenEvent on the application object, not on the command line."""

    file_opened = Signal(str)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual)
        if event.type() == QEvent.FileOpen and event.file():
            self.file_opened.emit(event.file())
            return True
        return False


class Studio(QObject):
    """The windows of the running app: the first one at start-up, then one per file another
    start (or macOS) asks to open. A file already open in a window raises that window."""

    window_opened = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.windows: list = []
        self.started = False
        self._early: list[str] = []  # files that arrived before the first window

    def start(self, path: str | None = None) -> None:
        """The first window: recovery offer, the command line's file, else the last file."""
        self.started = True
        early, self._early = self._early, []
        if path is None and early:
            path, early = early[0], early[1:]
        window = self._new_window()
        window.files.startup(path)
        self._show(window)
        self.open_files(early)

    def open_files(self, files: list[str]) -> None:
        if not self.started:
            self._early.extend(files)
            return
        if not files:
            if self.live_windows():
                self._raise(self.live_windows()[-1])
            else:
                self.start()
            return
        for f in files:
            self.open_file(f)

    def open_file(self, path: str):
        """The window showing ``path``: an existing one raised, else a new one (None if the file
        cannot be opened; the error was shown)."""
        target = Path(path).resolve()
        for window in self.live_windows():
            if window.document.path is not None and Path(window.document.path).resolve() == target:
                self._raise(window)
                return window
        window = self._new_window()
        if not window.files.load(path):
            self.windows.remove(window)
            window.deleteLater()
            return None
        log.info("opened %s in a new window", path)
        self._show(window)
        return window

    def live_windows(self) -> list:
        from shiboken6 import isValid
        self.windows = [w for w in self.windows if isValid(w)]
        return list(self.windows)

    def _new_window(self):
        from .main_window import FRAME_ALLOWANCE, MainWindow
        window = MainWindow()
        window.setAttribute(Qt.WA_DeleteOnClose)
        previous = self.live_windows()
        self.windows.append(window)
        if previous:
            target = previous[-1].pos() + QPoint(CASCADE, CASCADE)
            screen = previous[-1].screen().availableGeometry()
            # back to the screen's corner before the title bars walk off its edge
            room = screen.adjusted(0, 0, -10 * CASCADE, -10 * CASCADE)
            if room.contains(target):
                # and never past the screen's right or bottom edge: on a 1280x720 projector the
                # window fills the screen, so a cascaded copy would lose its right-hand docks
                window.resize(window.size().boundedTo(
                    QSize(screen.right() - target.x() + 1, screen.bottom() - target.y() + 1)
                    - FRAME_ALLOWANCE))
                window.move(target)
            else:
                window.move(screen.topLeft())
        return window

    def _show(self, window) -> None:
        window.show()
        self.window_opened.emit(window)

    @staticmethod
    def _raise(window) -> None:
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()


def create_application() -> QApplication:
    from .main_window import APP_NAME
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_ID])
    app.setOrganizationName("Backprop Studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    files = [a for a in argv if not a.startswith("-")]
    from . import crash
    from .single_instance import claim, instance_name

    app = create_application()
    server = claim(instance_name(), files)
    if server is None:
        return 0  # the running app opens the files
    log_file = crash.setup_logging()
    crash.enable_fault_log()
    crash.route_qt_messages()
    reporter = crash.CrashReporter(log_file, parent=app)
    reporter.install()
    log.info("started: %s", crash.environment_text())
    studio = Studio(app)
    server.setParent(app)
    server.files_requested.connect(studio.open_files)
    file_events = FileOpenFilter(app)
    file_events.file_opened.connect(lambda f: studio.open_files([f]))
    app.installEventFilter(file_events)
    # From the event loop, so a file macOS hands over at launch becomes the first window's file.
    QTimer.singleShot(0, lambda: studio.start(files[0] if files else None))
    if len(files) > 1:
        QTimer.singleShot(0, lambda: studio.open_files(files[1:]))
    code = app.exec()
    server.close()
    reporter.uninstall()
    return code
