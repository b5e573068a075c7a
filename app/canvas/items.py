"""Scene items for neurons, single connections (small networks) and layer headers.

Items draw and report intent to their scene (``scene.item_*`` hooks); they never edit the model.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap,
                           QRadialGradient)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QStyleOptionGraphicsItem

from .. import style

ACT_SHORT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky",
             "linear": "lin", "softmax": "soft"}
PORT_R = 5.5
GLOW_MARGIN = 14.0
GLOW_LEVELS = 64  # the halo's alpha steps: finer changes are invisible and would only repaint


def bias_room() -> tuple[float, float]:
    """Room beside and below a neuron for "b = −0.00877135" at the current text size (the
    presenter's larger text and 9-digit precision were clipped by a fixed 30 px)."""
    return 44.0 * style.text_scale, 6.0 + 14.0 * style.text_scale


_HALOS: dict[tuple, QPixmap] = {}


def halo_pixmap(level: int, radius: float) -> QPixmap:
    """The glow around a neuron of ``radius`` at ``level`` (1..GLOW_LEVELS): the glow colour
    from the neuron's edge fading to nothing GLOW_MARGIN further out, one pixel per scene unit
    (the view scales it, smoothly)."""
    key = (level, radius, style.GLOW.rgba())
    pixmap = _HALOS.get(key)
    if pixmap is None:
        r = radius + GLOW_MARGIN
        size = max(2, int(math.ceil(2 * r)))
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.translate(size / 2, size / 2)
        g = QRadialGradient(QPointF(0, 0), r)
        c = QColor(style.GLOW)
        c.setAlpha(int(230 * level / GLOW_LEVELS))
        g.setColorAt(radius / r, c)
        c2 = QColor(c)
        c2.setAlpha(0)
        g.setColorAt(1.0, c2)
        p.setPen(Qt.NoPen)
        p.setBrush(QBrush(g))
        p.drawEllipse(QPointF(0, 0), r, r)
        p.end()
        _HALOS[key] = pixmap
    return pixmap


class NeuronItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 1

    def __init__(self, layer: int, index: int, radius: float, role: str) -> None:
        super().__init__()
        self.layer, self.index, self.radius, self.role = layer, index, radius, role
        self.name = ""
        self.activation = ""
        self.override = False
        self.bias: float | None = None
        self.show_values = False
        self.glow: float | None = None
        self.hovered = False
        self.can_connect = True  # outputs too: they may feed back (a recurrent connection)
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        # The δ glow is a C++ child behind the neuron: it changes with every report while the
        # neuron itself does not, and Qt paints C++ items without the GIL (see edges.py). It
        # shows a pixmap made once per glow level: filled with its radial gradient at each paint,
        # 35 halos of 23 px took 9.5 ms of a 12 ms canvas repaint (two spirals, measured).
        self._halo = QGraphicsPixmapItem(self)
        self._halo.setFlag(QGraphicsItem.ItemStacksBehindParent, True)
        self._halo.setTransformationMode(Qt.SmoothTransformation)
        self._halo.setAcceptedMouseButtons(Qt.NoButton)
        self._halo.setAcceptHoverEvents(False)
        self._halo.setVisible(False)
        self._halo_level = 0
        self._look: tuple | None = None

    def type(self) -> int:
        return self.Type

    @property
    def key(self) -> tuple[int, int]:
        return self.layer, self.index

    def set_state(self, name: str, activation: str, override: bool, bias: float | None,
                  show_values: bool) -> None:
        """Repaints only when what is drawn changes: during training the bias moves every few
        milliseconds, and it is drawn only when values are shown (the tooltip is built on hover)."""
        self.name, self.activation, self.override, self.bias = name, activation, override, bias
        self.show_values = show_values
        look = (name, activation, override, show_values,
                style.format_value(bias) if show_values and bias is not None else None)
        if look != self._look:
            self._look = look
            self.update()

    def refresh_look(self) -> None:
        """Repaint even if the values are the same (a new theme, text size or precision)."""
        self._look = None
        self.update()

    def _tooltip(self) -> str:
        lines = [f"<b>{self.name}</b> (layer {self.layer}, neuron {self.index + 1})"]
        if self.bias is not None:
            lines.append(f"bias = {self.bias:.6f}")
            lines.append(f"activation: {self.activation}{' (own)' if self.override else ''}")
        lines.append("Drag to move · drag from the dot on the right to connect · double-click to edit")
        return "<br>".join(lines)

    def set_glow(self, value: float | None) -> None:
        self.glow = value
        level = 0 if value is None or not value > 0 else max(1, round(min(value, 1.0) * GLOW_LEVELS))
        if level == self._halo_level:
            return
        self._halo_level = level
        if not level:
            self._halo.setVisible(False)
            return
        pixmap = halo_pixmap(level, self.radius)
        if pixmap.width() != self._halo.pixmap().width():  # a new radius: place it again
            self._halo.setScale(2 * (self.radius + GLOW_MARGIN) / pixmap.width())
            self._halo.setOffset(-pixmap.width() / 2, -pixmap.height() / 2)
        self._halo.setPixmap(pixmap)
        self._halo.setVisible(True)

    # ----------------------------------------------------------------- geometry
    def boundingRect(self) -> QRectF:
        r = self.radius + GLOW_MARGIN
        side, below = bias_room()
        below = below if self.radius >= style.RADIUS else 0.0
        return QRectF(-r - side, -r, 2 * r + 2 * side, 2 * r + below)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        r = self.radius
        path.addEllipse(QPointF(0, 0), r, r)
        if self.can_connect:
            path.addEllipse(self.port_pos(), PORT_R + 2, PORT_R + 2)
        if self._shows_bias():  # the written bias is part of the neuron: double-click edits it
            path.addRect(self._bias_rect())
        return path

    def port_pos(self) -> QPointF:
        return QPointF(self.radius, 0.0)

    def _bias_rect(self) -> QRectF:
        """Where paint() writes "b = …" under the neuron (item coordinates)."""
        fm = QFontMetricsF(style.value_font(8.5))
        w = fm.horizontalAdvance(f"b = {style.format_value(self.bias)}") + 8
        return QRectF(-w / 2, self.radius + 1, w, fm.height())

    def _shows_bias(self) -> bool:
        return self.show_values and self.bias is not None and self.radius >= style.RADIUS

    def edit_rect(self) -> QRectF:
        """Scene rect of the text an in-place edit replaces: the bias under a hidden or output
        neuron, the name inside an input neuron (or wherever no bias is written)."""
        if self._shows_bias():
            return self.mapRectToScene(self._bias_rect())
        r = self.radius
        return self.mapRectToScene(QRectF(-r, -r * 0.75, 2 * r, r * 0.95))

    def is_on_port(self, local: QPointF) -> bool:
        if not self.can_connect:
            return False
        d = local - self.port_pos()
        return math.hypot(d.x(), d.y()) <= PORT_R + 3

    # ----------------------------------------------------------------- painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        r = self.radius
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.Antialiasing, True)
        selected = self.isSelected()
        border = QPen(style.SELECTED if selected else
                      (style.HOVER if self.hovered else style.NEURON_BORDER),
                      3.0 if selected else 1.5)
        painter.setPen(border)
        painter.setBrush(style.NEURON_FILL[self.role])
        painter.drawEllipse(QPointF(0, 0), r, r)
        if r * lod >= 12:
            painter.setPen(Qt.black)
            painter.setFont(style.value_font(10 if r >= style.RADIUS else 5, bold=True))
            name_rect = QRectF(-r, -r * 0.75, 2 * r, r * 0.95)
            painter.drawText(name_rect, Qt.AlignCenter, self.name)
            if self.layer > 0 and r >= style.RADIUS:
                painter.setFont(style.value_font(7, bold=self.override))
                painter.setPen(QColor("#444") if not self.override else QColor("#8e24aa"))
                painter.drawText(QRectF(-r, r * 0.15, 2 * r, r * 0.6), Qt.AlignCenter,
                                 ACT_SHORT.get(self.activation, self.activation))
        if self.show_values and self.bias is not None and r >= style.RADIUS:
            painter.setFont(style.value_font(8.5))
            painter.setPen(style.weight_colour(self.bias).darker(130))
            side, below = bias_room()
            painter.drawText(QRectF(-r - side, r + 1, 2 * r + 2 * side, below), Qt.AlignHCenter | Qt.AlignTop,
                             f"b = {style.format_value(self.bias, lod)}")
        if self.can_connect and (self.hovered or selected):
            painter.setPen(QPen(style.TEMP_LINK, 1.2))
            painter.setBrush(QColor("#c8e6c9"))
            painter.drawEllipse(self.port_pos(), PORT_R, PORT_R)

    # ----------------------------------------------------------------- events -> scene hooks
    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.setToolTip(self._tooltip())
        self.update()
        if self.scene() is not None:
            self.scene().item_hovered(self)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
        if self.scene() is not None:
            self.scene().item_hovered(None)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged and self.scene() is not None:
            self.scene().item_moved(self)
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event) -> None:
        self.scene().item_double_clicked(self, event.scenePos())


