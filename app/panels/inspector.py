"""The Inspector dock: the selected neuron, connection, layer or several items.

Values show six decimals; the model keeps full precision, and a value is written only when the
user changes the text (so looking never rounds anything).
"""
from __future__ import annotations

import shiboken6

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from core.activations import ACTIVATIONS

from ..canvas.scene import NetworkScene
from ..document import Document
from ..editor import Editor


class ValueEdit(QLineEdit):
    """A number field: shows 6 decimals, emits value_edited only when the user changed it.
    Up/Down step by 0.1 (Shift: 0.01)."""

    value_edited = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._value = 0.0
        self._shown = ""
        self.editingFinished.connect(self._on_finished)

    def set_value(self, value: float) -> None:
        self._value = float(value)
        self._shown = f"{value:.6f}"
        if not self.isModified():
            self.setText(self._shown)
        self.setToolTip(f"Exact value: {value!r}\nType a number and press Enter; Up/Down step 0.1")

    def value(self) -> float:
        return self._value

    def _on_finished(self) -> None:
        text = self.text().strip().replace(",", ".")
        if not self.isModified() or text == self._shown:
            return  # focus passed through, or the text is what we showed: nothing to write
        self.setModified(False)
        try:
            v = float(text)
        except ValueError:
            self.setText(self._shown)
            return
        self.value_edited.emit(v)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Up, Qt.Key_Down):
            step = 0.01 if event.modifiers() & Qt.ShiftModifier else 0.1
            self.value_edited.emit(round(self._value + (step if event.key() == Qt.Key_Up else -step), 12))
            return
        super().keyPressEvent(event)


def activation_combo(with_default: bool = False, short: bool = False) -> QComboBox:
    combo = QComboBox()
    if with_default:
        combo.addItem("(layer's)", None)
    for name, act in ACTIVATIONS.items():
        combo.addItem(name.replace("_", " ") if short else act.label, name)
        combo.setItemData(combo.count() - 1, act.label, Qt.ToolTipRole)
    return combo


