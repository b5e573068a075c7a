"""Colours, sizes and fonts of the canvas, in one place, and the two themes that set them.

Weights: blue #1F5FB4 for positive (6.0:1 on the canvas), brown #B35806 for negative (ColorBrewer
PuOr, 4.7:1; the old #D9531E was 3.9:1), grey for zero; CIE76 ΔE between the signs stays ≥ 84
under simulated protan, deutan and tritan vision (design/visual.md §4). Width grows with |w|
relative to the largest |w|. Selection is a near-black halo (18:1; the old yellow was 1.75:1).

``apply_theme`` switches between the desk and the presenter (projector) theme: white canvas,
black text, lines 1.5× wider, text scaled by the presenter's Ctrl+plus / Ctrl+minus. Items read
these module values when they paint, so a theme change is a rebuild of the scene.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen

POSITIVE = QColor("#1f5fb4")
NEGATIVE = QColor("#b35806")
ZERO = QColor("#767676")
BAND = QColor(120, 120, 140, 38)  # faint band standing for the edges not drawn
SELECTED = QColor("#111111")
HOVER = QColor("#767676")
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


# Text on the canvas is drawn this much larger than the sizes items ask for: at 1280×720 the
# textbook network's names and values come out at ≥ 14 px (tests/app/test_projector_layout.py).
DESK_TEXT_SCALE = 1.25
PRESENTER_TEXT_SCALE = 1.6
PRESENTER_LINE_SCALE = 1.5
text_scale = DESK_TEXT_SCALE
line_scale = 1.0
theme = "desk"

_DESK = {"CANVAS_BG": QColor("#fbfbf8"), "NEURON_BORDER": QColor("#333333"),
         "LAYER_LABEL": QColor("#555555")}
_PRESENTER = {"CANVAS_BG": QColor("#ffffff"), "NEURON_BORDER": QColor("#000000"),
              "LAYER_LABEL": QColor("#000000")}


def apply_theme(name: str, text_factor: float = 1.0) -> None:
    """"desk" or "presenter"; ``text_factor`` multiplies the presenter's text (Ctrl+plus/minus)."""
    global text_scale, line_scale, theme
    if name not in ("desk", "presenter"):
        raise ValueError(f"unknown theme {name!r}")
    theme = name
    presenting = name == "presenter"
    text_scale = PRESENTER_TEXT_SCALE * text_factor if presenting else DESK_TEXT_SCALE
    line_scale = PRESENTER_LINE_SCALE if presenting else 1.0
    globals().update(_PRESENTER if presenting else _DESK)


def weight_width(w: float, max_abs: float) -> float:
    if max_abs <= 0:
        return MIN_WIDTH * line_scale
    return (MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(1.0, abs(w) / max_abs)) * line_scale


def weight_pen(w: float, width: float) -> QPen:
    """A connection's pen: colour = sign; in presenter mode negative weights are also dashed, so
    the sign survives a washed-out projector or a greyscale print of the screen."""
    pen = QPen(weight_colour(w), width)
    pen.setCapStyle(Qt.RoundCap)
    if theme == "presenter" and w < 0:
        pen.setCapStyle(Qt.FlatCap)
        pen.setDashPattern([3.0, 1.6])  # in units of the pen's width
    return pen


def value_font(size: float = 9.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(size * text_scale)
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
