"""The `backprop-studio` console script (and the frozen app's entry): headless subcommands go to
core.cli before anything imports Qt; a bare call or a FILE opens the window.

Options for the installed app itself: ``--install-desktop`` / ``--uninstall-desktop`` (menu entry
and .bpnet file type for this user, app/desktop_install.py) and ``--smoke-test FILE OUT`` (a
headless self-check of a bundle, app/smoke_test.py)."""
from __future__ import annotations

import sys
from typing import Sequence

from core import cli


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--smoke-test":
        from .smoke_test import main as smoke_main
        return smoke_main(argv[1:])
    if argv and argv[0] in ("--install-desktop", "--uninstall-desktop"):
        from .desktop_install import main as desktop_main
        return desktop_main(argv)
    if cli.is_subcommand(argv):
        if argv[0] == "export" or "--help" in argv or "-h" in argv:
            from .png_export import register_qt_exporters  # imports no Qt until a PNG is drawn
            register_qt_exporters()
        return cli.main(argv)
    problem = cli.gui_problem(argv)
    if problem:  # say why, instead of letting Qt abort the process
        print(f"error: {problem}", file=sys.stderr)
        return 1
    from .main import main as gui_main
    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
