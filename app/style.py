"""Colours, sizes and fonts of the canvas, in one place.

Weights: blue for positive, orange for negative (distinguishable with the common colour-vision
deficiencies and on a washed-out projector); width grows with |w| relative to the largest |w|.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont

POSITIVE = QColor("#1f5fb4")
NEGATIVE = QColor("#d9531e")
ZERO = QColor("#9a9a9a")
BAND = QColor(120, 120, 140, 38)  # faint band standing for the edges not drawn
SELECTED = QColor("#f2b705")
HOVER = QColor("#6fa8dc")
GLOW = QColor(255, 120, 0)
TEMP_LINK = QColor("#2e7d32")
CANVAS_BG = QColor("#fbfbf8")
LAYER_LABEL = QColor("#555555")

NEURON_FILL = {
    "input": QColor("#e8f0e0"),
    "hidden": QColor("#ffffff"),
    "output": QColor("#fdebd3"),
}
NEURON_BORDER = QColor("#333333")

from core.layout import (GRID_GAP, GRID_THRESHOLD, LAYER_GAP, NEURON_GAP,  # noqa: E402,F401
                         RADIUS, SMALL_RADIUS)

MIN_WIDTH, MAX_WIDTH = 0.6, 6.0  # connection pen widths (scene units)
WIDTH_BUCKETS = 8


def weight_colour(w: float) -> QColor:
    if w > 0:
        return POSITIVE
    if w < 0:
        return NEGATIVE
    return ZERO


def weight_width(w: float, max_abs: float) -> float:
    if max_abs <= 0:
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(1.0, abs(w) / max_abs)


def value_font(size: float = 9.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def format_value(v: float) -> str:
    """Short text written on the canvas (the Inspector shows six decimals)."""
    if v == 0:
        return "0"
    if abs(v) >= 1000 or abs(v) < 0.001:
        return f"{v:.2e}"
    return f"{v:.3f}".rstrip("0").rstrip(".")
