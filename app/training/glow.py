"""Neurons that light up by the magnitude of their δ, sweeping backward as backprop does.

After each reported epoch (or step) the output layer glows first, then each hidden layer in turn
back towards the input. Glow = mean |δ| over the epoch's samples / the legend's scale, clipped to
[0, 1]. The scale is a "nice" number (1, 2 or 5 × 10^k) that follows the largest |δ| with
hysteresis, so a settling network visibly dims instead of being renormalised every epoch.
"""
from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

FRAME_MS = 30
STEP_SWEEP_SECONDS = 0.9


def nice_ceil(v: float) -> float:
    if not (v > 0 and math.isfinite(v)):
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if v <= m * 10 ** e * (1 + 1e-12):
            return m * 10 ** e
    return 10.0 ** (e + 1)


class GlowAnimator(QObject):
    """Turns reports into ``set_glow`` calls on the scene, animating the backward sweep."""

    glow_changed = Signal(object)  # list[np.ndarray] | None, what was last sent to the scene
    scale_changed = Signal(float)

    def __init__(self, set_glow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._set_glow = set_glow
        self.scale = 0.0
        self.target: list[np.ndarray] | None = None  # the latest report's normalised glow
        self.shown: list[np.ndarray] | None = None
        self.lit_from = 0  # layers >= lit_from show the target, earlier ones are dark
        self.sweep_seconds = 0.0
        self._sweep_start = 0.0
        self._timer = QTimer(self, interval=FRAME_MS)
        self._timer.timeout.connect(self._frame)
        self.min_interval = 0.0  # immediate mode: at most one scene update per this many seconds
        self._last_send = 0.0
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(self._send_latest)

    @property
    def sweeping(self) -> bool:
        return self._timer.isActive()

    def set_sweep_seconds(self, seconds: float) -> None:
        """0 = show every report at once (full speed); otherwise animate each sweep this long."""
        self.sweep_seconds = max(0.0, seconds)

    def values_for(self, mean_abs_delta) -> list[np.ndarray]:
        """Normalise one report's per-layer mean |δ| (the input layer never glows)."""
        deltas = [np.asarray(d, dtype=np.float64) for d in mean_abs_delta]
        top = max((float(d.max()) for d in deltas[1:] if d.size), default=0.0)
        if top > self.scale or top < self.scale / 20 or self.scale == 0.0:
            new = nice_ceil(top)
            if new != self.scale:
                self.scale = new
                self.scale_changed.emit(new)
        out = [np.zeros_like(deltas[0])]
        out += [np.clip(d / self.scale, 0.0, 1.0) for d in deltas[1:]]
        return out

    @Slot(list)
    def show_reports(self, reports: list, sweep_seconds: float | None = None) -> None:
        if not reports:
            return
        self.target = self.values_for(reports[-1].mean_abs_delta)
        seconds = self.sweep_seconds if sweep_seconds is None else sweep_seconds
        if seconds <= 0.0:
            self._timer.stop()
            self.lit_from = 0
            wait = self._last_send + self.min_interval - time.perf_counter()
            if wait <= 0.0:
                self._send()
            elif not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self.lit_from = len(self.target) - 1
        self._sweep_start = time.perf_counter()
        self._sweep_duration = seconds
        self._send()
        self._timer.start()

    @Slot()
    def _send_latest(self) -> None:
        if self.target is not None and not self._timer.isActive():
            self._send()

    def clear(self) -> None:
        self._later.stop()
        self._timer.stop()
        self.target = None
        self._send()

    @Slot()
    def _frame(self) -> None:
        if self.target is None:
            self._timer.stop()
            return
        n_layers = len(self.target)
        stages = max(n_layers - 1, 1)  # output, each hidden layer
        frac = (time.perf_counter() - self._sweep_start) / self._sweep_duration
        stage = min(int(frac * stages), stages - 1)
        lit = n_layers - 1 - stage
        if frac >= 1.0:
            self._timer.stop()
            lit = 1
        if lit != self.lit_from:
            self.lit_from = lit
            self._send()

    def _send(self) -> None:
        self._last_send = time.perf_counter()
        if self.target is None:
            self.shown = None
        else:
            self.shown = [t if k >= self.lit_from else np.zeros_like(t) for k, t in enumerate(self.target)]
        self._set_glow(self.shown)
        self.glow_changed.emit(self.shown)


class GlowLegend(QWidget):
    """A strip showing the glow colour ramp and the |δ| it stands for."""

    def __init__(self, colour: QColor | str = "#ffb000", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colour = QColor(colour)
        self.scale = 0.0
        self.setMinimumHeight(34)
        self.setToolTip("Neurons glow by the mean |δ| (∂E/∂net) of the last epoch; "
                        "the sweep runs backward from the output, as backpropagation does")

    @Slot(float)
    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = p.fontMetrics()
        label = "|δ| glow"
        lw = fm.horizontalAdvance(label) + 8
        bar = QRectF(lw, 4, max(self.width() - lw - 8, 10), 12)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        dark = QColor(self.colour)
        dark.setAlpha(0)
        grad.setColorAt(0.0, dark)
        grad.setColorAt(1.0, self.colour)
        p.setPen(QColor("#888"))
        p.setBrush(grad)
        p.drawRoundedRect(bar, 3, 3)
        p.setPen(self.palette().windowText().color())
        p.drawText(QRectF(0, 2, lw, 16), Qt.AlignLeft | Qt.AlignVCenter, label)
        y = bar.bottom() + 2
        p.drawText(QRectF(bar.left(), y, 40, 14), Qt.AlignLeft | Qt.AlignTop, "0")
        if self.scale:
            txt = f"≥ {self.scale:g}"
            p.drawText(QRectF(bar.right() - 80, y, 80, 14), Qt.AlignRight | Qt.AlignTop, txt)
            p.drawText(QRectF(bar.left(), y, bar.width(), 14), Qt.AlignHCenter | Qt.AlignTop,
                       f"{self.scale / 2:g}")
        p.end()
