"""GUI work with priority over the training worker, and the pace of the window's paints.

The GIL lets one thread run Python at a time, so every millisecond the GUI thread spends in
Python (or in a paint it holds the worker for) is one the training thread loses. GUI blocks
therefore run with the worker parked at its next epoch boundary, or in a long epoch at its next
slice (``block``, see core/slices.py): a repaint's many Python paint() calls then get the GIL at
once instead of each waiting for it. While a run goes at full speed, a repaint asked for between
training frames waits for the next frame, unless the user just clicked, typed or scrolled
(``user_active``): what they did shows at once. The share of time spent in such blocks (the
GUI's duty) sets how far the live views' intervals stretch (``live_scale``);
bench/gui_training.py measures the effect.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

FRAME_MS = 40  # at most 25 frames a second
DEFERRED_PAINT_MAX_MS = 250  # a repaint asked for between frames waits at most this long
INPUT_RECENT = 0.3  # seconds after a click, key or wheel during which repaints are never deferred
GUI_DUTY = 0.05  # target share of wall time the GUI thread is awake during a run
DUTY_WINDOW = 0.5  # seconds over which that share is measured
MAX_SLOWDOWN = 8.0
USER_INPUT = (QEvent.MouseButtonPress, QEvent.MouseButtonRelease, QEvent.MouseButtonDblClick,
              QEvent.KeyPress, QEvent.KeyRelease, QEvent.Wheel)


class GuiPriority(QObject):
    """``worker()`` is the running TrainingWorker or None; ``full_speed()`` whether the run
    goes unpaced (then paints wait for frames). The owner sets ``window`` and ``scenes``."""

    live_scale_changed = Signal(float)

    def __init__(self, worker: Callable, full_speed: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker, self._full_speed = worker, full_speed
        self.window = None  # its repaints run with the worker held
        self.scenes: list = []  # the window's graphics scenes, flushed before a frame paints
        self.live_scale = 1.0  # >1 stretches live-view intervals (see _adapt)
        self._pace_key: tuple | None = None  # the network live_scale was measured on
        self.gui_duty = 0.0
        self._installed = False
        self._input_window = None  # the window's QWindow: its input events mark user activity
        self._input_at = -1.0
        self.held = self._in_paint = False
        # cleared while a block runs: other background threads wait for it between their slices
        # of work (app/training/courtesy.py), as the worker waits at its epoch boundaries
        self.gui_free = threading.Event()
        self.gui_free.set()
        self._busy = 0.0
        self._duty_since = time.perf_counter()
        self._paint_timer = QTimer(self, singleShot=True)  # a repaint between frames
        self._paint_timer.timeout.connect(self._deferred_paint)

    def run_started(self) -> None:
        """While a run lasts, the window repaints with the worker held (see ``eventFilter``)."""
        self._install(True)
        self._busy, self._duty_since = 0.0, time.perf_counter()

    def run_ended(self) -> None:
        self._install(False)
        if self._paint_timer.isActive():  # a deferred repaint: the window paints normally again
            self._paint_timer.stop()
            if self.window is not None:  # its dirty regions are kept: only they repaint
                QCoreApplication.postEvent(self.window, QEvent(QEvent.UpdateRequest))

    def _install(self, on: bool) -> None:
        if on == self._installed or self.window is None:
            return
        self._installed = on
        if on:
            self.window.installEventFilter(self)
            self._input_window = self.window.windowHandle()
            if self._input_window is not None:
                self._input_window.installEventFilter(self)
        else:
            self.window.removeEventFilter(self)
            if self._input_window is not None:
                self._input_window.removeEventFilter(self)
                self._input_window = None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt virtual)
        """Paint the window (UpdateRequest) with the worker held, so every Python paint() of
        the canvas and the plots gets the GIL at once instead of competing for it. At full
        speed a repaint asked for between frames waits for the next frame: each paint of its
        own cost a hold of the worker (measured on two spirals: 68-90 such paints a run,
        0.3-0.5 s)."""
        kind = event.type()
        if obj is self._input_window:
            if kind in USER_INPUT:
                self._input_at = time.perf_counter()
                if self._paint_timer.isActive():  # a deferred repaint holds back any new one
                    self._paint_timer.start(0)  # after this event has had its effect
            return False
        if kind == QEvent.UpdateRequest and self._worker() is not None and not self._in_paint:
            if self._full_speed() and not self.held and not self.user_active():
                if not self._paint_timer.isActive():
                    self._paint_timer.start(self.deferred_paint_ms())
                return True
            self._in_paint = True
            try:
                with self.block():
                    obj.event(event)
            finally:
                self._in_paint = False
            return True
        return False

    def user_active(self) -> bool:
        """A click, key or wheel turn in the window within INPUT_RECENT: what it changes (a tab,
        a button, the map a tab brings into view) paints at once, not at the next frame. Seen
        under Xvfb in a run of 3,000-point epochs: tab switches waited up to 150 ms for a frame."""
        return time.perf_counter() - self._input_at < INPUT_RECENT

    @contextmanager
    def block(self):
        """GUI work that should not compete with the worker for the GIL: the worker waits at
        its next epoch boundary (or, in a long epoch, its next slice) until the block ends. The
        time spent is the GUI's duty."""
        worker = self._worker()
        if worker is None or self.held:
            yield
            return
        self.held = True
        self.gui_free.clear()
        worker.hold()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            worker.release()
            self.gui_free.set()
            self.held = False
            now = time.perf_counter()
            self._busy += now - t0
            if now - self._duty_since >= DUTY_WINDOW:
                self._adapt(self._busy / (now - self._duty_since))
                self._busy, self._duty_since = 0.0, now

    def _adapt(self, duty: float) -> None:
        """Stretch the live views' intervals while the GUI thread is busier than GUI_DUTY of the
        time (every GUI moment is a moment the worker holds), shrink them back when it is not."""
        self.gui_duty = duty
        scale = self.live_scale
        if duty > GUI_DUTY:
            scale = min(scale * 1.5, MAX_SLOWDOWN)
        elif duty < GUI_DUTY / 2:
            scale = max(scale / 1.25, 1.0)
        if scale != self.live_scale:
            self.live_scale = scale
            self.live_scale_changed.emit(scale)

    def network_opened(self, key: tuple) -> None:
        """A project was opened; ``key`` says what sets the views' cost (sizes, connections,
        samples). Another kind of network starts at full pace: the slowdown measured on the last
        one says nothing about it (a large network's 8x carried into the first seconds of XOR's
        runs). The same network again keeps its pace, which took its first runs to find."""
        if key == self._pace_key:
            return
        self._pace_key = key
        self.gui_duty = 0.0
        if self.live_scale != 1.0:
            self.live_scale = 1.0
            self.live_scale_changed.emit(1.0)

    def paint_now(self) -> None:
        """Paint a frame inside its held block instead of in more blocks of their own: the
        graphics scenes post their changes to themselves (queued calls), then the window its
        repaint (UpdateRequest); both are delivered here."""
        self._paint_timer.stop()
        if self.window is None:
            return
        for scene in self.scenes:
            QCoreApplication.sendPostedEvents(scene, QEvent.MetaCall)
        # a layout the frame's views asked for (a readout's new line, a wider figure) is done
        # here with the worker held, not later competing with it for the GIL: each of its
        # Python calls (pyqtgraph's resize handlers) then waited for the GIL, and a 10 ms timer
        # came 35-65 ms late. Twice: a widget's layout asks its parent's for one in turn.
        for _ in range(2):
            QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        # sent, not the posted one: a request deferred by eventFilter was consumed there
        QCoreApplication.sendEvent(self.window, QEvent(QEvent.UpdateRequest))

    def deferred_paint_ms(self) -> int:
        """Two frame intervals: while reports keep coming the next frame paints first (each
        paint of its own holds the worker: measured on two spirals, one such paint per frame),
        and a stalled run still repaints within DEFERRED_PAINT_MAX_MS."""
        return int(min(2 * FRAME_MS * self.live_scale, DEFERRED_PAINT_MAX_MS))

    @Slot()
    def _deferred_paint(self) -> None:
        with self.block():
            self.paint_now()
