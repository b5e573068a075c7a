"""The live loss plot: training and validation loss per epoch, accuracy on a second axis.

Every epoch reaches a bounded buffer of min/max buckets (``PlotBuffer``): one point per epoch
until the plot holds ``CAPACITY`` of them, then each point stands for a few epochs' extremes, so
neither memory nor a redraw grows with the length of a run. Redraws are coalesced on a timer,
independent of the data rate.
"""
from __future__ import annotations

import math
import time
from contextlib import nullcontext

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from .quiet_label import QuietLabel

REDRAW_MS = 80
# a redraw that was not due waits this much longer (times the slowdown, as the training frames
# are stretched by it) for the next frame: a redraw of its own is one more hold of the worker
FALLBACK_MS = 60
MAX_INTERVAL_MS = 500  # live means at least twice a second
SHARE = 0.025  # redraw at most this share of the time (a redraw's cost / SHARE apart)
COLOURS = {"loss": "#1f77b4", "val_loss": "#ff7f0e", "accuracy": "#2ca02c", "val_accuracy": "#9467bd"}
NAMES = {"loss": "training loss", "val_loss": "validation loss", "accuracy": "training accuracy",
         "val_accuracy": "validation accuracy"}
FIELDS = ("loss", "val_loss", "accuracy", "val_accuracy")
MARKERS_UP_TO = 30  # epochs: below this each one is also drawn as a dot (one epoch has no line)
LOG_TEXT_FILL = [(0, 0.8), (2, 0.0)]  # pyqtgraph's textFillLimits: no minor labels past two
CAPACITY = 4096  # buckets: a plot is at most ~2000 px wide, and peak downsampling halves again
BUCKET_FIELDS = ("first", "last", "count") + tuple(f"{n}_{e}" for n in FIELDS for e in ("lo", "hi"))


