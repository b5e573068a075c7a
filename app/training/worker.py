"""The training worker: runs core's ``train`` generator in a QThread and delivers its reports.

Every epoch's figures are kept; they reach the GUI in batches at most every ``BATCH_SECONDS``,
plus a final flush, so a fast network cannot flood the event queue. A batch carries the figures
of every epoch as numpy columns and only the newest report whole (its δ and weights): the views
show the newest state, and per-epoch objects crossing into the GUI thread cost it time under the
GIL. Stop and pause use a ``threading.Event`` (a blocking loop never runs queued slots). The
worker trains its own copy of the network; the GUI only ever receives immutable values.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, fields
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from core.network import Network
from core.resume import ResumeSlot, ResumeState
from core.training import EpochReport, TrainConfig, train

from .gui_awake import quick_sleeps

BATCH_SECONDS = 0.04
# The GIL. Measured with XOR online (a pure-Python epoch loop): without yielding, a 10 ms GUI
# timer was up to 250 ms late, and every GUI numpy call that drops the GIL waited up to a switch
# interval (5 ms) to get it back, so a 3600-point map refresh took 15 ms instead of 0.3 ms. So
# about every millisecond the worker hands the GIL over, but only if the GUI thread ran since its
# last look (``gui_awake``, see app/training/gui_awake.py): most of a run, the GUI sleeps between
# frames, and each hand-over costs the worker its sleep.
YIELD_SECONDS = 0.001
# The hand-over is a real sleep, not sleep(0). A sleep(0) releases the GIL and takes it straight
# back before the waiting GUI thread has woken, and each such re-take restarts that thread's
# switch-interval countdown, so it never forces a switch either: measured with a Python worker
# and a 10 ms timer thread, sleep(0) on every look left the timer late by p99 43-245 ms (worst
# 0.8 s), against 6-14 ms with no hand-over at all and 2.1-6.2 ms with 50 µs sleeps, at the same
# worker throughput (bench/gil_handover.py).
HANDOVER_SECONDS = 50e-6
# Better still, the GUI thread gets priority: while its event loop is awake the worker waits at
# the next epoch boundary (hold/release), so a repaint never competes for the GIL. HOLD_LIMIT
# bounds one wait, so the worker can never be starved by a GUI thread that stays busy.
HOLD_LIMIT = 0.1
# The GUI waits (without the GIL) until the worker says it is parked, at most PARK_WAIT: until
# then both want the GIL and the GUI's block ran in slices a switch interval apart (measured on
# two spirals: 125 held blocks took 7.6 ms each on average, of which the worker was parked for
# only half). Inside a long epoch the worker looks about every millisecond (core's ``pulse``,
# see core/slices.py), so it parks well within PARK_WAIT there too.
PARK_WAIT = 0.005


def hand_over(gui_awake: Callable[[], bool] | None) -> bool:
    """Give the GUI thread the GIL if it ran since the last look (see HANDOVER_SECONDS); True if
    the caller slept. ``gui_awake`` is the GUI thread's probe (None: always hand over). What the
    GUI thread ran during the sleep was what the caller waited for, so the probe is read again:
    the next look asks only about what it runs after this. Without that, about half the
    hand-overs of an XOR run found the GUI thread back in its event loop's poll, with nothing
    to hand over (read from /proc at each hand-over: 151-196 of 335-452)."""
    if gui_awake is None or gui_awake():
        time.sleep(HANDOVER_SECONDS)
        if gui_awake is not None:
            gui_awake()
        return True
    return False


class _LiveConfig:
    """A TrainConfig whose ``report_weights`` is decided by the worker from epoch to epoch.

    ``train`` reads ``config.report_weights`` after each epoch; copying every block every epoch
    costs a tiny network about a quarter of its speed, while the GUI only needs the weights of the
    last epoch of each batch. Every other attribute is the user's frozen TrainConfig.
    """

    def __init__(self, base: TrainConfig) -> None:
        for f in fields(base):  # plain attributes: read every epoch, so no __getattr__ indirection
            setattr(self, f.name, getattr(base, f.name))
        self.report_weights = True  # set by the worker after each epoch


SERIES = ("loss", "val_loss", "accuracy", "val_accuracy")


@dataclass(frozen=True)
class ReportBatch:
    """The epochs of one delivery: ``epoch`` and the four series as columns (NaN where a value
    is absent) for the epochs that did not diverge, and ``last``, the newest report whole."""

    epoch: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray
    accuracy: np.ndarray
    val_accuracy: np.ndarray
    last: EpochReport
    weights: tuple | None = None  # the newest (weights, biases) in this batch, if any
    weights_epoch: int = 0  # the epoch after which they were taken

    @classmethod
    def merge(cls, batches: list["ReportBatch"]) -> "ReportBatch":
        """Consecutive batches as one (the GUI takes what arrived since its last frame)."""
        if len(batches) == 1:
            return batches[0]
        cols = {name: np.concatenate([getattr(b, name) for b in batches]) for name in ("epoch",) + SERIES}
        carrier = next((b for b in reversed(batches) if b.weights is not None), None)
        return cls(**cols, last=batches[-1].last, weights=carrier and carrier.weights,
                   weights_epoch=carrier.weights_epoch if carrier else 0)

    def __len__(self) -> int:
        return len(self.epoch)


class Pending:
    """The epochs since the last delivery: their figures as plain lists, the newest report whole
    and the newest one carrying weights. The other reports are let go at once: kept until the
    delivery (hundreds of them, each with its δ arrays) and read back into columns there, they
    cost 3.4 % of an XOR epoch's instructions, these lists 2.4 % (counted by cachegrind)."""

    __slots__ = ("epoch", "last", "carrier") + SERIES

    def __init__(self) -> None:
        self.epoch, self.loss, self.val_loss, self.accuracy, self.val_accuracy = [], [], [], [], []
        self.last: EpochReport | None = None
        self.carrier: EpochReport | None = None

    def add(self, r: EpochReport) -> None:
        self.epoch.append(r.epoch)
        self.loss.append(r.loss)
        self.val_loss.append(r.val_loss)
        self.accuracy.append(r.accuracy)
        self.val_accuracy.append(r.val_accuracy)
        self.last = r
        if r.weights is not None:
            self.carrier = r

    def __bool__(self) -> bool:
        return self.last is not None

    def batch(self) -> ReportBatch:
        """A diverged epoch (always the last: training ends there) has no row of its own."""
        n = len(self.epoch) - (1 if self.last.diverged else 0)
        carrier = self.carrier
        return ReportBatch(np.array(self.epoch[:n], dtype=np.int64),
                           *(_column(getattr(self, name)[:n]) for name in SERIES), last=self.last,
                           weights=carrier and carrier.weights, weights_epoch=carrier.epoch if carrier else 0)


