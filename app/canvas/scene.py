"""The canvas scene: follows the document's signals, adding, removing and updating items.

Small networks get one pickable item per connection (with values written on them); large ones one
cached EdgeBatchItem per layer pair (app/canvas/edges.py). The scene only draws: mouse and key
events go to its CanvasInteractions (app/canvas/interactions.py), which own the tool, the modes and
the edits they ask the Editor for.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from .. import style
from ..document import Document
from ..editor import Editor
from . import layout
from .edges import DEFAULT_LIMIT, EdgeBatchItem
from .interactions import CanvasInteractions
from .items import ConnectionItem, LayerLabelItem, NeuronItem
from .recurrent_edges import RecurrentBatchItem, RecurrentConnectionItem

PIXMAP_CACHE_KB = 256 * 1024
EDGE_ITEM_LIMIT = 1500  # up to this many connections, each one is its own pickable item
# While training runs at full speed, networks with more connections than this draw them batched
# (one item per layer pair) instead of one antialiased item each: 304 per-item edges cost ~40 ms
# a frame, the batched items a few ms (bench/gui_training.py). Small textbook nets stay as drawn.
LIVE_BATCH_FROM = 60
AUTO_VALUES_CONNECTIONS, AUTO_VALUES_NEURONS = 64, 32


class NetworkScene(QGraphicsScene):
    status_message = Signal(str)
    value_edit_requested = Signal(str, object, QRectF, str)  # kind, key, the label's scene rect, text
    weight_scale_changed = Signal(float)  # the largest |w| (the legend's reference) changed
    layout_changed = Signal()  # items were rebuilt or moved (views may refit)
    neuron_hovered = Signal(object)  # (layer, index) under the pointer, or None when it leaves

    def __init__(self, document: Document, editor: Editor, parent=None) -> None:
        super().__init__(parent)
        # Item caches live in QPixmapCache (10 MB by default): two full-view edge layers plus
        # hundreds of neurons overflow it and every frame would repaint 100k edges.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.doc, self.editor = document, editor
        self.setBackgroundBrush(style.CANVAS_BG)
        self.setItemIndexMethod(QGraphicsScene.NoIndex)
        self.neurons: list[list[NeuronItem]] = []
        self.edge_items: dict[tuple[int, int, int, int], ConnectionItem] = {}
        self.batches: dict[tuple[int, int], EdgeBatchItem] = {}
        self.labels: list[LayerLabelItem] = []
        self._attached: dict[tuple[int, int], list[ConnectionItem]] = {}
        self._positions: list[np.ndarray] = []
        self._glow: list[np.ndarray] | None = None
        self._live = False
        self.values_mode = "auto"  # "auto" | "on" | "off"
        self.value_labels_hidden = False  # the step-through writes its own boxes, placed apart
        self.batch_limit = DEFAULT_LIMIT
        self.max_abs = 1.0
        self.interactions = CanvasInteractions(self, editor)
        document.structure_changed.connect(self.rebuild)
        document.parameters_changed.connect(self._on_parameters_changed)
        document.neuron_changed.connect(self._on_neuron_changed)
        document.positions_changed.connect(self._on_positions_changed)
        # another network: nothing of the old one stays selected (rebuild restores by name)
        document.project_replaced.connect(self.clearSelection)
        self.rebuild()

    # ----------------------------------------------------------------- public API
    @property
    def per_item_edges(self) -> bool:
        return self.doc.network.num_connections <= EDGE_ITEM_LIMIT

    def values_visible(self) -> bool:
        if self.value_labels_hidden:
            return False
        if self.values_mode != "auto":
            return self.values_mode == "on"
        net = self.doc.network
        return (net.num_connections <= AUTO_VALUES_CONNECTIONS
                and sum(net.sizes) <= AUTO_VALUES_NEURONS)

    def set_live(self, on: bool) -> None:
        """Training at full speed: draw a mid-sized network's connections batched (see
        LIVE_BATCH_FROM); off again restores the pickable, labelled items with current values."""
        on = bool(on) and self.per_item_edges and self.doc.network.num_connections > LIVE_BATCH_FROM
        if on == self._live:
            return
        self._live = on
        if on:
            self._build_batches()  # aliased while live
        else:
            for item in self.batches.values():
                self.removeItem(item)
            self.batches = {}
        for item in self.edge_items.values():
            item.setVisible(not on)
        self._on_parameters_changed()

    def set_values_mode(self, mode: str) -> None:
        self.values_mode = mode
        self._on_parameters_changed()
        for layer in self.neurons:
            for item in layer:
                self._refresh_neuron(item)

    def set_glow(self, values: list[np.ndarray] | None) -> None:
        """A coloured halo per neuron, values in [0, 1] per layer (None clears)."""
        self._glow = None if values is None else [np.asarray(v, float) for v in values]
        self._apply_glow()

    def batches_summary(self) -> tuple[int, int] | None:
        """(connections drawn, connections in total) when some are left out, else None."""
        drawn = sum(b.n_drawn for b in self.batches.values())
        total = sum(b.n_total for b in self.batches.values())
        return (drawn, total) if total > drawn else None

    def neuron_item(self, layer: int, index: int) -> NeuronItem:
        return self.neurons[layer][index]

    def selected_neurons(self) -> list[tuple[int, int]]:
        return sorted(i.key for i in self.selectedItems() if isinstance(i, NeuronItem))

    def selected_connections(self) -> list[tuple[int, int, int, int]]:
        return sorted(i.key for i in self.selectedItems() if isinstance(i, ConnectionItem))

    def selected_layers(self) -> list[int]:
        return sorted(i.layer for i in self.selectedItems() if isinstance(i, LayerLabelItem))

    def select(self, neurons=(), connections=(), layers=()) -> None:
        self.blockSignals(True)
        self.clearSelection()
        for key in neurons:
            self.neurons[key[0]][key[1]].setSelected(True)
        for key in connections:
            if key in self.edge_items:
                self.edge_items[key].setSelected(True)
        for li in layers:
            self.labels[li].setSelected(True)
        self.blockSignals(False)
        self.selectionChanged.emit()

    def delete_selection(self) -> bool:
        return self.editor.delete(self.selected_neurons(), self.selected_connections(),
                                  self.selected_layers())

    def stored_position(self, layer: int, index: int) -> tuple[float, float]:
        """Where the document puts a neuron (its item may be mid-drag elsewhere)."""
        x, y = self._positions[layer][index]
        return float(x), float(y)

    # ----------------------------------------------------------------- building
    def rebuild(self) -> None:
        selection = self._selection_names()
        self.interactions.reset()
        self.blockSignals(True)
        self.clear()
        self.neurons, self.edge_items, self.batches, self.labels = [], {}, {}, []
        self._attached = {}
        net = self.doc.network
        self._positions = layout.positions(net)
        self._update_max_abs()
        n_layers = len(net.layers)
        for li, layer in enumerate(net.layers):
            role = "input" if li == 0 else "output" if li == n_layers - 1 else "hidden"
            radius = layout.radius_for(layer.size)
            items = []
            for k in range(layer.size):
                item = NeuronItem(li, k, radius, role)
                item.setPos(*self._positions[li][k])
                self.addItem(item)
                self._refresh_neuron(item)
                items.append(item)
            self.neurons.append(items)
            label = LayerLabelItem(li)
            self.addItem(label)
            self.labels.append(label)
        self._refresh_labels()
        if self.per_item_edges:
            self._build_edge_items()
        else:
            self._build_batches()
        if self._live:
            self._live = False
            self.set_live(True)
        self._apply_glow()
        self._restore_selection(selection)
        self.blockSignals(False)
        self._update_scene_rect()
        self.selectionChanged.emit()
        self.layout_changed.emit()

    def _build_edge_items(self) -> None:
        net = self.doc.network
        show = self.values_visible()
        for (ls, ld), blk in sorted(net.blocks.items()):
            n_dst = net.layers[ld].size
            for i, j in zip(*np.nonzero(blk.mask)):
                key = (ls, int(i), ld, int(j))
                item = RecurrentConnectionItem(key) if ls >= ld else ConnectionItem(key)
                item.label_t = 0.25 + 0.5 * (j / max(1, n_dst - 1))
                self.addItem(item)
                self.edge_items[key] = item
                self._attached.setdefault((ls, int(i)), []).append(item)
                self._attached.setdefault((ld, int(j)), []).append(item)
                self._place_edge(item)
                item.set_weight(float(blk.weight[i, j]), self.max_abs, show)

    def _build_batches(self) -> None:
        net = self.doc.network
        for (ls, ld), blk in sorted(net.blocks.items()):
            item = (RecurrentBatchItem if ls >= ld else EdgeBatchItem)((ls, ld), self.batch_limit)
            item.aliased = self._live
            if self._live:  # redrawn at every frame anyway: a cache would only add its upkeep
                item.setCacheMode(QGraphicsItem.NoCache)
            item.set_geometry(self._positions[ls], self._positions[ld])
            item.set_weights(blk.mask, blk.weight, self.max_abs)
            self.addItem(item)
            self.batches[(ls, ld)] = item

    def _place_edge(self, item: ConnectionItem) -> None:
        ls, i, ld, j = item.key
        a, b = self.neurons[ls][i], self.neurons[ld][j]
        item.set_line(a.pos(), a.radius, b.pos(), b.radius)

    def _refresh_neuron(self, item: NeuronItem) -> None:
        net = self.doc.network
        layer = net.layers[item.layer]
        li, k = item.key
        bias = None if li == 0 else float(layer.biases[k])
        item.set_state(layer.names[k], layer.activation_of(k), layer.overrides[k] is not None,
                       bias, self.values_visible())

    def _refresh_labels(self) -> None:
        net = self.doc.network
        n = len(net.layers)
        for li, label in enumerate(self.labels):
            layer = net.layers[li]
            if li == 0:
                text = f"Input · {layer.size}"
            else:
                kind = "Output" if li == n - 1 else f"Hidden {li}"
                text = f"{kind} · {layer.size} · {layer.activation.replace('_', ' ')}"
            label.set_text(text)
            xy = self._positions[li]
            top = xy[:, 1].min() - layout.radius_for(layer.size)
            label.setPos(float(xy[:, 0].mean()), float(top) - 34)

    def _update_max_abs(self) -> None:
        blocks = [np.abs(b.weight[b.mask]) for b in self.doc.network.blocks.values() if b.count]
        m = max((float(a.max()) for a in blocks), default=0.0)
        m = m if m > 0 else 1.0
        if m != self.max_abs:
            self.max_abs = m
            self.weight_scale_changed.emit(m)

    def _update_scene_rect(self) -> None:
        rect = QRectF()
        for items in self.neurons:
            for item in items:
                rect = rect.united(item.sceneBoundingRect())
        for label in self.labels:
            rect = rect.united(label.sceneBoundingRect())
        self.setSceneRect(rect.adjusted(-40, -30, 40, 30))

    def _apply_glow(self) -> None:
        g = self._glow
        ok = g is not None and len(g) == len(self.neurons) and all(
            len(v) == len(items) for v, items in zip(g, self.neurons))
        for li, items in enumerate(self.neurons):
            values = np.clip(g[li], 0.0, 1.0).tolist() if ok else [None] * len(items)
            for item, value in zip(items, values):
                item.set_glow(value)

    def _selection_names(self) -> dict:
        net = self.doc.network
        if not self.neurons:
            return {}
        names = lambda key: net.name_of(*key) if key[0] < len(net.layers) and key[1] < net.layers[key[0]].size else None
        return {"neurons": [i.name for items in self.neurons for i in items if i.isSelected()],
                "connections": [(i.key, names(i.key[:2]), names(i.key[2:])) for i in self.selectedItems()
                                if isinstance(i, ConnectionItem)],
                "layers": self.selected_layers()}

    def _restore_selection(self, saved: dict) -> None:
        net = self.doc.network
        for name in saved.get("neurons", []):
            try:
                li, k = net.find(name)
            except KeyError:
                continue
            self.neurons[li][k].setSelected(True)
        for key, _, _ in saved.get("connections", []):
            if key in self.edge_items:
                self.edge_items[key].setSelected(True)
        for li in saved.get("layers", []):
            if li < len(self.labels):
                self.labels[li].setSelected(True)

    # ----------------------------------------------------------------- document slots
    def _on_parameters_changed(self) -> None:
        net = self.doc.network
        self._update_max_abs()
        show = self.values_visible()
        for (ls, i, ld, j), item in ({} if self._live else self.edge_items).items():
            item.set_weight(float(net.blocks[(ls, ld)].weight[i, j]), self.max_abs, show)
        for key, item in self.batches.items():
            blk = net.blocks.get(key)
            if blk is not None:
                item.set_weights(blk.mask, blk.weight, self.max_abs)
        for li in range(1, len(self.neurons)):
            biases = net.layers[li].biases
            for k, item in enumerate(self.neurons[li]):
                if item.bias != biases[k] or item.show_values != show:
                    self._refresh_neuron(item)

    def _on_neuron_changed(self, layer: int, index: int) -> None:
        if layer < len(self.neurons) and index < len(self.neurons[layer]):
            self._refresh_neuron(self.neurons[layer][index])
            self._refresh_labels()

    def _on_positions_changed(self) -> None:
        self._positions = layout.positions(self.doc.network)
        for li, items in enumerate(self.neurons):
            for k, item in enumerate(items):
                x, y = self._positions[li][k]
                if item.pos().x() != x or item.pos().y() != y:
                    item.setPos(x, y)
        for key, item in self.batches.items():
            item.set_geometry(self._positions[key[0]], self._positions[key[1]])
        self._refresh_labels()
        self._update_scene_rect()
        self.layout_changed.emit()

    # ----------------------------------------------------------------- item hooks (intent)
    def item_moved(self, item: NeuronItem) -> None:
        for edge in self._attached.get(item.key, ()):
            self._place_edge(edge)

    def item_hovered(self, item: QGraphicsItem | None) -> None:
        self.neuron_hovered.emit(item.key if isinstance(item, NeuronItem) else None)
        if isinstance(item, NeuronItem):
            self.status_message.emit(f"{item.name}: drag to move · drag from its dot to connect · "
                                     "double-click to edit its " + ("name" if item.layer == 0 else "bias"))
        elif isinstance(item, ConnectionItem):
            net = self.doc.network
            ls, i, ld, j = item.key
            self.status_message.emit(f"{net.name_of(ls, i)} → {net.name_of(ld, j)}: weight "
                                     f"{item.weight:.6f} · double-click to edit · Delete removes it")

    def item_double_clicked(self, item: QGraphicsItem, pos: QPointF | None = None) -> None:
        net = self.doc.network
        if isinstance(item, NeuronItem):
            if item.layer == 0:
                self.value_edit_requested.emit("name", item.key, item.edit_rect(), item.name)
            else:
                self.value_edit_requested.emit("bias", item.key, item.edit_rect(),
                                               repr(net.bias(*item.key)))
        elif isinstance(item, ConnectionItem):
            self.value_edit_requested.emit("weight", item.key, item.edit_rect(),
                                           repr(net.weight(*item.key)))

    # ----------------------------------------------------------------- events -> interaction
    def mousePressEvent(self, event) -> None:
        if not self.interactions.mouse_press(event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if not self.interactions.mouse_move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if not self.interactions.mouse_release(event):
            super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if not self.interactions.key_press(event):
            super().keyPressEvent(event)

