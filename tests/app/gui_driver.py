"""A real Backprop Studio process for crash tests (run as ``python tests/app/gui_driver.py MODE
FILE`` from the repository root; the tests kill it with SIGKILL).

``train FILE``: the real main window opens FILE, presses Start and prints ``epoch N`` lines as
reports arrive (at most every 0.1 s), so the test knows how far the run was when it killed it.
``window FILE``: the real main window opens FILE, makes one edit, autosaves, prints ``saved``
and runs until killed.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.main_window import APP_NAME, MainWindow  # noqa: E402


def main(mode: str, path: str) -> int:
    app = QApplication([sys.argv[0]])
    app.setOrganizationName("Backprop Studio Test")
    app.setApplicationName(APP_NAME)
    window = MainWindow()
    if not window.files.load(path):
        print("cannot open", path, flush=True)
        return 2
    window.show()
    if mode == "train":
        last = [0.0]

        def reported(batch) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1:
                last[0] = now
                print(f"epoch {batch.last.epoch} {now:.3f}", flush=True)
        window.training.controller.epochs_reported.connect(reported)
        QTimer.singleShot(0, window.training.actions["start"].trigger)
    else:
        def edit() -> None:
            window.editor.set_bias(1, 0, 4.25)
            print("saved" if window.files.autosave(wait=True) else "not saved", flush=True)
        QTimer.singleShot(0, edit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
