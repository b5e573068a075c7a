"""The weight legend painted in the canvas corner: colour = sign, width = |w|."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from .. import style


def paint_legend(painter: QPainter, viewport: QRect, max_abs: float,
                 lod: tuple[int, int] | None) -> QRectF:
    """Draw the legend at the bottom-left of ``viewport`` (device coordinates); returns its box."""
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setFont(style.value_font(8.5))
    rows = _rows(max_abs)
    texts = _texts(rows)
    row, width, height = _layout(painter.fontMetrics(), texts, lod)
    box = QRectF(10, viewport.height() - height - 10, width, height)
    painter.setPen(QPen(QColor("#bbbbbb"), 1))
    painter.setBrush(QColor(255, 255, 255, 230))
    painter.drawRoundedRect(box, 6, 6)
    painter.setPen(QColor("#333333"))
    painter.drawText(QRectF(box.left() + 8, box.top() + 4, box.width() - 16, row), Qt.AlignLeft,
                     texts[0])
    y = box.top() + 10 + row * 1.5
    for (text, colour, w), label in zip(rows, texts[1:]):
        pen = style.weight_pen(w, style.weight_width(w, max_abs))
        pen.setCapStyle(Qt.FlatCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(box.left() + 10, y), QPointF(box.left() + 60, y))
        painter.setPen(QColor("#333333"))
        painter.drawText(QRectF(box.left() + 70, y - row / 2, box.width() - 75, row),
                         Qt.AlignLeft | Qt.AlignVCenter, label)
        y += row
    if lod:
        drawn, total = lod
        painter.setPen(QColor("#555555"))
        painter.drawText(QRectF(box.left() + 8, y - row / 2, box.width() - 16, row), Qt.AlignLeft | Qt.AlignVCenter,
                         f"strongest {drawn:,} of {total:,} shown; band = rest")
    return box


def legend_size(max_abs: float, lod: tuple[int, int] | None) -> tuple[float, float]:
    """The legend box's width and height as paint_legend draws it on a screen's paint device."""
    _, width, height = _layout(QFontMetrics(style.value_font(8.5)), _texts(_rows(max_abs)), lod)
    return width, height


def _rows(max_abs: float) -> list:
    return [("positive", style.POSITIVE, max_abs), ("negative", style.NEGATIVE, -max_abs),
            ("small", style.POSITIVE, max_abs * 0.15)]


def _texts(rows) -> list[str]:
    return ["Weights: colour = sign, width = |w|"] + [f"{t}  (w = {style.format_value(w)})" for t, _, w in rows]


def _layout(fm, texts: list[str], lod) -> tuple[int, float, float]:
    row = fm.height() + 4  # rows and box follow the font: presenter mode draws it larger
    width = max(290, 80 + max(fm.horizontalAdvance(t) for t in texts))
    height = row * (len(texts)) + 14 + (row if lod else 0)
    return row, width, height
