"""The window as others build on it: fonts, the integration contract, menus, layout persistence."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontDatabase, QUndoStack
from PySide6.QtWidgets import QMenu, QToolBar

from core.network import Network
from core.project import Project


def test_fonts_are_installed(qapp):
    assert QFontDatabase.families(), "no fonts: every label would render as boxes"


def test_contract_attributes(window):
    w = window
    assert isinstance(w.document.undo_stack, QUndoStack)
    assert w.document.network is w.document.project.network
    assert isinstance(w.train_menu, QMenu) and w.train_menu.title() == "&Train"
    assert isinstance(w.toolbar, QToolBar)
    assert w.statusBar() is not None
    assert isinstance(w.close_requested_hooks, list)
    assert hasattr(w.scene, "set_glow") and w.view.scene() is w.scene
    for name in ("structure_changed", "parameters_changed", "neuron_changed", "project_replaced",
                 "dataset_changed", "training_config_changed", "history_changed", "about_to_edit",
                 "modified_changed"):
        assert hasattr(w.document, name)
    for name in ("set_parameters", "show_parameters", "set_dataset", "set_training_config",
                 "append_history", "clear_history", "push"):
        assert callable(getattr(w.document, name))


def test_menus(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Network", "&Train", "&Help"]


def test_layout_persists(make_window):
    w = make_window()
    w.network_dock.hide()
    w.resize(1000, 700)
    w.save_settings()
    w2 = make_window()
    assert not w2.network_dock.isVisible()


def test_title_marks_modified(window):
    w = window
    w.document.replace_project(Project(Network.dense([2, 1])))
    assert w.windowTitle().startswith("Untitled")
    assert not w.isWindowModified()
    w.editor.set_bias(1, 0, 1.0)
    assert w.isWindowModified()
    w.document.undo()
    assert not w.isWindowModified()


def test_history_view_lists_steps(window):
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    w.editor.set_weight(0, 0, 1, 0, 1.5)
    w.editor.add_neuron(1)
    model = w.history_view.model()
    assert model.rowCount() == 3  # the empty state plus two steps
    w.document.set_index(1)
    assert w.document.network.sizes == [2, 2, 1]


def test_values_written_on_small_networks_only(window):
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    assert all(item.show_values for item in w.scene.edge_items.values())
    w.document.replace_project(Project(Network.dense([8, 8, 8, 1])))
    assert not any(item.show_values for item in w.scene.edge_items.values())
    w.actions["values_on"].trigger()
    assert all(item.show_values for item in w.scene.edge_items.values())


def test_layer_actions_use_selected_layer(window, monkeypatch):
    from app.dialogs import prompts
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    w.scene.select(layers=[1])
    monkeypatch.setattr(prompts, "get_int", lambda *a, **k: 3)
    w.actions["add_layer_after"].trigger()
    assert w.document.network.sizes == [2, 2, 3, 1]
    w.scene.select(layers=[2])
    w.actions["remove_layer"].trigger()
    assert w.document.network.sizes == [2, 2, 1]
    w.scene.select(layers=[1])
    w.actions["disconnect_layers"].trigger()
    assert (1, 2) not in w.document.network.blocks
    w.scene.select(layers=[1])
    w.actions["connect_fully"].trigger()
    assert w.document.network.blocks[(1, 2)].mask.all()
    monkeypatch.setattr(prompts, "get_double", lambda *a, **k: 0.5)
    w.actions["set_all"].trigger()
    assert np.all(w.document.network.blocks[(0, 1)].weight == 0.5)

    def accept(dialog):
        dialog.init.seed.setValue(42)
        return True
    monkeypatch.setattr(prompts, "run_dialog", accept)
    w.actions["randomise"].trigger()
    first = w.document.network.get_parameters()[0][(0, 1)].copy()
    w.actions["randomise"].trigger()
    assert np.array_equal(first, w.document.network.get_parameters()[0][(0, 1)])  # same seed


def test_window_screenshot_renders(window, tmp_path):
    window.files.startup(None)
    image = window.grab()
    assert image.width() > 500 and not image.isNull()
