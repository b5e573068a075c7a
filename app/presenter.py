"""Presenter mode (F11, View → Presenter Mode): the window full screen for a projector.

The canvas and the current lesson dominate: the menu bar, the status bar and every dock but the
lesson's (the Explain panel when the classroom feature provides one) are hidden; the toolbar
keeps the run group, the readout, Map and Exit; a sparkline stands for the loss plot. Text is
larger and lines 1.5× wider, on a white canvas with black text (style.apply_theme), and
Ctrl+plus / Ctrl+minus scale the text in 10 % steps (the zoom shortcuts move to Ctrl+wheel
meanwhile). Leaving restores every dock, bar and the window's geometry as they were.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QPointF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QDockWidget, QWidget

from . import style

if TYPE_CHECKING:
    from .main_window import MainWindow

TEXT_STEP = 1.1
TEXT_RANGE = (0.6, 2.5)
LESSON_DOCKS = ("classroom_dock",)  # the step-through's Explain panel stays when presenting


MAX_POINTS = 2000


class Sparkline(QWidget):
    """The loss history as one 120×28 line, log scale: the loss plot's place in presenter mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LossSparkline")
        self.setFixedSize(QSize(120, 28))
        self.losses: list[float] = []
        self.setToolTip("Loss per epoch (log scale)")

    def set_losses(self, losses: list[float]) -> None:
        self.losses = [v for v in losses if np.isfinite(v) and v > 0]
        self.update()

    def add_losses(self, losses: list[float]) -> None:
        kept = self.losses + [v for v in losses if np.isfinite(v) and v > 0]
        # 120 px wide: past MAX_POINTS every other point goes, so a long run costs a bounded list
        while len(kept) > MAX_POINTS:
            kept = kept[::2]
        self.losses = kept
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.white)
        p.setPen(QPen(Qt.gray, 1))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if len(self.losses) < 2:
            p.drawText(self.rect(), Qt.AlignCenter, "loss")
        else:
            v = np.log10(np.asarray(self.losses[-2000:]))
            lo, hi = float(v.min()), float(v.max())
            span = hi - lo or 1.0
            w, h = self.width() - 4, self.height() - 4
            xs = 2 + np.linspace(0, w, len(v))
            ys = 2 + (hi - v) / span * h
            p.setRenderHint(QPainter.Antialiasing, True)
            p.setPen(QPen(Qt.black, 2))
            p.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys)]))
        p.end()


class Presenter(QObject):
    toggled = Signal(bool)

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.active = False
        self.text_factor = 1.0
        self._saved: dict = {}
        self.action = QAction("&Presenter Mode", window, checkable=True)
        self.action.setShortcut(QKeySequence("F11"))
        self.action.setToolTip("Full screen for a projector: large text, high contrast (F11)")
        self.action.toggled.connect(self.set_active)
        self.bigger = QAction("&Larger Text", window)
        self.smaller = QAction("&Smaller Text", window)
        self.bigger.triggered.connect(lambda: self.scale_text(TEXT_STEP))
        self.smaller.triggered.connect(lambda: self.scale_text(1 / TEXT_STEP))
        for a in (self.bigger, self.smaller):
            a.setEnabled(False)
            window.addAction(a)
        self.sparkline = Sparkline()

    # ----------------------------------------------------------------- enter / leave
    @Slot(bool)
    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        self.active = on
        w = self.w
        if on:
            self._saved = {"geometry": w.saveGeometry(), "state": w.saveState(),
                           "maximized": w.isMaximized()}
            self._swap_zoom_keys(True)
            w.menuBar().hide()
            w.statusBar().hide()
            for dock in w.findChildren(QDockWidget):
                if dock.objectName() not in LESSON_DOCKS:
                    dock.hide()
            w.toolbar.set_advanced_visible(False)
            self.sparkline_action = w.toolbar.insertWidget(w.toolbar.readout_action, self.sparkline)
            self.sparkline.set_losses([h.loss for h in w.document.project.history])
            self.action.setIconText("Exit")
            w.showFullScreen()
        else:
            self._swap_zoom_keys(False)
            w.toolbar.removeAction(self.sparkline_action)
            w.toolbar.set_advanced_visible(True)
            w.menuBar().show()
            w.statusBar().show()
            self.action.setIconText("Present")
            w.showNormal()
            w.restoreState(self._saved["state"])
            w.restoreGeometry(self._saved["geometry"])
            if self._saved["maximized"]:
                w.showMaximized()
        self._apply_style()
        if self.action.isChecked() != on:
            self.action.setChecked(on)
        self.toggled.emit(on)

    def _swap_zoom_keys(self, presenting: bool) -> None:
        """Ctrl+plus/minus belong to the text size while presenting, to the zoom otherwise."""
        a = self.w.actions
        if presenting:
            self._zoom_keys = (a["zoom_in"].shortcuts(), a["zoom_out"].shortcuts())
            self.bigger.setShortcuts(self._zoom_keys[0])
            self.smaller.setShortcuts(self._zoom_keys[1])
            a["zoom_in"].setShortcuts([])
            a["zoom_out"].setShortcuts([])
        else:
            self.bigger.setShortcuts([])
            self.smaller.setShortcuts([])
            a["zoom_in"].setShortcuts(self._zoom_keys[0])
            a["zoom_out"].setShortcuts(self._zoom_keys[1])
        self.bigger.setEnabled(presenting)
        self.smaller.setEnabled(presenting)

    # ----------------------------------------------------------------- text size
    def scale_text(self, factor: float) -> None:
        lo, hi = TEXT_RANGE
        self.text_factor = float(min(max(self.text_factor * factor, lo), hi))
        self._apply_style()

    def _apply_style(self) -> None:
        style.apply_theme("presenter" if self.active else "desk", self.text_factor)
        w = self.w
        w.scene.setBackgroundBrush(style.CANVAS_BG)
        w.scene.rebuild()
        tb = w.toolbar
        tb.setStyleSheet(f"QToolButton {{ font-size: {round(16 * min(self.text_factor, 1.3))}px; }}"
                         if self.active else "")
        tb.setIconSize(QSize(28, 28) if self.active else QSize(22, 22))
        tb.relayout(round(28 * self.text_factor) if self.active else 20)
        w.view.fit_to_window()

    @Slot(object)
    def on_epochs_reported(self, batch) -> None:
        if self.active:
            self.sparkline.add_losses(batch.loss.tolist())
