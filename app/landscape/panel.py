"""The Landscape panel: E over one weight (a curve) or two (a heatmap), following the canvas
selection (click one connection for its curve, a second for the pair) and training live.

Grids are computed by core.landscape in a LandscapeJob thread; the panel only paints. The grid
keeps its range while the path stays inside it, so the path is seen moving over a fixed map; the
other weights keep moving during training, so a stale grid is recomputed at most every
RECOMPUTE_MS while the panel is visible."""
from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np
from PySide6.QtCore import QRectF, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core import landscape as L

from ..on_screen import on_screen
from ..training.courtesy import Courtesy
from . import render

RECOMPUTE_MS = 1500
# A stale grid is recomputed no sooner than this many times its last computation after that one
# started: during a run the grid's thread shares the GIL with training, and a 64×64 grid of the
# digits network takes 1.1 s, two spirals' 0.16 s (measured), every RECOMPUTE_MS.
JOB_SHARE = 10
CURVE_POINTS = 201


class LandscapeJob(QThread):
    """One grid or curve, off the GUI thread; ``computed`` carries the result or an error text."""

    computed = Signal(object)

    def __init__(self, net, x, y, refs, ranges, size: int, parent=None, pulse=None) -> None:
        super().__init__(parent)  # owned by the panel: a QThread destroyed while running aborts
        self.args = (net, x, y, refs, ranges, size)
        self.stop = threading.Event()
        self.pulse = pulse  # between a grid's rows: the window gets the GIL first

    def run(self) -> None:
        net, x, y, refs, ranges, size = self.args
        try:
            if len(refs) == 1:
                result = L.curve(net, x, y, refs[0], np.linspace(*ranges[0], CURVE_POINTS))
            else:
                result = L.grid(net, x, y, refs[0], refs[1], np.linspace(*ranges[0], size),
                                np.linspace(*ranges[1], size), should_stop=self.stop.is_set,
                                pulse=self.pulse)
        except (ValueError, FloatingPointError) as e:
            result = str(e)
        if not self.stop.is_set():
            self.computed.emit(result)


def weights_of(net, refs) -> tuple[float, ...]:
    return tuple(net.weight(*r) for r in refs)


class LandscapePlot(QWidget):
    def __init__(self, panel: "LandscapePanel") -> None:
        super().__init__()
        self.panel = panel
        self.setObjectName("LandscapePlot")
        self.setMinimumSize(220, 180)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        self.panel.paint(p, QRectF(self.rect()))
        p.end()


