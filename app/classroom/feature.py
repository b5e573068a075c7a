"""Wires the step-through into the main window: the mode's actions (Train menu, toolbar, → ←
Space Home), its two docks, the canvas overlay, selection → Explain, the precision setting the
whole canvas follows, and the "Keep biases fixed" setting."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QDockWidget

from core.explain import BiasRef, ConnectionRef, NeuronRef, explain

from .. import style
from ..canvas.items import ConnectionItem, NeuronItem
from ..on_screen import show_tab
from ..training.glow import GLOW_MODES
from .overlay import ClassroomOverlay
from .panel import ClassroomPanel
from .session import ClassroomSession
from .table import StepTable

SHORT_SCREEN = 800  # px of available height; at or below it the canvas keeps the full height
ACTIONS = [  # key, text, shortcuts, tip
    ("classroom", "Step &Through (Classroom)", ["F9"],
     "Follow one training step stage by stage, every number on the canvas; F9 again leaves"),
    ("stage_forward", "Forward ▶", ["Right", "Space"], "Next stage (→ or Space)"),
    ("stage_back", "◀ Back", ["Left"], "Previous stage, exactly as it was (←)"),
    ("stage_restart", "|◀ Restart", ["Home"], "Back to the first stage of this step (Home)"),
    ("stage_play", "▶ Play", ["Ctrl+Space"], "Advance one stage per delay; again to pause (Ctrl+Space)"),
    ("fixed_biases", "Keep &Biases Fixed", [], "Training changes the weights only (Mazur's worked "
                                                "example does not train biases)"),
]


class SetFixedBiasesCommand(QUndoCommand):
    def __init__(self, doc, on: bool) -> None:
        super().__init__("Keep biases fixed" if on else "Train biases")
        self.doc, self.on = doc, on

    def redo(self) -> None:
        self._write(self.on)

    def undo(self) -> None:
        self._write(not self.on)

    def _write(self, on: bool) -> None:
        self.doc.network.fixed_biases = on
        self.doc.training_config_changed.emit()


class ClassroomFeature(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.scene = window.scene
        self.session = ClassroomSession(self.doc, self)
        self.overlay: ClassroomOverlay | None = None
        self._saved_layout = None
        self._replacing = False
        self._watching_training = False
        self._refresh_later = QTimer(self, singleShot=True, interval=0)
        self._refresh_later.timeout.connect(self._refresh_values)
        self._fit_later = QTimer(self, singleShot=True, interval=80)  # coalesces a dock drag's resizes
        self._fit_later.timeout.connect(self.fit)
        self._view_auto_fit = None
        self.glow_mode = "layer"
        self.actions: dict[str, QAction] = {}
        for key, text, keys, tip in ACTIONS:
            act = QAction(text, window)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setToolTip(f"{tip}")
            act.setStatusTip(tip)
            self.actions[key] = act
            window.addAction(act)
        self.actions["classroom"].setCheckable(True)
        self.actions["fixed_biases"].setCheckable(True)
        self.actions["classroom"].triggered.connect(self.set_active)
        self.actions["stage_forward"].triggered.connect(self.session.forward)
        self.actions["stage_back"].triggered.connect(self.session.back)
        self.actions["stage_restart"].triggered.connect(self.session.restart)
        self.actions["stage_play"].triggered.connect(self.session.toggle_play)
        self.actions["fixed_biases"].triggered.connect(self._toggle_fixed_biases)

        self.panel = ClassroomPanel(self.session, self.actions)
        self.table = StepTable()
        self.panel_dock = self._dock("Step-through", "classroom_dock", self.panel, Qt.RightDockWidgetArea)
        self.table_dock = self._dock("Step table", "classroom_table_dock", self.table, Qt.BottomDockWidgetArea)
        self.panel.glow_mode_changed.connect(self._on_glow_mode)
        self.table.row_chosen.connect(self._on_row_chosen)
        self.table.row_hovered.connect(self._on_row_hovered)
        self._hovered_item = None

        menu = getattr(window, "train_menu", None)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.actions["classroom"])
            menu.addAction(self.actions["fixed_biases"])
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.actions["classroom"])
        self._precision_menu()

        s = self.session
        s.stage_changed.connect(self._on_stage)
        s.active_changed.connect(self._on_active)
        s.digits_changed.connect(self._on_digits)
        s.message.connect(window.show_status)
        self.scene.selectionChanged.connect(self._explain_selection)
        self.scene.layout_changed.connect(self._ensure_overlay)
        self.doc.project_replaced.connect(self._on_project_replaced)
        self.doc.training_config_changed.connect(self._sync_fixed_biases)
        self.doc.dataset_changed.connect(self.panel.fill_samples)
        self._on_project_replaced()
        self._on_active(False)

    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        dock.hide()
        return dock

    def _precision_menu(self) -> None:
        bar = self.window.menuBar()
        view = next((a.menu() for a in bar.actions() if a.menu() and a.text().replace("&", "") == "View"), None)
        if view is None:
            return
        glow = view.addMenu("δ &Glow Scale")
        glow_group = QActionGroup(self.window)
        self.glow_actions = {}
        for mode, text in GLOW_MODES.items():
            act = glow.addAction(text[0].upper() + text[1:])
            act.setCheckable(True)
            act.triggered.connect(lambda checked=False, m=mode: self.set_glow_mode(m))
            glow_group.addAction(act)
            self.glow_actions[mode] = act
        self.glow_actions[self.glow_mode].setChecked(True)
        sub = view.addMenu("&Precision")
        group = QActionGroup(self.window)
        self.precision_actions = {}
        for d in range(3, 10):
            act = sub.addAction(f"{d} significant digits")
            act.setCheckable(True)
            act.triggered.connect(lambda checked=False, d=d: self.session.set_digits(d))
            group.addAction(act)
            self.precision_actions[d] = act

    # ----------------------------------------------------------------- mode
    @Slot(bool)
    def set_active(self, on: bool) -> None:
        training = getattr(self.window, "training", None)
        if on:
            if training is not None and training.controller.running:
                training.controller.pause(wait=True)
            self.session.enter()
            if training is not None and not self._watching_training:
                training.controller.run_started.connect(self._on_training_started)
                self._watching_training = True
        else:
            self.session.leave()

    @Slot(bool)
    def _on_training_started(self, _stepping: bool) -> None:
        """Training changes the weights every few milliseconds: the step-through steps aside."""
        if self.session.active:
            self.set_active(False)
            self.window.show_status("Training started: the step-through has ended (F9 starts it again)")

    @Slot(bool)
    def _on_active(self, on: bool) -> None:
        self.actions["classroom"].setChecked(on)
        for key in ("stage_forward", "stage_back", "stage_restart", "stage_play"):
            self.actions[key].setEnabled(on)
        if shiboken6.isValid(self.scene) and self.scene.value_labels_hidden != on:
            self.scene.value_labels_hidden = on  # the overlay's boxes replace them, placed apart
            self.scene.set_values_mode(self.scene.values_mode)
        self._own_the_fit(on)
        if on:
            self._ensure_overlay()
            self._classroom_layout()
            self.panel.set_explanation(None)
            self._explain_selection()
        else:
            if self.overlay is not None and shiboken6.isValid(self.overlay):
                self.scene.removeItem(self.overlay)
            self.overlay = None
            self.table.show_stage(None, self.session.digits)
            self.panel_dock.hide()
            self.table_dock.hide()
            if self._saved_layout is not None:
                self.window.restoreState(self._saved_layout)
                self._saved_layout = None

    def _classroom_layout(self) -> None:
        """The canvas gets the room: other docks step aside (and come back on leaving)."""
        w = self.window
        self._saved_layout = w.saveState()
        for dock in w.findChildren(QDockWidget):
            if dock not in (self.panel_dock, self.table_dock) and not dock.isFloating():
                dock.hide()
        w.addDockWidget(Qt.RightDockWidgetArea, self.panel_dock)
        w.addDockWidget(Qt.BottomDockWidgetArea, self.table_dock)
        self.panel_dock.show()
        self.table_dock.show()
        w.resizeDocks([self.panel_dock], [380], Qt.Horizontal)
        if self.short_screen():
            # after the other features' own reactions to entering (the Landscape docks itself
            # beside the table): then everything below the canvas goes into the panel's tabs
            QTimer.singleShot(0, self._tab_docks_beside_panel)
        else:
            w.resizeDocks([self.table_dock], [190], Qt.Vertical)
        QTimer.singleShot(120, self.fit)  # once the docks have stepped aside and the view resized

    def _own_the_fit(self, on: bool) -> None:
        """While stepping, a resized view is fitted to the network *and* its value boxes (the
        view's own fit knows only the network, and cut off the outputs' boxes on the right)."""
        view = getattr(self.window, "view", None)
        if view is None:
            return
        if on and self._view_auto_fit is None:
            self._view_auto_fit = view.auto_fit
            view.auto_fit = False
            view.installEventFilter(self)
        elif not on and self._view_auto_fit is not None:
            view.removeEventFilter(self)
            view.setSceneRect(QRectF())  # follows the scene's own again
            view.auto_fit, self._view_auto_fit = self._view_auto_fit, None
            if view.auto_fit:
                view.fit_to_window()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize and self.session.active:
            self._fit_later.start()
        return False

    def short_screen(self) -> bool:
        """A projector's 720 or 768 lines: the table below the canvas would leave it half the height."""
        screen = self.window.screen()
        return screen is not None and screen.availableGeometry().height() <= SHORT_SCREEN

    def _tab_docks_beside_panel(self) -> None:
        """The canvas takes the whole height: the Step table (and a Landscape in use) wait as tabs
        beside the Step-through panel, one click away."""
        w = self.window
        if not self.session.active:
            return
        for dock in w.findChildren(QDockWidget):
            if dock is not self.panel_dock and not dock.isHidden() and not dock.isFloating():
                w.tabifyDockWidget(self.panel_dock, dock)
        show_tab(self.panel_dock)

    def fit(self) -> None:
        """Fit the network and every box the step will draw (its richest stage) into the view."""
        st, view = self.session.stepper, getattr(self.window, "view", None)
        if view is None or not self.session.active:
            return
        rect = self.scene.sceneRect()
        if st is not None and self.overlay is not None:
            for stage in (st.stage_count() - 2, st.stage_count() - 1):  # the richest: last backward, update
                content = self.overlay.content_rect(st.view_at(st.step_index, stage), self.session.digits)
                rect = rect.united(content.adjusted(-10, -10, 10, 10))
        # the view scrolls only within its scene rect: widened to the boxes, none is cut off
        view.setSceneRect(rect.united(self.scene.sceneRect()))
        view.fitInView(rect, Qt.KeepAspectRatio)
        scale = view.transform().m11()
        if scale > 1.6:  # small networks: not larger than a comfortable reading size
            view.resetTransform()
            view.scale(1.6, 1.6)
            view.centerOn(rect.center())

    @Slot()
    def _ensure_overlay(self) -> None:
        if not self.session.active:
            return
        if self.overlay is None or not shiboken6.isValid(self.overlay) or self.overlay.scene() is not self.scene:
            self.overlay = ClassroomOverlay(self.scene)
            self.scene.addItem(self.overlay)
        self.overlay.show_stage(self.session.view, self.session.digits, self.glow_mode)

    @Slot(object)
    def _on_stage(self, view) -> None:
        if self.overlay is not None and shiboken6.isValid(self.overlay):
            self.overlay.show_stage(view, self.session.digits, self.glow_mode)
        self.table.show_stage(view, self.session.digits)
        self._explain_selection()

    @Slot(int)
    def _on_digits(self, digits: int) -> None:
        style.set_digits(digits)
        if digits in getattr(self, "precision_actions", {}):
            self.precision_actions[digits].setChecked(True)
        # Rewrite every value on the canvas once the event in hand is done: a new project emits
        # this before its scene is rebuilt, when the items still show the old network.
        self._refresh_later.start()

    def _refresh_values(self) -> None:
        if shiboken6.isValid(self.scene):
            self.scene.set_values_mode(self.scene.values_mode)
            self._on_stage(self.session.view)

    def set_glow_mode(self, mode: str) -> None:
        """One scale for the whole network, a scale per layer, or logarithmic (GLOW_MODES)."""
        combo = self.panel.glow_combo
        combo.setCurrentIndex(combo.findData(mode))  # emits glow_mode_changed if it changed
        self._on_glow_mode(mode)

    @Slot(str)
    def _on_glow_mode(self, mode: str) -> None:
        self.glow_mode = mode
        if mode in getattr(self, "glow_actions", {}):
            self.glow_actions[mode].setChecked(True)
        training = getattr(self.window, "training", None)
        if training is not None:  # live training's glow and legend follow the same choice
            training.glow.mode = mode
            training.legend.set_mode(mode)
        self._on_stage(self.session.view)

    # ----------------------------------------------------------------- explain
    def selected_ref(self):
        if not shiboken6.isValid(self.scene):  # the window is closing
            return None
        items = self.scene.selectedItems()
        view = self.session.view
        if view is None or len(items) != 1:
            return None
        item = items[0]
        net = self.doc.network
        try:
            if isinstance(item, NeuronItem):
                return NeuronRef(net.name_of(item.layer, item.index))
            if isinstance(item, ConnectionItem):
                ls, i, ld, j = item.key
                return ConnectionRef(net.name_of(ls, i), net.name_of(ld, j))
        except IndexError:
            return None
        return None

    @Slot()
    def _explain_selection(self) -> None:
        view = self.session.view
        ref = self.selected_ref()
        if view is None or ref is None:
            self.panel.set_explanation(None)
            return
        try:
            e = explain(view, ref, self.session.digits)
        except StopIteration:  # the selection belongs to a network the stage does not show yet
            e = None
        self.panel.set_explanation(e)
        if isinstance(ref, NeuronRef):
            self.table.select_key("neuron", ref.name)
        else:
            self.table.select_key("connection", (ref.source, ref.target))

    @Slot(object)
    def _on_row_chosen(self, chosen) -> None:
        kind, key = chosen
        net = self.doc.network
        try:
            if kind == "connection":
                self.scene.select(connections=[(*net.find(key[0]), *net.find(key[1]))])
            else:
                self.scene.select(neurons=[net.find(key)])
        except KeyError:
            return
        if kind == "bias" and self.session.view is not None:
            self.panel.set_explanation(explain(self.session.view, BiasRef(key), self.session.digits))

    @Slot(object)
    def _on_row_hovered(self, chosen) -> None:
        """Hovering a row of the table highlights its connection or neuron on the canvas."""
        old, self._hovered_item = self._hovered_item, None
        if old is not None and shiboken6.isValid(old):
            old.hovered = False
            old.update()
        if chosen is None:
            return
        kind, key = chosen
        net = self.doc.network
        try:
            if kind == "connection":
                item = self.scene.edge_items.get((*net.find(key[0]), *net.find(key[1])))
            else:
                item = self.scene.neuron_item(*net.find(key))
        except (KeyError, IndexError):
            return
        if item is not None:
            item.hovered = True
            item.update()
            self._hovered_item = item

    # ----------------------------------------------------------------- settings
    @Slot()
    def _on_project_replaced(self) -> None:
        self._replacing = True
        try:
            digits = self.doc.project.display_digits
            if digits is not None:
                self.session.set_digits(digits)
            self._on_digits(self.session.digits)
        finally:
            self._replacing = False
        self._sync_fixed_biases()
        self.panel.fill_samples()

    @Slot()
    def _sync_fixed_biases(self) -> None:
        self.actions["fixed_biases"].setChecked(self.doc.network.fixed_biases)

    def _toggle_fixed_biases(self) -> None:
        on = self.actions["fixed_biases"].isChecked()
        if on != self.doc.network.fixed_biases:
            self.doc.push(SetFixedBiasesCommand(self.doc, on))
