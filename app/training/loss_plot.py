"""The live loss plot: training and validation loss per epoch, accuracy on a second axis.

Every epoch is kept in growing numpy buffers (doubling); pyqtgraph only downsamples for display
(``peak`` mode, clip to view). Redraws are coalesced on a timer, independent of the data rate.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

REDRAW_MS = 80
MAX_INTERVAL_MS = 500  # live means at least twice a second
SHARE = 0.06  # redraw at most this share of the time (a redraw's cost / SHARE apart)
COLOURS = {"loss": "#1f77b4", "val_loss": "#ff7f0e", "accuracy": "#2ca02c", "val_accuracy": "#9467bd"}
NAMES = {"loss": "training loss", "val_loss": "validation loss", "accuracy": "training accuracy",
         "val_accuracy": "validation accuracy"}
FIELDS = ("loss", "val_loss", "accuracy", "val_accuracy")
MARKERS_UP_TO = 30  # epochs: below this each one is also drawn as a dot (one epoch has no line)


class History:
    """Column buffers: epoch plus the four series (NaN where a value is absent)."""

    def __init__(self) -> None:
        self.n = 0
        self._cols = {name: np.empty(256) for name in ("epoch",) + FIELDS}

    def clear(self) -> None:
        self.n = 0

    def extend(self, items) -> None:
        """``items``: EpochReports or HistoryEntries (both have the same attribute names)."""
        items = list(items)
        k = len(items)
        if not k:
            return
        need = self.n + k
        cap = len(self._cols["epoch"])
        if need > cap:
            while cap < need:
                cap *= 2
            for name, col in self._cols.items():
                grown = np.empty(cap)
                grown[:self.n] = col[:self.n]
                self._cols[name] = grown
        sl = slice(self.n, need)
        self._cols["epoch"][sl] = [it.epoch for it in items]
        for name in FIELDS:
            self._cols[name][sl] = [np.nan if getattr(it, name) is None else getattr(it, name)
                                    for it in items]
        self.n = need

    def column(self, name: str) -> np.ndarray:
        return self._cols[name][:self.n]

    def has(self, name: str) -> bool:
        return self.n > 0 and bool(np.isfinite(self.column(name)).any())


class LossPlot(QWidget):
    """Loss (left axis, optionally logarithmic) and accuracy (right axis, 0–100 %)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = History()
        self._cost = 0.0
        self.slowdown = 1.0  # set by the controller's GUI-duty measurement
        self.priority = nullcontext  # the controller's gui_priority once installed
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumHeight(150)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "epoch")
        item.setLabel("left", "loss")
        # No grid: pyqtgraph draws it as the axes' tick lines across the plot, which tripled the
        # cost of a frame (7 -> 21 ms for a 1400x220 plot, measured) while training redraws it
        # several times a second. The crosshair readout gives exact values instead.
        item.setMenuEnabled(False)
        item.getAxis("left").enableAutoSIPrefix(False)
        self.legend = item.addLegend(offset=(-10, 10))
        self.acc_box = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.acc_box)
        item.getAxis("right").linkToView(self.acc_box)
        item.getAxis("right").setLabel("accuracy", units="%")
        self.acc_box.setXLink(item)
        self.acc_box.setYRange(0, 100, padding=0.02)
        self.acc_box.setMouseEnabled(x=False, y=False)
        item.vb.sigResized.connect(self._sync_boxes)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for name in FIELDS:
            dashed = name.startswith("val")
            pen = pg.mkPen(COLOURS[name], width=2, style=Qt.DashLine if dashed else Qt.SolidLine)
            curve = pg.PlotDataItem(pen=pen, connect="finite")
            if "accuracy" in name:
                self.acc_box.addItem(curve)
            else:
                item.addItem(curve)
            # after addItem, which applies the PlotItem's own (off) downsampling settings
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[name] = curve
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=Qt.DotLine))
        item.addItem(self.vline, ignoreBounds=True)
        self.vline.hide()
        self.readout = QLabel(" ")
        self.readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_box.toggled.connect(self.set_log)
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.log_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._update_visibility()

    # ----------------------------------------------------------------- data
    def epochs_shown(self) -> int:
        return self.history.n

    def set_history(self, entries) -> None:
        """Show ``entries`` (the document's history). When they do not continue what is shown
        (another network, an undone run, a reset), the axes start afresh as well."""
        entries = list(entries)
        old_n = self.history.n
        continues = 0 < old_n <= len(entries) and entries[0].epoch == self.history.column("epoch")[0]
        self.history.clear()
        self.history.extend(entries)
        if not continues:
            vb = self.plot.getPlotItem().vb
            if not entries:
                vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            vb.enableAutoRange()
        self.redraw()

    @Slot(list)
    def append_reports(self, reports: list) -> None:
        self.history.extend(r for r in reports if not r.diverged)
        if not self._redraw_timer.isActive():
            # at most every REDRAW_MS, slower when a redraw is costly
            self._redraw_timer.start(int(min(max(REDRAW_MS, int(self._cost / SHARE * 1000)) * self.slowdown, MAX_INTERVAL_MS)))

    @Slot()
    def redraw(self) -> None:
        self._redraw_timer.stop()
        with self.priority():
            t0 = time.perf_counter()
            self._redraw()
            self.plot.viewport().repaint()  # count the paint in the cost, not just setData
            self._cost = time.perf_counter() - t0

    def _redraw(self) -> None:
        h = self.history
        x = h.column("epoch")
        few = h.n <= MARKERS_UP_TO
        for name, curve in self.curves.items():
            if h.has(name):
                y = h.column(name)
                if few:
                    curve.setSymbol("o")
                    curve.setSymbolSize(7)
                    curve.setSymbolPen(None)
                    curve.setSymbolBrush(COLOURS[name])
                else:
                    curve.setSymbol(None)
                curve.setData(x, y * 100.0 if "accuracy" in name else y)
            else:
                curve.setData([], [])
        self._update_visibility()
        if not self.vline.isVisible():  # not hovering: the readout shows the newest epoch
            if h.n:
                self.show_readout(h.n - 1, crosshair=False)
            else:
                self.readout.setText(" ")

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The full data a curve holds (every epoch; display downsampling aside)."""
        x, y = self.curves[name].getOriginalDataset()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    # ----------------------------------------------------------------- view
    @Slot(bool)
    def set_log(self, on: bool) -> None:
        """Logarithmic loss axis; the accuracy axis stays linear."""
        item = self.plot.getPlotItem()
        for name in ("loss", "val_loss"):
            self.curves[name].setLogMode(False, on)
        item.getAxis("left").setLogMode(False, on)
        item.vb.enableAutoRange()
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)

    def _update_visibility(self) -> None:
        has_acc = self.history.has("accuracy") or self.history.has("val_accuracy")
        axis = self.plot.getPlotItem().getAxis("right")
        axis.setVisible(has_acc)
        for name in FIELDS:
            curve, shown = self.curves[name], self.history.has(name)
            curve.setVisible(shown)
            listed = any(sample.item is curve for sample, _ in self.legend.items)
            if shown and not listed:
                self.legend.addItem(curve, NAMES[name])
            elif listed and not shown:
                self.legend.removeItem(curve)

    @Slot()
    def _sync_boxes(self) -> None:
        vb = self.plot.getPlotItem().vb
        self.acc_box.setGeometry(vb.sceneBoundingRect())
        self.acc_box.linkedViewChanged(vb, self.acc_box.XAxis)

    @Slot(object)
    def _on_mouse_moved(self, pos: QPointF) -> None:
        h = self.history
        vb = self.plot.getPlotItem().vb
        if h.n == 0 or not vb.sceneBoundingRect().contains(pos):
            if self.vline.isVisible():
                self.vline.hide()
                self._redraw()  # back to the newest epoch's readout
            return
        epochs = h.column("epoch")
        x = vb.mapSceneToView(pos).x()
        self.show_readout(int(np.clip(np.searchsorted(epochs, x), 0, h.n - 1)))

    def show_readout(self, index: int, crosshair: bool = True) -> None:
        """Show the exact values of one stored epoch (crosshair readout)."""
        h = self.history
        epoch = h.column("epoch")[index]
        if crosshair:
            self.vline.setPos(epoch)
            self.vline.show()
        parts = [f"epoch {int(epoch)}"]
        for name in FIELDS:
            v = h.column(name)[index]
            if np.isfinite(v):
                parts.append(f"{NAMES[name]} {v * 100:.1f} %" if "accuracy" in name
                             else f"{NAMES[name]} {v:.6g}")
        self.readout.setText(" · ".join(parts))
