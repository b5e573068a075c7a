"""All connections of one (source layer, target layer) pair drawn by one cached item.

Painting 100,000 lines costs seconds per frame on the raster engine (DESIGN.md §3), so the item
groups its lines by pen (sign × width bucket) and, above ``limit`` connections, keeps only the
``limit`` strongest by |w| plus a faint band standing for the rest. Each group is one
QPainterPath built from numpy in one call (pyqtgraph's arrayToQPath; a QLineF per line cost more
than drawing it). It paints through DeviceCoordinateCache, so an unchanged item costs a pixmap
blit per frame (a δ-glow frame during training) and Python runs only when the weights change.
Dense groups are drawn aliased: 304 lines of 1.5 px took 0.7 ms so and 8 ms antialiased.
"""
from __future__ import annotations

import numpy as np
from pyqtgraph.functions import arrayToQPath
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .. import style

DEFAULT_LIMIT = 2500


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (monotone chain) of a few points, counter-clockwise."""
    pts = sorted(set(map(tuple, points.tolist())))
    if len(pts) <= 2:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _corners(xy: np.ndarray) -> np.ndarray:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    return np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])


def _path(coords: np.ndarray) -> QPainterPath:
    xy = coords.reshape(-1, 2)  # x1 y1 x2 y2 per line -> consecutive point pairs
    return arrayToQPath(xy[:, 0], xy[:, 1], connect="pairs")


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


class EdgeBatchItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 4

    def __init__(self, key: tuple[int, int], limit: int = DEFAULT_LIMIT) -> None:
        super().__init__()
        self.key = key
        self.limit = limit
        self.src_xy = np.zeros((0, 2))
        self.dst_xy = np.zeros((0, 2))
        self.mask = np.zeros((0, 0), dtype=bool)
        self.weight = np.zeros((0, 0))
        self.max_abs = 1.0
        self.groups: list[tuple[QPen, np.ndarray]] = []  # pen, (m, 4) line coordinates
        self.paths: list[tuple[QPen, QPainterPath]] = []
        self.band: QPolygonF | None = None
        self.n_total = 0
        self.n_drawn = 0
        self._rect = QRectF()
        # While training redraws the weights many times a second (the scene's live mode) even a
        # few lines are drawn aliased: 256 antialiased lines of up to 6 px took ~15 ms a frame.
        self.aliased = False
        self.setZValue(-10)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.NoButton)

    def type(self) -> int:
        return self.Type

    def set_geometry(self, src_xy: np.ndarray, dst_xy: np.ndarray) -> None:
        self.src_xy, self.dst_xy = np.asarray(src_xy, float), np.asarray(dst_xy, float)
        both = np.vstack([self.src_xy, self.dst_xy])
        lo, hi = both.min(axis=0), both.max(axis=0)
        pad = style.MAX_WIDTH
        self.prepareGeometryChange()
        self._rect = QRectF(lo[0] - pad, lo[1] - pad, hi[0] - lo[0] + 2 * pad, hi[1] - lo[1] + 2 * pad)
        self._rebuild()

    def set_weights(self, mask: np.ndarray, weight: np.ndarray, max_abs: float) -> None:
        self.mask, self.weight, self.max_abs = mask, weight, max_abs
        self._rebuild()

    def _rebuild(self) -> None:
        self.groups, self.paths, self.band = [], [], None
        if self.mask.shape != (len(self.src_xy), len(self.dst_xy)):
            self.update()
            return
        ii, jj = np.nonzero(self.mask)
        w = self.weight[ii, jj]
        self.n_total = len(w)
        if len(w) > self.limit:
            keep = np.argpartition(-np.abs(w), self.limit)[: self.limit]
            ii, jj, w = ii[keep], jj[keep], w[keep]
            hull = _hull(np.vstack([_corners(self.src_xy), _corners(self.dst_xy)]))
            self.band = QPolygonF([QPointF(x, y) for x, y in hull])
        self.n_drawn = len(w)
        mag = np.abs(w) / self.max_abs if self.max_abs > 0 else np.zeros_like(w)
        level = np.minimum((mag * style.WIDTH_BUCKETS).astype(int), style.WIDTH_BUCKETS - 1)
        sign = np.sign(w).astype(int)
        coords = np.column_stack([self.src_xy[ii], self.dst_xy[jj]])
        dense = self.n_drawn > 300  # many lines: thin, light and fast so structure shows
        lo, hi = style.MIN_WIDTH, style.MAX_WIDTH
        a_lo, a_hi = 70, 255
        chunks = 4 if dense else 1  # interleave signs so neither colour always lies on top
        # Weak to strong, both signs at each strength: one sort instead of a mask per group.
        sign_order = np.array([1, 0, 2])[sign + 1]  # drawn 0, -1, +1 within a strength
        key = (level * chunks + np.arange(len(w)) % chunks) * 3 + sign_order
        order = np.argsort(key, kind="stable")
        key, coords = key[order], coords[order]
        cuts = np.flatnonzero(np.diff(key)) + 1
        for start, stop in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(key)].tolist()):
            if start == stop:
                continue
            lv, s = int(key[start]) // (3 * chunks), (0, -1, 1)[int(key[start]) % 3]
            strength = lv / (style.WIDTH_BUCKETS - 1)
            if dense:
                # Opaque colours pre-mixed with the canvas and cosmetic (pixel) widths: the
                # raster engine fills these ~10× faster than translucent or scaled lines.
                colour = _mix(style.CANVAS_BG, style.weight_colour(float(s)), 0.18 + 0.72 * strength)
                pen = QPen(colour, 1.5)
                pen.setCosmetic(True)
            else:
                alpha = int(a_lo + (a_hi - a_lo) * strength)
                if self.aliased:  # opaque, pre-mixed with the canvas: a third of the fill time
                    colour = _mix(style.CANVAS_BG, style.weight_colour(float(s)), alpha / 255)
                else:
                    colour = QColor(style.weight_colour(float(s)))
                    colour.setAlpha(alpha)
                pen = QPen(colour, lo + (hi - lo) * (lv + 0.5) / style.WIDTH_BUCKETS)
            self.groups.append((pen, coords[start:stop]))
        self.paths = [(pen, _path(xy)) for pen, xy in self.groups]
        self.update()

    def group_lines(self) -> list[tuple[QPen, list[QLineF]]]:
        return [(pen, [QLineF(a, b, c, d) for a, b, c, d in coords.tolist()]) for pen, coords in self.groups]

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self.band is not None:
            painter.setPen(Qt.NoPen)
            painter.setBrush(style.BAND)
            painter.drawPolygon(self.band)
        painter.setRenderHint(QPainter.Antialiasing, self.n_drawn <= 300 and not self.aliased)
        painter.setBrush(Qt.NoBrush)
        for pen, path in self.paths:
            painter.setPen(pen)
            painter.drawPath(path)
