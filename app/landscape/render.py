"""Painting a loss landscape with QPainter: the one-weight curve (E(w), the current w, the tangent
whose slope is the gradient, the steps taken) and the two-weight heatmap (log-scaled colours,
contour lines, the current point, the training path). Used by the panel and the PNG export, so
the file and the screen show the same picture. Every number comes from core.landscape."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF

from core.landscape import Curve, Landscape, contour_levels, contour_segments

# ColorBrewer YlGnBu: light (low error) to dark blue (high error); monotone in lightness, so it
# survives greyscale printing and colour-vision deficiencies.
RAMP = np.array([[255, 255, 217], [237, 248, 177], [199, 233, 180], [127, 205, 187], [65, 182, 196],
                 [29, 145, 192], [34, 94, 168], [37, 52, 148], [8, 29, 88]], dtype=np.float64)
INK, PATH, NOW, TANGENT = QColor("#1a1a1a"), QColor("#b35806"), QColor("#d7191c"), QColor("#1f5fb4")


def ramp(t: np.ndarray) -> np.ndarray:
    t = np.clip(np.nan_to_num(t, nan=1.0), 0, 1) * (len(RAMP) - 1)
    k = np.minimum(t.astype(int), len(RAMP) - 2)
    f = (t - k)[..., None]
    return RAMP[k] * (1 - f) + RAMP[k + 1] * f


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(8, int(round(px))))
    f.setBold(bold)
    return f


def _plot_rect(rect: QRectF, px: float) -> QRectF:
    return rect.adjusted(px * 4.2, px * 1.8, -px * 1.2, -px * 3.2)


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def paint_landscape(p: QPainter, rect: QRectF, land: Landscape, path: list[tuple[float, float]],
                    names: tuple[str, str], text_px: float = 13) -> None:
    landscape_base(p, rect, land, names, text_px)
    landscape_path(p, rect, land, path, text_px)


def landscape_base(p: QPainter, rect: QRectF, land: Landscape, names: tuple[str, str],
                   text_px: float = 13) -> None:
    """What stays while training moves the path: the heatmap, its contours, axes and header (the
    panel keeps it as a pixmap: contours and all took 25-40 ms a paint, repeated at every live
    update of the weights)."""
    p.fillRect(rect, Qt.white)
    area = _plot_rect(rect, text_px)
    e = land.errors
    finite = e[np.isfinite(e) & (e > 0)]
    lo, hi = (np.log10(finite.min()), np.log10(finite.max())) if finite.size else (0.0, 1.0)
    t = (np.log10(np.where(e > 0, e, np.nan)) - lo) / ((hi - lo) or 1.0)
    rgb = np.ascontiguousarray(ramp(t[::-1]).astype(np.uint8))  # row 0 = the largest b at the top
    h, w = rgb.shape[:2]
    img = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
    p.drawImage(area, img)

    def grid_px(col: float, row: float) -> QPointF:  # cell centres: the value at grid index
        return QPointF(area.left() + (col + 0.5) / w * area.width(),
                       area.bottom() - (row + 0.5) / h * area.height())

    p.setRenderHint(QPainter.Antialiasing, True)
    p.setPen(QPen(QColor(0, 0, 0, 150), 1.0))
    for level in contour_levels(e):
        for (c0, r0), (c1, r1) in contour_segments(e, level):
            p.drawLine(grid_px(c0, r0), grid_px(c1, r1))
    a0, a1 = land.a_values[0], land.a_values[-1]
    b0, b1 = land.b_values[0], land.b_values[-1]
    _axes(p, area, (a0, a1), (b0, b1), names, text_px)
    _header(p, rect, f"E now {_fmt(land.e_now)} · light {_fmt(10 ** lo)} … dark {_fmt(10 ** hi)} (log)",
            text_px)


def landscape_path(p: QPainter, rect: QRectF, land: Landscape, path: list[tuple[float, float]],
                   text_px: float = 13) -> None:
    """The training path over the base and the current point."""
    area = _plot_rect(rect, text_px)
    a0, a1 = land.a_values[0], land.a_values[-1]
    b0, b1 = land.b_values[0], land.b_values[-1]

    def to_px(a: float, b: float) -> QPointF:
        return QPointF(area.left() + (a - a0) / (a1 - a0) * area.width(),
                       area.bottom() - (b - b0) / (b1 - b0) * area.height())

    p.save()
    p.setRenderHint(QPainter.Antialiasing, True)
    dot = text_px * 0.45
    # a path that left the grid (until the grid is redone around it) stops at its edge instead
    # of running over the axis labels
    p.setClipRect(area.adjusted(-dot - 2, -dot - 2, dot + 2, dot + 2), Qt.IntersectClip)
    if len(path) >= 2:
        p.setPen(QPen(PATH, 2.5, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        p.drawPolyline(QPolygonF([to_px(a, b) for a, b in path]))
    now = path[-1] if path else (land.a_now, land.b_now)
    p.setPen(QPen(Qt.white, 2))
    p.setBrush(NOW)
    p.drawEllipse(to_px(*now), dot, dot)
    p.restore()


def _header(p: QPainter, rect: QRectF, text: str, px: float) -> None:
    """One line above the plot, its font shrunk (to 9 px at least) until the line fits: the
    numbers are the point of it, an elided line hid the slope in a narrow dock."""
    p.setPen(INK)
    size = px
    while True:
        p.setFont(_font(size))
        if p.fontMetrics().horizontalAdvance(text) <= rect.width() - 8 or size <= 9:
            break
        size -= 1
    p.drawText(QRectF(rect.left(), rect.top(), rect.width(), px * 1.7), Qt.AlignCenter, text)


def _axes(p: QPainter, area: QRectF, xr, yr, names, px: float) -> None:
    p.setBrush(Qt.NoBrush)
    p.setPen(QPen(INK, 1))
    p.drawRect(area)
    p.setFont(_font(px * 0.9))
    for k in range(5):
        f = k / 4
        xv, yv = xr[0] + f * (xr[1] - xr[0]), yr[0] + f * (yr[1] - yr[0])
        x, y = area.left() + f * area.width(), area.bottom() - f * area.height()
        p.drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() + 4))
        p.drawText(QRectF(x - 40, area.bottom() + 4, 80, px * 1.3), Qt.AlignHCenter | Qt.AlignTop, _fmt(xv))
        p.drawLine(QPointF(area.left() - 4, y), QPointF(area.left(), y))
        p.drawText(QRectF(area.left() - px * 4.2, y - px, px * 4.2 - 6, 2 * px),
                   Qt.AlignRight | Qt.AlignVCenter, _fmt(yv))
    p.setFont(_font(px, bold=True))
    p.drawText(QRectF(area.left(), area.bottom() + px * 1.4, area.width(), px * 1.6), Qt.AlignCenter, names[0])
    p.save()
    p.translate(area.left() - px * 3.4, area.center().y())
    p.rotate(-90)
    p.drawText(QRectF(-area.height() / 2, -px, area.height(), px * 1.6), Qt.AlignCenter, names[1])
    p.restore()


def _window(curve: Curve, steps: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """The part of the curve a class needs: the current weight, the steps taken and the lowest
    error, with as much again on each side (the whole computed range would squash the valley
    into the bottom few pixels)."""
    w, e = curve.values, curve.errors
    k = int(np.nanargmin(e))
    points = [curve.w_now, float(w[k])] + [float(v) for v in steps]
    lo, hi = min(points), max(points)
    pad = max(hi - lo, 0.5)
    keep = (w >= lo - pad) & (w <= hi + pad)
    return (w[keep], e[keep]) if keep.sum() >= 10 else (w, e)


def paint_curve(p: QPainter, rect: QRectF, curve: Curve, steps: list[float], name: str,
                text_px: float = 13) -> None:
    """E(w) with the current w, its tangent (slope dE/dw) and the gradient-descent steps so far."""
    p.fillRect(rect, Qt.white)
    area = _plot_rect(rect, text_px)
    w, e = _window(curve, steps)
    e_lo, e_hi = float(np.nanmin(e)), float(np.nanmax(e))
    e_lo = min(e_lo, 0.0) if e_lo >= 0 else e_lo
    span = (e_hi - e_lo) or 1.0

    def to_px(wv: float, ev: float) -> QPointF:
        return QPointF(area.left() + (wv - w[0]) / (w[-1] - w[0]) * area.width(),
                       area.bottom() - (ev - e_lo) / span * area.height())

    p.setRenderHint(QPainter.Antialiasing, True)
    p.save()
    p.setClipRect(area)
    path = QPainterPath(to_px(w[0], e[0]))
    for wv, ev in zip(w[1:], e[1:]):
        path.lineTo(to_px(wv, ev))
    p.setPen(QPen(INK, 2.5))
    p.drawPath(path)
    k = int(np.argmin(e))
    p.setPen(QPen(QColor("#555555"), 1, Qt.DashLine))
    p.drawLine(to_px(w[k], e_lo), to_px(w[k], e[k]))
    half = (w[-1] - w[0]) * 0.12  # the tangent: E_now + slope (w − w_now) near w_now
    p.setPen(QPen(TANGENT, 2))
    p.drawLine(to_px(curve.w_now - half, curve.e_now - curve.slope * half),
               to_px(curve.w_now + half, curve.e_now + curve.slope * half))
    errs = [float(np.interp(s, w, e)) for s in steps]
    if len(steps) >= 2:
        p.setPen(QPen(PATH, 2))
        p.setBrush(PATH)
        for (s0, e0), (s1, e1) in zip(zip(steps, errs), zip(steps[1:], errs[1:])):
            p.drawLine(to_px(s0, e0), to_px(s1, e1))
            p.drawEllipse(to_px(s0, e0), 3, 3)
    p.setPen(QPen(Qt.white, 2))
    p.setBrush(NOW)
    p.drawEllipse(to_px(curve.w_now, curve.e_now), text_px * 0.45, text_px * 0.45)
    p.restore()
    _axes(p, area, (w[0], w[-1]), (e_lo, e_lo + span), (name, "E"), text_px)
    _header(p, rect, f"{name} = {_fmt(curve.w_now)}   E = {_fmt(curve.e_now)}   slope dE/dw = "
            f"{_fmt(curve.slope)}   lowest E at {_fmt(w[k])}", text_px)
    p.setFont(_font(text_px * 0.9))
    p.setPen(QColor("#555555"))
    p.drawText(to_px(w[k], e_lo) + QPointF(4, -text_px * 0.4), "lowest error")
