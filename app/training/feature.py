"""Wires the training feature into the main window: controller, docks, actions, menu, toolbar,
status bar and close hook. ``install_training(window)`` (package ``__init__``) builds one."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from ..on_screen import refresh_when_shown, show_tab
from ..scrolling import scrollable
from .controller import PAUSED, RUNNING, TrainingController, params_equal, params_fit
from .decision_map import DecisionMap
from .dock import TrainingPanel
from .glow import STEP_SWEEP_SECONDS, GlowAnimator, GlowLegend
from .loss_plot import LossPlot
from .probe import PredictionProbe
from .quiet_label import QuietLabel
from .relaxation_view import RelaxationView

ACTIONS = [  # key, text, shortcut, tip
    ("start", "&Start", "F5", "Train from the current weights for the configured number of epochs"),
    ("pause", "&Pause", "F6", "Pause after the current epoch; the weights so far become one undo step"),
    ("resume", "&Resume", "F7", "Carry on from the network as it stands (optimiser state restarts)"),
    ("stop", "S&top", "Shift+F5", "Stop training after the current epoch"),
    ("step", "Step one &epoch", "F10", "Train exactly one epoch and show the backward sweep"),
    ("reset", "Reset &weights", "Ctrl+Shift+R",
     "Bring back the weights the network was opened (or last saved) with; Network ▸ Randomise draws new ones"),
]


class TrainingFeature(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        doc = self.document = window.document
        self.controller = TrainingController(doc, self)
        self.controller.priority.window = window
        self.actions: dict[str, QAction] = {}
        for key, text, shortcut, tip in ACTIONS:
            act = QAction(text, window)
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{tip} ({shortcut})")
            act.setStatusTip(tip)
            self.actions[key] = act
        self.actions["start"].triggered.connect(self.controller.start)
        self.actions["pause"].triggered.connect(self.controller.pause)
        self.actions["resume"].triggered.connect(self.controller.resume)
        self.actions["stop"].triggered.connect(self.controller.stop)
        self.actions["step"].triggered.connect(self.controller.step)
        self.actions["reset"].triggered.connect(self.reset_weights)

        self.panel = TrainingPanel(doc, self.controller, self.actions)
        self.legend = GlowLegend(self._glow_colour())
        self.loss_plot = LossPlot()
        self.decision_map = DecisionMap(doc, self.controller.apply_edit)
        self.probe = PredictionProbe(doc)
        for view in (self.loss_plot, self.decision_map, self.probe):
            view.priority = self.controller.priority.block
        scene = getattr(window, "scene", None)
        self.controller.priority.scenes = [s for s in (scene, self.loss_plot.plot.scene(),
                                              self.decision_map.plot.scene()) if s is not None]
        self.glow = GlowAnimator(scene.set_glow if scene is not None else (lambda values: None), self)
        self.glow.scale_changed.connect(self.legend.set_scale)
        self.controller.sweep_running = lambda: self.glow.sweeping

        self.docks: dict[str, QDockWidget] = {}
        self.glow_last_report = None
        controls = QWidget()
        lay = QVBoxLayout(controls)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.legend)
        lay.addWidget(self.panel)
        self._add_dock("training", "Training", scrollable(controls), Qt.LeftDockWidgetArea)
        self._add_dock("loss", "Loss", self.loss_plot, Qt.BottomDockWidgetArea)
        self._add_dock("map", "Input plane", scrollable(self.decision_map), Qt.RightDockWidgetArea,
                       self.decision_map.schedule)
        self._add_dock("probe", "Prediction probe", scrollable(self.probe), Qt.RightDockWidgetArea, self.probe.schedule)
        if len(self.docks) == 4 and hasattr(window, "tabifyDockWidget"):
            window.tabifyDockWidget(self.docks["map"], self.docks["probe"])
            show_tab(self.docks["map"])
        self.relaxation = RelaxationView(doc, scene.set_glow if scene is not None else None,
                                         getattr(window, "editor", None))
        self._add_dock("relaxation", "Relaxation", scrollable(self.relaxation), Qt.RightDockWidgetArea,
                       self.relaxation.refresh_if_dirty)

        menu = getattr(window, "train_menu", None)
        if menu is not None:
            for key in ("start", "pause", "resume", "stop", "step"):
                menu.addAction(self.actions[key])
            menu.addSeparator()
            menu.addAction(self.actions["reset"])
            menu.addSeparator()
            for dock in self.docks.values():
                menu.addAction(dock.toggleViewAction())
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            toolbar.addSeparator()
            for key in ("start", "pause", "resume", "stop", "step"):
                toolbar.addAction(self.actions[key])
        self.status_label = QuietLabel("")
        self._status_epoch: int | None = None  # the epoch the status bar's figures are of
        if hasattr(window, "statusBar"):
            window.statusBar().addPermanentWidget(self.status_label)
        hooks = getattr(window, "close_requested_hooks", None)
        if hooks is not None:
            hooks.append(self.controller.shutdown)

        c = self.controller
        c.epochs_reported.connect(self._on_epochs_reported)
        c.stats_changed.connect(self._on_stats)
        c.state_changed.connect(self._update_actions)
        c.run_started.connect(self._on_run_started)
        c.run_ended.connect(self._update_actions)
        c.run_ended.connect(self._on_run_ended)
        c.message.connect(self._show_message)
        c.priority.live_scale_changed.connect(self._on_live_scale)
        self.panel.speed_changed.connect(self._on_speed_changed)
        doc.history_changed.connect(self._on_history_changed)
        doc.structure_changed.connect(self.glow.clear)
        doc.project_replaced.connect(self.glow.clear)
        doc.project_replaced.connect(self._raise_useful_tab)
        doc.project_replaced.connect(self.remember_opened)
        doc.modified_changed.connect(self.remember_opened)
        self.remember_opened()
        hovered = getattr(scene, "neuron_hovered", None)
        if hovered is not None:
            hovered.connect(self._on_neuron_hovered)
        self._on_history_changed()
        self._update_actions()

    def _add_dock(self, key: str, title: str, widget: QWidget, area, shown=None) -> None:
        """``shown``: called when the dock comes into view (its tab selected; see app/on_screen.py)."""
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"training_{key}_dock")
        dock.setWidget(widget)
        if shown is not None:
            refresh_when_shown(dock, shown)
        if hasattr(self.window, "addDockWidget"):
            self.window.addDockWidget(area, dock)
        self.docks[key] = dock

    @staticmethod
    def _glow_colour():
        try:
            from app import style
            return style.GLOW
        except ImportError:
            return "#ff7800"

    # ----------------------------------------------------------------- slots
    @Slot(object)
    def _on_epochs_reported(self, batch) -> None:
        """One training frame (the controller holds the worker meanwhile): every view follows."""
        self.glow_last_report = batch.last
        self.glow.show_reports([batch.last])
        # At most one heavy view per frame (canvas weights, loss plot, map), so no frame holds
        # the GUI thread much longer than one of them: the others are due again next frame.
        busy = self.controller.frame_busy and self.controller.full_speed
        busy = self.loss_plot.append_batch(batch, draw=not busy) or busy
        if not busy or not self.controller.full_speed:
            self.decision_map.refresh_if_due()
        self.probe.refresh_if_due()

    @Slot(int, float, float)
    def _on_stats(self, epoch: int, loss: float, rate: float) -> None:
        self._status_epoch = epoch
        # no rate for a single step or a run's first report ("0 epochs/s" said nothing)
        speed = f" · {rate:,.0f} epochs/s" if rate > 0 else ""
        self.status_label.setText(f"Epoch {epoch} · loss {loss:.5g}{speed}")

    @Slot(str)
    def _show_message(self, text: str) -> None:
        if hasattr(self.window, "statusBar"):
            self.window.statusBar().showMessage(text, 8000)

    @Slot(float)
    def _on_live_scale(self, scale: float) -> None:
        """The controller measured a busy GUI thread: every live view updates less often."""
        if self.controller.epochs_per_second or self.controller.stepping:
            return
        for view in (self.loss_plot, self.decision_map, self.probe):
            view.slowdown = scale

    @Slot(bool)
    def _on_run_started(self, stepping: bool) -> None:
        eps = self.controller.epochs_per_second
        # The sweep takes most of the time between two epochs (the speed setting), then the
        # weights change: forward, backward sweep, update, as a class follows it.
        if stepping:
            sweep = 0.8 / eps if eps else STEP_SWEEP_SECONDS
        else:
            sweep = 0.8 / eps if eps else 0.0
        self.glow.set_sweep_seconds(sweep)
        self.controller.sweep_seconds = sweep
        full = not (stepping or eps)  # the controller's frames then pace every view
        # slowed down or stepping, the GUI is idle between epochs: every view follows each epoch
        slow = 0.0 if (stepping or eps) else self.controller.priority.live_scale
        self._set_live_canvas(not (stepping or eps))  # slowed or stepping: every edge as drawn
        for view in (self.loss_plot, self.decision_map, self.probe):
            view.slowdown = slow
        self.decision_map.live = self.probe.live = self.loss_plot.live = full
        self._update_actions()

    @Slot()
    def _raise_useful_tab(self) -> None:
        """The input-plane map needs two inputs; otherwise show the probe in its place."""
        if self.document.network.is_recurrent and "relaxation" in self.docks:
            show_tab(self.docks["relaxation"])
        elif "map" in self.docks and "probe" in self.docks:
            two = self.document.network.n_inputs == 2
            show_tab(self.docks["map" if two else "probe"])

    def _set_live_canvas(self, on: bool) -> None:
        scene = getattr(self.window, "scene", None)
        if scene is not None and hasattr(scene, "set_live"):
            scene.set_live(on)

    @Slot(object)
    def _on_run_ended(self, _result) -> None:
        self._set_live_canvas(False)
        if self.loss_plot.live:  # the 2 px curves again
            self.loss_plot.live = False
            self.loss_plot.redraw()
        for view in (self.decision_map, self.probe):  # the last epoch, the map at full resolution
            if view.live:
                view.live = False
                view.schedule()

    @Slot(object)
    def _on_speed_changed(self, eps) -> None:
        self.controller.set_speed(eps)
        if self.controller.running and not self.controller.stepping:
            self._on_run_started(False)

    def clear_status(self) -> None:
        self._status_epoch = None
        self.status_label.clear()

    @Slot()
    def _on_history_changed(self) -> None:
        hist = self.document.project.history
        self.loss_plot.set_history(hist)
        # an undo, a redo or a Reset between runs: the status bar's figures follow the history,
        # as the toolbar's do (they kept an undone run's last epoch); a run that just ended
        # keeps its line, rate included
        if not self.controller.running and (hist[-1].epoch if hist else None) != self._status_epoch:
            self._status_epoch = hist[-1].epoch if hist else None
            self.status_label.setText(f"Epoch {hist[-1].epoch} · loss {hist[-1].loss:.5g}" if hist else "")

    @Slot(object)
    def _on_neuron_hovered(self, key) -> None:
        net = self.document.network
        if key is not None and 0 < key[0] < len(net.layers) - 1:
            self.decision_map.show_neuron(tuple(key))
        else:
            self.decision_map.show_neuron(None)

    @Slot()
    def _update_actions(self, *_) -> None:
        c = self.controller
        busy = c.running
        self.actions["start"].setEnabled(not busy)
        self.actions["pause"].setEnabled(busy and c.state == RUNNING)
        self.actions["resume"].setEnabled(not busy and c.state == PAUSED)
        self.actions["stop"].setEnabled(busy or c.state == PAUSED)
        self.actions["step"].setEnabled(not busy)
        self.actions["reset"].setEnabled(True)

    @Slot()
    def remember_opened(self) -> None:
        """The weights and history of the file as opened or saved: what Reset brings back."""
        doc = self.document
        if doc.undo_stack.isClean():
            self._opened = (doc.network.get_parameters(), list(doc.project.history))

    @Slot()
    def reset_weights(self) -> None:
        c = self.controller
        if c.running:
            c.stop(wait=True)
        elif c.state == PAUSED:
            c.stop()
        doc = self.document
        opened = getattr(self, "_opened", None)
        if opened is None or not params_fit(doc.network, *opened[0]):
            self._show_message("The network's layout changed since it was opened; "
                               "Network ▸ Randomise Weights draws new ones")
            return
        (w, b), history = opened
        if params_equal((w, b), doc.network.get_parameters()):
            self._show_message("The weights are already those the network was opened with")
        else:
            doc.set_parameters(w, b, "Reset weights")
        doc.clear_history()
        if history:
            doc.append_history(list(history))
        self.glow.clear()
