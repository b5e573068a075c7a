"""The input-plane map for two-input networks: the network's output over a grid with the data on
top (like TensorFlow Playground), small maps of every hidden neuron (hover one to enlarge it),
and clicks that add (left) or remove (right) data points through the undo stack.

The plane (the axes) is fitted to the data when a network is opened, when new data falls outside
it, and on the Fit button; never because a point was clicked in, so clicks land where aimed.

Every value drawn comes from ``core.engine.Engine.forward`` over the grid; refreshed at most every
``REFRESH_MS`` however fast the weights change. While a run goes at full speed the grid is
``GRID_LIVE`` wide (a quarter of the points: every GUI millisecond under the GIL is one the
training thread loses) and the hidden-neuron maps follow every ``THUMBS_EVERY`` refresh; once the
run stops the map is drawn again at full resolution.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from core.datasets import Dataset
from core.engine import Engine
from core.recurrent import layer_pass

from ..on_screen import on_screen

GRID = 60
GRID_LIVE = 30
THUMBS_EVERY = 3
REFRESH_MS = 100
MAX_INTERVAL_MS = 500  # live means at least twice a second
SHARE = 0.025  # refresh at most this share of the time
THUMB = 44
THUMBS_PER_ROW = 6  # 6 x 44 px fits the 300 px right-hand dock column; 8 clipped the header
NEG, MID, POS = np.array([245, 147, 34.]), np.array([232, 234, 235.]), np.array([8, 119, 189.])
CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _diverging_exact(t: np.ndarray) -> np.ndarray:
    t = t[..., None]
    lo = MID + (NEG - MID) * (1 - 2 * t)
    hi = MID + (POS - MID) * (2 * t - 1)
    return np.where(t < 0.5, lo, hi)


LUT_SIZE = 1024  # colour steps: finer than the 8-bit channels they end in
_LUT = _diverging_exact(np.linspace(0.0, 1.0, LUT_SIZE))


def diverging(t: np.ndarray) -> np.ndarray:
    """t in [0, 1] -> RGB (orange, light grey, blue), shape t.shape + (3,); NaN is the middle.
    A table lookup: a tenth of the cost of computing both ramps for every pixel."""
    t = np.nan_to_num(np.asarray(t, dtype=np.float64), nan=0.5, posinf=1.0, neginf=0.0)
    idx = np.clip(t * (LUT_SIZE - 1) + 0.5, 0, LUT_SIZE - 1).astype(np.intp)
    return _LUT[idx]


def value_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    if activation in ("sigmoid", "softmax", "step", "hard_sigmoid"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def class_label(name: str) -> str:
    """"class 0" for a numbered class, the name itself for a named one ("setosa")."""
    return f"class {name}" if name.strip().lstrip("-").isdigit() else name


def class_of(y: np.ndarray) -> np.ndarray:
    return (y[:, 0] >= 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)


class _Thumb(QLabel):
    hovered = Signal(object)  # (layer, index) or None

    def __init__(self, key: tuple[int, int], name: str) -> None:
        super().__init__()
        self.key = key
        self.setFixedSize(THUMB, THUMB)
        self.setToolTip(f"{name}: output over the input plane")
        self.setFrameShape(QLabel.Box)

    def enterEvent(self, event) -> None:  # noqa: N802
        self.hovered.emit(self.key)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hovered.emit(None)


class DecisionMap(QWidget):
    def __init__(self, document, edit=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._edit = edit or (lambda fn: fn())
        self.shown_neuron: tuple[int, int] | None = None  # None = the output
        self.last_pass = None
        self.plane = (0.0, 1.0, 0.0, 1.0)
        self.refresh_count = 0
        self.live = False  # a run at full speed: the smaller grid (set by the training feature)
        self._dirty = False
        self._refreshed_at = 0.0
        self.grid = GRID  # the grid of last_pass
        self._cost = 0.0
        self.slowdown = 1.0  # set by the controller's GUI-duty measurement
        self.priority = nullcontext  # the controller's priority.block once installed
        self._points_dirty = True
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.vb.setMenuEnabled(False)
        item.vb.setAspectLocked(True)
        item.vb.disableAutoRange()  # the axes change only when the plane is fitted
        self.plot.setMinimumSize(220, 220)
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=8, pxMode=True)
        item.addItem(self.points)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        self.title = QLabel("Output")
        self.class_box = QComboBox()
        self.class_box.setToolTip("Left-click the map to add a point of this class; "
                                  "right-click a point to remove it")
        self.fit_button = QToolButton(text="Fit")
        self.fit_button.setToolTip("Fit the plane to the data")
        self.fit_button.clicked.connect(self.fit_plane)
        self.note = QLabel("The input-plane map needs a network with two inputs.")
        self.note.setWordWrap(True)
        self.thumbs_box = QWidget()
        self.thumbs = QGridLayout(self.thumbs_box)
        self.thumbs.setContentsMargins(0, 0, 0, 0)
        self.thumbs.setSpacing(3)
        self._thumb_widgets: list[_Thumb] = []
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(QLabel("Add:"))
        head.addWidget(self.class_box)
        head.addWidget(self.fit_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(head)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        lay.addWidget(QLabel("Hidden neurons (hover to enlarge):"))
        lay.addWidget(self.thumbs_box)
        self.plot.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        document.parameters_changed.connect(self.schedule)
        document.structure_changed.connect(self._on_structure_changed)
        document.neuron_changed.connect(self.schedule)
        document.dataset_changed.connect(self._on_dataset_changed)
        document.training_config_changed.connect(self.schedule)
        document.project_replaced.connect(self._on_project_replaced)
        self._fit_pending = True
        self._on_dataset_changed()
        self._on_structure_changed()

    # ----------------------------------------------------------------- refresh
    @Slot()
    def schedule(self, *_) -> None:
        """Refresh soon; at most every REFRESH_MS, or slower if a refresh is costly (so the map
        never takes more than SHARE of the GUI thread), and never while hidden. During a live
        run the training frames refresh it (refresh_if_due), so it paints with the other views."""
        if self.live:
            self._dirty = True
        elif not self._timer.isActive():
            self._timer.start(int(self._interval_ms()))

    def _interval_ms(self) -> float:
        return min(max(REFRESH_MS, self._cost / SHARE * 1000) * self.slowdown, MAX_INTERVAL_MS)

    def refresh_if_due(self) -> bool:
        """True if it refreshed (a training frame then leaves the other heavy views for later)."""
        if self._dirty and on_screen(self) and time.perf_counter() - self._refreshed_at >= self._interval_ms() / 1000:
            self.refresh()
            return True
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.schedule()

    def applicable(self) -> bool:
        return self.document.network.n_inputs == 2

    @Slot()
    def _on_structure_changed(self) -> None:
        self._build_thumbs()
        self.schedule()

    @Slot()
    def _on_project_replaced(self) -> None:
        self._fit_pending = True  # the dataset_changed that follows fits the new data

    @Slot()
    def _on_dataset_changed(self) -> None:
        ds = self.document.project.dataset
        self.class_box.clear()
        self.class_box.addItems([class_label(c) for c in self._class_names(ds)])
        self.class_box.setCurrentIndex(min(1, self.class_box.count() - 1))
        if self._fit_pending or not self._plane_holds(ds):
            self.fit_plane()
        two = ds is not None and ds.x.shape[1] == 2
        self.plot.getPlotItem().setLabel("bottom", ds.input_names[0] if two else "x1")
        self.plot.getPlotItem().setLabel("left", ds.input_names[1] if two else "x2")
        self._points_dirty = True
        self.schedule()

    def _plane_holds(self, ds: Dataset | None) -> bool:
        if ds is None or ds.x.shape[1] != 2 or not len(ds):
            return True
        x0, x1, y0, y1 = self.plane
        lo, hi = ds.x.min(axis=0), ds.x.max(axis=0)
        return bool(lo[0] >= x0 and hi[0] <= x1 and lo[1] >= y0 and hi[1] <= y1)

    @Slot()
    def fit_plane(self) -> None:
        """The plane: the data's extent plus 10 % (at least 0.1) on each side; (0, 1)² without."""
        self._fit_pending = False
        ds = self.document.project.dataset
        if ds is not None and ds.x.shape[1] == 2 and len(ds):
            lo, hi = ds.x.min(axis=0), ds.x.max(axis=0)
            pad = np.maximum((hi - lo) * 0.1, 0.1)
            lo, hi = lo - pad, hi + pad
            self.plane = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        else:
            self.plane = (0.0, 1.0, 0.0, 1.0)
        x0, x1, y0, y1 = self.plane
        self.plot.getPlotItem().vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.schedule()

    def _class_names(self, ds: Dataset | None) -> list[str]:
        """The classes as the data names them ("0", "1" or "setosa"...); shown by class_label."""
        n_out = self.document.network.n_outputs
        if ds is not None and ds.class_names:
            return list(ds.class_names)
        return [str(c) for c in range(2 if n_out == 1 else n_out)]

    def grid_inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x0, x1, y0, y1 = self.plane
        gx = np.linspace(x0, x1, self.grid)
        gy = np.linspace(y0, y1, self.grid)
        xx, yy = np.meshgrid(gx, gy)  # row = y, column = x
        raw = np.column_stack([xx.ravel(), yy.ravel()])
        ds = self.document.project.dataset
        net_in = ds.normalization.apply(raw) if ds is not None and ds.normalization else raw
        return raw, net_in, np.array([x0, x1, y0, y1])

    @Slot()
    def refresh(self) -> None:
        self._timer.stop()
        if not on_screen(self):  # hidden, or behind another tab: refreshed when shown
            self._dirty = True
            return
        self._dirty = False
        self._refreshed_at = time.perf_counter()
        with self.priority():
            t0 = time.perf_counter()
            self._refresh()
            self._cost = time.perf_counter() - t0

    def _refresh(self) -> None:
        ok = self.applicable()
        self.note.setVisible(not ok)
        self.plot.setVisible(ok)
        self.thumbs_box.setVisible(ok)
        if not ok:
            return
        net = self.document.network
        grid = GRID_LIVE if self.live else GRID
        thumbs = not self.live or grid != self.grid or self.refresh_count % THUMBS_EVERY == 0
        self.grid = grid
        try:
            _, net_in, _ = self.grid_inputs()
            with np.errstate(all="ignore"):  # huge weights after a divergence overflow to inf
                self.last_pass = layer_pass(net, net_in) if net.is_recurrent else Engine(net).forward(net_in)
        except ValueError:
            self.last_pass = None
            return
        self.refresh_count += 1
        self._draw_main()
        if self._points_dirty:
            self._draw_points()
        if thumbs:
            self._draw_thumbs()

    def neuron_rgb(self, layer: int, index: int) -> np.ndarray:
        """(grid, grid, 3) colours of one neuron's output over the plane."""
        v = self.last_pass.outs[layer][:, index].reshape(self.grid, self.grid)
        lo, hi = value_range(self.document.network.activation_of(layer, index), v)
        return diverging((v - lo) / (hi - lo))

    def output_rgb(self) -> np.ndarray:
        out = self.last_pass.outs[-1]
        net = self.document.network
        if out.shape[1] == 1:
            return self.neuron_rgb(len(net.layers) - 1, 0)
        p = np.clip(out, 0.0, None)
        p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        cols = np.array([QColor(CLASS_COLOURS[k % len(CLASS_COLOURS)]).getRgb()[:3]
                         for k in range(out.shape[1])], dtype=float)
        rgb = p @ cols
        conf = p.max(axis=1, keepdims=True)
        rgb = MID + (rgb - MID) * np.clip((conf - 1 / out.shape[1]) * out.shape[1] / (out.shape[1] - 1), 0, 1)
        return rgb.reshape(self.grid, self.grid, 3)

    def _draw_main(self) -> None:
        key = self.shown_neuron
        net = self.document.network
        if key is not None and (key[0] >= len(net.layers) - 1 or key[1] >= net.layers[key[0]].size):
            key = self.shown_neuron = None
        rgb = self.output_rgb() if key is None else self.neuron_rgb(*key)
        self.title.setText("Output" if key is None else f"Hidden neuron {net.name_of(*key)}")
        self.image.setImage(rgb.astype(np.uint8), levels=(0, 255))
        x0, x1, y0, y1 = self.plane
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def _draw_points(self) -> None:
        self._points_dirty = False
        ds = self.document.project.dataset
        if ds is None or ds.x.shape[1] != 2 or len(ds) == 0:
            self.points.setData([])
            return
        _, val_idx = ds.split_indices()
        is_val = np.zeros(len(ds), dtype=bool)
        is_val[val_idx] = True
        if ds.task == "classification" or self._looks_like_classes(ds.y):
            cls = class_of(ds.y)
            colours = [QColor(CLASS_COLOURS[c % len(CLASS_COLOURS)]).getRgb()[:3] for c in cls]
        else:
            t = ds.y[:, 0]
            lo, hi = float(t.min()), float(t.max())
            colours = [tuple(c) for c in diverging((t - lo) / (hi - lo if hi > lo else 1.0)).astype(int).tolist()]
        # One brush and pen per colour, shared: pyqtgraph renders a symbol per distinct pen and
        # brush object, so one each per point took 0.5 s for 3,000 points when a file opened.
        styles: dict[tuple, tuple] = {}
        brushes, pens = [], []
        for c, v in zip(colours, is_val.tolist()):
            style = styles.get((c, v))
            if style is None:
                b = pg.mkBrush(*c)
                style = styles[(c, v)] = ((pg.mkBrush(None), pg.mkPen(b.color(), width=2)) if v
                                          else (b, pg.mkPen("w", width=1)))
            brushes.append(style[0])
            pens.append(style[1])
        self.points.setData(x=ds.x[:, 0], y=ds.x[:, 1], brush=brushes, pen=pens, data=np.arange(len(ds)))

    @staticmethod
    def _looks_like_classes(y: np.ndarray) -> bool:
        return bool(np.isin(y, (0.0, 1.0)).all())

    # ----------------------------------------------------------------- hidden-neuron maps
    def _build_thumbs(self) -> None:
        for w in self._thumb_widgets:
            self.thumbs.removeWidget(w)
            w.deleteLater()
        self._thumb_widgets = []
        net = self.document.network
        if net.n_inputs != 2:
            return
        row = 0
        for li in range(1, len(net.layers) - 1):
            if li > 1:
                row += (net.layers[li - 1].size - 1) // THUMBS_PER_ROW + 1
            for k in range(net.layers[li].size):
                t = _Thumb((li, k), net.name_of(li, k))
                t.hovered.connect(self.show_neuron)
                self.thumbs.addWidget(t, row + k // THUMBS_PER_ROW, k % THUMBS_PER_ROW)
                self._thumb_widgets.append(t)

    def _draw_thumbs(self) -> None:
        for t in self._thumb_widgets:
            rgb = np.ascontiguousarray(self.neuron_rgb(*t.key)[::-1].astype(np.uint8))
            img = QImage(rgb.data, self.grid, self.grid, 3 * self.grid, QImage.Format_RGB888).copy()
            t.setPixmap(QPixmap.fromImage(img).scaled(THUMB - 2, THUMB - 2))

    @Slot(object)
    def show_neuron(self, key: tuple[int, int] | None) -> None:
        """Show one hidden neuron's map in the big plot (None: back to the output)."""
        self.shown_neuron = key
        if self.last_pass is not None:
            self._draw_main()

    # ----------------------------------------------------------------- the user's own points
    @Slot(object)
    def _on_clicked(self, event) -> None:
        vb = self.plot.getPlotItem().vb
        if not self.applicable() or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        pos = vb.mapSceneToView(event.scenePos())
        if event.button() == Qt.LeftButton:
            self.add_point(pos.x(), pos.y(), self.class_box.currentIndex())
            event.accept()
        elif event.button() == Qt.RightButton:
            hits = self.points.pointsAt(pos)
            if len(hits):
                self.remove_point(int(hits[0].data()))
            event.accept()

    def add_point(self, x: float, y: float, cls: int) -> None:
        net = self.document.network
        ds = self.document.project.dataset
        n_out = net.n_outputs
        target = np.zeros((1, n_out))
        if n_out == 1:
            target[0, 0] = 1.0 if cls >= 1 else 0.0
        else:
            target[0, min(max(cls, 0), n_out - 1)] = 1.0
        if ds is None or ds.x.shape[1] != 2 or ds.y.shape[1] != n_out:
            new = Dataset(np.array([[x, y]]), target, task="classification",
                          class_names=self._class_names(None))
            text = "Add a data point (new data set)"
        else:
            new = replace(ds, x=np.vstack([ds.x, [[x, y]]]), y=np.vstack([ds.y, target]),
                          source={"kind": "embedded"})
            text = f"Add a point of {self.class_box.itemText(cls) or 'class'}"
        self._edit(lambda: self.document.set_dataset(new, text))

    def remove_point(self, index: int) -> None:
        ds = self.document.project.dataset
        if ds is None or not 0 <= index < len(ds) or len(ds) == 1:
            return
        keep = np.arange(len(ds)) != index
        new = replace(ds, x=ds.x[keep], y=ds.y[keep], source={"kind": "embedded"})
        self._edit(lambda: self.document.set_dataset(new, "Remove a data point"))
