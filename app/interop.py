"""File → Export (every format of core.export's registry) and File → Import (SNNS networks).

Formats and their writing are core's; this module asks where, says what happened, and names a
missing optional package with how to install it before any dialog opens. The file dialogs are
module functions so tests replace them (monkeypatch) instead of blocking in ``exec``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from core.export import EXPORTERS, ExportError, Exporter, export, missing_packages
from core.snns import SnnsError, import_snns

from .dialogs import prompts

if TYPE_CHECKING:
    from .main_window import MainWindow

LABELS = {"torch": "&PyTorch Module (.py)…", "onnx": "&ONNX Model (.onnx)…",
          "snns": "&SNNS Network and Patterns (.net, .pat)…", "csv": "Loss &History (.csv)…",
          "svg": "Canvas as S&VG, for Print (.svg)…", "png": "Canvas as P&NG (.png)…",
          "loss-png": "Loss Pl&ot as PNG (.png)…", "landscape-png": "L&andscape as PNG (.png)…",
          "html": "Step-through Han&d-out (.html)…"}
AFTERWORDS = {"torch": "run it with PyTorch installed (pip install torch)",
              "snns": "the patterns went to the .pat file beside it"}


def get_export_path(parent: QWidget | None, title: str, suggestion: str, suffix: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggestion, f"*{suffix};;All files (*)")
    return path or None


def get_import_path(parent: QWidget | None, title: str, folder: str, pattern: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, folder, f"{pattern};;All files (*)")
    return path or None


def install_message(exporter: Exporter, missing: list[str]) -> str:
    pkgs = " ".join(missing)
    extra = f' (or: pip install "backprop-studio[{exporter.name}]")' if exporter.name == "onnx" else ""
    return (f"Exporting to {exporter.name.upper()} needs the optional package {', '.join(missing)}, "
            f"which is not installed.\n\nInstall it with:  pip install {pkgs}{extra}\n"
            f"then export again.")


class Interop:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window

    def _folder(self) -> Path:
        path = self.w.document.path
        return path.parent if path is not None else Path.home()

    def export_as(self, name: str) -> bool:
        exporter = EXPORTERS[name]
        missing = missing_packages(exporter)
        if missing:
            prompts.show_error(self.w, "Export", install_message(exporter, missing))
            return False
        stem = (self.w.document.display_name().rsplit(".", 1)[0] or "network").replace(" ", "-")
        if name in ("loss-png", "landscape-png"):
            stem += "-" + name.split("-")[0]
        path = get_export_path(self.w, f"Export as {exporter.description}",
                               str(self._folder() / (stem + exporter.suffix)), exporter.suffix)
        if not path:
            return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(exporter.suffix)
        options = getattr(self.w, "export_options", lambda n: {})(name)
        try:
            export(self.w.document.project, name, path, **options)
        except (ExportError, ValueError) as exc:
            prompts.show_error(self.w, "Cannot export", f"{path.name}: {exc}")
            return False
        except OSError as exc:
            prompts.show_error(self.w, "Cannot export", f"{path.name}: {exc.strerror or exc}")
            return False
        after = AFTERWORDS.get(name)
        self.w.show_status(f"Exported {path.name}" + (f"; {after}" if after else ""))
        return True

    def import_snns(self, path: str | None = None, patterns: str | None = None) -> bool:
        """Read an SNNS .net (its patterns from NAME.pat beside it, or a file the user picks)."""
        if path is None:
            path = get_import_path(self.w, "Import SNNS network", str(self._folder()),
                                   "SNNS networks (*.net)")
            if not path:
                return False
        net_path = Path(path)
        if patterns is None:
            beside = net_path.with_suffix(".pat")
            patterns = str(beside) if beside.is_file() else get_import_path(
                self.w, f"Patterns for {net_path.name} (Cancel: none)", str(net_path.parent),
                "SNNS patterns (*.pat)")
        try:
            project, notes = import_snns(net_path, patterns or None)
        except SnnsError as exc:
            prompts.show_error(self.w, "Cannot import", str(exc))
            return False
        except OSError as exc:
            prompts.show_error(self.w, "Cannot import", f"{Path(exc.filename or path).name}: {exc.strerror or exc}")
            return False
        if not self.w.files.maybe_save():
            return False
        self.w.document.replace_project(project, None, modified=True)
        data = f", {len(project.dataset)} patterns" if project.dataset is not None else ", no patterns"
        self.w.show_status(f"Imported {net_path.name}: {'-'.join(map(str, project.network.sizes))} "
                           f"network{data}" + ("; " + "; ".join(notes) if notes else ""))
        return True


def build_interop_actions(window: "MainWindow") -> dict[str, QAction]:
    """'import_snns' and 'export' (a QAction carrying the Export submenu)."""
    handler = Interop(window)
    window.interop = handler
    imp = QAction("&Import SNNS Network…", window)
    imp.setStatusTip("Open a network file of the Stuttgart Neural Network Simulator (.net, .pat)")
    imp.triggered.connect(lambda checked=False: handler.import_snns())
    menu = QMenu("&Export", window)
    for name in sorted(EXPORTERS, key=lambda n: (n not in LABELS, list(LABELS).index(n) if n in LABELS else n)):
        ex = EXPORTERS[name]
        act = menu.addAction(LABELS.get(name, f"{ex.name} ({ex.suffix})…"))
        act.setStatusTip(ex.description)
        act.triggered.connect(lambda checked=False, n=name: handler.export_as(n))
    exp = menu.menuAction()
    exp.setStatusTip("Write the network for PyTorch, ONNX runtimes, SNNS, or as a table")
    return {"import_snns": imp, "export": exp}
