"""Hostile files through the window's real open path (File → Open): special files are named and
never read, every file of core's hostile corpus gives a one-line message and the window and its
document survive; a large file opens behind a progress dialog that can cancel."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from core.datasets import Dataset
from core.fileio import dumps, save_project
from core.network import Network
from core.project import Project
from tests.core import hostile_corpus
from tests.app.helpers import answer

ROOT = Path(__file__).resolve().parents[2]


def open_through_menu(window, monkeypatch, path) -> list:
    """File → Open on ``path``; returns the error messages shown."""
    errors = []
    answer(monkeypatch, "get_open_path", str(path))
    answer(monkeypatch, "show_error", None, errors)
    window.actions["open"].trigger()
    return errors


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "folder", "loop", "missing"])
def test_special_files_are_named_and_never_read(window, tmp_path, monkeypatch, kind):
    if kind == "dev_zero":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.bpnet"
        os.mkfifo(path)
    elif kind == "folder":
        path = tmp_path / "folder.bpnet"
        path.mkdir()
    elif kind == "loop":
        path = tmp_path / "loop.bpnet"
        os.symlink(path, path)
    else:
        path = tmp_path / "missing.bpnet"
    expected = {"dev_zero": "device", "fifo": "named pipe (FIFO)", "folder": "folder",
                "loop": "loop", "missing": "no such file"}[kind]
    before = dumps(window.document.project)
    errors = open_through_menu(window, monkeypatch, path)
    assert len(errors) == 1, errors
    title, text = errors[0]
    assert title == "Cannot open file" and path.name in text and expected.lower() in text.lower(), text
    assert "\n" not in text
    assert dumps(window.document.project) == before and window.document.path is None
    assert window.isVisible()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A valid file that takes a while to read (11 MB: a 64-120-3 network and 8,000 rows)."""
    net = Network.dense([64, 120, 3], ["tanh", "sigmoid"], seed=5)
    rng = np.random.default_rng(0)
    ds = Dataset(rng.normal(size=(8000, 64)), rng.integers(0, 2, size=(8000, 3)).astype(float))
    path = tmp_path_factory.mktemp("big") / "big.bpnet"
    save_project(Project(net, dataset=ds), path)
    return path


def watch_progress(window, on_dialog=None):
    """Poll the GUI thread every 10 ms while a file opens: count the ticks (the event loop runs)
    and the progress dialogs seen, and hand each dialog to ``on_dialog`` once."""
    seen = {"ticks": 0, "dialogs": [], "values": []}

    def tick():
        seen["ticks"] += 1
        for d in window.findChildren(QProgressDialog):
            if d not in seen["dialogs"]:
                seen["dialogs"].append(d)
                if on_dialog is not None:
                    on_dialog(d)
            seen["values"].append(d.value())
    timer = QTimer(window, interval=10)
    timer.timeout.connect(tick)
    timer.start()
    return seen, timer


def test_a_large_file_opens_behind_a_progress_dialog(window, big_file, monkeypatch):
    seen, timer = watch_progress(window)
    assert not open_through_menu(window, monkeypatch, big_file)
    timer.stop()
    assert window.document.path == big_file and window.document.project.dataset.x.shape == (8000, 64)
    # a GUI-thread timer found the dialog while the file was being read: the window's event loop
    # ran during the load (how often depends on the machine's load, so that is not asserted)
    assert seen["dialogs"] and seen["ticks"] >= 1
    assert max(seen["values"]) > 0
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))


def test_cancelling_a_large_open_changes_nothing(window, big_file, monkeypatch):
    before = dumps(window.document.project)
    seen, timer = watch_progress(window, lambda dialog: dialog.findChild(QPushButton).click())
    assert not open_through_menu(window, monkeypatch, big_file)
    timer.stop()
    assert seen["dialogs"], "the progress dialog was shown"
    assert dumps(window.document.project) == before and window.document.path is None
    assert window.statusBar().currentMessage() == "Opening big.bpnet was cancelled; nothing changed"
    assert not window.files.loading


BROKEN = sorted((ROOT / "tests" / "core" / "data" / "broken").glob("*.bpnet"))


def test_the_corpora_are_there(tmp_path):
    assert len(BROKEN) >= 30
    assert set(hostile_corpus.EXPECTED) <= set(hostile_corpus.all_files(tmp_path))


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_every_broken_file_gives_one_message_and_the_window_survives(window, monkeypatch, path):
    before = dumps(window.document.project)
    errors = open_through_menu(window, monkeypatch, path)
    assert len(errors) == 1, errors
    title, text = errors[0]
    assert title == "Cannot open file" and text.startswith(path.name + ":")
    assert "\n" not in text and "Traceback" not in text and len(text) < 400, text
    assert dumps(window.document.project) == before and window.document.path is None
    assert window.isVisible()
    window.editor.set_bias(1, 0, 0.5)  # and the window still edits
    assert window.document.network.bias(1, 0) == 0.5


@pytest.mark.parametrize("name", sorted(hostile_corpus.EXPECTED))
def test_every_hostile_file_through_file_open(window, monkeypatch, tmp_path, name):
    """core's hostile corpus (special files made here): each gives the one line core's table
    expects, or (a linked CSV gone) opens and shows its problem; the window survives."""
    path = hostile_corpus.all_files(tmp_path)[name]
    expected = hostile_corpus.EXPECTED[name]
    before = dumps(window.document.project)
    warnings = []
    answer(monkeypatch, "show_warning", None, warnings)
    errors = open_through_menu(window, monkeypatch, path)
    if expected.startswith("problem:"):
        assert not errors and window.document.path == path
        assert window.document.project.dataset is None and len(warnings) == 1
        assert expected.removeprefix("problem:") in warnings[0][1]
        assert expected.removeprefix("problem:") in window.statusBar().currentMessage()
    else:
        assert len(errors) == 1 and not warnings, (errors, warnings)
        text = errors[0][1]
        assert text.startswith(name) and expected in text, text
        assert "\n" not in text and len(text) < 400, text
        assert dumps(window.document.project) == before and window.document.path is None
    assert window.isVisible()
