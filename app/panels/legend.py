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
    height = 18 * len(rows) + 26 + (18 if lod else 0)
    box = QRectF(10, viewport.height() - height - 10, 290, height)
    painter.setPen(QPen(QColor("#bbbbbb"), 1))
    painter.setBrush(QColor(255, 255, 255, 230))
    painter.drawRoundedRect(box, 6, 6)
    painter.setPen(QColor("#333333"))
    painter.drawText(QRectF(box.left() + 8, box.top() + 4, box.width() - 16, 16), Qt.AlignLeft,
                     "Weights: colour = sign, width = |w|")
    y = box.top() + 30
    for text, colour, w in rows:
        pen = QPen(colour, style.weight_width(w, max_abs))
        pen.setCapStyle(Qt.FlatCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(box.left() + 10, y), QPointF(box.left() + 60, y))
        painter.setPen(QColor("#333333"))
        painter.drawText(QRectF(box.left() + 70, y - 8, 215, 16), Qt.AlignLeft | Qt.AlignVCenter,
                         f"{text}  (w = {style.format_value(w)})")
        y += 18
    if lod:
        drawn, total = lod
        painter.setPen(QColor("#555555"))
        painter.drawText(QRectF(box.left() + 8, y - 8, box.width() - 16, 16), Qt.AlignLeft | Qt.AlignVCenter,
                         f"strongest {drawn:,} of {total:,} shown; band = rest")
