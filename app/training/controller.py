"""The training controller: starts, pauses, resumes, steps and stops runs of the worker thread,
and commits each run to the document as one undo step with its history.

Pause and Resume: a pause ends the worker's run and commits its weights; Resume starts a new run
from the document's network as it then stands (edits made while paused included) and continues the
epoch count and the epoch budget. Optimiser state (momentum, Adam's moments) starts afresh.

At full speed the views follow the run in frames (``_frame``): what the worker delivered since
the last frame goes to every view in one block with the worker parked, at most one costly view
per frame, and the window paints inside the same block; the frame rate adapts so the GUI thread
stays near its target duty (app/training/priority.py; bench/gui_training.py measures the effect).
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot

from core.project import History
from core.training import TrainConfig

from .gui_awake import gui_ran_probe
from .priority import FRAME_MS, GuiPriority
from .run_log import RunLog
from .worker import ReportBatch, RunResult, TrainingWorker

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
# Reports are shown in frames: what arrived since the last frame goes to every view in one block
# with the worker held (app/training/priority.py), then the window paints once.
LIVE_VIEW_SECONDS = 0.1  # the canvas shows the newest weights at most this often (default)


def params_fit(net, weights: dict, biases: list) -> bool:
    """True if a run's parameters still fit the network (its structure did not change)."""
    if set(weights) != set(net.blocks) or len(biases) != len(net.layers):
        return False
    return all(net.blocks[k].weight.shape == w.shape for k, w in weights.items()) and \
        all(layer.size == len(b) for layer, b in zip(net.layers, biases))


def epoch_text(a: int, b: int) -> str:
    return f"Training, epoch {a}" if a == b else f"Training, epochs {a}\u2013{b}"