def _column(values: list) -> np.ndarray:
    """NaN where absent. The common cases, all present or all absent, skip the per-value test
    (numpy turns None into NaN itself, but at 90 ns a value against 21 for floats)."""
    absent = values.count(None)
    if absent == len(values):
        return np.full(len(values), np.nan)
    if absent:
        values = [np.nan if v is None else v for v in values]
    return np.array(values, dtype=np.float64)


@dataclass
class RunResult:
    """What a finished run leaves behind (sent once, after the last batch)."""

    weights: dict = field(default_factory=dict)
    biases: list = field(default_factory=list)
    first_epoch: int = 1
    last_epoch: int = 0  # 0 when no epoch completed
    stop_reason: str | None = None
    diverged: bool = False
    stopped: bool = False  # ended by request (stop, pause or an edit)
    error: str | None = None
    resume: ResumeState | None = None  # optimiser and shuffle state after the last epoch


class TrainingWorker(QObject):
    """Lives in its own QThread; ``run`` is connected to ``QThread.started``."""

    # object, not list: a list signal is converted element by element on both sides
    epochs_reported = Signal(object)  # ReportBatch
    run_finished = Signal(object)  # RunResult

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray,
                 validation: tuple[np.ndarray, np.ndarray] | None, config: TrainConfig,
                 first_epoch: int = 1, epochs_per_second: float | None = None,
                 resume: ResumeState | None = None, gui_awake: Callable[[], bool] | None = None) -> None:
        """``gui_awake``: whether the GUI thread ran since the last call (callable from this
        thread); None: the GIL is handed over every YIELD_SECONDS regardless."""
        super().__init__()
        self._gui_awake = gui_awake
        self._net = net.copy()
        self._x, self._y, self._validation = x, y, validation
        self._config = config
        self._first_epoch = first_epoch
        self._resume = ResumeSlot(resume)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._may_run = threading.Event()  # cleared while the GUI thread is busy (see hold())
        self._may_run.set()
        self._parked = threading.Event()  # set by the worker while it waits for release()
        # set by the GUI thread after it sets _stop or clears _may_run: the worker looks at this
        # plain flag after every epoch instead of calling both Events' is_set (with the plain
        # report_weights, 1.1 % of an XOR epoch's instructions, counted by cachegrind)
        self._call = False
        self._done = False
        self._interval = 0.0
        self.set_speed(epochs_per_second)

    # ----------------------------------------------------------------- thread-safe controls
    def request_stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._may_run.set()
        self._call = True

    def hold(self) -> None:
        """The GUI thread has work: the worker waits at the next epoch boundary (or slice) until
        ``release``; this returns once it does, or after PARK_WAIT."""
        if self._stop.is_set() or self._done:
            return
        self._may_run.clear()
        self._call = True
        self._parked.wait(PARK_WAIT)

    def release(self) -> None:
        self._parked.clear()
        self._may_run.set()

    def set_speed(self, epochs_per_second: float | None) -> None:
        """None or 0 = as fast as possible; otherwise at most this many epochs per second."""
        self._interval = 1.0 / epochs_per_second if epochs_per_second else 0.0
        self._wake.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # ----------------------------------------------------------------- the loop
    @Slot()
    def run(self) -> None:
        quick_sleeps()  # this thread's GIL hand-overs (below) cost a fifth of the default
        result = RunResult(first_epoch=self._first_epoch)
        pending = Pending()
        config = _LiveConfig(self._config)
        last_emit = last_yield = time.perf_counter()
        try:
            gen = train(self._net, self._x, self._y, config, self._validation,
                        should_stop=self._stop.is_set, first_epoch=self._first_epoch,
                        resume=self._resume, reserve_cores=1,  # the GUI thread's core
                        pulse=self._pulse)
            try:
                for report in gen:
                    now = epoch_start = time.perf_counter()
                    pending.add(report)
                    result.last_epoch = report.epoch
                    if report.stop_reason:
                        result.stop_reason = report.stop_reason
                        result.diverged = report.diverged
                    pacing = self._interval > 0.0
                    if report.weights is not None and (pacing or now - last_emit >= BATCH_SECONDS):
                        self.epochs_reported.emit(pending.batch())
                        pending, last_emit = Pending(), now
                    config.report_weights = pacing or now - last_emit >= BATCH_SECONDS
                    if pacing:
                        if self._stop.is_set():
                            break
                        self._pace(epoch_start)
                        if self._stop.is_set():
                            break
                    elif self._call:  # cleared first: a later call is seen after the next epoch
                        self._call = False
                        if self._stop.is_set():
                            break
                        if not self._may_run.is_set():
                            self._park()
                            last_yield = time.perf_counter()
                    elif now - last_yield >= YIELD_SECONDS:
                        if self._hand_over():
                            now = time.perf_counter()
                        last_yield = now
            finally:
                gen.close()  # leaves the last finite weights in self._net
        except Exception as exc:  # a bad dataset or network: reported, never raised in the thread
            result.error = str(exc)
        if pending:
            self.epochs_reported.emit(pending.batch())
        if self._stop.is_set() and result.stop_reason is None:
            result.stopped = True
            result.stop_reason = "stopped by request"
        elif result.stop_reason == "stopped by request":
            result.stopped = True
        result.weights, result.biases = self._net.get_parameters()
        result.resume = self._resume.state
        self._done = True
        self.run_finished.emit(result)

    def _pulse(self) -> None:
        """Inside a long epoch, about every millisecond: park while the GUI thread holds the
        worker, else hand the GIL over if the GUI thread ran (as between epochs)."""
        if not self._may_run.is_set():
            self._park()
        else:
            self._hand_over()

    def _park(self) -> None:
        """Wait while the GUI thread holds the worker (at most HOLD_LIMIT)."""
        self._parked.set()
        self._may_run.wait(HOLD_LIMIT)
        self._seen_gui()

    def _hand_over(self) -> bool:
        return hand_over(self._gui_awake)

    def _seen_gui(self) -> None:
        if self._gui_awake is not None:  # see hand_over
            self._gui_awake()

    def _pace(self, epoch_start: float) -> None:
        """Sleep until the next epoch is due; wakes at once on stop or a change of speed."""
        while not self._stop.is_set():
            self._wake.clear()
            remaining = epoch_start + self._interval - time.perf_counter()
            if self._interval <= 0.0 or remaining <= 0.0:
                return
            self._wake.wait(remaining)
