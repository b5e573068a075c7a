"""``backprop-studio --smoke-test FILE OUT``: the app checks itself headless, through the real
window, file controller and QThread training, so a bundle missing a module, a Qt plugin or a
resource fails (exit 1, one line saying what) instead of shipping. packaging/smoke_test.sh runs
it on the frozen app.

It copies FILE to OUT, opens OUT in a window, trains a few epochs, saves, closes the window,
opens OUT again in a new window and compares what it reads with what was trained. Settings and
recovery files go to a temporary folder: the user's are never touched.
"""
from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

EPOCHS = 5
STEP_TIMEOUT_S = 60.0
WATCHDOG_S = 180.0  # a hang anywhere (a modal loop, a deadlock) still ends the process
# Warnings the offscreen platform gives for things it cannot do; they are not faults of the bundle.
HARMLESS_QT_WARNINGS = ("propagateSizeHints", "This plugin does not support")


class SmokeFailure(Exception):
    pass


def _wait_until(predicate, what: str, timeout_s: float = STEP_TIMEOUT_S) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    timer.start()
    if not predicate():
        loop.exec()
    timer.stop()
    if not predicate():
        raise SmokeFailure(f"timed out after {timeout_s:.0f} s waiting for {what}")


def _no_dialogs() -> None:
    """Any dialog in a headless self-test would wait forever: fail with what it said instead."""
    from .dialogs import prompts

    def refuse(name):
        def fail(*args, **kwargs):
            raise SmokeFailure(f"unexpected dialog prompts.{name}: {' '.join(map(str, args[1:]))}")
        return fail
    for name in ("ask_save_changes", "ask_yes_no", "show_error", "get_open_path", "get_save_path",
                 "get_double", "get_int", "get_text", "run_dialog"):
        if hasattr(prompts, name):
            setattr(prompts, name, refuse(name))


def _isolate(folder: Path) -> None:
    from PySide6.QtCore import QSettings
    os.environ["BACKPROP_STUDIO_DATA_DIR"] = str(folder / "data")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder / "settings"))


def check_resources() -> str:
    from PySide6.QtGui import QFontDatabase

    from core.resources import examples, resource_path

    from .main import app_icon
    found = examples()
    if not found:
        raise SmokeFailure(f"no example networks in {resource_path('examples')}")
    for needed in (("schema", "bpnet-3.schema.json"), ("datasets", "iris.csv"),
                   ("icons", "backprop-studio.svg")):
        if not resource_path(*needed).is_file():
            raise SmokeFailure(f"missing resource {resource_path(*needed)}")
    if not app_icon().availableSizes():
        raise SmokeFailure("the app icon has no images (resources/icons/*.png)")
    if not QFontDatabase.families():
        raise SmokeFailure("no fonts: every label would render as boxes")
    return f"{len(found)} examples"


def train_save_reopen(studio, source: Path, out: Path) -> str:
    from .training.controller import params_equal
    shutil.copyfile(source, out)
    window = studio.open_file(str(out))
    if window is None:
        raise SmokeFailure(f"{out}: the window could not open it")
    _wait_until(lambda: window.isVisible() and window.windowHandle() is not None
                and window.windowHandle().isExposed(), "the window to be shown")
    doc, controller = window.document, window.training.controller
    if doc.project.dataset is None:
        raise SmokeFailure(f"{source.name} has no data set to train on")
    doc.set_training_config(replace(doc.project.training, max_epochs=EPOCHS))
    before = len(doc.project.history)
    ended = []
    controller.run_ended.connect(ended.append)
    if not controller.start():
        raise SmokeFailure("training did not start")
    _wait_until(lambda: bool(ended) and not controller.running, "training to finish")
    if ended[0].error:
        raise SmokeFailure(f"training failed: {ended[0].error}")
    history = list(doc.project.history)  # core's bounded History indexes by integer only
    if len(history) != before + EPOCHS or not all(math.isfinite(h.loss) for h in history[before:]):
        raise SmokeFailure(f"expected {EPOCHS} new finite epochs, history has {len(history) - before}")
    trained = doc.network.get_parameters()
    if not window.files.save():
        raise SmokeFailure(f"{out}: saving failed")
    window.close()
    _wait_until(lambda: not studio.live_windows(), "the window to close")
    again = studio.open_file(str(out))
    if again is None:
        raise SmokeFailure(f"{out}: re-opening the saved file failed")
    if not params_equal(again.document.network.get_parameters(), trained):
        raise SmokeFailure("the re-opened file's weights differ from the trained ones")
    if len(again.document.project.history) != len(history):
        raise SmokeFailure("the re-opened file lost training history")
    again.close()
    return f"trained {EPOCHS} epochs (loss {history[-1].loss:.6g}), saved, re-opened"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: backprop-studio --smoke-test FILE OUT", file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    if not source.is_file():
        print(f"smoke test failed: {source}: no such file", file=sys.stderr)
        return 1
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    watchdog = threading.Timer(WATCHDOG_S, lambda: (print(
        f"smoke test failed: still running after {WATCHDOG_S:.0f} s", file=sys.stderr, flush=True),
        os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from . import crash
    from .main import Studio, create_application

    problems: list[str] = []

    def qt_message(kind, _context, message: str) -> None:
        serious = kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        if serious and not any(h in message for h in HARMLESS_QT_WARNINGS):
            problems.append(f"Qt: {message}")

    app = create_application()
    qInstallMessageHandler(qt_message)
    with tempfile.TemporaryDirectory(prefix="backprop-smoke-") as tmp:
        _isolate(Path(tmp))
        log_file = crash.setup_logging()
        reporter = crash.CrashReporter(log_file, on_error=lambda s, d: problems.append(d),
                                       parent=app)
        reporter.install()
        _no_dialogs()
        studio = Studio(app)
        studio.started = True
        try:
            steps = [check_resources(), train_save_reopen(studio, source, out)]
            app.processEvents()
        except SmokeFailure as exc:
            problems.insert(0, str(exc))
        finally:
            reporter.uninstall()
            qInstallMessageHandler(None)
    watchdog.cancel()
    if problems:
        print("smoke test failed: " + "\n".join(problems), file=sys.stderr)
        crash.log.error("smoke test failed: %s", problems[0])
        return 1
    message = f"smoke test passed: {'; '.join(steps)}; log {log_file}"
    crash.log.info(message)
    print(message)
    return 0
