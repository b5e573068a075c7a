"""The main window: composes the canvas, docks, menus, toolbar and status bar. Features live in
their own modules (document, editor, canvas, panels, files, actions); this module wires them."""
from __future__ import annotations

import html
import random
from pathlib import Path

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QStackedWidget,
                               QTabBar, QTabWidget, QUndoView, QVBoxLayout, QWidget)

from .actions import build_actions, shortcut_rows
from .canvas.scene import NetworkScene
from .canvas.view import NetworkView
from .document import Document
from .editor import Editor
from .files import FileController, examples
from .on_screen import show_tab
from .scrolling import scrollable
from .panels.inspector import Inspector
from .panels.network_panel import NetworkPanel
from .png_export import register_qt_exporters
from .presenter import Presenter
from .toolbar import MainToolbar

APP_NAME = "Backprop Studio"
DEFAULT_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(900, 600)  # KDE HIG: fit 920×690; the 1024×768 projector has room to spare
FRAME_ALLOWANCE = QSize(16, 40)  # title bar and borders of a window manager, before they are known
LAYOUT_VERSION = 2  # of saveState: 2 = the right column of tabs (issue 12)
RIGHT_COLUMN = 320  # px; 300 at 1024 wide
# Tab titles short enough for seven tabs in the right column
SHORT_TITLES = {"InspectorDock": "Inspect", "training_training_dock": "Train", "training_map_dock": "Map",
                "training_probe_dock": "Probe", "NetworkDock": "Layers", "LandscapeDock": "Landscape",
                "training_relaxation_dock": "Relax"}
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
        from .gui_gc import collect_on_gui_thread
        collect_on_gui_thread()  # before any training or file-reading thread starts
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.close_requested_hooks: list = []
        self.document = document or Document(parent=self)
        self.editor = Editor(self.document, self)
        self.scene = NetworkScene(self.document, self.editor, self)
        self.view = NetworkView(self.scene)
        self.central = QStackedWidget()
        self.central.setObjectName("CentralStack")
        self.central.addWidget(self.view)
        self.map_page = QWidget()
        self.map_page.setObjectName("MapPage")
        QVBoxLayout(self.map_page).setContentsMargins(0, 0, 0, 0)
        self.central.addWidget(self.map_page)
        self.setCentralWidget(self.central)
        self.setMinimumSize(MINIMUM_SIZE)
        self.files = FileController(self, self.document)
        self._seed = random.Random()
        register_qt_exporters()
        self.actions = build_actions(self)
        for name in VIEW_SHORTCUTS:
            self.actions[name].setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(self.actions[name])
        self.view.enter_pressed.connect(self.actions["edit_value"].trigger)
        self._build_docks()
        self._build_menus()
        self.hint = QLabel()
        self.statusBar().addPermanentWidget(self.hint)
        self.statusBar().showMessage("Drag from a neuron's dot to connect · double-click a value "
                                     "to edit it · wheel zooms · middle button pans", 8000)
        self.editor.status_message.connect(self.show_status)
        self.files.status_message.connect(self.show_status)
        self.autosave_warning = QLabel()
        self.autosave_warning.setObjectName("AutosaveWarning")
        self.autosave_warning.setStyleSheet("color: #b00020; font-weight: bold")
        self.autosave_warning.hide()
        self.statusBar().addPermanentWidget(self.autosave_warning)
        self.files.autosave_status.connect(self._show_autosave_status)
        self.scene.status_message.connect(self.show_status)
        self.document.modified_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.document.project_replaced.connect(self._on_project_replaced)
        self.document.structure_changed.connect(self._update_hint)
        self.files.recent_changed.connect(self._fill_recent)
        self._update_title()
        self._update_hint()
        self._fit_pending = True
        from app.training import install_training
        install_training(self)
        self.files.attach_training(self.training.controller)
        from app.classroom import install_classroom
        install_classroom(self)
        self._build_run_actions()
        self.presenter = Presenter(self)
        # the presenter's toolbar sparkline follows a run as the loss plot does
        self.training.controller.epochs_reported.connect(self.presenter.on_epochs_reported)
        self.actions["present"] = self.presenter.action
        from .landscape import install_landscape
        install_landscape(self)
        self._build_toolbar()
        self._extend_menus()
        self._default_layout()
        self.resize(self._clamped(QRect(self.pos(), DEFAULT_SIZE)).size())
        self._restore_settings()  # after every dock exists, training's included
        # after the training controller's own slot, which may end a run and report on it
        self.document.project_replaced.connect(self._reset_run_readouts)

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
            act = self.examples_menu.addAction(ex.title.replace("&", "&&"))  # "Han & Kamber"
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

    def _build_run_actions(self) -> None:
        """Train/Pause as one button that keeps its place, and Map (the input plane enlarged)."""
        t = self.training
        train = QAction("&Train / Pause", self)
        train.setShortcut(QKeySequence("F5"))
        t.actions["start"].setShortcut(QKeySequence())  # F5 now toggles; the menu keeps Start
        train.triggered.connect(self.toggle_training)
        self.actions["train"] = train
        t.controller.state_changed.connect(self._update_train_action)
        t.controller.run_started.connect(self._update_train_action)
        t.controller.run_ended.connect(self._update_train_action)
        t.controller.stats_changed.connect(lambda e, loss, _rate: self.toolbar.readout.show_values(e, loss))
        self.document.history_changed.connect(self._show_last_epoch)
        self.document.project_replaced.connect(self._show_last_epoch)
        self.actions["reset"] = t.actions["reset"]
        self.actions["step"] = t.actions["step"]
        classroom = getattr(self, "classroom", None)
        if classroom is not None:
            self.actions["step_through"] = classroom.actions["classroom"]
        m = QAction("&Map (Input Plane in the Canvas Area)", self, checkable=True)
        m.setShortcut(QKeySequence("M"))
        m.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.view.addAction(m)
        self.map_page.addAction(m)  # M also brings the canvas back while the map has the focus
        m.toggled.connect(self.show_big_map)
        self.actions["map"] = m

    def _build_toolbar(self) -> None:
        self.toolbar = MainToolbar(self)
        self.addToolBar(Qt.TopToolBarArea, self.toolbar)
        self._update_train_action()
        self._show_last_epoch()

    def _extend_menus(self) -> None:
        view_menu = next(a.menu() for a in self.menuBar().actions() if a.text() == "&View")
        view_menu.addSeparator()
        view_menu.addActions([self.actions["map"], self.actions["present"], self.presenter.bigger,
                              self.presenter.smaller])
        self.train_menu.insertAction(self.train_menu.actions()[0], self.actions["train"])

    def export_options(self, name: str) -> dict:
        """What File → Export passes to a format from the window's state: the landscape's
        weights and path, the canvas's values setting, the step-through's sample and precision."""
        if name == "landscape-png":
            panel = self.landscape
            return {"refs": list(panel.refs), "trail": list(panel.path),
                    "size": panel.size_combo.currentData()}
        if name in ("svg", "png"):
            return {"values": self.scene.values_mode}
        if name == "html":
            session = getattr(getattr(self, "classroom", None), "session", None)
            if session is None:
                return {}
            row = session.sample
            st = getattr(session, "stepper", None)
            if st is not None:
                row = st.step(st.step_index).batch[0]
            return {"sample": row + 1, "digits": session.digits}
        return {}

    def toggle_training(self) -> None:
        from .training.controller import PAUSED
        c = self.training.controller
        if c.running and not c.stepping:
            c.pause()
        elif c.state == PAUSED:
            c.resume()
        elif not c.running:
            c.start()

    def _update_train_action(self, *_) -> None:
        c = self.training.controller
        running = c.running and not c.stepping
        train = self.actions["train"]
        train.setIconText("Pause" if running else "Train")
        from .toolbar import icon
        train.setIcon(icon("media-playback-pause" if running else "media-playback-start"))
        train.setToolTip("Pause after the current epoch (F5)" if running else
                         "Train from the current weights (F5)")
        train.setEnabled(not c.stepping)

    def _show_last_epoch(self, *_) -> None:
        hist = self.document.project.history
        if hasattr(self, "toolbar"):
            self.toolbar.readout.show_values(hist[-1].epoch if hist else None,
                                             hist[-1].loss if hist else None)

    def show_big_map(self, on: bool) -> None:
        """Swap the canvas for the input-plane map (TensorFlow Playground's big output), and back:
        the map's widget moves between its dock and the canvas area."""
        dock = self.training.docks["map"]
        lay = self.map_page.layout()
        if on and self.central.currentIndex() == 0:
            self._map_dock_was_visible = dock.isVisible()
            widget = dock.widget()
            dock.setWidget(QLabel("The map is in the canvas area (M)"))
            lay.addWidget(widget)
            widget.show()
            self.central.setCurrentIndex(1)
            dock.hide()
            widget.setFocus()
        elif not on and self.central.currentIndex() == 1:
            widget = lay.itemAt(0).widget()
            lay.removeWidget(widget)
            placeholder = dock.widget()
            dock.setWidget(widget)
            placeholder.deleteLater()
            self.central.setCurrentIndex(0)
            if getattr(self, "_map_dock_was_visible", True):
                dock.show()
                # shown again, the dock rejoins its tab group behind the current tab (Probe was
                # left in front); it can be brought forward once the layout has re-added it
                QTimer.singleShot(0, dock, lambda: show_tab(dock))
            self.view.setFocus()
        if self.actions["map"].isChecked() != on:
            self.actions["map"].setChecked(on)

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

    def _show_autosave_status(self, text: str) -> None:
        """An autosave failure stays in view (a passing message would hide it) until it works."""
        self.autosave_warning.setText(text)
        self.autosave_warning.setToolTip(text)
        self.autosave_warning.setVisible(bool(text))

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

    def _reset_run_readouts(self) -> None:
        """Another network: the last run's figures ("Epoch 1616 · loss 0.0105") belong to the
        previous one, so the Training panel's run line starts empty and the status bar shows the
        opened file's last epoch, if it has one (set when its history arrives)."""
        training = getattr(self, "training", None)
        if training is not None:
            training.clear_status()
            training.panel.status.setText(" ")
        self.statusBar().clearMessage()

    def _fit_if_pending(self) -> None:
        if self._fit_pending and self.view.isVisible():
            self._fit_pending = False
            self.view.fit_to_window()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.clamp_to_screen()
        QTimer.singleShot(0, self._unelide_tabs)
        QTimer.singleShot(0, self._fit_if_pending)

    def set_tool(self, tool: str) -> None:
        self.scene.interactions.set_tool(tool)
        self.actions["tool_" + tool].setChecked(True)

    def toggle_legend(self) -> None:
        self.view.show_legend = self.actions["legend"].isChecked()
        self.view.viewport().update()

    def next_seed(self) -> int:
        return self._seed.randrange(1000)

    def shortcuts_html(self) -> str:
        rows = shortcut_rows(self) + [
            ("Type the selected value in place", "Enter"), ("Zoom", "Wheel"),
            ("Pan", "Middle button, or Space + drag"),
            ("Select several", "Drag on empty canvas, Ctrl+click")]
        return "<table>" + "".join(f"<tr><td>{html.escape(text)}</td><td><b>{html.escape(keys)}</b></td></tr>"
                                   for text, keys in rows) + "</table>"

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", self.shortcuts_html())

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b><p>Draw a neural network, edit every weight by hand, "
                          "train it with backpropagation and watch it learn.</p>")

    def side_docks(self) -> list[QDockWidget]:
        """The right column's tabs in their order: what a class needs first comes first. (The
        step-through's Explain and table docks come and go with its mode.)"""
        t = self.training.docks
        docks = [self.inspector_dock, t.get("training"), t.get("map"), t.get("probe"), t.get("relaxation"),
                 self.network_dock, getattr(self, "landscape_dock", None)]
        return [d for d in docks if d is not None]

    def _default_layout(self) -> None:
        """The canvas gets the window but a right column: the loss plot on top (always visible),
        the panels as tabs below it, never squeezed side by side (design/visual.md §2)."""
        loss = self.training.docks["loss"]
        tabs = self.side_docks()
        for dock in [loss] + tabs:  # out of any earlier tab group before they are regrouped
            self.removeDockWidget(dock)
            title = SHORT_TITLES.get(dock.objectName())
            if title:
                dock.setWindowTitle(title)
        self.setTabPosition(Qt.RightDockWidgetArea, QTabWidget.North)
        # Tabs of dock groups: full titles (elided they read "In…", "T…"), tighter padding
        self.setStyleSheet("QMainWindow > QTabBar::tab { padding: 4px 7px; }")
        QTimer.singleShot(0, self._unelide_tabs)
        self.addDockWidget(Qt.RightDockWidgetArea, loss)
        self.addDockWidget(Qt.RightDockWidgetArea, tabs[0])
        self.splitDockWidget(loss, tabs[0], Qt.Vertical)
        for dock in tabs[1:]:
            self.tabifyDockWidget(tabs[0], dock)
        for dock in [loss] + tabs:
            dock.setVisible(dock is not self.network_dock)  # advanced: View → Layers brings it back
        show_tab(tabs[0])
        if self.document.network.n_inputs == 2 and "map" in self.training.docks:
            show_tab(self.training.docks["map"])
        self.history_dock.setFloating(True)  # Edit → History opens it beside the window, not in it
        self.history_dock.hide()
        screen = self._available()
        column = RIGHT_COLUMN if screen.width() > 1100 else 300
        self.resizeDocks([loss], [column], Qt.Horizontal)
        self.resizeDocks([loss, tabs[0]], [150, max(screen.height() - 300, 200)], Qt.Vertical)

    def _unelide_tabs(self) -> None:
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setElideMode(Qt.ElideNone)
                bar.setUsesScrollButtons(True)

    # ----------------------------------------------------------------- settings, close, drops
    def _available(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)

    def _clamped(self, rect: QRect) -> QRect:
        """``rect`` (client area) made to fit, frame included, on the screen the window is on."""
        avail = self._available()
        w = min(rect.width(), avail.width() - FRAME_ALLOWANCE.width())
        h = min(rect.height(), avail.height() - FRAME_ALLOWANCE.height())
        x = min(max(rect.x(), avail.left()), avail.right() - w + 1)
        y = min(max(rect.y(), avail.top()), avail.bottom() - h + 1)
        return QRect(x, y, w, h)

    def clamp_to_screen(self) -> None:
        """Never larger than the screen: a geometry saved on a 1080 monitor opens on a 720
        projector with its bottom (the status bar, the loss plot) off the screen otherwise."""
        if self.isFullScreen() or self.isMaximized():
            return
        avail = self._available()
        self.setMinimumSize(QSize(min(MINIMUM_SIZE.width(), avail.width() - FRAME_ALLOWANCE.width()),
                                  min(MINIMUM_SIZE.height(), avail.height() - FRAME_ALLOWANCE.height())))
        rect = self._clamped(self.geometry())
        if rect != self.geometry():
            self.setGeometry(rect)

    def _restore_settings(self) -> None:
        s = QSettings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)  # a state saved by an older layout is ignored
        self.clamp_to_screen()

    def save_settings(self) -> None:
        if self.presenter.active:
            self.presenter.set_active(False)  # the desk layout is what a restart should bring back
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(LAYOUT_VERSION))

    def closeEvent(self, event: QCloseEvent) -> None:
        for hook in list(self.close_requested_hooks):
            if not hook():
                event.ignore()
                return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_settings()
        self.files.close_recovery()
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open(files[0]))
