"""Recurrent connections on the canvas: backward, sideways and self connections as arcs.

A straight line from a later layer back to an earlier one would lie on top of the forward
connections between them, and a sideways line would run through the neurons between its ends.
So a recurrent connection bows out to the left of its direction of travel (a backward arc below
the layers, a downward sideways arc to the right of its layer, an upward one to the left: the two
directions of a pair never coincide), and a self connection is a loop to its neuron's upper right. Each ends
in an arrowhead, since an arc's direction is not otherwise visible.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from .. import style
from .edges import EdgeBatchItem
from .items import ConnectionItem

# A self-loop leaves up and to the right: clear of the layer's title above, the bias below and
# the connection port on the right. Its control points lie this many radii from the centre.
LOOP_AXIS = -50.0  # degrees from +x, y pointing down
LOOP_REACH = 3.4
BULGE = 0.22  # an arc's height as a fraction of the distance it spans
BULGE_MIN = 22.0


def arc(p1: QPointF, r1: float, p2: QPointF, r2: float) -> tuple[QPainterPath, QPointF, QPointF]:
    """The curve from neuron (p1, r1) to neuron (p2, r2), trimmed at both rims: (path, tip,
    direction of arrival as a unit vector)."""
    if (p2 - p1).manhattanLength() < 1e-6:  # a self connection
        r = max(r1, 6.0)
        start, tip = p1 + _polar(LOOP_AXIS - 32, r), p1 + _polar(LOOP_AXIS + 32, r)
        c1, c2 = p1 + _polar(LOOP_AXIS - 38, LOOP_REACH * r), p1 + _polar(LOOP_AXIS + 38, LOOP_REACH * r)
        path = QPainterPath(start)
        path.cubicTo(c1, c2, tip)
        return path, tip, _unit(tip - c2)
    d = p2 - p1
    length = math.hypot(d.x(), d.y())
    normal = QPointF(d.y(), -d.x()) / length  # left of travel, with y pointing down
    ctrl = (p1 + p2) / 2 + normal * (2 * (BULGE * length + BULGE_MIN))  # apex at half this height
    start = p1 + _unit(ctrl - p1) * r1
    tip = p2 + _unit(ctrl - p2) * r2
    path = QPainterPath(start)
    path.quadTo(ctrl, tip)
    return path, tip, _unit(tip - ctrl)


def _polar(degrees: float, radius: float) -> QPointF:
    a = math.radians(degrees)
    return QPointF(math.cos(a), math.sin(a)) * radius


def _unit(v: QPointF) -> QPointF:
    n = math.hypot(v.x(), v.y())
    return v / n if n > 1e-12 else QPointF(1.0, 0.0)


def arrowhead(tip: QPointF, direction: QPointF, width: float) -> QPolygonF:
    size = 5.0 + 1.2 * width
    back = tip - direction * size
    side = QPointF(-direction.y(), direction.x()) * (size * 0.5)
    return QPolygonF([tip, back + side, back - side])


class RecurrentConnectionItem(ConnectionItem):
    """One pickable recurrent connection, drawn as an arc or loop (see the module doc)."""

    def __init__(self, key: tuple[int, int, int, int]) -> None:
        super().__init__(key)
        self.path = QPainterPath()
        self.tip = QPointF()
        self.arrival = QPointF(1.0, 0.0)
        self.setZValue(-1)  # under the forward connections where they cross

    def set_line(self, p1: QPointF, r1: float, p2: QPointF, r2: float) -> None:
        self.path, self.tip, self.arrival = arc(p1, r1, p2, r2)
        super().set_line(p1, r1, p2, r2)

    def label_pos(self) -> QPointF:
        return self.path.pointAtPercent(0.5 if self.key[0] == self.key[2] and self.key[1] == self.key[3]
                                        else self.label_t)

    def _bounds(self) -> QRectF:
        pad = style.MAX_WIDTH + 12
        rect = self.path.boundingRect().adjusted(-pad, -pad, pad, pad)
        if self.show_values:
            c = self.label_pos()
            rect = rect.united(QRectF(c.x() - 32, c.y() - 10, 64, 20))
        return rect

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(max(10.0, style.weight_width(self.weight, self.max_abs) + 6))
        return stroker.createStroke(self.path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        width = style.weight_width(self.weight, self.max_abs)
        painter.setBrush(Qt.NoBrush)
        if self.isSelected() or self.hovered:
            halo = QPen(style.SELECTED if self.isSelected() else style.HOVER, width + 6)
            halo.setCapStyle(Qt.RoundCap)
            painter.setPen(halo)
            painter.drawPath(self.path)
        colour = style.weight_colour(self.weight)
        painter.setPen(style.weight_pen(self.weight, width))  # dashed when negative in presenter mode
        painter.drawPath(self.path)
        painter.setPen(Qt.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(arrowhead(self.tip, self.arrival, width))
        if self.show_values:
            text = style.format_value(self.weight)
            painter.setFont(style.value_font(8.5))
            c = self.label_pos()
            w = painter.fontMetrics().horizontalAdvance(text) + 8
            box = QRectF(c.x() - w / 2, c.y() - 9, w, 18)
            painter.setPen(QPen(colour, 0.8))
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(colour.darker(140))
            painter.drawText(box, Qt.AlignCenter, text)


class RecurrentBatchItem(EdgeBatchItem):
    """A large network's recurrent block: the batch item's strongest edges, drawn as arcs."""

    NEURON_R = 8.0

    def set_geometry(self, src_xy: np.ndarray, dst_xy: np.ndarray) -> None:
        super().set_geometry(src_xy, dst_xy)
        both = np.vstack([np.asarray(src_xy, float), np.asarray(dst_xy, float)])
        span = float(np.ptp(both, axis=0).max()) if len(both) else 0.0
        reach = 2 * (BULGE * span + BULGE_MIN) + LOOP_REACH * 2 * self.NEURON_R
        self.prepareGeometryChange()
        self._rect = self._rect.adjusted(-reach, -reach, reach, reach)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, self.n_drawn <= 300)
        painter.setBrush(Qt.NoBrush)
        for pen, lines in self.group_lines():
            painter.setPen(pen)
            for ln in lines:
                painter.drawPath(arc(ln.p1(), self.NEURON_R, ln.p2(), self.NEURON_R)[0])
