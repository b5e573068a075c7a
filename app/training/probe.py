"""The prediction probe: type input values, see every neuron's net input and output.

Inputs are typed in the data's own units; when the data set normalises its inputs, the probe
applies the same normalisation before ``Engine.forward`` (the table shows both).
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from core.engine import Engine

REFRESH_MS = 100


class PredictionProbe(QWidget):
    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.inputs: list[QDoubleSpinBox] = []
        self.slowdown = 1.0
        self.priority = nullcontext
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
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
        lay.addWidget(QLabel("Inputs:"))
        lay.addWidget(self.form_box)
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
        if not self._timer.isActive():
            self._timer.start(int(REFRESH_MS * self.slowdown))

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
        names = ds.input_names if ds is not None and len(ds.input_names) == net.n_inputs else None
        for k in range(net.n_inputs):
            spin = QDoubleSpinBox()
            spin.setRange(-1e6, 1e6)
            spin.setDecimals(4)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)
            spin.setValue(old[k] if k < len(old) else 0.0)
            spin.valueChanged.connect(self.schedule)
            label = net.name_of(0, k) + (f" ({names[k]})" if names else "")
            self.form.addRow(label, spin)
            self.inputs.append(spin)
        self.refresh()

    def set_inputs(self, values) -> None:
        for spin, v in zip(self.inputs, values):
            spin.blockSignals(True)
            spin.setValue(float(v))
            spin.blockSignals(False)
        self.refresh()

    def network_inputs(self) -> np.ndarray:
        x = np.array([[s.value() for s in self.inputs]], dtype=np.float64)
        ds = self.document.project.dataset
        if ds is not None and ds.normalization is not None and ds.x.shape[1] == x.shape[1]:
            x = ds.normalization.apply(x)
        return x

    @Slot()
    def refresh(self) -> None:
        self._timer.stop()
        if not self.isVisible():
            return
        net = self.document.network
        if len(self.inputs) != net.n_inputs:
            self.rebuild()
            return
        try:
            with self.priority():
                with np.errstate(all="ignore"):
                    p = Engine(net).forward(self.network_inputs())
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
