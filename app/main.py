"""Start the app: ``main(argv) -> exit code``; ``backprop-studio [FILE]`` and ``python -m app [FILE]``."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from PySide6.QtWidgets import QApplication

    from .main_window import APP_NAME, MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "backprop-studio"])
    app.setOrganizationName("Backprop Studio")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    window = MainWindow()
    path = next((a for a in argv if not a.startswith("-")), None)
    window.files.startup(path)
    window.show()
    return app.exec()
