"""The Relaxation dock: a recurrent network's settings, and one sample settling, iteration by
iteration.

Play lights the canvas: during the forward relaxation each neuron glows by |output| as the
outputs settle, then during the backward relaxation by |δ|; the plot shows the largest change of
each iteration falling below the threshold (forward and backward, log scale) with a marker at
the iteration on show. In sequence mode the rows are time steps instead. Every number comes from
core.recurrent_trace; this view only plays them back.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from core.recurrent_trace import RecurrentTrace, recurrent_trace

from ..on_screen import on_screen
from ..panels.recurrence_panel import RecurrencePanel

FRAME_MS = 200  # slow enough to follow a neuron settling
MAX_FRAMES = 40  # a long relaxation is played in at most this many frames per direction
FORWARD, BACKWARD = "#1f77b4", "#d9531e"


class RelaxationView(QWidget):
    def __init__(self, document, set_glow=None, editor=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        # the settings the relaxation runs with, edited through the Editor (undoable)
        self.settings = RecurrencePanel(document, editor) if editor is not None else None
        self._set_glow = set_glow or (lambda values: None)
        self.trace: RecurrentTrace | None = None
        self.frames: list[tuple[str, int]] = []
        self.frame = -1
        self._dirty = True
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.sample = QSpinBox()
        self.sample.setMinimum(1)
        self.sample.setToolTip("The sample of the data to relax")
        self.sample.valueChanged.connect(self.refresh)
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Show the relaxation on the canvas: outputs settling, then |δ|")
        self.play_button.clicked.connect(self.toggle_play)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample"))
        row.addWidget(self.sample)
        row.addWidget(self.play_button)
        row.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMinimumHeight(150)
        item = self.plot.getPlotItem()
        item.setLogMode(y=True)
        item.setLabel("left", "largest change")
        item.setLabel("bottom", "iteration")
        item.addLegend(offset=(-5, 5))
        self.curve_f = item.plot([], [], pen=pg.mkPen(FORWARD, width=2), name="forward")
        self.curve_b = item.plot([], [], pen=pg.mkPen(BACKWARD, width=2), name="backward (δ)")
        self.threshold_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#777", style=pg.QtCore.Qt.DashLine))
        item.addItem(self.threshold_line)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#f2b705", width=2))
        item.addItem(self.marker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.note)
        if self.settings is not None:
            layout.addWidget(self.settings)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.plot)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._advance)
        for signal in (document.structure_changed, document.parameters_changed, document.dataset_changed,
                       document.project_replaced):
            signal.connect(self.refresh)
        self.refresh()

    # ----------------------------------------------------------------- data from core
    @Slot()
    def refresh(self) -> None:
        """Recompute the trace (a few relaxations of one sample); while hidden, only later."""
        self.stop()
        if not on_screen(self):  # hidden, or behind another tab: refreshed when shown
            self._dirty = True
            return
        self._dirty = False
        net, ds = self.doc.network, self.doc.project.dataset
        self.trace = None
        usable = net.is_recurrent and ds is not None and len(ds) > 0
        for w in (self.sample, self.play_button, self.plot):
            w.setEnabled(usable)
        if not net.is_recurrent:
            self._show_note("This network is feed-forward: it has no relaxation to show. Draw a connection "
                            "backward, sideways or back onto a neuron to make it recurrent.")
            return
        if not usable:
            self._show_note("Add data to relax a sample.")
            return
        self.sample.blockSignals(True)
        self.sample.setMaximum(len(ds))
        self.sample.blockSignals(False)
        k = self.sample.value()
        try:
            x = ds.inputs()[:k]
            lr = self.doc.project.training.optimizer.learning_rate
            self.trace = recurrent_trace(net, x, ds.y[:k], lr, sample=k)
        except ValueError as exc:  # does not settle, or data that does not fit the network
            self._show_note(str(exc))
            return
        self.note.setVisible(False)
        tr = self.trace
        settle = tr.mode == "settle"
        self.plot.getPlotItem().setLabel("bottom", "iteration" if settle else "time step")
        fc = np.maximum(np.asarray(tr.forward_changes), 1e-300)
        bc = np.maximum(np.asarray(tr.backward_changes), 1e-300)
        self.curve_f.setData(np.arange(1, len(fc) + 1), fc)
        self.curve_b.setData(np.arange(1, len(bc) + 1), bc)
        self.threshold_line.setVisible(settle)
        self.threshold_line.setValue(np.log10(tr.threshold))
        self.frames = _frames("f", len(tr.forward)) + _frames("b", len(tr.backward))
        self.frame = -1
        what = "iterations" if settle else "time steps"
        self.status.setText(f"forward: {len(tr.forward)} {what}, backward: {len(tr.backward)}"
                            + (f"; threshold {tr.threshold:g}" if settle else ""))
        self.marker.setVisible(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_if_dirty()

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(True)
        self.status.setText("")
        self.curve_f.setData([], [])
        self.curve_b.setData([], [])
        self.marker.setVisible(False)

    # ----------------------------------------------------------------- playing back
    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
        elif self.trace is not None:
            self.frame = -1
            self.play_button.setText("Stop")
            self.timer.start()

    def stop(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self._set_glow(None)
        self.play_button.setText("Play")

    def _advance(self) -> None:
        self.frame += 1
        if self.frame >= len(self.frames):
            self.stop()
            return
        self.show_frame(self.frame)

    def show_frame(self, index: int) -> None:
        """Light the canvas for frame ``index`` (forward: |output|; backward: |δ|)."""
        tr = self.trace
        kind, it = self.frames[index]
        rows = tr.forward if kind == "f" else tr.backward
        values = np.abs(np.asarray(rows[it]))
        top = values[len(tr.inputs):].max() if kind == "b" else 1.0
        values = values / top if top > 0 else values
        sizes = self.doc.network.sizes
        bounds = np.cumsum([0] + sizes)
        layers = [values[lo:hi] for lo, hi in zip(bounds, bounds[1:])]
        if kind == "f":
            layers[0] = np.zeros(sizes[0])  # the inputs are the data, not part of the relaxation
        self._set_glow(layers)
        changes = tr.forward_changes if kind == "f" else tr.backward_changes
        word = "iteration" if tr.mode == "settle" else "step"
        self.status.setText(f"{'forward' if kind == 'f' else 'backward'} {word} {it + 1} / {len(rows)}: "
                            f"largest change {changes[it]:.3g}")
        self.marker.setValue(it + 1)
        self.marker.setPen(pg.mkPen(FORWARD if kind == "f" else BACKWARD, width=2))
        self.marker.setVisible(True)


def _frames(kind: str, n: int) -> list[tuple[str, int]]:
    """Up to MAX_FRAMES evenly spread iterations, always the first and the last."""
    if n <= MAX_FRAMES:
        return [(kind, i) for i in range(n)]
    return [(kind, int(i)) for i in np.unique(np.linspace(0, n - 1, MAX_FRAMES).round().astype(int))]
