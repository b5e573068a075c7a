"""Import CSV through the real Training panel: the columns and target encoding chosen are what
the data holds and what a saved file reads back; embedding is the default, linking a choice; a
bad cell is refused with its row and column; special files are named, never read."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog

from app.dialogs.csv_import import CsvImportDialog, LINK_TEXT
from app.training.controller import params_equal
from core.network import Network
from core.project import Project
from tests.app.helpers import answer

QUADRANTS = "x1,x2,label\n0.5,0.5,a\n-0.5,0.5,b\n-0.5,-0.5,a\n0.5,-0.5,b\n0.25,0.75,a\n-0.3,0.2,b\n"


def import_through_panel(window, monkeypatch, path, fill=None):
    """Click Import CSV…, pick ``path``, let ``fill(dialog)`` set the choices, press OK.
    Returns the dialog (after OK) or None when it never opened."""
    seen = []

    def run(dialog):
        seen.append(dialog)
        if fill is not None:
            fill(dialog)
        dialog.accept()
        return dialog.result() == QDialog.Accepted
    answer(monkeypatch, "get_csv_path", str(path))
    answer(monkeypatch, "run_dialog", run)
    window.training.panel.csv_button.click()
    return seen[0] if seen else None


@pytest.fixture
def quadrants(tmp_path):
    path = tmp_path / "quadrants.csv"
    path.write_text(QUADRANTS)
    return path


def test_dialog_defaults_embed_and_every_other_column_is_an_input(window, quadrants, qtbot):
    from core.csv_import import sniff_csv
    dialog = CsvImportDialog(str(quadrants), sniff_csv(quadrants), window.document.network, window)
    qtbot.addWidget(dialog)
    assert dialog.link.text() == LINK_TEXT and not dialog.link.isChecked()
    c = dialog.choice()
    assert c["input_columns"] == ["x1", "x2"] and c["target_columns"] == ["label"]
    assert c["task"] == "classification" and not c["linked"]


def test_two_classes_into_one_output_is_one_01_column(window, quadrants, monkeypatch):
    window.document.replace_project(Project(Network.dense([2, 3, 1], seed=1)))
    dialog = import_through_panel(window, monkeypatch, quadrants)
    assert dialog.choice()["target_encoding"] == "binary"
    ds = window.document.project.dataset
    assert ds.y.shape == (6, 1) and ds.y[:, 0].tolist() == [0, 1, 0, 1, 0, 1]
    assert ds.class_names == ["a", "b"] and ds.source["target_encoding"] == "binary"
    assert ds.x.tolist() == [[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [0.25, 0.75],
                             [-0.3, 0.2]]
    assert "Does not fit" not in window.training.panel.data_info.text()


def test_one_hot_chosen_is_kept_even_for_one_output(window, quadrants, monkeypatch):
    window.document.replace_project(Project(Network.dense([2, 3, 1], seed=1)))

    def one_hot(dialog):
        dialog.encoding.setCurrentIndex(dialog.encoding.findData("one_hot"))
    import_through_panel(window, monkeypatch, quadrants, one_hot)
    ds = window.document.project.dataset
    assert ds.y.shape == (6, 2) and ds.source["target_encoding"] == "one_hot"
    assert "Does not fit" in window.training.panel.data_info.text()


@pytest.mark.parametrize("cell", ["x", "NaN", "nan", "inf", ""])
def test_a_cell_that_is_not_a_number_is_refused_with_row_and_column(window, tmp_path, monkeypatch,
                                                                    cell):
    path = tmp_path / "bad.csv"
    path.write_text(f"x1,x2,label\n1,2,a\n3,4,b\n5,{cell},a\n7,8,b\n")
    before = window.document.project.dataset
    dialog = import_through_panel(window, monkeypatch, path)
    assert dialog is not None and dialog.result() != QDialog.Accepted
    assert dialog.choice()["input_columns"] == ["x1", "x2"], "the column is offered, not dropped"
    assert "row 4, column 2 (x2)" in dialog.error.text() and dialog.error.isVisibleTo(dialog)
    assert window.document.project.dataset is before


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "folder", "loop"])
def test_special_files_are_named_and_never_read(window, tmp_path, monkeypatch, kind):
    if kind == "dev_zero":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    elif kind == "folder":
        path = tmp_path / "folder.csv"
        path.mkdir()
    else:
        path = tmp_path / "loop.csv"
        os.symlink(path, path)
    expected = {"dev_zero": "device", "fifo": "named pipe (FIFO)", "folder": "folder",
                "loop": "loop"}[kind]
    before = window.document.project.dataset
    dialog = import_through_panel(window, monkeypatch, path)
    assert dialog is None
    text = window.training.panel.status.text()
    assert text.startswith(f"Cannot import {path.name}") and expected in text, text
    assert "\n" not in text and window.document.project.dataset is before


def imported_trained_saved(window, monkeypatch, qtbot, csv_path, target, *, linked=False):
    """Import with explicit choices, train 40 epochs, Save As ``target`` through the window."""
    window.document.replace_project(Project(Network.dense([2, 4, 1], seed=2)))

    def choose(dialog):
        dialog.scaling.setCurrentIndex(dialog.scaling.findData("minmax"))
        dialog.validation.setValue(33)
        dialog.link.setChecked(linked)
    import_through_panel(window, monkeypatch, csv_path, choose)
    ctrl = window.training.controller
    window.document.set_training_config(replace(window.document.project.training, max_epochs=40))
    with qtbot.waitSignal(ctrl.run_ended, timeout=20000):
        assert ctrl.start()
    answer(monkeypatch, "get_save_path", str(target))
    assert window.files.save_as()
    return window.document.project


def same_data(a, b) -> None:
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert (a.input_names, a.target_names, a.class_names, a.task) == \
        (b.input_names, b.target_names, b.class_names, b.task)
    assert a.validation_fraction == b.validation_fraction and a.split_seed == b.split_seed
    assert a.normalization.method == b.normalization.method
    assert np.array_equal(a.normalization.offset, b.normalization.offset)
    assert np.array_equal(a.normalization.scale, b.normalization.scale)
    for key in ("input_columns", "target_columns", "target_encoding"):
        assert a.source[key] == b.source[key], key


def test_imported_data_reopens_exactly_and_travels_alone(make_window, tmp_path, monkeypatch, qtbot,
                                                         quadrants):
    w = make_window()
    saved_path = tmp_path / "quadrants.bpnet"
    project = imported_trained_saved(w, monkeypatch, qtbot, quadrants, saved_path)
    ds = project.dataset
    assert ds.source["target_encoding"] == "binary" and "linked" not in ds.source
    params, history = project.network.get_parameters(), list(project.history)
    assert len(history) == 40
    # close and reopen in a fresh window
    w.close()
    w2 = make_window()
    assert w2.files.open(saved_path)
    same_data(w2.document.project.dataset, ds)
    assert params_equal(w2.document.network.get_parameters(), params)
    assert list(w2.document.project.history) == history
    assert "Does not fit" not in w2.training.panel.data_info.text()
    # e-mailed: the file alone in another folder, the CSV nowhere near it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "copy.bpnet"
    shutil.copy(saved_path, copy)
    quadrants.unlink()
    w3 = make_window()
    assert w3.files.open(copy)
    same_data(w3.document.project.dataset, ds)
    assert params_equal(w3.document.network.get_parameters(), params)
    assert not w3.document.project.problems
    # and it trains on: the data is all there
    ctrl = w3.training.controller
    with qtbot.waitSignal(ctrl.run_ended, timeout=20000):
        assert ctrl.step()
    assert w3.document.project.history[-1].epoch == 41


def test_a_linked_csv_is_read_back_and_its_absence_never_blocks_opening(make_window, tmp_path,
                                                                         monkeypatch, qtbot,
                                                                         quadrants):
    w = make_window()
    saved_path = tmp_path / "linked.bpnet"
    project = imported_trained_saved(w, monkeypatch, qtbot, quadrants, saved_path, linked=True)
    ds = project.dataset
    assert ds.source["linked"] is True
    params, history = project.network.get_parameters(), list(project.history)
    w2 = make_window()
    assert w2.files.open(saved_path)  # the CSV is there: read from it, encoded as imported
    same_data(w2.document.project.dataset, ds)
    assert not w2.document.project.problems
    # the network file alone, without its CSV: opens with weights and history, says data missing
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "linked.bpnet"
    shutil.copy(saved_path, copy)
    quadrants.unlink()
    warnings = []
    answer(monkeypatch, "show_warning", None, warnings)
    w3 = make_window()
    assert w3.files.open(copy)
    doc = w3.document
    assert doc.path == copy and doc.project.dataset is None
    assert params_equal(doc.network.get_parameters(), params)
    assert list(doc.project.history) == history
    assert len(warnings) == 1 and "quadrants.csv" in warnings[0][1]
    assert "quadrants.csv" in w3.statusBar().currentMessage()
    info = w3.training.panel.data_info.text()
    assert "data is missing" in info and "quadrants.csv" in info


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """A CSV that takes a while to read and parse (about 12 MB: 120,000 rows of 8 numbers and a label)."""
    rng = np.random.default_rng(3)
    path = tmp_path_factory.mktemp("bigcsv") / "big.csv"
    x = rng.normal(size=(120_000, 8))
    labels = np.where(x[:, 0] > 0, "up", "down")
    with open(path, "w") as f:
        f.write(",".join(f"x{k}" for k in range(8)) + ",label\n")
        for row, lab in zip(x, labels):
            f.write(",".join(f"{v:.6f}" for v in row) + f",{lab}\n")
    return path


def progress_dialogs(window, on_dialog=None):
    """Poll the GUI thread every 10 ms: the progress dialogs seen (each handed to ``on_dialog``
    once) and whether the event loop ran at all while the CSV was read."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog
    seen = {"ticks": 0, "dialogs": []}

    def tick():
        seen["ticks"] += 1
        for d in QApplication.instance().topLevelWidgets() + window.findChildren(QProgressDialog):
            if isinstance(d, QProgressDialog) and d not in seen["dialogs"]:
                seen["dialogs"].append(d)
                if on_dialog is not None:
                    on_dialog(d)
    timer = QTimer(window, interval=10)
    timer.timeout.connect(tick)
    timer.start()
    return seen, timer


