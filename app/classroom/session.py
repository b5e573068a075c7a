"""The step-through session: a core Stepper kept in step with the document.

Only the update stage changes the network: reaching it pushes one undoable command with the step's
new weights; stepping back from it undoes that command (or, if other edits came after it, pushes
the old weights back). Leaving the mode mid-step therefore leaves the network as before the step.
Any other change of the document (an edit, Undo, a new file) starts a fresh step from the network
as it now stands, at the same sample. Numbers are never computed here: they come from the stepper.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from core.stepper import StageView, Stepper

DEFAULT_DIGITS = 4  # enough to show a first step's change (0.15 → 0.1498); files may set theirs
MIN_DELAY, MAX_DELAY = 0.5, 10.0


class ClassroomSession(QObject):
    stage_changed = Signal(object)  # StageView, or None when the mode ends
    active_changed = Signal(bool)
    digits_changed = Signal(int)
    playing_changed = Signal(bool)
    message = Signal(str)

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.stepper: Stepper | None = None
        self.view: StageView | None = None
        self.active = False
        self.digits = document.project.display_digits or DEFAULT_DIGITS
        self.delay = 2.0
        self.sample = 0
        self.custom: tuple[np.ndarray, np.ndarray] | None = None  # typed input and target
        self._pushed: list[object] = []  # our update commands still on the undo stack, per step
        self._applying = False
        self._built_from: tuple = ()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        document.parameters_changed.connect(self._on_document_changed)
        document.structure_changed.connect(self._on_document_changed)
        document.training_config_changed.connect(self._on_document_changed)
        document.dataset_changed.connect(self._on_dataset_changed)
        document.project_replaced.connect(self._on_project_replaced)

    # ----------------------------------------------------------------- mode
    def enter(self) -> bool:
        """Start the mode at the chosen sample; without data it waits for a typed sample."""
        if self.active:
            return True
        self.active = True
        self.active_changed.emit(True)
        return self._rebuild()

    def leave(self) -> None:
        if not self.active:
            return
        self.pause()
        self.active = False
        self.stepper = self.view = None
        self._pushed = []
        self.active_changed.emit(False)
        self.stage_changed.emit(None)

    # ----------------------------------------------------------------- what to step over
    def data(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.custom is not None:
            return self.custom
        ds = self.doc.project.dataset
        if ds is None or len(ds) == 0:
            return None
        return ds.inputs(), ds.y

    def n_samples(self) -> int:
        d = self.data()
        return 0 if d is None else len(d[0])

    def pick_sample(self, row: int) -> None:
        """Start a fresh step at data row ``row`` (0-based) of the project's data."""
        self.custom = None
        self.sample = max(0, row)
        if self.active:
            self._rebuild()

    def set_custom(self, x, t) -> None:
        """Step through one typed sample. Raises ValueError naming what is wrong."""
        net = self.doc.network
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        t = np.asarray(t, dtype=np.float64).reshape(-1)
        if x.size != net.n_inputs:
            raise ValueError(f"type {net.n_inputs} input values (got {x.size})")
        if t.size != net.n_outputs:
            raise ValueError(f"type {net.n_outputs} target values (got {t.size})")
        if not (np.isfinite(x).all() and np.isfinite(t).all()):
            raise ValueError("inputs and targets must be finite numbers")
        self.custom = (x.reshape(1, -1), t.reshape(1, -1))
        self.sample = 0
        if self.active:
            self._rebuild()

    def set_digits(self, digits: int) -> None:
        digits = int(min(9, max(3, digits)))
        if digits != self.digits:
            self.digits = digits
            self.digits_changed.emit(digits)

    def _rebuild(self) -> bool:
        data = self.data()
        self.stepper = None
        if data is None:
            self._show(None)
            self.message.emit("The step-through needs data: choose a dataset in the Training dock "
                              "or type an input and a target")
            return False
        cfg = self.doc.project.training
        try:
            self.stepper = Stepper(self.doc.network, data[0], data[1], cfg.optimizer.learning_rate,
                                   cfg.batch_size, first=min(self.sample, len(data[0]) - 1))
        except ValueError as e:
            self.message.emit(f"Cannot step through this network: {e}")
            self._show(None)
            return False
        self._pushed = []
        self._built_from = self._signature()
        self._show(self.stepper.view())
        return True

    # ----------------------------------------------------------------- moving
    def forward(self) -> None:
        if self.stepper is not None:
            self._move(self.stepper.forward)

    def back(self) -> None:
        if self.stepper is not None:
            self._move(self.stepper.back)

    def restart(self) -> None:
        if self.stepper is not None:
            self._move(self.stepper.restart)

    def _move(self, how) -> None:
        was_update = self.view is not None and self.view.stage.kind == "update"
        step_before = self.stepper.step_index
        view = how()
        now_update = view.stage.kind == "update"
        same_step = step_before == self.stepper.step_index
        # arriving at an update from the next step (←), the network already holds its weights
        if now_update and not was_update and same_step:
            self._apply_update()
        elif was_update and not now_update and same_step:
            self._revert_update()
        self._show(view)

    def _apply_update(self) -> None:
        step = self.stepper.step(self.stepper.step_index)
        while len(self._pushed) > step.number:  # a stale entry from an earlier visit
            self._pushed.pop()
        from ..commands import SetParametersCommand  # the same command training pushes
        cmd = SetParametersCommand(self.doc, _copy(step.before), _copy(step.after),
                                   f"Step-through update (step {step.number + 1})")
        self._applying = True
        try:
            self.doc.push(cmd, user_edit=False)
        finally:
            self._applying = False
        self._pushed.append(cmd)

    def _revert_update(self) -> None:
        step = self.stepper.step(self.stepper.step_index)
        stack = self.doc.undo_stack
        ours = self._pushed.pop() if len(self._pushed) > step.number else None
        self._applying = True
        try:
            if ours is not None and stack.index() > 0 and stack.command(stack.index() - 1) is ours:
                stack.undo()  # the step never happened: Redo brings it back like any undone edit
            else:
                from ..commands import SetParametersCommand
                self.doc.push(SetParametersCommand(self.doc, _copy(step.after), _copy(step.before),
                                                   "Step-through: back before the update"), user_edit=False)
        finally:
            self._applying = False

    def _show(self, view: StageView | None) -> None:
        self.view = view
        self.stage_changed.emit(view)

    # ----------------------------------------------------------------- auto-play
    def set_delay(self, seconds: float) -> None:
        self.delay = float(min(MAX_DELAY, max(MIN_DELAY, seconds)))
        if self._timer.isActive():
            self._timer.start(int(self.delay * 1000))

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if self.active and not self._timer.isActive():
            self._timer.start(int(self.delay * 1000))
            self.playing_changed.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        self.forward()

    # ----------------------------------------------------------------- document events
    def _on_document_changed(self) -> None:
        if self._applying or not self.active:
            return
        if self.stepper is not None and self._signature() == self._built_from and \
                _same(self.doc.network.get_parameters(), self.stepper.shown_parameters()):
            return
        self.pause()
        self._rebuild()

    def _signature(self) -> tuple:
        """Everything besides the weights that the step's numbers depend on."""
        net, cfg = self.doc.network, self.doc.project.training
        return (tuple(tuple(layer.names) for layer in net.layers), net.loss, net.fixed_biases,
                tuple(net.activation_of(li, k) for li in range(1, len(net.layers))
                      for k in range(net.layers[li].size)),
                tuple(sorted(net.connection_labels.items())), tuple(sorted(net.bias_labels.items())),
                cfg.optimizer.learning_rate, cfg.batch_size)

    def _on_dataset_changed(self) -> None:
        if self.active and self.custom is None:
            self.pause()
            self.sample = 0
            self._rebuild()

    def _on_project_replaced(self) -> None:
        self.custom = None
        self.sample = 0
        digits = self.doc.project.display_digits
        self.set_digits(digits if digits is not None else DEFAULT_DIGITS)
        if self.active and not self._rebuild():
            self.leave()


def _copy(params):
    w, b = params
    return {k: v.copy() for k, v in w.items()}, [v.copy() for v in b]


def _same(a, b) -> bool:
    (wa, ba), (wb, bb) = a, b
    return set(wa) == set(wb) and all(wa[k].shape == wb[k].shape and np.array_equal(wa[k], wb[k]) for k in wa) \
        and len(ba) == len(bb) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(ba, bb))