class LandscapePanel(QWidget):
    refs_changed = Signal()

    def __init__(self, document, scene=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LandscapePanel")
        self.document = document
        self.scene = scene
        self.refs: list[L.WeightRef] = []
        self.recent: deque[L.WeightRef] = deque(maxlen=2)
        self.ranges: list[tuple[float, float]] = []
        self.result = None  # Landscape | Curve | None
        self.message = ""
        self.path: list[tuple[float, ...]] = []
        self.stale = True
        self.job: LandscapeJob | None = None
        self.gui_free: threading.Event | None = None  # the training's GuiPriority.gui_free, if any
        self._base_key: tuple | None = None  # what _base_pixmap shows (see _base)
        self._base_pixmap = self._base_land = None
        self._job_started = self._job_seconds = 0.0  # when the last job started, how long it took
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel()
        self.title.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        self.size_combo = QComboBox()
        for n in (32, 64, 96):
            self.size_combo.addItem(f"{n}×{n}", n)
        self.size_combo.setCurrentIndex(1)
        self.size_combo.setToolTip("Grid points per axis")
        self.size_combo.currentIndexChanged.connect(self.recompute)
        row.addWidget(self.size_combo)
        lay.addLayout(row)
        self.plot = LandscapePlot(self)
        lay.addWidget(self.plot, 1)
        self.timer = QTimer(self, interval=RECOMPUTE_MS)
        self.timer.timeout.connect(self.recompute_if_stale)
        document.parameters_changed.connect(self._on_parameters_changed)
        document.structure_changed.connect(self._on_structure_changed)
        document.project_replaced.connect(self._on_structure_changed)
        document.dataset_changed.connect(self.recompute)
        if scene is not None:
            scene.selectionChanged.connect(self._on_selection_changed)
        self._on_structure_changed()

    # ----------------------------------------------------------------- which weights
    def set_refs(self, refs: list[L.WeightRef]) -> None:
        net = self.document.network
        refs = [r for r in refs if net.has_connection(*r)][:2]
        if refs == self.refs:
            return
        self.refs = refs
        self.ranges = [L.weight_range(net.weight(*r)) for r in refs]
        self.path = [weights_of(net, refs)] if refs else []
        self.result = None
        self._update_title()
        self.refs_changed.emit()
        self.recompute()

    def names(self) -> list[str]:
        net = self.document.network
        return [f"w({net.name_of(r.ls, r.i)}→{net.name_of(r.ld, r.j)})" for r in self.refs]

    def _update_title(self) -> None:
        names = self.names()
        if not names:
            self.title.setText("Click two connections on the canvas (one for its curve)")
        elif len(names) == 1:
            self.title.setText(f"E over {names[0]} · click a second connection for a map")
        else:
            self.title.setText(f"E over {names[0]} and {names[1]}")

    @Slot()
    def _on_selection_changed(self) -> None:
        try:
            conns = self.scene.selected_connections()
        except RuntimeError:
            return
        picked = [L.WeightRef(*c) for c in conns]
        if len(picked) >= 2:
            self.recent.clear()
            self.recent.extend(picked[:2])
        elif len(picked) == 1 and (not self.recent or self.recent[-1] != picked[0]):
            self.recent.append(picked[0])
        else:
            return
        self.set_refs(list(self.recent))

    @Slot()
    def _on_structure_changed(self) -> None:
        net = self.document.network
        self.recent.clear()
        conns = [L.WeightRef(ls, i, ld, j) for ls, i, ld, j, _ in net.connections()]
        if len(conns) == 1:
            default = conns
        else:
            pair = L.default_pair(net)
            default = list(pair) if pair else []
        self.refs = []
        self.set_refs(default)
        if not default:
            self._update_title()
            self.plot.update()

    # ----------------------------------------------------------------- computing
    @Slot()
    def recompute(self, *_) -> None:
        self.stale = True
        if on_screen(self):
            self._start_job()

    def recompute_if_stale(self) -> None:
        due = time.perf_counter() - self._job_started >= JOB_SHARE * self._job_seconds
        if self.stale and self.job is None and due and on_screen(self):
            self._start_job()

    def _start_job(self) -> None:
        if self.job is not None:
            self.job.stop.set()
            self.job.computed.disconnect(self._on_computed)
            self.job.wait()
            self.job = None
        if not self.refs:
            return
        try:
            x, y = L.training_rows(self.document.project)
        except ValueError as e:
            self._show_message(str(e))
            return
        self.stale = False
        job = LandscapeJob(self.document.network.copy(), x, y, list(self.refs), list(self.ranges),
                           self.size_combo.currentData(), self, Courtesy(self.gui_free).pulse)
        job.computed.connect(self._on_computed)
        job.finished.connect(self._on_job_finished)
        self.job = job
        self._job_started = time.perf_counter()
        job.start()

    @Slot(object)
    def _on_computed(self, result) -> None:
        if isinstance(result, str):
            self._show_message(result)
            return
        self.message = ""
        self.result = result
        self.plot.update()

    @Slot()
    def _on_job_finished(self) -> None:
        job = self.sender()
        if job is self.job:  # a stopped job's late signal must not drop the running one
            self.job = None
            if not job.stop.is_set():
                self._job_seconds = time.perf_counter() - self._job_started
        if job is not None:
            job.deleteLater()

    def _show_message(self, text: str) -> None:
        self.message = text
        self.result = None
        self.plot.update()

    def wait_idle(self) -> None:
        """Block until no job is running (tests; closing the window)."""
        if self.job is not None:
            self.job.wait()

    def shutdown(self) -> bool:
        if self.job is not None:
            self.job.stop.set()
            self.job.wait()
        self.timer.stop()
        return True

    # ----------------------------------------------------------------- live
    @Slot()
    def _on_parameters_changed(self) -> None:
        if not self.refs:
            return
        net = self.document.network
        try:
            now = weights_of(net, self.refs)
        except KeyError:
            return
        if not self.path or self.path[-1] != now:
            self.path.append(now)
        left = any(not (lo <= v <= hi) for v, (lo, hi) in zip(now, self.ranges))
        if left:
            self.ranges = [L.weight_range(v) for v in now]
        self.stale = True
        # a curve is cheap: it follows every step; a grid the weights walked out of is redone
        # at once, not when its turn comes (see JOB_SHARE)
        if (len(self.refs) == 1 or left) and self.job is None and on_screen(self):
            self._start_job()
        self.plot.update()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.timer.start()
        if self.stale:
            self._start_job()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.timer.stop()

    # ----------------------------------------------------------------- painting
    def _base(self, land, rect: QRectF, names, text_px: float, device) -> QPixmap:
        """The heatmap with its contours, axes and header, painted once per grid and size:
        during a run the panel repaints at every live update of the weights to move the path,
        and painting the contours each time held the window for 25-40 ms (64×64 grid)."""
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        key = (rect.width(), rect.height(), names, text_px, ratio)
        if self._base_land is not land or key != self._base_key:
            pixmap = QPixmap(int(round(rect.width() * ratio)), int(round(rect.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            painter = QPainter(pixmap)
            render.landscape_base(painter, QRectF(0, 0, rect.width(), rect.height()), land, names, text_px)
            painter.end()
            self._base_key, self._base_pixmap, self._base_land = key, pixmap, land
        return self._base_pixmap

    def paint(self, p: QPainter, rect: QRectF, text_px: float = 13) -> None:
        names = self.names()
        r = self.result
        if isinstance(r, L.Curve) and len(self.refs) == 1 and r.a == self.refs[0]:
            render.paint_curve(p, rect, r, [v[0] for v in self.path], names[0], text_px)
        elif isinstance(r, L.Landscape) and len(self.refs) == 2 and (r.a, r.b) == tuple(self.refs):
            p.drawPixmap(rect.topLeft(), self._base(r, rect, (names[0], names[1]), text_px, p.device()))
            render.landscape_path(p, rect, r, [v[:2] for v in self.path], text_px)
        else:
            p.fillRect(rect, render.QColor("white"))
            p.setPen(render.INK)
            p.drawText(rect, render.Qt.AlignCenter | render.Qt.TextWordWrap,
                       self.message or ("Computing…" if self.refs else "No weights chosen"))
