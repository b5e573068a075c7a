"""The Network dock: one row per layer with its size and activation, and layer-level actions."""
from __future__ import annotations

import shiboken6

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHeaderView, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..canvas.scene import NetworkScene
from ..document import Document
from ..editor import Editor
from .inspector import activation_combo

COLUMNS = ["Layer", "Neurons", "Activation", "Incoming"]


class NetworkPanel(QWidget):
    def __init__(self, document: Document, editor: Editor, scene: NetworkScene,
                 actions: dict | None = None, parent=None) -> None:
        super().__init__(parent)
        self.doc, self.editor, self.scene = document, editor, scene
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        grid = QGridLayout()
        actions = actions or {}
        names = ["add_layer_before", "add_layer_after", "remove_layer", "connect_fully",
                 "disconnect_layers", "randomise_layer"]
        for n, name in enumerate(names):
            action = actions.get(name)
            if action is not None:
                button = QPushButton(action.text().replace("&", "").replace("…", "…"))
                button.setToolTip(action.toolTip())
                button.clicked.connect(action.trigger)
                grid.addWidget(button, n // 2, n % 2)
        layout.addLayout(grid)
        self._syncing = False
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        document.structure_changed.connect(self.refresh)
        self._pending = False
        document.neuron_changed.connect(self._schedule_refresh)
        scene.selectionChanged.connect(self._sync_from_scene)
        self.refresh()

    def current_layer(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _schedule_refresh(self, *_: object) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.refresh)

    def refresh(self) -> None:
        """Update the rows in place (widgets are reused so nothing flickers or lingers)."""
        self._pending = False
        net = self.doc.network
        n = len(net.layers)
        self._syncing = True
        self.table.setRowCount(n)
        for li, layer in enumerate(net.layers):
            kind = "Input" if li == 0 else "Output" if li == n - 1 else f"Hidden {li}"
            self._set_text(li, 0, f"{li}  {kind}")
            spin = self.table.cellWidget(li, 1)
            if not isinstance(spin, QSpinBox):
                spin = QSpinBox()
                spin.setRange(1, 100000)
                spin.setKeyboardTracking(False)
                spin.setToolTip("Number of neurons: neurons are added or removed at the end")
                spin.valueChanged.connect(lambda v, li=li: self.editor.resize_layer(li, v))
                self.table.setCellWidget(li, 1, spin)
            spin.blockSignals(True)
            spin.setValue(layer.size)
            spin.blockSignals(False)
            combo = self.table.cellWidget(li, 2)
            if li == 0:
                if combo is not None:
                    self.table.removeCellWidget(li, 2)
                self._set_text(li, 2, "— (inputs)")
            else:
                if not isinstance(combo, QComboBox):
                    combo = activation_combo(short=True)
                    combo.activated.connect(
                        lambda row, li=li, c=combo: self.editor.set_activation(li, c.itemData(row)))
                    self.table.setCellWidget(li, 2, combo)
                combo.blockSignals(True)
                combo.setCurrentIndex(max(0, combo.findData(layer.activation)))
                combo.blockSignals(False)
            incoming = sum(b.count for (a, d), b in net.blocks.items() if d == li)
            self._set_text(li, 3, f"{incoming:,}", Qt.AlignRight | Qt.AlignVCenter)
        self._syncing = False
        self._sync_from_scene()

    def _set_text(self, row: int, col: int, text: str, align=None) -> None:
        item = self.table.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, col, item)
        item.setText(text)
        if align is not None:
            item.setTextAlignment(align)

    def _on_row_selected(self) -> None:
        if self._syncing:
            return
        li = self.current_layer()
        if li is not None:
            self._syncing = True
            self.scene.select(layers=[li])
            self._syncing = False

    def _sync_from_scene(self) -> None:
        if self._syncing:
            return
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self):
            return  # the window is being destroyed
        layers = self.scene.selected_layers()
        self._syncing = True
        if len(layers) == 1:
            self.table.selectRow(layers[0])
        else:
            self.table.clearSelection()
        self._syncing = False
