"""Neurons that light up by the magnitude of their δ, sweeping backward as backprop does.

After each reported epoch (or step) the output layer glows first, then each hidden layer in turn
back towards the input. With one scale for the whole network, glow = mean |δ| over the epoch's
samples / the legend's scale, clipped to [0, 1]; the scale is a "nice" number (1, 2 or 5 × 10^k)
that follows the largest |δ| with hysteresis, so a settling network visibly dims instead of being
renormalised every epoch. Hidden δ are often ten times smaller than the outputs' and would stay
dark on that scale, so the default is a scale per layer (or logarithmic); the legend says which.
"""
from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

FRAME_MS = 30
STEP_SWEEP_SECONDS = 1.5
GLOW_MODES = {"network": "one scale for the whole network", "layer": "a scale per layer",
              "log": "logarithmic, 4 decades"}
LOG_DECADES = 4.0


def glow_values(abs_deltas, mode: str = "layer") -> list[np.ndarray]:
    """|δ| per layer → glow in [0, 1]. ``network``: divided by the largest |δ| anywhere, so a
    hidden δ 15× smaller than the outputs' barely shows; ``layer``: each layer by its own largest
    (every layer's strongest neuron glows fully); ``log``: 0 at 10⁻⁴ of the largest, 1 at it."""
    arrays = [np.abs(np.asarray(a, dtype=np.float64)) for a in abs_deltas]
    top = max((float(a.max()) for a in arrays if a.size), default=0.0)
    if top <= 0 or not math.isfinite(top):
        return [np.zeros_like(a) for a in arrays]
    if mode == "network":
        return [a / top for a in arrays]
    if mode == "log":
        with np.errstate(divide="ignore"):
            return [np.clip((np.log10(a / top) + LOG_DECADES) / LOG_DECADES, 0.0, 1.0) for a in arrays]
    return [a / a.max() if a.size and a.max() > 0 else np.zeros_like(a) for a in arrays]


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
        self.mode = "layer"  # a key of GLOW_MODES
        self.target: list[np.ndarray] | None = None  # the latest report's normalised glow
        self.shown: list[np.ndarray] | None = None
        self.lit_from = 0  # layers >= lit_from show the target, earlier ones are dark
        self.sweep_seconds = 0.0
        self._sweep_start = 0.0
        self._timer = QTimer(self, interval=FRAME_MS)
        self._timer.timeout.connect(self._frame)

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
        if self.mode == "network":
            out += [np.clip(d / self.scale, 0.0, 1.0) for d in deltas[1:]]
        else:
            out += glow_values(deltas[1:], self.mode)
        return out

    @Slot(list)
    def show_reports(self, reports: list, sweep_seconds: float | None = None) -> None:
        if not reports:
            return
        self.target = self.values_for(reports[-1].mean_abs_delta)
        seconds = self.sweep_seconds if sweep_seconds is None else sweep_seconds
        if seconds <= 0.0:  # at full speed the training frames pace this
            self._timer.stop()
            self.lit_from = 0
            self._send()
            return
        self.lit_from = len(self.target) - 1
        self._sweep_start = time.perf_counter()
        self._sweep_duration = seconds
        self._send()
        self._timer.start()

    def clear(self) -> None:
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
        self.mode = "layer"
        self.setMinimumHeight(34)
        self.setToolTip("Neurons glow by the mean |δ| (∂E/∂net) of the last epoch; "
                        "the sweep runs backward from the output, as backpropagation does")

    @Slot(float)
    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.update()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.setToolTip(f"Neurons glow by the mean |δ| (∂E/∂net) of the last epoch, "
                        f"{GLOW_MODES[mode]}; the sweep runs backward from the output")
        self.update()

    def end_labels(self) -> tuple[str, str, str]:
        """What the legend writes under the ramp's left end, middle and right end."""
        if self.mode == "layer":
            return "0", "per layer", "its largest |δ|"
        if self.mode == "log":
            return "10⁻⁴·max", "log scale", "largest |δ|"
        if not self.scale:
            return "0", "one scale", ""
        return "0", f"{self.scale / 2:g}", f"≥ {self.scale:g}"

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
        left, middle, right = self.end_labels()
        p.drawText(QRectF(bar.left(), y, 90, 14), Qt.AlignLeft | Qt.AlignTop, left)
        p.drawText(QRectF(bar.right() - 110, y, 110, 14), Qt.AlignRight | Qt.AlignTop, right)
        p.drawText(QRectF(bar.left(), y, bar.width(), 14), Qt.AlignHCenter | Qt.AlignTop, middle)
        p.end()