class Inspector(QWidget):
    """Shows and edits the scene's selection through the Editor."""

    def __init__(self, document: Document, editor: Editor, scene: NetworkScene,
                 actions: dict | None = None, parent=None) -> None:
        super().__init__(parent)
        self.doc, self.editor, self.scene = document, editor, scene
        self.actions = actions or {}
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.stack)
        layout.addStretch(1)
        self._build_empty()
        self._build_neuron()
        self._build_connection()
        self._build_layer()
        self._build_multi()
        self._refreshing = False
        scene.selectionChanged.connect(self.refresh)
        document.parameters_changed.connect(self.refresh)
        document.neuron_changed.connect(lambda *_: self.refresh())
        document.structure_changed.connect(self.refresh)
        self.refresh()

    # ----------------------------------------------------------------- pages
    def _page(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 4, 0, 0)
        self.stack.addWidget(page)
        return page, form

    def _build_empty(self) -> None:
        self.empty_page, form = self._page()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form.addRow(self.summary)

    def _build_neuron(self) -> None:
        self.neuron_page, form = self._page()
        self.n_name = QLineEdit()
        self.n_name.editingFinished.connect(self._on_name_edited)
        self.n_layer = QLabel()
        self.n_act = activation_combo(with_default=True)
        self.n_act.activated.connect(self._on_neuron_activation)
        self.n_bias = ValueEdit()
        self.n_bias.value_edited.connect(self._on_bias_edited)
        self.n_links = QLabel()
        self.n_links.setWordWrap(True)
        form.addRow("Name", self.n_name)
        form.addRow("Layer", self.n_layer)
        form.addRow("Activation", self.n_act)
        form.addRow("Bias", self.n_bias)
        form.addRow("Connections", self.n_links)

    def _build_connection(self) -> None:
        self.conn_page, form = self._page()
        self.c_from, self.c_to = QLabel(), QLabel()
        self.c_weight = ValueEdit()
        self.c_weight.value_edited.connect(self._on_weight_edited)
        delete = QPushButton("Delete connection")
        delete.clicked.connect(self.scene.delete_selection)
        form.addRow("From", self.c_from)
        form.addRow("To", self.c_to)
        form.addRow("Weight", self.c_weight)
        form.addRow(delete)

    def _build_layer(self) -> None:
        self.layer_page, form = self._page()
        self.l_size = QLabel()
        self.l_act = activation_combo()
        self.l_act.activated.connect(self._on_layer_activation)
        self.l_conn = QLabel()
        self.l_conn.setWordWrap(True)
        sizes = QHBoxLayout()
        add, remove = QPushButton("+ neuron"), QPushButton("− neuron")
        add.clicked.connect(lambda: self.editor.add_neuron(self._layer))
        remove.clicked.connect(lambda: self.editor.remove_neurons(
            [(self._layer, self.doc.network.layers[self._layer].size - 1)]))
        sizes.addWidget(self.l_size)
        sizes.addWidget(add)
        sizes.addWidget(remove)
        form.addRow("Neurons", sizes)
        form.addRow("Activation", self.l_act)
        form.addRow("Incoming", self.l_conn)
        for name in ("randomise_layer", "set_all_layer", "connect_fully", "disconnect_layers",
                     "add_layer_before", "add_layer_after", "remove_layer"):
            action = self.actions.get(name)
            if action is not None:
                button = QPushButton(action.text().replace("&", ""))
                button.clicked.connect(action.trigger)
                form.addRow(button)

    def _build_multi(self) -> None:
        self.multi_page, form = self._page()
        self.m_text = QLabel()
        self.m_text.setWordWrap(True)
        delete = QPushButton("Delete selection")
        delete.clicked.connect(self.scene.delete_selection)
        form.addRow(self.m_text)
        form.addRow(delete)

    # ----------------------------------------------------------------- refresh
    def refresh(self) -> None:
        if self._refreshing:
            return
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self):
            return  # the window is being destroyed
        self._refreshing = True
        try:
            self._refresh()
        finally:
            self._refreshing = False

    def _refresh(self) -> None:
        neurons = self.scene.selected_neurons()
        conns = self.scene.selected_connections()
        layers = self.scene.selected_layers()
        net = self.doc.network
        total = len(neurons) + len(conns) + len(layers)
        if total == 0:
            self.title.setText("Nothing selected")
            self.summary.setText(
                f"{len(net.layers)} layers ({'-'.join(map(str, net.sizes))}), "
                f"{net.num_connections:,} connections, {net.parameter_count():,} parameters.\n\n"
                "Click a neuron, a connection or a layer's title to inspect and edit it. "
                "Drag with the left button on empty canvas to select several.")
            self.stack.setCurrentWidget(self.empty_page)
        elif total > 1:
            self.title.setText(f"{total} items selected")
            parts = [f"{len(neurons)} neurons", f"{len(conns)} connections", f"{len(layers)} layers"]
            self.m_text.setText(", ".join(p for p in parts if not p.startswith("0 ")) +
                                ".\nPress Delete to remove them all (one undo step).")
            self.stack.setCurrentWidget(self.multi_page)
        elif neurons:
            self._show_neuron(*neurons[0])
        elif conns:
            ls, i, ld, j = conns[0]
            self.title.setText(f"Connection {net.name_of(ls, i)} → {net.name_of(ld, j)}")
            self.c_from.setText(f"{net.name_of(ls, i)} (layer {ls})")
            self.c_to.setText(f"{net.name_of(ld, j)} (layer {ld})")
            self.c_weight.set_value(net.weight(ls, i, ld, j))
            self._conn = (ls, i, ld, j)
            self.stack.setCurrentWidget(self.conn_page)
        else:
            self._show_layer(layers[0])

    def _show_neuron(self, li: int, k: int) -> None:
        net = self.doc.network
        layer = net.layers[li]
        self._neuron = (li, k)
        self.title.setText(f"Neuron {layer.names[k]}")
        if not self.n_name.isModified():
            self.n_name.setText(layer.names[k])
        kind = "input" if li == 0 else "output" if li == len(net.layers) - 1 else "hidden"
        self.n_layer.setText(f"{li} ({kind}), neuron {k + 1} of {layer.size}")
        self.n_act.setEnabled(li > 0)
        self.n_bias.setEnabled(li > 0)
        if li > 0:
            self.n_act.setItemText(0, f"(layer's: {layer.activation})")
            self.n_act.setCurrentIndex(max(0, self.n_act.findData(layer.overrides[k])))
            self.n_bias.set_value(layer.biases[k])
        else:
            self.n_act.setCurrentIndex(0)
            self.n_act.setItemText(0, "(input: passes value on)")
            self.n_bias.setText("— (input neurons have no bias)")
        n_in = sum(int(b.mask[:, k].sum()) for (a, d), b in net.blocks.items() if d == li)
        n_out = sum(int(b.mask[k].sum()) for (a, d), b in net.blocks.items() if a == li)
        self.n_links.setText(f"{n_in} in, {n_out} out")
        self.stack.setCurrentWidget(self.neuron_page)

    def _show_layer(self, li: int) -> None:
        net = self.doc.network
        layer = net.layers[li]
        self._layer = li
        n = len(net.layers)
        kind = "Input layer" if li == 0 else "Output layer" if li == n - 1 else f"Hidden layer {li}"
        self.title.setText(f"{kind} (layer {li})")
        self.l_size.setText(str(layer.size))
        self.l_act.setEnabled(li > 0)
        self.l_act.setCurrentIndex(max(0, self.l_act.findData(layer.activation)))
        incoming = [f"from layer {a}: {b.count:,}" for (a, d), b in sorted(net.blocks.items()) if d == li]
        self.l_conn.setText(", ".join(incoming) or "none")
        self.stack.setCurrentWidget(self.layer_page)

    # ----------------------------------------------------------------- edits
    def _on_name_edited(self) -> None:
        if not self.n_name.isModified():
            return
        self.n_name.setModified(False)
        if self.stack.currentWidget() is self.neuron_page:
            self.editor.rename(*self._neuron, self.n_name.text())
            self.refresh()

    def _on_bias_edited(self, value: float) -> None:
        self.editor.set_bias(*self._neuron, value)
        self.refresh()

    def _on_weight_edited(self, value: float) -> None:
        self.editor.set_weight(*self._conn, value)
        self.refresh()

    def _on_neuron_activation(self, row: int) -> None:
        li, k = self._neuron
        name = self.n_act.itemData(row) or self.doc.network.layers[li].activation
        self.editor.set_activation(li, name, k)
        self.refresh()

    def _on_layer_activation(self, row: int) -> None:
        self.editor.set_activation(self._layer, self.l_act.itemData(row))
        self.refresh()
