"""File → Export: one entry per format of core's export registry (the Qt-drawn PNGs included),
each asking for a file name and writing the document as it stands. A failure is one line in a
message box; nothing of the document changes."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from core.export import EXPORTERS, ExportError, export

from .dialogs import prompts
from .png_export import register_qt_exporters

if TYPE_CHECKING:
    from .main_window import MainWindow

LABELS = {"svg": "Canvas as &SVG (for print)…", "png": "Canvas as &PNG…",
          "loss-png": "&Loss Plot as PNG…", "csv": "Loss History as &CSV…",
          "landscape-png": "L&andscape as PNG…", "html": "Step-through &Hand-out (HTML)…"}
ORDER = ["svg", "png", "loss-png", "csv", "landscape-png", "html"]


class ExportMenu(QMenu):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__("&Export", window)
        self.w = window
        register_qt_exporters()
        self.aboutToShow.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        """Rebuilt when shown: formats registered later (interop's torch, onnx) appear too."""
        self.clear()
        names = [n for n in ORDER if n in EXPORTERS] + sorted(set(EXPORTERS) - set(ORDER))
        for name in names:
            e = EXPORTERS[name]
            act = self.addAction(LABELS.get(name, f"{e.description[:1].upper()}{e.description[1:]}…"))
            act.setObjectName(f"export_{name}")
            act.setStatusTip(e.description)
            act.triggered.connect(lambda checked=False, n=name: self.export_as(n))

    def options_for(self, name: str) -> dict:
        w = self.w
        if name == "landscape-png":
            panel = w.landscape
            return {"refs": list(panel.refs), "trail": list(panel.path),
                    "size": panel.size_combo.currentData()}
        if name in ("svg", "png"):
            mode = w.scene.values_mode
            return {"values": mode}
        if name == "html":  # the sample (and precision) the step-through shows
            session = getattr(getattr(w, "classroom", None), "session", None)
            if session is None:
                return {"sample": 1}
            row = session.sample
            st = getattr(session, "stepper", None)
            if st is not None:
                row = st.step(st.step_index).batch[0]
            return {"sample": row + 1, "digits": session.digits}
        return {}

    def export_as(self, name: str, path: str | None = None) -> Path | None:
        e = EXPORTERS[name]
        if path is None:
            doc = self.w.document
            stem = doc.path.with_suffix("") if doc.path else Path(doc.display_name())
            suffix = f"-{name.split('-')[0]}" if name in ("loss-png", "landscape-png") else ""
            suggestion = f"{stem}{suffix}{e.suffix}"
            path = prompts.get_export_path(self.w, f"Export {e.description}", suggestion,
                                           f"{e.name.upper()} (*{e.suffix})")
            if not path:
                return None
        try:
            out = export(self.w.document.project, name, path, **self.options_for(name))
        except ExportError as err:
            prompts.show_error(self.w, "Export", str(err))
            return None
        except OSError as err:
            prompts.show_error(self.w, "Export", f"{path}: cannot write: {err.strerror or err}")
            return None
        self.w.show_status(f"Wrote {out}")
        return out
