"""New network dialog (sizes as text or spin boxes, activation per layer, fully connected or not,
initialisation and seed) and the Randomise dialog. Both build their result without exec, so
tests fill the fields and call ``network()`` / ``settings()`` directly."""
from __future__ import annotations

import re

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QGridLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout,
                               QWidget)

from core.initializers import SCHEMES
from core.losses import LOSSES
from core.network import Network

from ..panels.inspector import activation_combo


def parse_sizes(text: str) -> list[int]:
    """'2, 3, 1' or '2-3-1' or '2 3 1' → [2, 3, 1]; ValueError with a reason otherwise."""
    parts = [p for p in re.split(r"[\s,;x×\-]+", text.strip()) if p]
    if len(parts) < 2:
        raise ValueError("give at least two layer sizes, e.g. 2, 3, 1")
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"layer sizes are whole numbers: {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ValueError("every layer needs at least one neuron")
    if sum(sizes) > 5000:
        raise ValueError("at most 5,000 neurons in all")
    return sizes


class InitWidget(QWidget):
    """Scheme, scale, seed and bias initialisation fields."""

    def __init__(self, seed: int = 0, parent=None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.scheme = QComboBox()
        for name, label in SCHEMES.items():
            self.scheme.addItem(label, name)
        self.scale = QDoubleSpinBox()
        self.scale.setRange(0.0001, 100.0)
        self.scale.setDecimals(4)
        self.scale.setValue(0.5)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.zero_bias = QCheckBox("Biases start at 0")
        self.scheme.currentIndexChanged.connect(
            lambda: self.scale.setEnabled(self.scheme.currentData() == "uniform"))
        form.addRow("Initialisation", self.scheme)
        form.addRow("Range a (uniform ±a)", self.scale)
        form.addRow("Seed", self.seed)
        form.addRow("", self.zero_bias)

    def settings(self) -> dict:
        return {"scheme": self.scheme.currentData(), "scale": self.scale.value(),
                "seed": self.seed.value(), "bias_init": "zero" if self.zero_bias.isChecked() else "same"}


class NewNetworkDialog(QDialog):
    def __init__(self, parent=None, sizes: str = "2, 2, 1") -> None:
        super().__init__(parent)
        self.setWindowTitle("New network")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sizes = QLineEdit(sizes)
        self.sizes.setToolTip("Neurons per layer, input first: e.g. 2, 3, 1 or 784-128-10")
        form.addRow("Layer sizes", self.sizes)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        form.addRow("", self.error)
        layout.addLayout(form)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.grid_host)
        opts = QFormLayout()
        self.fully = QCheckBox("Connect each layer fully to the next")
        self.fully.setChecked(True)
        opts.addRow("", self.fully)
        self.loss = QComboBox()
        for name, loss in LOSSES.items():
            self.loss.addItem(loss.label, name)
        opts.addRow("Loss", self.loss)
        layout.addLayout(opts)
        self.init = InitWidget()
        layout.addWidget(self.init)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.spins: list[QSpinBox] = []
        self.combos: list[QComboBox] = []
        self.sizes.textChanged.connect(self._on_sizes_text)
        self._on_sizes_text()

    def _on_sizes_text(self) -> None:
        try:
            sizes = parse_sizes(self.sizes.text())
        except ValueError as exc:
            self.error.setText(str(exc))
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
            return
        self.error.setText("")
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(True)
        old = [c.currentData() for c in self.combos]
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.spins, self.combos = [], []
        for li, size in enumerate(sizes):
            kind = "Input" if li == 0 else "Output" if li == len(sizes) - 1 else f"Hidden {li}"
            self.grid.addWidget(QLabel(kind), li, 0)
            spin = QSpinBox()
            spin.setRange(1, 5000)
            spin.setValue(size)
            spin.valueChanged.connect(self._on_spin)
            self.grid.addWidget(spin, li, 1)
            self.spins.append(spin)
            if li > 0:
                combo = activation_combo()
                prev = old[li - 1] if li - 1 < len(old) else "sigmoid"
                combo.setCurrentIndex(max(0, combo.findData(prev)))
                self.grid.addWidget(combo, li, 2)
                self.combos.append(combo)

    def _on_spin(self) -> None:
        text = ", ".join(str(s.value()) for s in self.spins)
        self.sizes.blockSignals(True)
        self.sizes.setText(text)
        self.sizes.blockSignals(False)

    def network(self) -> Network:
        """The network the fields describe; ValueError with a reason if they do not."""
        sizes = parse_sizes(self.sizes.text())
        acts = [c.currentData() for c in self.combos]
        init = self.init.settings()
        net = Network.dense(sizes, acts, loss=self.loss.currentData(),
                            fully_connected=self.fully.isChecked(), init=init["scheme"],
                            scale=init["scale"], bias_init=init["bias_init"], seed=init["seed"])
        net.validate()
        return net


class RandomiseDialog(QDialog):
    def __init__(self, parent=None, target: str = "the whole network", seed: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Randomise weights")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"New random weights and biases for {target}:"))
        self.init = InitWidget(seed)
        layout.addWidget(self.init)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def settings(self) -> dict:
        return self.init.settings()
