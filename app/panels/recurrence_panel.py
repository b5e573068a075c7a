"""The recurrence settings of a recurrent network (core/recurrence.py), shown in the Network dock
only while the network has a backward, sideways or self connection. Edits go through the Editor."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLineEdit, QSpinBox

from core.recurrence import MODES

from ..document import Document
from ..editor import Editor


SHORT = {"settle": "Settle (fixed point)", "sequence": "Sequence (BPTT)"}


class RecurrencePanel(QGroupBox):
    def __init__(self, document: Document, editor: Editor, parent=None) -> None:
        super().__init__("Recurrent network", parent)
        self.doc, self.editor = document, editor
        self.setToolTip("This network has connections that run backward, sideways or from a neuron to "
                        "itself. Settle: each sample is relaxed to a fixed point, then the error is relaxed "
                        "backward (recurrent backpropagation). Sequence: the rows of the data are time "
                        "steps (backpropagation through time).")
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        self.mode = QComboBox()
        for key, label in MODES.items():
            self.mode.addItem(SHORT[key], key)
            self.mode.setItemData(self.mode.count() - 1, label, Qt.ToolTipRole)
        self.threshold = QLineEdit()
        self.threshold.setMaximumWidth(120)
        self.threshold.setToolTip("Settle: stop when no neuron's output changes by this much in one iteration")
        self.max_iterations = QSpinBox()
        self.max_iterations.setRange(1, 1_000_000)
        self.max_iterations.setToolTip("Settle: a relaxation that needs more iterations has not settled")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.01, 1.0)
        self.rate.setSingleStep(0.05)
        self.rate.setToolTip("Relaxation rate λ: x ← (1−λ)x + λ f(Wx + b); below 1 damps oscillation")
        self.bptt_steps = QSpinBox()
        self.bptt_steps.setRange(1, 10_000)
        self.bptt_steps.setToolTip("Sequence: time steps per truncated backpropagation and per update")
        form.addRow("Mode", self.mode)
        form.addRow("Threshold", self.threshold)
        form.addRow("Max iterations", self.max_iterations)
        form.addRow("Rate λ", self.rate)
        form.addRow("BPTT steps", self.bptt_steps)
        self._syncing = False
        self.mode.currentIndexChanged.connect(lambda _: self._edit(mode=self.mode.currentData()))
        self.threshold.editingFinished.connect(self._on_threshold)
        self.max_iterations.editingFinished.connect(lambda: self._edit(max_iterations=self.max_iterations.value()))
        self.rate.editingFinished.connect(lambda: self._edit(rate=round(self.rate.value(), 4)))
        self.bptt_steps.editingFinished.connect(lambda: self._edit(bptt_steps=self.bptt_steps.value()))
        document.structure_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        net = self.doc.network
        self.setVisible(net.is_recurrent)
        s = net.recurrence_settings()
        self._syncing = True
        self.mode.setCurrentIndex(self.mode.findData(s.mode))
        self.threshold.setText(f"{s.threshold:g}")
        self.max_iterations.setValue(s.max_iterations)
        self.rate.setValue(s.rate)
        self.bptt_steps.setValue(s.bptt_steps)
        settle = s.mode == "settle"
        for w in (self.threshold, self.max_iterations, self.rate):
            w.setEnabled(settle)
        self.bptt_steps.setEnabled(not settle)
        self._syncing = False

    def _on_threshold(self) -> None:
        try:
            value = float(self.threshold.text())
        except ValueError:
            self.editor.status_message.emit(f"Threshold: {self.threshold.text()!r} is not a number")
            self.refresh()
            return
        self._edit(threshold=value)

    def _edit(self, **changes) -> None:
        if self._syncing:
            return
        current = self.doc.network.recurrence_settings()
        try:
            new = replace(current, **changes)
        except ValueError as exc:
            self.editor.status_message.emit(f"Not changed: {exc}")
            self.refresh()
            return
        if new != current:
            self.editor.set_recurrence(new)