class TrainingController(QObject):
    state_changed = Signal(str)
    run_started = Signal(bool)  # stepping
    epochs_reported = Signal(object)  # ReportBatch, GUI thread, every epoch once
    run_ended = Signal(object)  # RunResult, after it was committed
    message = Signal(str)
    stats_changed = Signal(int, float, float)  # epoch, loss, epochs per second

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = IDLE
        self.epochs_per_second: float | None = None
        self._thread: QThread | None = None
        # GUI blocks with the worker held, and the window's paints (window, scenes set by the feature)
        self.priority = GuiPriority(lambda: self._worker, lambda: self.full_speed, self)
        self._worker: TrainingWorker | None = None
        self._after = "finish"  # what the end of the current run leads to: pause, stop, finish
        self._stepping = False
        self._before = None
        self.run_log = RunLog()  # the epochs of the run under way, bounded
        self._session_done = 0  # epochs of the current Start…Stop session
        self._session_budget = 0
        self._rate = deque(maxlen=64)  # (time, epoch) for epochs per second
        self._last_weights = None
        self._last_weights_epoch = 0
        self.live_interval_ms = int(LIVE_VIEW_SECONDS * 1000)  # raised for costly canvases
        self._live_timer = QTimer(self, singleShot=True)
        self._live_timer.timeout.connect(self._show_live)
        self._inbox: list[ReportBatch] = []  # arrived since the last frame
        self._frame_timer = QTimer(self, singleShot=True)
        self._frame_timer.timeout.connect(self._frame)
        self._live_shown_at = 0.0
        self.frame_busy = False
        # Slowed or stepping, the canvas shows forward → backward sweep → new weights: the weights
        # wait for the δ sweep (this long, set by the feature), and a step commits after it.
        self.sweep_seconds = 0.0
        self._pending: tuple | None = None
        self._pending_timer = QTimer(self, singleShot=True)
        self._pending_timer.timeout.connect(self._on_sweep_time_up)
        self.sweep_running = lambda: False  # the feature asks its glow animator
        document.about_to_edit.connect(self._on_about_to_edit)
        document.project_replaced.connect(self._on_project_replaced)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ----------------------------------------------------------------- queries
    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def stepping(self) -> bool:
        return self._stepping

    def next_epoch(self) -> int:
        hist = self.document.project.history
        return hist[-1].epoch + 1 if hist else 1

    def remaining_epochs(self) -> int:
        return max(self._session_budget - self._session_done, 0)

    # ----------------------------------------------------------------- commands
    def start(self) -> bool:
        """A new session: up to the configuration's max_epochs from the current weights."""
        if self.running:
            return False
        self._session_done = 0
        self._session_budget = self.document.project.training.max_epochs
        return self._launch(self._session_budget, stepping=False)

    def resume(self) -> bool:
        if self.running or self.state != PAUSED:
            return False
        if self.remaining_epochs() <= 0:
            self._session_budget = self._session_done + self.document.project.training.max_epochs
        return self._launch(self.remaining_epochs(), stepping=False)

    def step(self) -> bool:
        """Train exactly one epoch (shown slowly); the state stays idle or paused."""
        if self.running:
            return False
        return self._launch(1, stepping=True)

    def pause(self, wait: bool = False) -> None:
        if self.running:
            self._end_run("pause", wait)

    def stop(self, wait: bool = False) -> None:
        if self.running:
            self._end_run("stop", wait)
        elif self.state == PAUSED:
            self._set_state(IDLE)
            self.message.emit("Training stopped")

    def _end_run(self, after: str, wait: bool) -> None:
        """The run ends at the end of the epoch under way: said at once, since an epoch of a
        large data set can take seconds (the history holds whole epochs only)."""
        self._after = after
        self._worker.request_stop()
        if wait:
            self._wait_for_worker()
        elif not self._stepping:
            self.message.emit(f"{'Pausing' if after == 'pause' else 'Stopping'} at the end of this epoch\u2026")

    def toggle_pause(self) -> None:
        if self.running and not self._stepping:
            self.pause()
        elif self.state == PAUSED:
            self.resume()

    def set_speed(self, epochs_per_second: float | None) -> None:
        self.epochs_per_second = epochs_per_second or None
        if self._worker is not None:
            self._worker.set_speed(self.epochs_per_second)

    def apply_edit(self, edit) -> None:
        """Run ``edit()`` (which pushes on the undo stack); a running session pauses for it
        and carries on afterwards, since the user asked for this change from the training views."""
        was_running = self.running and not self._stepping
        self.pause(wait=True)
        edit()
        if was_running and self.state == PAUSED:
            self.resume()

    def shutdown(self) -> bool:
        """Stop and join the thread, committing what was trained (close hooks, app exit)."""
        if self.running:
            self.stop(wait=True)
        self.flush_pending()
        return True

    # ----------------------------------------------------------------- the run
    def _launch(self, epochs: int, stepping: bool) -> bool:
        self.flush_pending()
        doc = self.document
        dataset = doc.project.dataset
        if dataset is None:
            self.message.emit("Choose a dataset in the Training dock before training")
            return False
        if epochs <= 0:
            self.message.emit("The epoch budget is used up; raise the number of epochs")
            return False
        try:
            x, y, validation = dataset.arrays()
            net = doc.network
            net.validate()
        except ValueError as exc:
            self.message.emit(f"Cannot train: {exc}")
            return False
        cfg: TrainConfig = doc.project.training
        from dataclasses import replace
        cfg = replace(cfg, max_epochs=epochs, report_weights=False)
        self._before = net.get_parameters()
        self.run_log = RunLog()
        self._stepping = stepping
        self._after = "finish"
        self._rate.clear()
        worker = TrainingWorker(net, x, y, validation, cfg, first_epoch=self.next_epoch(),
                                epochs_per_second=None if stepping else self.epochs_per_second,
                                resume=doc.project.resume,
                                gui_awake=gui_ran_probe())
        thread = QThread()
        thread.setObjectName("training")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.run_finished.connect(thread.quit, Qt.DirectConnection)  # quit() is thread-safe
        worker.epochs_reported.connect(self._on_epochs_reported)
        worker.run_finished.connect(self._on_run_finished)
        self._worker, self._thread = worker, thread
        self.priority.run_started()
        thread.start()
        if not stepping:
            self._set_state(RUNNING)
        self.run_started.emit(stepping)
        return True

    def _wait_for_worker(self) -> None:
        """Block until the worker's run is over and its last signals were handled here."""
        thread = self._thread
        if thread is None:
            return
        while not thread.wait(50):
            thread.quit()
        QCoreApplication.sendPostedEvents(self, 0)

    @property
    def run_epochs(self) -> int:
        """Epochs reported so far by the run under way (or the last run, until the next)."""
        return self.run_log.epochs

    @property
    def full_speed(self) -> bool:
        return self.running and not (self.epochs_per_second or self._stepping)

    @Slot(object)
    def _on_epochs_reported(self, batch: ReportBatch) -> None:
        if self._worker is None:
            return
        self._inbox.append(batch)
        now = time.perf_counter()
        self._rate.append((now, batch.last.epoch))
        while len(self._rate) > 2 and now - self._rate[0][0] > 1.0:
            self._rate.popleft()
        if not self.full_speed:  # slowed or stepping: the GUI is idle between epochs
            self._frame()
        elif not self._frame_timer.isActive():
            self._frame_timer.start(int(FRAME_MS * self.priority.live_scale))

    @Slot()
    def _frame(self) -> None:
        """Everything that arrived since the last frame, to every view in one block."""
        self._frame_timer.stop()
        if not self._inbox:
            return
        with self.priority.block():
            self.frame_busy = False  # a heavy view updated in this frame (the views read it)
            batch, self._inbox = ReportBatch.merge(self._inbox), []
            self.run_log.append(batch)
            if batch.weights is not None:
                self._last_weights, self._last_weights_epoch = batch.weights, batch.weights_epoch
                if not self.full_speed:
                    if not self._live_timer.isActive():
                        self._live_timer.start(self._after_sweep_ms())
                elif time.perf_counter() - self._live_shown_at >= \
                        self.live_interval_ms / 1000 * self.priority.live_scale:
                    self._show_live()
                    self.frame_busy = True
            self.epochs_reported.emit(batch)
            self.stats_changed.emit(batch.last.epoch, batch.last.loss, self.epoch_rate())
            self.priority.paint_now()

    def epoch_rate(self) -> float:
        if len(self._rate) < 2:
            return 0.0
        (t0, e0), (t1, e1) = self._rate[0], self._rate[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 else 0.0

    def autosave_snapshot(self):
        """While a run lasts: the project as at the newest report that carried weights, with the
        history up to that epoch, so an autosave holds a consistent state of the run; None when
        no run is going or nothing was reported yet (the document then speaks for itself)."""
        if not self.running or self._last_weights is None:
            return None
        doc = self.document
        weights, biases = self._last_weights
        if not params_fit(doc.network, weights, biases):
            return None
        from dataclasses import replace
        net = doc.network.copy()
        net.set_parameters({k: v.copy() for k, v in weights.items()}, [v.copy() for v in biases])
        history = History(doc.project.history)
        history.extend(self.run_log.history(upto=self._last_weights_epoch))
        return replace(doc.project, network=net, history=history)

    @Slot()
    def _show_live(self) -> None:
        self._live_shown_at = time.perf_counter()
        if self._last_weights is not None and self.running:
            w, b = self._last_weights
            if params_fit(self.document.network, w, b):
                self.document.show_parameters({k: v.copy() for k, v in w.items()},
                                              [v.copy() for v in b])

    @Slot(object)
    def _on_run_finished(self, result: RunResult) -> None:
        self._frame()  # the epochs not shown yet: every epoch reaches the views
        self.priority.run_ended()
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()
        self._live_timer.stop()
        self._last_weights = None
        stepping, self._stepping = self._stepping, False
        if stepping and self.sweep_seconds > 0 and not result.error:
            self._pending = (result, stepping)
            self._pending_timer.start(self._after_sweep_ms())
            return
        self._finish(result, stepping)

    def _after_sweep_ms(self) -> int:
        # a few frames after the sweep's last one, so the innermost layer has lit before
        return int(self.sweep_seconds * 1000) + 100 if self.sweep_seconds > 0 else 0

    @Slot()
    def _on_sweep_time_up(self) -> None:
        # a busy event loop can run this before the sweep's last frame: wait for that frame
        if self.sweep_running():
            self._pending_timer.start(30)
        else:
            self.flush_pending()

    @Slot()
    def flush_pending(self) -> None:
        """Commit a finished step now instead of after its sweep (an edit or a new run came)."""
        self._pending_timer.stop()
        if self._pending is not None:
            result, stepping = self._pending
            self._pending = None
            self._finish(result, stepping)

    def _finish(self, result: RunResult, stepping: bool) -> None:
        self._commit(result)
        if result.error:
            self._set_state(IDLE)
            self.message.emit(f"Training failed: {result.error}")
        elif result.diverged:
            self._set_state(PAUSED)
            self.message.emit(f"Paused: {result.stop_reason}")
        elif stepping:
            if self.state == RUNNING:
                self._set_state(PAUSED)
            self.message.emit(f"Stepped one epoch (epoch {result.last_epoch})")
        elif self._after == "pause":
            self._set_state(PAUSED)
            self.message.emit(f"Paused at epoch {result.last_epoch}")
        elif self._after in ("stop", "discard"):
            self._set_state(IDLE)
            self.message.emit(f"Stopped at epoch {result.last_epoch}")
        else:
            self._set_state(IDLE)
            self.message.emit(f"Finished: {result.stop_reason}" if result.stop_reason else "Finished")
        self.run_ended.emit(result)

    def _commit(self, result: RunResult) -> None:
        log = self.run_log
        self._session_done += log.epochs
        if self._after == "discard" or result.last_epoch < result.first_epoch or self._before is None:
            return
        doc = self.document
        if not params_fit(doc.network, result.weights, result.biases):
            self.message.emit("The network changed during training; the run was not applied")
            return
        a, b = result.first_epoch, log.last_epoch if log.epochs else result.first_epoch
        doc.project.resume = result.resume  # a later run continues momentum, moments and shuffle
        if log.epochs:
            doc.set_parameters(result.weights, result.biases, epoch_text(a, b), before=self._before,
                               history=list(log.history()))
        else:  # diverged on the first epoch: the network holds the weights it started with
            doc.show_parameters(*self._before)
        self._before = None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    # ----------------------------------------------------------------- document events
    @Slot()
    def _on_about_to_edit(self) -> None:
        self.flush_pending()
        if self.running:
            self.pause(wait=True)
            self.message.emit("Training paused for the edit; press Resume to continue")

    @Slot()
    def _on_project_replaced(self) -> None:
        if self._pending is not None:
            self._after = "discard"
            self.flush_pending()
        if self.running:
            self._after = "discard"
            self._worker.request_stop()
            self._wait_for_worker()
        self._session_done = self._session_budget = 0
        net, data = self.document.network, self.document.project.dataset
        samples = len(data) if data is not None else 0
        self.priority.network_opened((tuple(net.sizes), net.num_connections, samples))
        self._set_state(IDLE)


def params_equal(a, b) -> bool:
    """Parameters as get_parameters returns them, compared exactly (used by tests)."""
    (wa, ba), (wb, bb) = a, b
    return set(wa) == set(wb) and all(np.array_equal(wa[k], wb[k]) for k in wa) and \
        len(ba) == len(bb) and all(np.array_equal(x, y) for x, y in zip(ba, bb))
