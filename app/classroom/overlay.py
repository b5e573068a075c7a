"""What the step-through draws on top of the canvas: one item above every other, painting the
stage's numbers beside neurons and connections, the δ glow, saturation marks and the dimming of
layers not reached yet. It reads positions from the scene's items and numbers from the StageView;
it never accepts mouse buttons, so clicks select the neurons and connections underneath.
"""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen, QRadialGradient
from PySide6.QtWidgets import QGraphicsItem

from core.explain import format_number
from core.stepper import StageView

from .. import style
from ..training.glow import glow_values

Z_OVERLAY = 50
NEURON_PT, CONNECTION_PT = 8.5, 8.0
MAX_NEURON_LABELS = 60  # beyond this many neurons only glow and dimming are drawn
# Beyond this many connections their labels cover each other (iris's 56 were unreadable at
# 1280×720); the Step table and the Explain panel still give every connection's numbers.
MAX_CONNECTION_LABELS = 24
SATURATED = QColor("#7b1fa2")
DIM = QColor(251, 251, 248, 185)  # the canvas background, mostly opaque
BOX = QColor(255, 255, 255, 235)
TEXT = QColor("#222222")
DELTA_TEXT = QColor("#a33c00")
UPDATE_TEXT = QColor("#1b5e20")


class ClassroomOverlay(QGraphicsItem):
    def __init__(self, scene) -> None:
        super().__init__()
        self.canvas = scene
        self.view: StageView | None = None
        self.digits = 4
        self.glow_mode = "layer"
        self.setZValue(Z_OVERLAY)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setAcceptHoverEvents(False)
        self.setFlag(QGraphicsItem.ItemHasNoContents, False)

    # ----------------------------------------------------------------- state
    def show_stage(self, view: StageView | None, digits: int, glow_mode: str) -> None:
        self.prepareGeometryChange()
        self.view, self.digits, self.glow_mode = view, digits, glow_mode
        self.update()

    def relayout(self) -> None:
        self.prepareGeometryChange()
        self.update()

    def boundingRect(self) -> QRectF:
        return self.canvas.sceneRect().adjusted(-200, -200, 200, 200)

    def glow(self) -> dict[str, float]:
        """Glow in [0, 1] per neuron name (only neurons with δ shown), in the chosen scale."""
        v = self.view
        if v is None:
            return {}
        shown = [n for n in v.neurons if n.delta is not None]
        if not shown:
            return {}
        layers = sorted({n.layer for n in shown})
        values = glow_values([[abs(n.delta) for n in shown if n.layer == li] for li in layers], self.glow_mode)
        out = {}
        for li, vals in zip(layers, values):
            for n, g in zip([n for n in shown if n.layer == li], vals):
                out[n.name] = float(g)
        return out

    # ----------------------------------------------------------------- painting
    def paint(self, painter: QPainter, option, widget=None) -> None:
        v = self.view
        if v is None or not self.canvas.neurons:
            return
        painter.setRenderHint(QPainter.Antialiasing, True)
        digits = self.digits  # exactly the precision setting: a textbook's digits stay its digits
        where = {n.name: (n.layer, n.index) for n in v.neurons}
        try:
            items = {n.name: self.canvas.neurons[n.layer][n.index] for n in v.neurons}
        except IndexError:  # the scene is being rebuilt; the next stage repaints
            return
        reached = {n.name: n.reached for n in v.neurons}
        self._dim_connections(painter, v, where, reached)
        glow = self.glow()
        for n in v.neurons:
            item = items[n.name]
            c, r = item.scenePos(), item.radius
            if not n.reached:
                painter.setPen(Qt.NoPen)
                painter.setBrush(DIM)
                painter.drawEllipse(c, r + 3, r + 3)
                continue
            if n.name in glow:
                self._glow(painter, c, r, glow[n.name])
            if n.saturated:
                pen = QPen(SATURATED, 3, Qt.DashLine)
                painter.setPen(pen)
                painter.setBrush(Qt.NoBrush)
                painter.drawEllipse(c, r + 5, r + 5)
        if len(v.connections) <= MAX_CONNECTION_LABELS and self.canvas.per_item_edges:
            for cv in v.connections:
                key = (*where[cv.source], *where[cv.target])
                edge = self.canvas.edge_items.get(key)
                if edge is not None and edge.isVisible():
                    self._connection_box(painter, edge, cv, digits)
        if len(v.neurons) <= MAX_NEURON_LABELS and items and next(iter(items.values())).radius >= style.RADIUS:
            for n in v.neurons:  # last: a neuron's own numbers are never hidden by a label
                self._neuron_box(painter, items[n.name], n, digits)
        self._error_total(painter, v, items, digits)

    def _dim_connections(self, painter: QPainter, v: StageView, where, reached) -> None:
        if not self.canvas.per_item_edges:
            return
        pen = QPen(DIM, 9)
        pen.setCapStyle(Qt.FlatCap)
        painter.setPen(pen)
        for cv in v.connections:
            if reached[cv.target]:
                continue
            edge = self.canvas.edge_items.get((*where[cv.source], *where[cv.target]))
            if edge is not None:
                painter.drawLine(edge.line)

    @staticmethod
    def _glow(painter: QPainter, c: QPointF, r: float, value: float) -> None:
        outer = r + 16
        g = QRadialGradient(c, outer)
        col = QColor(style.GLOW)
        col.setAlpha(int(40 + 215 * min(1.0, value)))
        clear = QColor(col)
        clear.setAlpha(0)
        g.setColorAt(0.0, clear)  # a ring outside the neuron: its name stays readable
        g.setColorAt(r / outer - 0.02, clear)
        g.setColorAt(r / outer, col)
        g.setColorAt(1.0, clear)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(g))
        painter.drawEllipse(c, outer, outer)

    def neuron_lines(self, n, d: int) -> list[tuple[str, QColor]]:
        """The lines drawn under neuron view ``n`` at ``d`` digits (at most three, so a column of
        neurons keeps its spacing; the table and the Explain panel hold the rest)."""
        v = self.view
        f = lambda x: format_number(x, d)  # noqa: E731
        if n.layer == 0:
            return [(f"in {f(n.out)}", TEXT)] if n.out is not None else []
        out: list[tuple[str, QColor]] = []
        kind = v.stage.kind
        if kind == "update":
            if n.delta is not None:
                out.append((f"δ {f(n.delta)}", DELTA_TEXT))
            u = n.bias_update
            if u is not None:
                name = n.bias_label or "b"
                out.append((f"{name} {f(u.old)} (fixed)" if v.fixed_biases else
                            f"{name} {f(u.old)} → {f(u.new)}", UPDATE_TEXT))
            return out
        if n.net is not None and kind == "forward" and n.layer == v.stage.layer:
            out.append((f"net {f(n.net)}", TEXT))
        if n.out is not None:
            out.append((f"out {f(n.out)}", TEXT))
        if n.delta is not None:
            out.append((f"δ {f(n.delta)}", DELTA_TEXT))
        elif n.error_term is not None:
            out.append((f"t {f(n.target)}", TEXT))
            out.append((f"E {f(n.error_term)}", TEXT))
        if n.saturated and len(out) < 3:
            out.append(("saturated: f′≈0", SATURATED))
        return out

    @staticmethod
    def neuron_box_rect(item, n, n_lines: int, w: float, h: float) -> QRectF:
        """Inputs' value on their left; the others' lines under the neuron, over its bias label."""
        c, r = item.scenePos(), item.radius
        if n.layer == 0:
            return QRectF(c.x() - r - 8 - w, c.y() - (h * n_lines + 4) / 2, w, h * n_lines + 4)
        return QRectF(c.x() - w / 2, c.y() + r + 1, w, h * n_lines + 2)

    def content_rect(self, view: StageView, digits: int) -> QRectF:
        """Where this overlay draws at ``view`` (for fitting the canvas to the window)."""
        old, self.view = self.view, view
        try:
            font = style.value_font(NEURON_PT, bold=True)
            fm = QFontMetricsF(font)
            rect = QRectF()
            for n in view.neurons:
                lines = self.neuron_lines(n, digits)
                if lines and n.layer < len(self.canvas.neurons) and n.index < len(self.canvas.neurons[n.layer]):
                    w = max(fm.horizontalAdvance(t) for t, _ in lines) + 10
                    rect = rect.united(self.neuron_box_rect(self.canvas.neurons[n.layer][n.index], n,
                                                            len(lines), w, fm.height()))
            return rect
        finally:
            self.view = old

    def _neuron_box(self, painter: QPainter, item, n, d: int) -> None:
        lines = self.neuron_lines(n, d)
        if not lines:
            return
        font = style.value_font(NEURON_PT, bold=True)
        fm = QFontMetricsF(font)
        h = fm.height()
        w = max(fm.horizontalAdvance(t) for t, _ in lines) + 10
        if n.layer:  # hide the canvas's own bias label under the neuron: ours replaces it
            c, r = item.scenePos(), item.radius
            painter.setPen(Qt.NoPen)
            painter.setBrush(style.CANVAS_BG)
            painter.drawRect(QRectF(c.x() - r - 30, c.y() + r + 1, 2 * r + 60, 18))
        box = self.neuron_box_rect(item, n, len(lines), w, h)
        x, y = box.x(), box.y()
        painter.setPen(QPen(QColor("#999999"), 0.8))
        painter.setBrush(BOX)
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(font)
        for k, (text, colour) in enumerate(lines):
            painter.setPen(colour)
            painter.drawText(QRectF(x + 5, y + 2 + k * h, w - 10, h), Qt.AlignLeft | Qt.AlignVCenter, text)

    def connection_lines(self, cv, d: int) -> list[tuple[str, QColor]]:
        """The lines drawn on connection view ``cv`` at ``d`` digits, in place of the canvas's own
        weight label: its name and weight, then ∂E/∂w (backward) or old → new (update)."""
        name = cv.label or "w"
        # two short lines rather than one long one: the canvas staggers labels of crossing
        # connections about 90 units apart, and 9-digit numbers fit that only stacked
        if self.view.stage.kind == "update" and cv.update is not None:
            return [(f"{name} {format_number(cv.update.old, d)}", UPDATE_TEXT),
                    (f"→ {format_number(cv.update.new, d)}", UPDATE_TEXT)]
        if cv.grad is not None:
            return [(f"∂E/∂{name}", DELTA_TEXT), (format_number(cv.grad, d), DELTA_TEXT)]
        return [(f"{name} {format_number(cv.weight, d)}" if cv.label else format_number(cv.weight, d), TEXT)]

    def _connection_box(self, painter: QPainter, edge, cv, d: int) -> None:
        lines = self.connection_lines(cv, d)
        font = style.value_font(CONNECTION_PT, bold=True)
        fm = QFontMetricsF(font)
        h = max(fm.height(), 18.0 / len(lines))
        w = max(fm.horizontalAdvance(t) for t, _ in lines) + 8
        p = _label_point(edge.line, edge.label_t, w)  # over the canvas's own label
        box = QRectF(p.x() - w / 2, p.y() - h * len(lines) / 2, w, h * len(lines))
        painter.setPen(QPen(lines[-1][1], 0.8))
        painter.setBrush(BOX)
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(font)
        for k, (text, colour) in enumerate(lines):
            painter.setPen(colour)
            painter.drawText(QRectF(box.x(), box.y() + 1 + k * h, w, h), Qt.AlignCenter, text)

    def error_text(self, d: int) -> str | None:
        v = self.view
        e = v.error if v.stage.kind != "update" else v.batch_error
        if e is None:
            return None
        label = "E" if v.stage.kind != "update" or len(v.batch) == 1 else "mean E"
        return f"{label} = {format_number(e, d)}"

    def _error_total(self, painter: QPainter, v: StageView, items, d: int) -> None:
        text = self.error_text(d)
        if text is None:
            return
        outs = [items[n.name] for n in v.neurons if n.layer == max(x.layer for x in v.neurons)]
        bottom = max(i.scenePos().y() + i.radius for i in outs) + 3 * 14  # below the neurons' lines
        x = sum(i.scenePos().x() for i in outs) / len(outs)
        font = style.value_font(11, bold=True)
        fm = QFontMetricsF(font)
        w = fm.horizontalAdvance(text) + 14
        box = QRectF(x - w / 2, bottom + 8, w, fm.height() + 6)
        painter.setPen(QPen(QColor("#555555"), 1))
        painter.setBrush(QColor("#fff3e0"))
        painter.drawRoundedRect(box, 5, 5)
        painter.setFont(font)
        painter.setPen(TEXT)
        painter.drawText(box, Qt.AlignCenter, text)


def _label_point(line: QLineF, t: float, width: float) -> QPointF:
    """The canvas's label point, slid along the line so a box ``width`` wide stays clear of both
    neurons (wider than the canvas's own label, it would otherwise cover them)."""
    x1, x2 = line.p1().x(), line.p2().x()
    if abs(x2 - x1) < 1e-6:
        return line.pointAt(t)
    lo, hi = sorted((x1, x2))
    x = line.pointAt(t).x()
    if hi - lo > width + 8:
        x = min(max(x, lo + width / 2 + 4), hi - width / 2 - 4)
    else:
        x = (lo + hi) / 2
    return line.pointAt((x - x1) / (x2 - x1))
