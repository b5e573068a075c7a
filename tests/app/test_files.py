"""Files through the UI: save and reopen, the unsaved-changes prompt, broken files, recent files,
drag and drop, autosave recovery, and what the first and later starts open."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from app import files as files_module
from core.fileio import dumps, load_project, save_project
from core.network import Network
from core.project import Project
from tests.app.helpers import answer


def test_first_start_opens_textbook_example(window):
    window.files.startup(None)
    assert "2-2-2" in window.windowTitle() or "textbook" in window.windowTitle().lower()
    assert window.document.network.sizes == [2, 2, 2]
    assert window.document.path is None and not window.document.modified
    assert len(window.scene.edge_items) == 8


def test_save_as_then_reopen(window, tmp_path, monkeypatch):
    w = window
    w.document.replace_project(Project(Network.dense([2, 3, 1], seed=9)))
    w.editor.set_weight(0, 1, 1, 2, 0.1 + 0.2)  # full precision must survive
    assert w.isWindowModified()
    target = tmp_path / "mine"
    answer(monkeypatch, "get_save_path", str(target))
    w.actions["save"].trigger()
    saved = tmp_path / "mine.bpnet"
    assert saved.exists() and w.document.path == saved
    assert not w.document.modified and not w.isWindowModified()
    assert w.windowTitle().startswith("mine.bpnet")
    text = dumps(w.document.project)
    w.editor.set_bias(1, 0, 5.0)
    calls = []
    answer(monkeypatch, "ask_save_changes", "discard", calls)
    answer(monkeypatch, "get_open_path", str(saved))
    w.actions["open"].trigger()
    assert calls, "opening over unsaved changes must ask first"
    assert dumps(w.document.project) == text
    assert w.document.network.weight(0, 1, 1, 2) == 0.1 + 0.2
    assert str(saved.resolve()) in w.files.recent_files()
    assert [a.text() for a in w.recent_menu.actions()][0] == "mine.bpnet"


def test_broken_file_shows_error_and_leaves_document(window, tmp_path, monkeypatch):
    w = window
    before = dumps(w.document.project)
    for content in (b"{not json", b'{"format": "something-else", "version": 1}', b"\xff\xfe\x00"):
        bad = tmp_path / "bad.bpnet"
        bad.write_bytes(content)
        errors = []
        answer(monkeypatch, "show_error", None, errors)
        assert not w.files.open(bad)
        assert len(errors) == 1 and "bad.bpnet" in errors[0][1]
        assert "\n" not in errors[0][1].split(": ", 1)[1].strip()
        assert dumps(w.document.project) == before and w.document.path is None
    errors = []
    answer(monkeypatch, "show_error", None, errors)
    assert not w.files.open(tmp_path / "missing.bpnet")
    assert errors and dumps(w.document.project) == before


def test_close_with_unsaved_changes_asks(make_window, monkeypatch, tmp_path):
    w = make_window()
    w.editor.set_bias(1, 0, 3.0)
    calls = []
    answer(monkeypatch, "ask_save_changes", "cancel", calls)
    w.close()
    assert w.isVisible() and len(calls) == 1
    answer(monkeypatch, "ask_save_changes", "save")
    answer(monkeypatch, "get_save_path", str(tmp_path / "keep.bpnet"))
    w.close()
    assert not w.isVisible()
    assert load_project(tmp_path / "keep.bpnet").network.bias(1, 0) == 3.0


def test_close_hooks_run_before_prompt(make_window, monkeypatch):
    w = make_window()
    w.editor.set_bias(1, 0, 3.0)
    order = []
    w.close_requested_hooks.append(lambda: order.append("hook") or False)
    answer(monkeypatch, "ask_save_changes", "discard", order)
    w.close()
    assert order == ["hook"] and w.isVisible()
    w.close_requested_hooks.clear()
    w.close()
    assert not w.isVisible()


def test_new_network_dialog_through_file_new(window, monkeypatch):
    w = window
    w.editor.set_bias(1, 0, 3.0)

    def fill(dialog):
        dialog.sizes.setText("3, 4, 2")
        dialog.combos[0].setCurrentIndex(dialog.combos[0].findData("tanh"))
        dialog.fully.setChecked(False)
        return True
    answer(monkeypatch, "ask_save_changes", "cancel")
    answer(monkeypatch, "run_dialog", fill)
    w.actions["new"].trigger()
    assert w.document.network.sizes != [3, 4, 2]  # cancelled at the prompt
    answer(monkeypatch, "ask_save_changes", "discard")
    w.actions["new"].trigger()
    net = w.document.network
    assert net.sizes == [3, 4, 2] and net.layers[1].activation == "tanh"
    assert net.num_connections == 0 and not w.document.modified
    assert w.document.undo_stack.count() == 0


def test_new_network_dialog_parses_sizes(qtbot):
    from app.dialogs.new_network import NewNetworkDialog, parse_sizes
    assert parse_sizes("2, 3, 1") == parse_sizes("2-3-1") == parse_sizes(" 2 3 1 ") == [2, 3, 1]
    for bad in ("2", "2, x", "2, 0"):
        with pytest.raises(ValueError):
            parse_sizes(bad)
    dialog = NewNetworkDialog(None, "784-128-10")
    qtbot.addWidget(dialog)
    assert [s.value() for s in dialog.spins] == [784, 128, 10]
    dialog.spins[1].setValue(64)
    assert dialog.sizes.text() == "784, 64, 10"
    net = dialog.network()
    assert net.sizes == [784, 64, 10] and net.num_connections == 784 * 64 + 640


def test_drop_file_opens_it(window, tmp_path, qtbot):
    path = tmp_path / "dropped.bpnet"
    save_project(Project(Network.dense([4, 1], seed=2)), path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(100, 100), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.document.path == path)
    assert window.document.network.sizes == [4, 1]


def test_later_start_reopens_last_file(make_window, tmp_path):
    path = tmp_path / "last.bpnet"
    save_project(Project(Network.dense([3, 2], seed=1)), path)
    w = make_window(show=False)
    w.files.startup(None)  # first start: the example
    assert w.files.open(path)
    w2 = make_window(show=False)
    w2.files.startup(None)
    assert w2.document.path == path and w2.document.network.sizes == [3, 2]


def test_command_line_file(make_window, tmp_path):
    path = tmp_path / "cli.bpnet"
    save_project(Project(Network.dense([5, 2], seed=1)), path)
    w = make_window(show=False)
    w.files.startup(str(path))
    assert w.document.path == path


def test_main_opens_window_with_file(tmp_path, qapp):
    from app.main import main
    from app.main_window import MainWindow
    path = tmp_path / "arg.bpnet"
    save_project(Project(Network.dense([2, 1], seed=1)), path)
    seen = []

    def close_all():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append((widget.document.path, widget.windowTitle()))
                widget.close()
                widget.deleteLater()
    QTimer.singleShot(300, close_all)
    assert main([str(path)]) == 0
    assert seen and seen[0][0] == path and seen[0][1].startswith("arg.bpnet")


def test_examples_menu_lists_bundled_examples(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert len(titles) >= 3
    assert Path(files_module.examples()[0].path).exists()
    assert window.files.open_example(files_module.examples()[0].name)
    assert window.document.path is None