def test_a_large_csv_is_read_behind_a_progress_dialog(window, big_csv, monkeypatch):
    window.document.replace_project(Project(Network.dense([8, 4, 2], ["tanh", "softmax"], loss="cross_entropy",
                                                          seed=1)))
    seen, timer = progress_dialogs(window)
    dialog = import_through_panel(window, monkeypatch, big_csv)
    timer.stop()
    assert dialog is not None and dialog.result() == QDialog.Accepted
    assert window.document.project.dataset.x.shape == (120_000, 8)
    # the window's event loop ran while the file was read and parsed (a GUI timer saw the dialog)
    assert seen["dialogs"] and seen["ticks"] >= 1


def test_cancelling_a_large_csv_changes_nothing(window, big_csv, monkeypatch):
    import time

    import core.csv_import
    from PySide6.QtWidgets import QPushButton
    from core.fileio import dumps
    real = core.csv_import.sniff_csv

    def gated(path, *args, progress=None, **kwargs):
        """The real read, held at its first progress call until Cancel reaches it: a parse that
        ends before the click would otherwise race it on a busy machine."""
        def gate(fraction):
            end = time.monotonic() + 30
            while time.monotonic() < end:
                if progress(fraction) is False:
                    return False
                time.sleep(0.01)
            return True
        return real(path, *args, progress=gate, **kwargs)
    monkeypatch.setattr(core.csv_import, "sniff_csv", gated)
    before = dumps(window.document.project)
    seen, timer = progress_dialogs(window, lambda d: d.findChild(QPushButton).click())
    assert import_through_panel(window, monkeypatch, big_csv) is None  # the column dialog never opened
    timer.stop()
    assert seen["dialogs"], "the progress dialog was shown"
    assert dumps(window.document.project) == before
    assert "Reading big.csv was cancelled; nothing changed" in window.statusBar().currentMessage()
