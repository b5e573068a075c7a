"""The window's actions (menus, toolbar, shortcuts) and what each one does.

Handlers ask the Editor or the FileController; questions go through app.dialogs.prompts.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from .dialogs import prompts
from .dialogs.new_network import RandomiseDialog
from .interop import build_interop_actions

if TYPE_CHECKING:
    from .main_window import MainWindow


def _action(window, text: str, slot: Callable, shortcut=None, tip: str = "",
            checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        else:
            action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(lambda checked=False: slot())
    return action


class ActionHandlers:
    """Layer-level commands need a 'current layer': a selected layer title, else the layer of a
    selected neuron, else the Network dock's row."""

    def __init__(self, window: "MainWindow") -> None:
        self.w = window

    @property
    def editor(self):
        return self.w.editor

    def current_layers(self) -> list[int]:
        scene = self.w.scene
        layers = scene.selected_layers()
        if not layers:
            layers = sorted({li for li, _ in scene.selected_neurons()})
        if not layers and self.w.network_panel.current_layer() is not None:
            layers = [self.w.network_panel.current_layer()]
        return layers

    def _one_layer(self) -> int | None:
        layers = self.current_layers()
        if not layers:
            self.w.show_status("Select a layer first: click its title above the neurons")
            return None
        return layers[0]

    def add_layer(self, after: bool) -> None:
        li = self._one_layer()
        if li is None:
            return
        net = self.w.document.network
        size = prompts.get_int(self.w, "Add layer", "Neurons in the new layer:",
                               max(1, min(net.layers[li].size, 8)))
        if size is not None:
            self.editor.add_layer(li + 1 if after else li, size)

    def remove_layer(self) -> None:
        li = self._one_layer()
        if li is not None:
            self.editor.remove_layer(li)

    def add_neuron(self) -> None:
        li = self._one_layer()
        if li is not None:
            self.editor.add_neuron(li)

    def connect_fully(self, connect: bool) -> None:
        layers = self.current_layers()
        if not layers:
            self.w.show_status("Select a layer (to connect it to the next one) or two layer titles")
            return
        ls, ld = (layers[0], layers[1]) if len(layers) >= 2 else (layers[0], layers[0] + 1)
        if ld >= len(self.w.document.network.layers):
            self.w.show_status("The output layer has no next layer; select two layers instead")
            return
        (self.editor.connect_fully if connect else self.editor.disconnect_layers)(ls, ld)

    def randomise(self, layer_only: bool) -> None:
        layers = None
        if layer_only:
            li = self._one_layer()
            if li is None:
                return
            if li == 0:
                self.w.show_status("The input layer has no incoming weights or biases")
                return
            layers = [li]
        target = "the whole network" if layers is None else f"layer {layers[0]}"
        dialog = RandomiseDialog(self.w, target, seed=self.w.next_seed())
        try:
            if prompts.run_dialog(dialog):
                s = dialog.settings()
                self.editor.randomise(s["scheme"], s["scale"], s["seed"], s["bias_init"], layers)
        finally:
            dialog.deleteLater()

    def set_all(self, layer_only: bool) -> None:
        layers = None
        if layer_only:
            li = self._one_layer()
            if li is None:
                return
            layers = [li]
        where = "every weight and bias" if layers is None else f"every weight into and bias of layer {layers[0]}"
        value = prompts.get_double(self.w, "Set all to…", f"Set {where} to:", 0.0)
        if value is not None:
            self.editor.set_all(value, layers)

    def rename(self) -> None:
        neurons = self.w.scene.selected_neurons()
        if len(neurons) != 1:
            self.w.show_status("Select one neuron to rename")
            return
        li, k = neurons[0]
        name = prompts.get_text(self.w, "Rename", "New name:", self.w.document.network.name_of(li, k))
        if name is not None:
            self.editor.rename(li, k, name)

    def edit_value(self) -> None:
        scene = self.w.scene
        neurons, conns = scene.selected_neurons(), scene.selected_connections()
        if len(neurons) == 1 and not conns:
            scene.item_double_clicked(scene.neuron_item(*neurons[0]), None)
        elif len(conns) == 1 and not neurons:
            scene.item_double_clicked(scene.edge_items[conns[0]], None)
        else:
            self.w.show_status("Select one neuron or connection to type its value")

    def select_all(self) -> None:
        scene = self.w.scene
        scene.select(neurons=[i.key for items in scene.neurons for i in items],
                     connections=list(scene.edge_items))