class ConnectionItem(QGraphicsItem):
    """One pickable connection (small networks only)."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, key: tuple[int, int, int, int]) -> None:
        super().__init__()
        self.key = key
        self.line = QLineF()
        self.weight = 0.0
        self.max_abs = 1.0
        self.label_t = 0.5
        self.show_values = False
        self.hovered = False
        self._look: tuple | None = None  # what the last paint showed (see set_weight)
        self._rect = QRectF()
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)

    def type(self) -> int:
        return self.Type

    def set_line(self, p1: QPointF, r1: float, p2: QPointF, r2: float) -> None:
        line = QLineF(p1, p2)
        length = line.length()
        if length > r1 + r2:
            a, b = r1 / length, 1 - r2 / length
            line = QLineF(line.pointAt(a), line.pointAt(b))
        self.prepareGeometryChange()
        self.line = line
        self._rect = self._bounds()
        self.update()

    def set_weight(self, weight: float, max_abs: float, show_values: bool) -> None:
        """Repaint only when what is drawn changes (sign, width to 1/8 px, the written value):
        during training every weight moves a little every few milliseconds, and most moves are
        invisible; repainting every connection each time cost ~40 ms a frame at 304 edges."""
        self.weight, self.max_abs = weight, max_abs
        if show_values != self.show_values:
            self.prepareGeometryChange()
            self.show_values = show_values
            self._rect = self._bounds()
        look = (weight > 0, weight < 0, round(style.weight_width(weight, max_abs) * 8),
                style.format_value(weight) if show_values else None)
        if look != self._look:
            self._look = look
            self.update()

    def label_pos(self) -> QPointF:
        return self.line.pointAt(self.label_t)

    def edit_rect(self) -> QRectF:
        """Scene rect of the value box paint() draws on the line."""
        c = self.mapToScene(self.label_pos())
        w = QFontMetricsF(style.value_font(8.5)).horizontalAdvance(style.format_value(self.weight)) + 8
        return QRectF(c.x() - w / 2, c.y() - 9, w, 18)

    def _bounds(self) -> QRectF:
        pad = style.MAX_WIDTH + 4
        rect = QRectF(self.line.p1(), self.line.p2()).normalized().adjusted(-pad, -pad, pad, pad)
        if self.show_values:
            c = self.label_pos()
            rect = rect.united(QRectF(c.x() - 50, c.y() - 10, 100, 20))  # room for 9+ digits
        return rect

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        path = QPainterPath(self.line.p1())
        path.lineTo(self.line.p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(10.0, style.weight_width(self.weight, self.max_abs) + 6))
        return stroker.createStroke(path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        width = style.weight_width(self.weight, self.max_abs)
        if self.isSelected() or self.hovered:
            halo = QPen(style.SELECTED if self.isSelected() else style.HOVER, width + 6)
            halo.setCapStyle(Qt.RoundCap)
            painter.setPen(halo)
            painter.drawLine(self.line)
        painter.setPen(style.weight_pen(self.weight, width))
        painter.drawLine(self.line)
        if self.show_values:
            text = style.format_value(self.weight, option.levelOfDetailFromTransform(painter.worldTransform()))
            painter.setFont(style.value_font(8.5))
            c = self.label_pos()
            fm = painter.fontMetrics()
            w = fm.horizontalAdvance(text) + 8
            box = QRectF(c.x() - w / 2, c.y() - 9, w, 18)
            painter.setPen(QPen(style.weight_colour(self.weight), 0.8))
            painter.setBrush(QColor(255, 255, 255, 225))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(style.weight_colour(self.weight).darker(140))
            painter.drawText(box, Qt.AlignCenter, text)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.setToolTip(f"weight = {self.weight:.6f}\nDouble-click to type a value; Delete removes it")
        self.update()
        self.scene().item_hovered(self)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
        self.scene().item_hovered(None)

    def mouseDoubleClickEvent(self, event) -> None:
        self.scene().item_double_clicked(self, event.scenePos())


class LayerLabelItem(QGraphicsItem):
    """The header above a layer; selecting it selects the layer."""

    Type = QGraphicsItem.UserType + 3

    def __init__(self, layer: int) -> None:
        super().__init__()
        self.layer = layer
        self.text = ""
        self._rect = QRectF(-40, -13, 80, 26)
        self.setZValue(20)
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setToolTip("Click to select the layer; its settings appear in the Inspector")
        # painted again only when its text or selection changes, not whenever a neuron or an
        # edge under it repaints (every training frame)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def type(self) -> int:
        return self.Type

    def set_text(self, text: str) -> None:
        width = QFontMetricsF(style.value_font(9.5, bold=True)).horizontalAdvance(text) + 20
        self.prepareGeometryChange()
        self._rect = QRectF(-width / 2, -13, width, 26)
        self.text = text
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        selected = self.isSelected()
        painter.setPen(QPen(style.SELECTED, 2) if selected else Qt.NoPen)
        painter.setBrush(QColor(252, 240, 200, 235) if selected else QColor(251, 251, 248, 215))
        painter.drawRoundedRect(self.boundingRect().adjusted(1, 1, -1, -1), 6, 6)
        painter.setPen(style.LAYER_LABEL)
        painter.setFont(style.value_font(9.5, bold=True))
        painter.drawText(self.boundingRect(), Qt.AlignCenter, self.text)

    def mouseDoubleClickEvent(self, event) -> None:
        self.scene().item_double_clicked(self, event.scenePos())
