"""The weight legend painted in the canvas corner: colour = sign, width = |w|."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from .. import style


def paint_legend(painter: QPainter, viewport: QRect, max_abs: float,
                 lod: tuple[int, int] | None) -> None:
    """Draw the legend at the bottom-left of ``viewport`` (device coordinates)."""
    painter.setRenderHint(QPainter.Antialiasing, True)
    font = style.value_font(8.5)
    painter.setFont(font)
    rows = [("positive", style.POSITIVE, max_abs), ("negative", style.NEGATIVE, -max_abs),
            ("small", style.POSITIVE, max_abs * 0.15)]
    fm = painter.fontMetrics()
    row = fm.height() + 4  # rows and box follow the font: presenter mode draws it larger
    texts = ["Weights: colour = sign, width = |w|"] + [f"{t}  (w = {style.format_value(w)})" for t, _, w in rows]
    width = max(290, 80 + max(fm.horizontalAdvance(t) for t in texts))
    height = row * (len(rows) + 1) + 14 + (row if lod else 0)
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