class PlotBuffer:
    """Every epoch, in at most ``capacity`` buckets: a bucket holds ``count`` consecutive epochs
    (its first and last) and each series' lowest and highest value among them, so a spike in a
    million-epoch run still shows. Buckets hold one epoch each until the buffer is full; then
    neighbours merge pairwise and ``width`` (epochs per new bucket) doubles, as in core's
    History. Memory and the cost of a redraw stay bounded however long a run is."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.width = 1
        self.n = 0
        self._cols = {name: np.empty(capacity) for name in BUCKET_FIELDS}
        self.newest: tuple | None = None  # (first, last, lo, hi) of the newest point, exact

    def clear(self) -> None:
        self.n = 0
        self.width = 1
        self.newest = None

    @property
    def epochs(self) -> int:
        """Epochs the buffer stands for (every epoch plotted is counted once)."""
        return int(self.column("count").sum())

    def column(self, name: str) -> np.ndarray:
        return self._cols[name][:self.n]

    def has(self, name: str) -> bool:
        return self.n > 0 and bool(np.isfinite(self.column(f"{name}_lo")).any())

    def singles(self) -> bool:
        return bool((self.column("count") == 1).all())

    def extend(self, items) -> None:
        """HistoryEntries (a bucket of the document's history keeps its loss extremes)."""
        items = list(items)
        buckets = [it for it in items if getattr(it, "count", 1) > 1]
        singles = [it for it in items if getattr(it, "count", 1) <= 1]
        if buckets:
            rows = {"first": [b.start for b in buckets], "last": [b.epoch for b in buckets],
                    "count": [b.count for b in buckets]}
            for name in FIELDS:
                lo = hi = [np.nan if getattr(b, name) is None else getattr(b, name) for b in buckets]
                if name == "loss":
                    lo, hi = [b.low for b in buckets], [b.high for b in buckets]
                rows[f"{name}_lo"], rows[f"{name}_hi"] = lo, hi
            self._add_rows({k: np.asarray(v, dtype=np.float64) for k, v in rows.items()})
            if not singles:
                i = self.n - 1
                self.newest = (int(self._cols["first"][i]), int(self._cols["last"][i]),
                               {n: self._cols[f"{n}_lo"][i] for n in FIELDS},
                               {n: self._cols[f"{n}_hi"][i] for n in FIELDS})
        if singles:
            self.append_epochs(np.array([it.epoch for it in singles], dtype=np.float64),
                               {name: np.array([np.nan if getattr(it, name) is None else getattr(it, name)
                                                for it in singles], dtype=np.float64) for name in FIELDS})

    def append_epochs(self, epoch: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Single epochs (the live path): topped up into the newest bucket, then grouped by
        ``width``; a few array calls however many epochs arrive."""
        k = len(epoch)
        if k:
            last = {name: values[name][-1] for name in FIELDS}
            self.newest = (int(epoch[-1]), int(epoch[-1]), last, last)
        while k:
            top = 0
            if self.n and self._cols["count"][self.n - 1] < self.width:
                top = int(min(self.width - self._cols["count"][self.n - 1], k))
            rest = k - top
            new = -(-rest // self.width)
            if self.n + new > self.capacity:
                self._halve()
                continue
            if top:
                i = self.n - 1
                self._cols["last"][i] = epoch[top - 1]
                self._cols["count"][i] += top
                for name in FIELDS:
                    v = values[name][:top]
                    self._cols[f"{name}_lo"][i] = np.fmin(self._cols[f"{name}_lo"][i], np.fmin.reduce(v))
                    self._cols[f"{name}_hi"][i] = np.fmax(self._cols[f"{name}_hi"][i], np.fmax.reduce(v))
            if new:
                starts = np.arange(top, k, self.width)
                ends = np.minimum(starts + self.width, k) - 1
                rows = {"first": epoch[starts], "last": epoch[ends],
                        "count": (ends - starts + 1).astype(np.float64)}
                for name in FIELDS:
                    rows[f"{name}_lo"] = np.fmin.reduceat(values[name], starts)
                    rows[f"{name}_hi"] = np.fmax.reduceat(values[name], starts)
                self._add_rows(rows)
            return

    def _add_rows(self, rows: dict[str, np.ndarray]) -> None:
        m = len(rows["count"])
        while self.n + m > self.capacity:
            if self.n >= m and self.n > 1:
                self._halve()
            else:  # more new rows than held ones: merge the new ones first
                rows = _pairs(rows, m)
                m = len(rows["count"])
        self.width = max(self.width, int(rows["count"].max()) if m else 1)
        sl = slice(self.n, self.n + m)
        for name in BUCKET_FIELDS:
            self._cols[name][sl] = rows[name]
        self.n += m

    def _halve(self) -> None:
        merged = _pairs({name: self.column(name) for name in BUCKET_FIELDS}, self.n)
        self.n = len(merged["count"])
        for name in BUCKET_FIELDS:
            self._cols[name][:self.n] = merged[name]
        self.width *= 2

    def curve(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """x, y to draw: one point per epoch while buckets are single epochs, else each bucket's
        lowest and highest value at its first and last epoch."""
        lo, hi = self.column(f"{name}_lo"), self.column(f"{name}_hi")
        if self.singles():
            return self.column("last"), lo
        x = np.column_stack([self.column("first"), self.column("last")]).ravel()
        return x, np.column_stack([lo, hi]).ravel()


def _round_unit(span: float) -> float:
    """1, 2 or 5 times a power of ten, at most five of which cover ``span``."""
    unit = 10.0 ** math.floor(math.log10(span))
    return next(u * unit for u in (0.1, 0.2, 0.5, 1.0, 2.0) if span / (u * unit) <= 5)


def _pairs(rows: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    starts = np.arange(0, n, 2)
    ends = np.minimum(starts + 2, n) - 1
    out = {"first": rows["first"][starts], "last": rows["last"][ends],
           "count": np.add.reduceat(rows["count"], starts)}
    for name in FIELDS:
        out[f"{name}_lo"] = np.fmin.reduceat(rows[f"{name}_lo"], starts)
        out[f"{name}_hi"] = np.fmax.reduceat(rows[f"{name}_hi"], starts)
    return out


def _pen(name: str, live: bool):
    style = Qt.DashLine if name.startswith("val") else Qt.SolidLine
    return pg.mkPen(COLOURS[name], width=1 if live else 2, style=style)


class _LossAxis(pg.AxisItem):
    """The loss axis. On the log scale its first tick level is the decades (every second or
    fifth one when the plot is short), the 2-9 ticks between them the second: pyqtgraph dropped
    its decade level whenever its own linear spacing came out below one decade, as on a 150 px
    plot spanning two, and then labelled every 2-9 tick, a column of overlapping numbers."""

    LABEL_PX = 18  # room one label needs along the axis

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 (pyqtgraph's)
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal - minVal > 1000:
            return []  # no sensible decades (pyqtgraph's own version raised on an infinite end)
        lo, hi = math.floor(minVal), math.ceil(maxVal)
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (hi - lo) / s * self.LABEL_PX <= max(size, 1)
                    or s == 100)
        decades = [float(v) for v in range(lo, hi + 1) if v % step == 0 and minVal <= v <= maxVal]
        between = [v + math.log10(k) for v in range(lo, hi) for k in range(2, 10)
                   if minVal < v + math.log10(k) < maxVal] if step == 1 else []
        return [(float(step), decades), (None, between)]


class _TimedPlot(pg.PlotWidget):
    """A PlotWidget that remembers how long its last paint took (the redraw's cost counts it)."""

    paint_seconds = 0.0

    def paintEvent(self, ev) -> None:  # noqa: N802 (Qt virtual)
        t0 = time.perf_counter()
        super().paintEvent(ev)
        self.paint_seconds = time.perf_counter() - t0


class LossPlot(QWidget):
    """Loss (left axis, optionally logarithmic) and accuracy (right axis, 0–100 %)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = PlotBuffer()
        self._cost = 0.0
        self._drawn_at = 0.0
        self.slowdown = 1.0  # set by the controller's GUI-duty measurement
        self.priority = nullcontext  # the controller's priority.block once installed
        self.plot = _TimedPlot(background="w", axisItems={"left": _LossAxis("left")})
        self.plot.setMinimumHeight(150)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "epoch")
        item.setLabel("left", "loss")
        # No grid: pyqtgraph draws it as the axes' tick lines across the plot, which tripled the
        # cost of a frame (7 -> 21 ms for a 1400x220 plot, measured) while training redraws it
        # several times a second. The crosshair readout gives exact values instead.
        item.setMenuEnabled(False)
        item.getAxis("left").enableAutoSIPrefix(False)
        self._linear_text_fill = list(item.getAxis("left").style["textFillLimits"])
        self.legend = item.addLegend(offset=(-10, 10))
        self.acc_box = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.acc_box)
        item.getAxis("right").linkToView(self.acc_box)
        item.getAxis("right").setLabel("accuracy", units="%")
        self.acc_box.setXLink(item)
        self.acc_box.setYRange(0, 100, padding=0.02)
        self.acc_box.setMouseEnabled(x=False, y=False)
        item.vb.sigResized.connect(self._sync_boxes)
        # The epoch axis follows the data in steps (see _follow_epochs) until the user pans or
        # zooms: an axis whose range changes at every redraw lays out its ticks every time.
        self._following = True
        self._x_span: tuple[float, float] | None = None
        self._y_span: tuple[float, float] | None = None
        self._log = False
        item.vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._live = False
        for name in FIELDS:
            curve = pg.PlotDataItem(pen=_pen(name, False), connect="finite")
            if "accuracy" in name:
                self.acc_box.addItem(curve)
            else:
                item.addItem(curve)
            # after addItem, which applies the PlotItem's own (off) downsampling settings
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[name] = curve
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=Qt.DotLine))
        item.addItem(self.vline, ignoreBounds=True)
        self.vline.hide()
        # the readout wraps instead of widening its dock: a long line ("epoch 1500 · training
        # loss … · training accuracy …") pushed the right column 150 px into the canvas mid-run
        self.readout = QuietLabel(" ", wrap=True)
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_box.toggled.connect(self.set_log)
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.log_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._update_visibility()

    # ----------------------------------------------------------------- data
    def epochs_shown(self) -> int:
        return self.history.epochs

    def set_history(self, entries) -> None:
        """Show ``entries`` (the document's history). When they do not continue what is shown
        (another network, an undone run, a reset), the axes start afresh as well. A committed run
        the plot already shows epoch by epoch is only redrawn (rebuilding took ~30 ms)."""
        h = self.history
        if h.n and getattr(entries, "epochs", None) == h.epochs and entries and \
                entries[0].start == h.column("first")[0] and entries[-1].epoch == h.column("last")[-1]:
            self.redraw()
            return
        entries = list(entries)
        continues = bool(h.n and entries) and entries[0].start == h.column("first")[0] and \
            h.column("last")[-1] <= entries[-1].epoch
        h.clear()
        self.history.extend(entries)
        if not continues:
            vb = self.plot.getPlotItem().vb
            if not entries:
                vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            vb.enableAutoRange()
            self._following, self._x_span, self._y_span = True, None, None
        self.redraw()

    @property
    def live(self) -> bool:
        return self._live

    @live.setter
    def live(self, on: bool) -> None:
        """While a run goes at full speed the curves are drawn with antialiased 1 px pens: Qt
        strokes a 2 px polyline as a path (4.4-7.1 ms a repaint of a 320x200-420x300 plot,
        measured; 1.2-1.6 ms at 1 px), and each redraw holds the training worker. Aliased, a 1 px
        curve of many short segments showed gaps (looked at under Xvfb); antialiased it is whole
        and as cheap (2 px antialiased took 20 ms). The run's end redraws them 2 px wide."""
        if on == self._live:
            return
        self._live = on
        for name, curve in self.curves.items():
            curve.opts["antialias"] = on  # passed to the curve with the pen below
            curve.setPen(_pen(name, on))

    @Slot(object)
    def append_batch(self, batch, draw: bool = True) -> bool:
        """A ReportBatch (one frame's epochs): into the buffer, and drawn now if a redraw is due
        (at most every REDRAW_MS, slower when a redraw is costly) and ``draw`` allows (the frame
        has room); otherwise a timer draws it unless a later frame comes first. True if drawn."""
        self.history.append_epochs(batch.epoch.astype(np.float64),
                                   {name: getattr(batch, name) for name in FIELDS})
        interval = min(max(REDRAW_MS, self._cost / SHARE * 1000) * self.slowdown, MAX_INTERVAL_MS)
        wait = self._drawn_at + interval / 1000 - time.perf_counter()
        if wait <= 0 and draw:
            self.redraw()
            return True
        # the readout is a label, cheap to set: it shows the newest epoch at every frame, as the
        # toolbar does (it trailed the toolbar's epoch by up to 0.7 s, waiting for the curve)
        self._newest_readout()
        if not self._redraw_timer.isActive():
            self._redraw_timer.start(int(max(wait, 0) * 1000 + FALLBACK_MS * self.slowdown))
        return False

    @Slot()
    def redraw(self) -> None:
        self._redraw_timer.stop()
        self._drawn_at = time.perf_counter()
        with self.priority():
            t0 = time.perf_counter()
            self._redraw()
            # painted with the rest of the window (in a training frame, at once after it): a
            # repaint() here flushed the whole window's dirty regions, the network canvas
            # included, and cost 16-20 ms a redraw instead of 3-7 (3,000-point case, in a run)
            self.plot.viewport().update()
            self._cost = time.perf_counter() - t0 + self.plot.paint_seconds

    def _redraw(self) -> None:
        h = self.history
        few = h.n <= MARKERS_UP_TO
        for name, curve in self.curves.items():
            if h.has(name):
                x, y = h.curve(name)
                if few:
                    curve.setSymbol("o")
                    curve.setSymbolSize(7)
                    curve.setSymbolPen(None)
                    curve.setSymbolBrush(COLOURS[name])
                else:
                    curve.setSymbol(None)
                curve.setData(x, y * 100.0 if "accuracy" in name else y)
            else:
                curve.setData([], [])
        self._follow_epochs()
        self._update_visibility()
        self._newest_readout()

    def _newest_readout(self) -> None:
        if not self.vline.isVisible():  # not hovering: the readout shows the newest epoch
            newest = self.history.newest
            if newest is not None:
                self._write_readout(*newest)
            elif self.readout.text() != " ":  # no epochs (another network): one line's room
                self.readout.clear()
                self.readout.setText(" ")

    def _follow_epochs(self) -> None:
        """Show the run's epochs with room to grow: the axis ends at a round number past the
        newest epoch and moves on only when the data reaches it."""
        h = self.history
        vb = self.plot.getPlotItem().vb
        if not h.n or not (self._following or vb.autoRangeEnabled()[0]):
            return
        lo, hi = float(h.column("first")[0]), float(h.column("last")[-1])
        span = max(hi - lo, 1.0)
        unit = _round_unit(span)
        end = lo + math.ceil(span / unit + 1e-9) * unit
        if self._x_span is None or self._x_span[0] != lo or not self._x_span[1] >= hi:
            self._x_span = (lo, end)
            vb.setXRange(lo, end, padding=0.02)
        self._following = True
        self._follow_loss()

    def _follow_loss(self) -> None:
        """The loss axis between round numbers around the data (decades on the log scale), moved
        only when the data crosses one: autoranged, it changed at every redraw of a run as the
        loss fell, and laying its ticks out again was 1.5 ms of each (measured in XOR runs)."""
        h = self.history
        lows = [h.column(f"{name}_lo") for name in ("loss", "val_loss") if h.has(name)]
        highs = [h.column(f"{name}_hi") for name in ("loss", "val_loss") if h.has(name)]
        if not lows:
            return
        lo_v, hi_v = np.concatenate(lows), np.concatenate(highs)
        log = self._log
        vb = self.plot.getPlotItem().vb
        if vb.autoRangeEnabled()[1]:  # the "A" button or a new history: set the steps again
            self._y_span = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if log:
                lo_v, hi_v = np.log10(lo_v[lo_v > 0]), np.log10(hi_v[hi_v > 0])
            lo_v, hi_v = lo_v[np.isfinite(lo_v)], hi_v[np.isfinite(hi_v)]
        if not lo_v.size or not hi_v.size:
            return
        lo, hi = float(lo_v.min()), float(hi_v.max())
        unit = 1.0 if log and hi - lo <= 5 else _round_unit(max(hi - lo, abs(hi) * 0.1, 1e-12))
        y0, y1 = math.floor(lo / unit + 1e-9) * unit, math.ceil(hi / unit - 1e-9) * unit
        if y1 <= y0:
            y1 = y0 + unit
        if (y0, y1) != self._y_span:
            self._y_span = (y0, y1)
            vb.setYRange(y0, y1, padding=0.02)

    @Slot()
    def _on_range_changed_manually(self, *_) -> None:
        self._following = False

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The full data a curve holds (every epoch; display downsampling aside)."""
        x, y = self.curves[name].getOriginalDataset()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    # ----------------------------------------------------------------- view
    @Slot(bool)
    def set_log(self, on: bool) -> None:
        """Logarithmic loss axis; the accuracy axis stays linear."""
        item = self.plot.getPlotItem()
        self._log = on
        for name in ("loss", "val_loss"):
            self.curves[name].setLogMode(False, on)
        item.getAxis("left").setLogMode(False, on)
        # On the log scale only the decades are labelled once two of them are: pyqtgraph also
        # labelled the 2-9 ticks between them wherever they fitted, a column of overlapping
        # numbers ("0.09 0.08 0.06 …") on a 150 px plot.
        item.getAxis("left").setStyle(textFillLimits=LOG_TEXT_FILL if on else self._linear_text_fill)
        item.vb.enableAutoRange()
        self._y_span = None  # in the new axis' units
        if self._following:
            self._follow_loss()
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)

    def _update_visibility(self) -> None:
        has_acc = self.history.has("accuracy") or self.history.has("val_accuracy")
        axis = self.plot.getPlotItem().getAxis("right")
        axis.setVisible(has_acc)
        for name in FIELDS:
            curve, shown = self.curves[name], self.history.has(name)
            curve.setVisible(shown)
            listed = any(sample.item is curve for sample, _ in self.legend.items)
            if shown and not listed:
                self.legend.addItem(curve, NAMES[name])
            elif listed and not shown:
                self.legend.removeItem(curve)

    @Slot()
    def _sync_boxes(self) -> None:
        vb = self.plot.getPlotItem().vb
        self.acc_box.setGeometry(vb.sceneBoundingRect())
        self.acc_box.linkedViewChanged(vb, self.acc_box.XAxis)

    @Slot(object)
    def _on_mouse_moved(self, pos: QPointF) -> None:
        h = self.history
        vb = self.plot.getPlotItem().vb
        if h.n == 0 or not vb.sceneBoundingRect().contains(pos):
            if self.vline.isVisible():
                self.vline.hide()
                self._redraw()  # back to the newest epoch's readout
            return
        epochs = h.column("last")
        x = vb.mapSceneToView(pos).x()
        self.show_readout(int(np.clip(np.searchsorted(epochs, x), 0, h.n - 1)))

    def show_readout(self, index: int, crosshair: bool = True) -> None:
        """Show the values of one stored point: an epoch's exact values, or a bucket's range."""
        h = self.history
        first, last = int(h.column("first")[index]), int(h.column("last")[index])
        if crosshair:
            self.vline.setPos(last)
            self.vline.show()
        lo = {name: h.column(f"{name}_lo")[index] for name in FIELDS}
        hi = {name: h.column(f"{name}_hi")[index] for name in FIELDS}
        self._write_readout(first, last, lo, hi)

    def _write_readout(self, first: int, last: int, lo: dict, hi: dict) -> None:
        parts = [f"epoch {last}" if first == last else f"epochs {first}\u2013{last}"]
        for name in FIELDS:
            a, b = lo[name], hi[name]
            if not np.isfinite(a):
                continue
            if "accuracy" in name:
                text = f"{a * 100:.1f} %" if a == b else f"{a * 100:.1f}\u2013{b * 100:.1f} %"
            else:
                text = f"{a:.6g}" if a == b else f"{a:.6g}\u2013{b:.6g}"
            parts.append(f"{NAMES[name]} {text}")
        self.readout.setText(" · ".join(parts))