def build_actions(window: "MainWindow") -> dict[str, QAction]:
    h = ActionHandlers(window)
    w, files, doc, view, editor = window, window.files, window.document, window.view, window.editor
    a = {
        "new": _action(w, "&New…", files.new, QKeySequence.New, "Draw a new network"),
        "open": _action(w, "&Open…", files.open, QKeySequence.Open, "Open a network file"),
        "save": _action(w, "&Save", files.save, QKeySequence.Save, "Save the network"),
        "save_as": _action(w, "Save &As…", files.save_as, "Ctrl+Shift+S", "Save under a new name"),
        "quit": _action(w, "&Quit", w.close, QKeySequence.Quit),
        "undo": _action(w, "&Undo", doc.undo, "Ctrl+Z", "Undo the last edit"),
        "redo": _action(w, "&Redo", doc.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo the edit undone"),
        "delete": _action(w, "&Delete", window.scene.delete_selection, None,
                          "Delete the selected neurons, connections or layers"),
        "select_all": _action(w, "Select &All", h.select_all, QKeySequence.SelectAll),
        "rename": _action(w, "Re&name Neuron…", h.rename, "F2"),
        "edit_value": _action(w, "&Edit Value in Place (Enter)", h.edit_value, None,
                              "Type the selected weight or bias on the canvas"),
        "zoom_in": _action(w, "Zoom &In", view.zoom_in, ["Ctrl++", "Ctrl+="]),
        "zoom_out": _action(w, "Zoom &Out", view.zoom_out, "Ctrl+-"),
        "zoom_reset": _action(w, "&Actual Size", view.reset_zoom, "Ctrl+0"),
        "fit": _action(w, "&Fit to Window", view.fit_to_window, ["Ctrl+9", "F"],
                       "Show the whole network"),
        "auto_layout": _action(w, "Automatic &Layout", editor.auto_layout, "Ctrl+L",
                               "Put every neuron back at its automatic place"),
        "legend": _action(w, "Weight &Legend", lambda: window.toggle_legend(), None, checkable=True),
        "add_layer_before": _action(w, "Add Layer &Before…", lambda: h.add_layer(False), "Ctrl+Shift+B",
                                    "Insert a layer before the selected layer"),
        "add_layer_after": _action(w, "Add Layer &After…", lambda: h.add_layer(True), "Ctrl+Shift+A",
                                   "Insert a layer after the selected layer"),
        "remove_layer": _action(w, "&Remove Layer", h.remove_layer, "Ctrl+Shift+Del",
                                "Remove the selected hidden layer"),
        "add_neuron": _action(w, "Add &Neuron", h.add_neuron, "N", "Add a neuron to the selected layer"),
        "connect_fully": _action(w, "&Connect Fully", lambda: h.connect_fully(True), "Ctrl+Shift+C",
                                 "Connect every neuron of the selected layer to every neuron of the next"),
        "disconnect_layers": _action(w, "&Disconnect Layers", lambda: h.connect_fully(False),
                                     "Ctrl+Shift+D", "Remove all connections from the selected layer to the next"),
        "randomise": _action(w, "Randomi&se Weights…", lambda: h.randomise(False), "Ctrl+R",
                             "New random weights and biases for the whole network"),
        "randomise_layer": _action(w, "Randomise &Layer…", lambda: h.randomise(True), "Ctrl+Alt+R",
                                   "New random weights into, and biases of, the selected layer"),
        "set_all": _action(w, "Set All &To…", lambda: h.set_all(False), None,
                           "Set every weight and bias to one value"),
        "set_all_layer": _action(w, "Set All in La&yer To…", lambda: h.set_all(True), None,
                                 "Set every weight into, and bias of, the selected layer"),
        "tool_select": _action(w, "&Select Tool", lambda: window.set_tool("select"), "V",
                               "Click to select, drag to move", checkable=True),
        "tool_connect": _action(w, "C&onnect Tool", lambda: window.set_tool("connect"), "C",
                                "Drag from a neuron to a later one to connect them", checkable=True),
        "shortcuts": _action(w, "&Keyboard Shortcuts", window.show_shortcuts, QKeySequence.HelpContents),
        "about": _action(w, "&About Backprop Studio", window.show_about),
    }
    a.update(build_interop_actions(window))
    a["delete"].setShortcuts([QKeySequence(QKeySequence.Delete), QKeySequence("Backspace")])
    tools = QActionGroup(w)
    for name in ("tool_select", "tool_connect"):
        tools.addAction(a[name])
    a["tool_select"].setChecked(True)
    a["legend"].setChecked(True)
    values = QActionGroup(w)
    for mode, text in (("auto", "Values: &Automatic (small networks)"), ("on", "Values: &Always"),
                       ("off", "Values: &Never")):
        act = _action(w, text, lambda m=mode: window.scene.set_values_mode(m), None, checkable=True)
        values.addAction(act)
        a[f"values_{mode}"] = act
    a["values_auto"].setChecked(True)
    a["undo"].setEnabled(False)
    a["redo"].setEnabled(False)
    doc.undo_stack.canUndoChanged.connect(a["undo"].setEnabled)
    doc.undo_stack.canRedoChanged.connect(a["redo"].setEnabled)
    doc.undo_stack.undoTextChanged.connect(lambda t: a["undo"].setText(f"&Undo {t}".strip()))
    doc.undo_stack.redoTextChanged.connect(lambda t: a["redo"].setText(f"&Redo {t}".strip()))
    return a


def _plain(text: str) -> str:
    """Menu text without its mnemonic marks ("Save &As…" -> "Save As…", "&&" -> "&")."""
    return re.sub(r"&(.)", r"\1", text)


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(action, keys) for every action of the window that has a shortcut, read from the actions
    themselves (menus first, in menu order), so the list cannot fall behind the key bindings."""
    ordered: list[QAction] = []

    def walk(actions) -> None:
        for act in actions:
            if act.menu() is not None:
                walk(act.menu().actions())
            elif act not in ordered:
                ordered.append(act)
    walk(window.menuBar().actions())
    ordered += [a for a in window.findChildren(QAction) if a not in ordered]
    rows = []
    for act in ordered:
        keys = ", ".join(k.toString(QKeySequence.NativeText) for k in act.shortcuts() if not k.isEmpty())
        if keys:
            menu = next((w for w in act.associatedObjects() if isinstance(w, QMenu)), None)
            where = f"{_plain(menu.title())} → " if menu is not None else ""
            rows.append((where + _plain(act.text()), keys))
    return rows
