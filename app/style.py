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

RADIUS = 22.0  # neuron radius on small networks, scene units
SMALL_RADIUS = 7.0  # neurons of large layers drawn in a grid
LAYER_GAP = 230.0  # horizontal distance between layers
NEURON_GAP = 90.0  # vertical distance between neurons of a column layer
GRID_GAP = 20.0  # distance between neurons of a large layer's grid
GRID_THRESHOLD = 40  # layers with more neurons are drawn as a grid

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


DIGITS = 4  # significant digits of values on the canvas: the step-through's precision setting


def set_digits(digits: int) -> None:
    """Precision of every value the canvas writes (3–9 significant digits)."""
    global DIGITS
    DIGITS = int(min(9, max(3, digits)))


def zoom_digits(zoom: float = 1.0) -> int:
    """More digits when zoomed in: one more at 1.5× and each doubling after it, up to three."""
    extra = 0 if zoom < 1.5 else 1 if zoom < 3 else 2 if zoom < 6 else 3
    return DIGITS + extra


def format_value(v: float, zoom: float = 1.0) -> str:
    """Text written on the canvas, to the precision setting (more when zoomed in)."""
    from core.explain import format_number
    return format_number(float(v), zoom_digits(zoom))
