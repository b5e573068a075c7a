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
from .placement import Wanted, place
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
        self._placed_view, self._placed_for, self._placed = None, None, []

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
        placed = self.boxes()
        for kind, _, box, lines in placed:
            if kind == "connection":
                self._connection_box(painter, box, lines)
        for kind, _, box, lines in placed:  # last: a neuron's own numbers are never hidden
            if kind == "neuron":
                self._neuron_box(painter, box, lines)
        for kind, _, box, lines in placed:
            if kind == "error":
                self._error_box(painter, box, lines[0][0])

    def boxes(self) -> list[tuple[str, object, QRectF, list[tuple[str, QColor]]]]:
        """Every value box of the current stage in scene coordinates, as (kind, key, rect, lines):
        kind "neuron" (key: its name), "connection" ((source, target)) or "error" (None).
        Connection boxes are placed along their lines clear of the others (placement.py)."""
        return self._compute_boxes(self.view, cached=True)

    def _compute_boxes(self, v: StageView | None, cached: bool = False) -> list:
        if v is None or not self.canvas.neurons:
            return []
        try:
            items = {n.name: self.canvas.neurons[n.layer][n.index] for n in v.neurons}
        except IndexError:  # the scene is being rebuilt; the next stage repaints
            return []
        where = {n.name: (n.layer, n.index) for n in v.neurons}
        edges = {}
        if len(v.connections) <= MAX_CONNECTION_LABELS and self.canvas.per_item_edges:
            for cv in v.connections:
                edge = self.canvas.edge_items.get((*where[cv.source], *where[cv.target]))
                if edge is not None and edge.isVisible():
                    edges[(cv.source, cv.target)] = (cv, edge)
        signature = (self.digits, style.text_scale,
                     tuple((p.x(), p.y()) for p in (i.scenePos() for i in items.values())),
                     tuple((e.line.x1(), e.line.y1(), e.line.x2(), e.line.y2()) for _, e in edges.values()))
        if not cached:
            return self._layout(v, items, edges)
        if v is not self._placed_view or signature != self._placed_for:
            self._placed = self._layout(v, items, edges)
            self._placed_view, self._placed_for = v, signature
        return self._placed

    def _layout(self, v: StageView, items, edges) -> list:
        d = self.digits
        out: list = []
        circles = []
        for item in items.values():
            c, r = item.scenePos(), item.radius
            circles.append(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        if len(v.neurons) <= MAX_NEURON_LABELS and items and next(iter(items.values())).radius >= style.RADIUS:
            fm = QFontMetricsF(style.value_font(NEURON_PT, bold=True))
            taken = list(circles)
            last = max(x.layer for x in v.neurons)
            for n in v.neurons:
                lines = self.neuron_lines(n, d)
                if lines:
                    w = max(fm.horizontalAdvance(t) for t, _ in lines) + 10
                    spots = self.neuron_box_spots(items[n.name], n, len(lines), w, fm.height(), n.layer == last)
                    box = next((b for b in spots if not any(b.intersects(t) for t in taken)), spots[0])
                    taken.append(box)
                    out.append(("neuron", n.name, box, lines))
        text = self.error_text(d)
        if text is not None:
            last = max(x.layer for x in v.neurons)
            outs = [items[n.name] for n in v.neurons if n.layer == last]
            below = [b.bottom() for kind, name, b, _ in out if kind == "neuron" and items[name] in outs]
            bottom = max([i.scenePos().y() + i.radius + 3 * 14 for i in outs] + below)
            x = sum(i.scenePos().x() for i in outs) / len(outs)
            fm = QFontMetricsF(style.value_font(11, bold=True))
            w = fm.horizontalAdvance(text) + 14
            out.append(("error", None, QRectF(x - w / 2, bottom + 8, w, fm.height() + 6), [(text, TEXT)]))
        obstacles = [(b.left(), b.top(), b.right(), b.bottom()) for b in circles + [b for _, _, b, _ in out]]
        fm = QFontMetricsF(style.value_font(CONNECTION_PT, bold=True))
        wanted, lines_of = [], {}
        for key, (cv, edge) in edges.items():
            lines = self.connection_lines(cv, d)
            h = max(fm.height(), 18.0 / len(lines))
            w = max(fm.horizontalAdvance(t) for t, _ in lines) + 8
            line = edge.line
            wanted.append(Wanted(key, (line.x1(), line.y1()), (line.x2(), line.y2()), w, h * len(lines),
                                 edge.label_t))
            lines_of[key] = lines
        for key, r in place(wanted, obstacles).items():
            out.append(("connection", key, QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1]), lines_of[key]))
        return out

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
    def neuron_box_spots(item, n, n_lines: int, w: float, h: float, last: bool) -> list[QRectF]:
        """Where a neuron's lines may go, best first: an input's value on its left, an output's on
        its right; the others' lines under the neuron (over its bias label), else beside it, else
        above it, where a column's spacing has no room for three lines below."""
        c, r = item.scenePos(), item.radius
        height = h * n_lines + 2
        if n.layer == 0:
            return [QRectF(c.x() - r - 8 - w, c.y() - (height + 2) / 2, w, height + 2)]
        below = QRectF(c.x() - w / 2, c.y() + r + 1, w, height)
        right = QRectF(c.x() + r + 8, c.y() - height / 2, w, height)
        left = QRectF(c.x() - r - 8 - w, c.y() - height / 2, w, height)
        above = QRectF(c.x() - w / 2, c.y() - r - 1 - height, w, height)
        if last:  # nothing on the right of the outputs: the room between layers is the connections'
            return [right, below, left, above]
        return [below, right, left, above]

    def content_rect(self, view: StageView, digits: int) -> QRectF:
        """Where this overlay draws at ``view`` (for fitting the canvas to the window)."""
        old = self.view, self.digits
        self.view, self.digits = view, digits
        try:
            rect = QRectF()
            for _, _, box, _ in self._compute_boxes(view):
                rect = rect.united(box)
            return rect
        finally:
            self.view, self.digits = old

    def _neuron_box(self, painter: QPainter, box: QRectF, lines) -> None:
        font = style.value_font(NEURON_PT, bold=True)
        h = QFontMetricsF(font).height()
        painter.setPen(QPen(QColor("#999999"), 0.8))
        painter.setBrush(BOX)
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(font)
        for k, (text, colour) in enumerate(lines):
            painter.setPen(colour)
            painter.drawText(QRectF(box.x() + 5, box.y() + 2 + k * h, box.width() - 10, h),
                             Qt.AlignLeft | Qt.AlignVCenter, text)

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

    def _connection_box(self, painter: QPainter, box: QRectF, lines) -> None:
        font = style.value_font(CONNECTION_PT, bold=True)
        h = box.height() / len(lines)
        painter.setPen(QPen(lines[-1][1], 0.8))
        painter.setBrush(BOX)
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(font)
        for k, (text, colour) in enumerate(lines):
            painter.setPen(colour)
            painter.drawText(QRectF(box.x(), box.y() + k * h, box.width(), h), Qt.AlignCenter, text)

    def error_text(self, d: int) -> str | None:
        v = self.view
        e = v.error if v.stage.kind != "update" else v.batch_error
        if e is None:
            return None
        label = "E" if v.stage.kind != "update" or len(v.batch) == 1 else "mean E"
        return f"{label} = {format_number(e, d)}"

    def _error_box(self, painter: QPainter, box: QRectF, text: str) -> None:
        painter.setPen(QPen(QColor("#555555"), 1))
        painter.setBrush(QColor("#fff3e0"))
        painter.drawRoundedRect(box, 5, 5)
        painter.setFont(style.value_font(11, bold=True))
        painter.setPen(TEXT)
        painter.drawText(box, Qt.AlignCenter, text)
