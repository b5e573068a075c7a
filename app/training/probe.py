"""The prediction probe: type input values, see every neuron's net input and output.

Inputs are typed in the data's own units; when the data set normalises its inputs, the probe
applies the same normalisation before ``Engine.forward`` (the table shows both).
"""
from __future__ import annotations

import time
from contextlib import nullcontext

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from core.engine import Engine
from core.recurrent import layer_pass

from ..on_screen import on_screen

REFRESH_MS = 100
LIVE_REFRESH_MS = 250  # during a run at full speed: its numbers change faster than one reads
# Above this many inputs (the 784 pixels of a digit) a field per input is no way to type a
# sample, and building them took seconds: the probe then shows a chosen sample of the data.
MAX_INPUT_FIELDS = 32


class PredictionProbe(QWidget):
    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.inputs: list[QDoubleSpinBox] = []
        self.slowdown = 1.0
        self.priority = nullcontext
        self.live = False  # a run at full speed (set by the training feature)
        self._dirty = False
        self._refreshed_at = 0.0
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setWidget(self.form_box)
        self.form_scroll.setMaximumHeight(180)
        self.sample = QSpinBox()
        self.sample.setToolTip("Fill the inputs from this sample of the data (1 = the first)")
        self.sample.valueChanged.connect(self._on_sample)
        self.sample_note = QLabel()
        sample_row = QHBoxLayout()
        sample_row.addWidget(QLabel("Sample of the data:"))
        sample_row.addWidget(self.sample)
        sample_row.addWidget(self.sample_note, 1)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["layer", "neuron", "net input", "output"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(sample_row)
        lay.addWidget(QLabel("Inputs:"))
        lay.addWidget(self.form_scroll)
        lay.addWidget(self.error)
        lay.addWidget(self.table, 1)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        document.structure_changed.connect(self.rebuild)
        document.neuron_changed.connect(self.schedule)
        document.parameters_changed.connect(self.schedule)
        document.dataset_changed.connect(self.rebuild)
        document.training_config_changed.connect(self.schedule)
        self.rebuild()

    @Slot()
    def schedule(self, *_) -> None:
        """Refresh soon; during a live run the training frames refresh it (refresh_if_due)."""
        if self.live:
            self._dirty = True
        elif not self._timer.isActive():
            self._timer.start(int(REFRESH_MS * self.slowdown))

    def refresh_if_due(self) -> None:
        if self._dirty and on_screen(self) and \
                time.perf_counter() - self._refreshed_at >= LIVE_REFRESH_MS / 1000 * self.slowdown:
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.schedule()

    @Slot()
    def rebuild(self) -> None:
        old = [s.value() for s in self.inputs]
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = []
        net = self.document.network
        ds = self.document.project.dataset
        n_samples = len(ds) if ds is not None and ds.x.shape[1] == net.n_inputs else 0
        self.sample.blockSignals(True)
        self.sample.setRange(0 if net.n_inputs <= MAX_INPUT_FIELDS else min(1, n_samples), n_samples)
        # the text shown at the range's lowest value: sample 1 is the lowest for a wide input,
        # and read "no data" there while showing sample 1's numbers
        wide_text = "" if n_samples else "no data"
        self.sample.setSpecialValueText("typed values" if net.n_inputs <= MAX_INPUT_FIELDS else wide_text)
        self.sample.blockSignals(False)
        self.sample_note.setText(f"of {n_samples}" if n_samples else "")
        self.form_scroll.setVisible(net.n_inputs <= MAX_INPUT_FIELDS)
        if net.n_inputs > MAX_INPUT_FIELDS:
            self.refresh()
            return
        names = ds.input_names if ds is not None and len(ds.input_names) == net.n_inputs else None
        for k in range(net.n_inputs):
            spin = QDoubleSpinBox()
            spin.setRange(-1e6, 1e6)
            spin.setDecimals(4)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)
            spin.setValue(old[k] if k < len(old) else 0.0)
            spin.valueChanged.connect(self._on_typed)
            label = net.name_of(0, k) + (f" ({names[k]})" if names else "")
            self.form.addRow(label, spin)
            self.inputs.append(spin)
        k = self.sample.value()
        if k >= 1:  # "sample k" is shown: the inputs are that sample's, of the data as it is now
            self.set_inputs(ds.x[k - 1])
            return
        self.refresh()

    def set_inputs(self, values) -> None:
        for spin, v in zip(self.inputs, values):
            spin.blockSignals(True)
            spin.setValue(float(v))
            spin.blockSignals(False)
        self.refresh()

    @Slot()
    def _on_typed(self, *_) -> None:
        self.sample.blockSignals(True)
        self.sample.setValue(0)  # the inputs are the user's own now, not a sample's
        self.sample.blockSignals(False)
        self.schedule()

    @Slot(int)
    def _on_sample(self, k: int) -> None:
        ds = self.document.project.dataset
        if k >= 1 and self.inputs and ds is not None and k <= len(ds):
            self.set_inputs(ds.x[k - 1])
        else:
            self.schedule()

    def network_inputs(self) -> np.ndarray:
        ds = self.document.project.dataset
        n_in = self.document.network.n_inputs
        if n_in > MAX_INPUT_FIELDS:
            k = self.sample.value()
            ok = ds is not None and ds.x.shape[1] == n_in and 1 <= k <= len(ds)
            x = ds.x[k - 1:k].astype(np.float64) if ok else np.zeros((1, n_in))
        else:
            x = np.array([[s.value() for s in self.inputs]], dtype=np.float64)
        if ds is not None and ds.normalization is not None and ds.x.shape[1] == x.shape[1]:
            x = ds.normalization.apply(x)
        return x

    @Slot()
    def refresh(self) -> None:
        self._timer.stop()
        if not on_screen(self):  # hidden, or behind another tab: refreshed when shown
            self._dirty = True
            return
        self._dirty = False
        self._refreshed_at = time.perf_counter()
        net = self.document.network
        if len(self.inputs) != net.n_inputs and net.n_inputs <= MAX_INPUT_FIELDS:
            self.rebuild()
            return
        try:
            with self.priority():
                with np.errstate(all="ignore"):
                    x = self.network_inputs()
                    p = layer_pass(net, x) if net.is_recurrent else Engine(net).forward(x)
        except ValueError as exc:
            self.error.setText(str(exc))
            self.table.setRowCount(0)
            return
        self.error.setText("")
        rows = [(li, k) for li in range(len(net.layers)) for k in range(net.layers[li].size)]
        self.table.setRowCount(len(rows))
        n = len(net.layers)
        for r, (li, k) in enumerate(rows):
            kind = "input" if li == 0 else "output" if li == n - 1 else f"hidden {li}"
            cells = [kind, net.name_of(li, k),
                     "" if li == 0 else f"{p.nets[li][0, k]:.6g}", f"{p.outs[li][0, k]:.6g}"]
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter if c >= 2 else Qt.AlignLeft | Qt.AlignVCenter)
                    self.table.setItem(r, c, item)
                item.setText(text)

    def output_values(self) -> list[float]:
        """The output column as shown (for tests)."""
        net = self.document.network
        start = sum(net.sizes[:-1])
        return [float(self.table.item(start + k, 3).text()) for k in range(net.n_outputs)]
