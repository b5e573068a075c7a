"""The main window: composes the canvas, docks, menus, toolbar and status bar. Features live in
their own modules (document, editor, canvas, panels, files, actions); this module wires them."""
from __future__ import annotations

import random
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QUndoView

from .actions import build_actions
from .canvas.scene import NetworkScene
from .canvas.view import NetworkView
from .document import Document
from .editor import Editor
from .files import FileController, examples
from .scrolling import scrollable
from .panels.inspector import Inspector
from .panels.network_panel import NetworkPanel

APP_NAME = "Backprop Studio"
VIEW_SHORTCUTS = ("delete", "add_neuron", "tool_select", "tool_connect", "fit")


class HistoryView(QUndoView):
    """Edit → History: clicking a step emits about_to_edit before the stack moves."""

    def __init__(self, document: Document) -> None:
        super().__init__(document.undo_stack)
        self.doc = document
        self.setEmptyLabel("<opened file>")

    def mousePressEvent(self, event) -> None:
        self.doc.emit_about_to_edit()
        super().mousePressEvent(event)


class MainWindow(QMainWindow):
    def __init__(self, document: Document | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.close_requested_hooks: list = []
        self.document = document or Document(parent=self)
        self.editor = Editor(self.document, self)
        self.scene = NetworkScene(self.document, self.editor, self)
        self.view = NetworkView(self.scene)
        self.setCentralWidget(self.view)
        self.files = FileController(self, self.document)
        self._seed = random.Random()
        self.actions = build_actions(self)
        for name in VIEW_SHORTCUTS:
            self.actions[name].setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(self.actions[name])
        self.view.enter_pressed.connect(self.actions["edit_value"].trigger)
        self._build_docks()
        self._build_menus()
        self._build_toolbar()
        self.hint = QLabel()
        self.statusBar().addPermanentWidget(self.hint)
        self.statusBar().showMessage("Drag from a neuron's dot to connect · double-click a value "
                                     "to edit it · wheel zooms · middle button pans", 8000)
        self.editor.status_message.connect(self.show_status)
        self.scene.status_message.connect(self.show_status)
        self.document.modified_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.document.project_replaced.connect(self._on_project_replaced)
        self.document.structure_changed.connect(self._update_hint)
        self.files.recent_changed.connect(self._fill_recent)
        self.resize(1280, 800)
        self._update_title()
        self._update_hint()
        self._fit_pending = True
        from app.training import install_training
        install_training(self)
        from app.classroom import install_classroom
        install_classroom(self)
        self._default_layout()
        self._restore_settings()  # after every dock exists, training's included

    # ----------------------------------------------------------------- composition
    def _build_docks(self) -> None:
        a = self.actions
        self.inspector = Inspector(self.document, self.editor, self.scene, a)
        self.network_panel = NetworkPanel(self.document, self.editor, self.scene, a)
        self.history_view = HistoryView(self.document)
        self.inspector_dock = self._dock("Inspector", "InspectorDock", scrollable(self.inspector),
                                         Qt.RightDockWidgetArea)
        self.network_dock = self._dock("Network", "NetworkDock", scrollable(self.network_panel),
                                       Qt.RightDockWidgetArea)
        self.history_dock = self._dock("History", "HistoryDock", self.history_view, Qt.LeftDockWidgetArea)
        self.history_dock.hide()

    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        a, bar = self.actions, self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([a["new"], a["open"]])
        self.recent_menu = file.addMenu("Open &Recent")
        self.examples_menu = file.addMenu("&Examples")
        for ex in examples():
            act = self.examples_menu.addAction(ex.title)
            act.setStatusTip(ex.description or ex.name)
            act.triggered.connect(lambda checked=False, n=ex.name: self.files.open_example(n))
        file.addSeparator()
        file.addActions([a["save"], a["save_as"]])
        file.addSeparator()
        file.addActions([a["import_snns"], a["export"]])
        file.addSeparator()
        file.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        edit.addActions([a["undo"], a["redo"]])
        history = self.history_dock.toggleViewAction()
        history.setText("&History")
        history.setShortcut(QKeySequence("Ctrl+H"))
        edit.addAction(history)
        edit.addSeparator()
        edit.addActions([a["delete"], a["select_all"], a["rename"], a["edit_value"]])
        view = bar.addMenu("&View")
        view.addActions([a["zoom_in"], a["zoom_out"], a["zoom_reset"], a["fit"]])
        view.addSeparator()
        view.addActions([a["values_auto"], a["values_on"], a["values_off"], a["legend"]])
        view.addSeparator()
        view.addActions([a["auto_layout"]])
        view.addSeparator()
        for dock in (self.inspector_dock, self.network_dock):
            view.addAction(dock.toggleViewAction())
        net = bar.addMenu("&Network")
        net.addActions([a["tool_select"], a["tool_connect"]])
        net.addSeparator()
        net.addActions([a["add_layer_before"], a["add_layer_after"], a["remove_layer"], a["add_neuron"]])
        net.addSeparator()
        net.addActions([a["connect_fully"], a["disconnect_layers"]])
        net.addSeparator()
        net.addActions([a["randomise"], a["randomise_layer"], a["set_all"], a["set_all_layer"]])
        self.network_menu = net
        self.train_menu = QMenu("&Train", self)
        bar.addMenu(self.train_menu)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([a["shortcuts"], a["about"]])
        self._fill_recent()

    def _build_toolbar(self) -> None:
        a = self.actions
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("MainToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for name in ("new", "open", "save", None, "undo", "redo", None, "tool_select", "tool_connect",
                     None, "fit", "zoom_in", "zoom_out", None, "add_layer_after", "add_neuron",
                     "randomise"):
            if name is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(a[name])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent_files()
        for path in recent:
            act = self.recent_menu.addAction(Path(path).name)
            act.setStatusTip(path)
            act.triggered.connect(lambda checked=False, p=path: self.files.open(p))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", self.files.clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    # ----------------------------------------------------------------- state shown
    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self, *_: object) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_NAME}")
        self.setWindowModified(self.document.modified)

    def _update_hint(self) -> None:
        net = self.document.network
        self.hint.setText(f"{'-'.join(map(str, net.sizes))} · {net.num_connections:,} connections")

    def _on_project_replaced(self) -> None:
        self._update_title()
        self._fit_pending = True
        QTimer.singleShot(0, self._fit_if_pending)

    def _fit_if_pending(self) -> None:
        if self._fit_pending and self.view.isVisible():
            self._fit_pending = False
            self.view.fit_to_window()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_if_pending)

    def set_tool(self, tool: str) -> None:
        self.scene.set_tool(tool)
        self.actions["tool_" + tool].setChecked(True)

    def toggle_legend(self) -> None:
        self.view.show_legend = self.actions["legend"].isChecked()
        self.view.viewport().update()

    def next_seed(self) -> int:
        return self._seed.randrange(1000)

    def show_shortcuts(self) -> None:
        rows = []
        for action in self.actions.values():
            keys = ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
            if keys:
                rows.append(f"<tr><td>{action.text().replace('&', '')}</td><td><b>{keys}</b></td></tr>")
        rows += ["<tr><td>Zoom</td><td><b>Wheel</b></td></tr>",
                 "<tr><td>Pan</td><td><b>Middle button, or Space + drag</b></td></tr>",
                 "<tr><td>Select several</td><td><b>Drag on empty canvas, Ctrl+click</b></td></tr>"]
        QMessageBox.information(self, "Keyboard shortcuts", "<table>" + "".join(rows) + "</table>")

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b><p>Draw a neural network, edit every weight by hand, "
                          "train it with backpropagation and watch it learn.</p>")

    def _default_layout(self) -> None:
        """The canvas gets most of the window: side docks narrow, bottom docks short."""
        docks = [d for d in self.findChildren(QDockWidget) if not d.isFloating()]
        side = [d for d in docks if self.dockWidgetArea(d) in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea)]
        bottom = [d for d in docks if self.dockWidgetArea(d) in (Qt.TopDockWidgetArea, Qt.BottomDockWidgetArea)]
        if side:
            self.resizeDocks(side, [300] * len(side), Qt.Horizontal)
        if bottom:
            self.resizeDocks(bottom, [170] * len(bottom), Qt.Vertical)
        column = [self.inspector_dock, self.network_dock]
        training_docks = getattr(getattr(self, "training", None), "docks", {})
        if "map" in training_docks:
            column.append(training_docks["map"])
        # the Inspector holds the most rows (name, activation, bias, connections): it gets most room
        self.resizeDocks(column, [300, 190, 280][:len(column)], Qt.Vertical)

    # ----------------------------------------------------------------- settings, close, drops
    def _restore_settings(self) -> None:
        s = QSettings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_settings(self) -> None:
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        for hook in list(self.close_requested_hooks):
            if not hook():
                event.ignore()
                return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_settings()
        self.files.autosave_timer.stop()
        self.files.discard_recovery()
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open(files[0]))
