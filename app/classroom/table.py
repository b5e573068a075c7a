"""The step table: every neuron (net, out, δ) and every weight and bias (w, ∂E/∂w, Δw, new w,
each sample's share in a batch) at the current stage. Ctrl+C copies it as tab-separated text
with full-precision numbers, which pastes into a spreadsheet. Selecting a row selects its neuron
or connection on the canvas (and so explains it)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from core.explain import format_number
from core.stepper import StageView

COLUMNS = ["kind", "name", "net", "out", "δ", "w", "∂E/∂w", "Δw", "new w"]


class StepTable(QTableWidget):
    row_chosen = Signal(object)  # ("neuron", name) | ("connection", (source, target)) | ("bias", name)
    row_hovered = Signal(object)  # the same, or None when the pointer leaves the rows

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAlternatingRowColors(True)
        self.setMouseTracking(True)
        self.rows: list[tuple[str, object, list[float | None]]] = []  # kind, key, raw numbers
        self.digits = 4
        self._filling = False
        self.itemSelectionChanged.connect(self._on_selection)
        self.cellEntered.connect(self._on_cell_entered)

    def _on_cell_entered(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            kind, key, _ = self.rows[row]
            self.row_hovered.emit((kind, key))

    def leaveEvent(self, event) -> None:
        self.row_hovered.emit(None)
        super().leaveEvent(event)

    def show_stage(self, view: StageView | None, digits: int) -> None:
        self.digits = digits
        self._filling = True
        self.rows = [] if view is None else _rows(view)
        shares = 0 if view is None or view.stage.kind != "update" or len(view.batch) < 2 else len(view.batch)
        headers = COLUMNS + [f"share of sample {r + 1}" for r in (view.batch if shares else [])]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setRowCount(len(self.rows))
        for r, (kind, key, values) in enumerate(self.rows):
            label = {"neuron": "neuron", "bias": "bias", "connection": "weight"}[kind]
            self.setItem(r, 0, QTableWidgetItem(label))
            self.setItem(r, 1, QTableWidgetItem(_name(kind, key, view)))
            for c, v in enumerate(values, start=2):
                item = QTableWidgetItem("" if v is None else format_number(v, digits))
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        self._filling = False

    def tsv(self, rows: list[int] | None = None) -> str:
        """The table (or some rows) as tab-separated text, numbers at full precision."""
        head = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        lines = ["\t".join(head)]
        for r in (range(len(self.rows)) if rows is None else rows):
            kind, key, values = self.rows[r]
            cells = [self.item(r, 0).text(), self.item(r, 1).text()]
            cells += ["" if v is None else repr(float(v)) for v in values]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Copy):
            rows = sorted({i.row() for i in self.selectedIndexes()})
            QGuiApplication.clipboard().setText(self.tsv(rows if len(rows) > 1 else None))
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_selection(self) -> None:
        if self._filling:
            return
        rows = sorted({i.row() for i in self.selectedIndexes()})
        if len(rows) == 1 and rows[0] < len(self.rows):
            kind, key, _ = self.rows[rows[0]]
            self.row_chosen.emit((kind, key))

    def select_key(self, kind: str, key) -> None:
        """Select the row of a neuron or connection chosen elsewhere (the canvas)."""
        for r, (k, kk, _) in enumerate(self.rows):
            if (k, kk) == (kind, key):
                self._filling = True
                self.selectRow(r)
                self._filling = False
                return


def _name(kind: str, key, view: StageView) -> str:
    if kind == "connection":
        c = view.connection(*key)
        return f"{c.label}  ({key[0]} → {key[1]})" if c.label else f"{key[0]} → {key[1]}"
    if kind == "bias":
        n = view.neuron(key)
        return f"{n.bias_label}  (bias of {key})" if n.bias_label else f"bias of {key}"
    return key


def _rows(view: StageView) -> list[tuple[str, object, list[float | None]]]:
    rows: list[tuple[str, object, list[float | None]]] = []
    update = view.stage.kind == "update"
    for n in view.neurons:
        rows.append(("neuron", n.name, [n.net, n.out, n.delta, None, None, None, None]))
    for n in view.neurons:
        if n.layer == 0:
            continue
        u = n.bias_update
        grad = u.grad if u else (n.delta if n.delta is not None else None)
        shares = list(u.shares) if u and len(view.batch) > 1 else []
        rows.append(("bias", n.name, [None, None, None, u.old if u else n.bias, grad,
                                      u.delta if u else None, u.new if u else None] + shares))
    for c in view.connections:
        u = c.update
        shares = list(u.shares) if u and len(view.batch) > 1 else []
        rows.append(("connection", (c.source, c.target),
                     [None, None, None, u.old if u else c.weight, c.grad, u.delta if u else None,
                      u.new if u else None] + shares))
    return rows
