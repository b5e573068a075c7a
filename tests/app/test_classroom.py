"""The step-through driven through the real window: keys, menus, the numbers the canvas overlay,
the Explain panel and the table show at every stage, undo, leaving mid-step, auto-play."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest

from app import style
from app.training.controller import params_equal
from core import cli
from core.datasets import Dataset
from core.explain import format_number
from core.fileio import load_project
from core.project import Project
from core.resources import example

MAZUR = example("textbook-2-2-2").path
HAN = example("textbook-3-2-1").path


def open_in(window, path):
    window.document.replace_project(load_project(path))
    QGuiApplication.processEvents()
    return window.classroom


def enter(window, qtbot):
    c = window.classroom
    window.activateWindow()
    window.view.setFocus()
    c.actions["classroom"].trigger()
    assert c.session.active and c.overlay is not None and c.panel_dock.isVisible()
    return c


def key(window, k):
    QTest.keyClick(window.view, k)
    QGuiApplication.processEvents()


def shown_texts(c) -> dict:
    """Everything the overlay writes at the current stage, by what it belongs to."""
    v, d, o = c.session.view, c.session.digits, c.overlay
    out = {"E": o.error_text(d)}
    for n in v.neurons:
        out[n.name] = [t for t, _ in o.neuron_lines(n, d)]
    for cv in v.connections:
        out[(cv.source, cv.target)] = [t for t, _ in o.connection_lines(cv, d)]
    return out


def reads_as_printed(text: str, printed: str) -> None:
    """A number shown on screen, rounded to the figure the book prints, is the book's figure."""
    value = float(text.replace("−", "-"))
    sig = len(printed.lstrip("-0.").replace(".", ""))
    assert format_number(value, sig) == format_number(float(printed), sig), (text, printed)


def value_after(lines: list[str], prefix: str) -> str:
    line = next(ln for ln in lines if ln.startswith(prefix))
    return line[len(prefix):].strip().split(" ")[0]


def trace_json(path) -> dict:
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["trace", str(path), "--json"]) == 0
    return json.loads(buf.getvalue())


def test_enter_and_leave_from_menu_and_toolbar(window, qtbot):
    c = open_in(window, MAZUR)
    train_menu_actions = window.train_menu.actions()
    assert c.actions["classroom"] in train_menu_actions
    assert c.actions["classroom"] in window.toolbar.actions()
    assert not c.actions["stage_forward"].isEnabled()
    enter(window, qtbot)
    assert c.actions["stage_forward"].isEnabled() and c.table_dock.isVisible()
    assert not window.training.docks["training"].isVisible()  # the canvas gets the room
    c.actions["classroom"].trigger()
    assert not c.session.active and c.overlay is None and not c.panel_dock.isVisible()
    assert window.training.docks["training"].isVisible()  # and the docks come back


def test_mazur_every_stage_through_the_window(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    assert c.session.digits == 9 and c.panel.digits_spin.value() == 9
    printed = trace_json(MAZUR)
    neurons = {n["name"]: n for n in printed["neurons"]}
    d = 9
    f = lambda x: format_number(x, d)  # noqa: E731
    doc = window.document
    before = doc.network.get_parameters()
    kinds = []
    for stage in range(7):
        v = c.session.view
        kinds.append(v.stage.kind)
        texts = shown_texts(c)
        assert c.panel.counter_label.text() == f"step {stage + 1} / 7"
        if v.stage.kind == "forward" and v.stage.layer == 1:
            assert texts["h1"] == [f"net {f(neurons['h1']['net'])}", f"out {f(neurons['h1']['out'])}"]
            assert texts["o1"] == []  # not reached: nothing written, drawn dimmed
            assert not v.neuron("o1").reached
            reads_as_printed(value_after(texts["h1"], "out"), "0.593269992")
        if v.stage.kind == "forward" and v.stage.layer == 2:
            reads_as_printed(value_after(texts["o1"], "out"), "0.75136507")
        if v.stage.kind == "error":
            assert texts["E"] == f"E = {f(printed['error_before'])}"
            reads_as_printed(texts["E"].split("= ")[1], "0.298371109")
            assert value_after(texts["o1"], "E") == f(neurons["o1"]["error_term"])
        if v.stage.kind == "backward" and v.stage.layer == 2:
            assert value_after(texts["o1"], "δ") == f(neurons["o1"]["delta"])
            reads_as_printed(value_after(texts["o1"], "δ"), "0.138498562")
            w5 = next(w for w in printed["weights"] if (w["source"], w["target"]) == ("h1", "o1"))
            assert texts[("h1", "o1")] == ["∂E/∂w5", f(w5["grad"])]
            reads_as_printed(texts[("h1", "o1")][1], "0.082167041")
            assert texts[("i1", "h1")] == ["w1 0.15"]  # the backward sweep has not reached it
            # the Explain panel for w5, through a click-equivalent selection
            window.scene.select(connections=[(1, 0, 2, 0)])
            e = c.panel.explanation
            assert e.title == "∂E/∂w5" and e.lines[0].numbers.text == \
                f"{f(0.74136507 + (neurons['o1']['out'] - 0.75136507))} · " \
                f"{f(neurons['o1']['derivative'])} · {f(neurons['h1']['out'])}"
            assert f(w5["grad"]) in c.panel.explain_view.toPlainText()
            # the table shows the same
            row = next(r for r in range(c.table.rowCount()) if c.table.item(r, 1).text().startswith("w5"))
            assert c.table.item(row, 6).text() == f(w5["grad"])
            assert doc.undo_stack.count() == 0  # nothing has changed the network yet
        if v.stage.kind == "update":
            assert doc.undo_stack.count() == 1
            assert doc.undo_stack.text(0) == "Step-through update (step 1)"
            reads_as_printed(texts[("h1", "o1")][1].lstrip("→ "), "0.35891648")
            reads_as_printed(texts[("i1", "h1")][1].lstrip("→ "), "0.149780716")
            assert texts["h1"][-1] == "b1 0.35 (fixed)"
            assert doc.network.weight(1, 0, 2, 0) == next(
                w["new"] for w in printed["weights"] if (w["source"], w["target"]) == ("h1", "o1"))
        key(window, Qt.Key_Right if stage % 2 == 0 else Qt.Key_Space)
    assert kinds == ["input", "forward", "forward", "error", "backward", "backward", "update"]
    assert c.session.view.stage.kind == "input" and c.session.view.step == 1
    # back over the update: the update is undone, exactly
    key(window, Qt.Key_Left)
    assert c.session.view.stage.kind == "update" and doc.undo_stack.count() == 1
    key(window, Qt.Key_Left)
    assert c.session.view.stage.kind == "backward"
    assert params_equal(before, doc.network.get_parameters()) and doc.undo_stack.index() == 0
    key(window, Qt.Key_Home)
    assert c.session.view.stage.kind == "input"


def test_han_kamber_at_three_digits(window, qtbot):
    c = open_in(window, HAN)
    enter(window, qtbot)
    assert c.session.digits == 3
    while c.session.view.stage.kind != "update":
        key(window, Qt.Key_Right)
        texts = shown_texts(c)
        v = c.session.view
        if v.stage.kind == "backward" and v.stage.layer == 1:
            for name, net, out in (("h4", "−0.7", "0.332"), ("h5", "0.1", "0.525"), ("o6", "−0.105", "0.474")):
                assert value_after(texts[name], "out") == out
            assert value_after(texts["h4"], "δ") == "0.00872"  # the book's Err4 = −0.0087 (Err = −δ)
            reads_as_printed(value_after(texts["h4"], "δ"), "0.0087")
            reads_as_printed(value_after(texts["h5"], "δ"), "0.0065")
            grad = v.connection("h4", "o6").grad
            assert texts[("h4", "o6")] == ["∂E/∂w46", format_number(grad, 3)]
    texts = shown_texts(c)
    for (a, b), label, new in ((("h4", "o6"), "w46", "−0.261"), (("h5", "o6"), "w56", "−0.138"),
                               (("x1", "h4"), "w14", "0.192"), (("x3", "h4"), "w34", "−0.508")):
        assert texts[(a, b)][1] == f"→ {new}", (a, b, texts[(a, b)])
        assert texts[(a, b)][0].startswith(label)
    assert texts["o6"][-1] == "θ6 0.1 → 0.218"
    assert texts["h4"][-1] == "θ4 −0.4 → −0.408"
    # the table and the Explain panel show the same numbers
    row = next(r for r in range(c.table.rowCount()) if c.table.item(r, 1).text().startswith("w46"))
    assert [c.table.item(row, k).text() for k in (5, 8)] == ["−0.3", "−0.261"]
    row = next(r for r in range(c.table.rowCount()) if c.table.item(r, 1).text().startswith("θ6"))
    assert c.table.item(row, 8).text() == "0.218"
    window.scene.select(connections=[(1, 0, 2, 0)])
    assert c.panel.explanation.lines[0].text.startswith("w46⁺ = w46 − η·∂E/∂w46 = −0.3 − 0.9·")
    assert c.panel.explanation.lines[0].text.endswith("= −0.261")
    window.scene.select(neurons=[(1, 0)])
    assert c.panel.explanation.lines[0].text.endswith("= −0.408")  # θ4's update


def test_leaving_mid_step_leaves_the_network_and_after_the_update_keeps_it(window, qtbot):
    c = open_in(window, MAZUR)
    doc = window.document
    before = doc.network.get_parameters()
    enter(window, qtbot)
    for _ in range(4):
        key(window, Qt.Key_Right)
    c.actions["classroom"].trigger()
    assert params_equal(before, doc.network.get_parameters()) and doc.undo_stack.count() == 0
    enter(window, qtbot)
    for _ in range(6):
        key(window, Qt.Key_Right)
    assert c.session.view.stage.kind == "update"
    c.actions["classroom"].trigger()
    after = doc.network.get_parameters()
    assert not params_equal(before, after) and doc.undo_stack.count() == 1
    doc.undo()
    assert params_equal(before, doc.network.get_parameters())


def skip_softmax_project() -> Project:
    from tests.core.test_stepper import random_network
    net = random_network(5, "softmax", "cross_entropy")
    x = np.array([[0.3, -0.2, 0.5], [1.0, 0.1, -0.4], [0.2, 0.2, 0.2]])
    y = np.eye(3)[[2, 0, 1]]
    p = Project(net, dataset=Dataset(x, y, ["a1", "a2", "a3"], ["o1", "o2", "o3"], "classification",
                                     ["c0", "c1", "c2"]))
    return p


@pytest.mark.parametrize("batch", [1, 2])
def test_random_network_back_and_forth_is_exact(window, qtbot, batch):
    from dataclasses import replace
    p = skip_softmax_project()
    p.training = replace(p.training, batch_size=batch)
    window.document.replace_project(p)
    c = window.classroom
    doc = window.document
    start = doc.network.get_parameters()
    enter(window, qtbot)
    seen = []
    for _ in range(30):
        seen.append((c.session.view, shown_texts(c), doc.network.get_parameters()))
        key(window, Qt.Key_Right)
    for k in range(len(seen) - 1, -1, -1):
        key(window, Qt.Key_Left)
        view, texts, params = seen[k]
        assert c.session.view == view
        assert shown_texts(c) == texts
        assert params_equal(params, doc.network.get_parameters())
    assert params_equal(start, doc.network.get_parameters())
    # softmax with cross-entropy: the shortcut δ = o − t in the Explain panel
    while not (c.session.view.stage.kind == "backward" and c.session.view.stage.layer == 3):
        key(window, Qt.Key_Right)
    window.scene.select(neurons=[(3, 0)])
    assert c.panel.explanation.lines[0].text.startswith("δ_o1 = out_o1 − t_o1")


def test_table_copies_tab_separated_values(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    for _ in range(4):
        key(window, Qt.Key_Right)
    c.table.setFocus()
    QTest.keySequence(c.table, QKeySequence.Copy)
    text = QGuiApplication.clipboard().text()
    rows = [ln.split("\t") for ln in text.strip().split("\n")]
    assert rows[0][:9] == ["kind", "name", "net", "out", "δ", "w", "∂E/∂w", "Δw", "new w"]
    o1 = next(r for r in rows if r[1] == "o1")
    assert float(o1[4]) == c.session.view.neuron("o1").delta  # full precision, spreadsheet-ready
    w5 = next(r for r in rows if r[1].startswith("w5"))
    assert float(w5[6]) == c.session.view.connection("h1", "o1").grad
    assert len(rows) == 1 + 6 + 4 + 8  # neurons, biases, weights


def test_autoplay_pause_and_precision(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    c.panel.delay_spin.setValue(0.5)
    c.actions["stage_play"].trigger()
    assert c.session.playing
    qtbot.waitUntil(lambda: c.session.view.index >= 2, timeout=5000)
    c.actions["stage_play"].trigger()
    assert not c.session.playing
    at = c.session.view.index
    qtbot.wait(700)
    assert c.session.view.index == at
    # precision: the whole canvas follows it, and zooming in shows more
    c.panel.digits_spin.setValue(3)
    assert style.DIGITS == 3 and style.format_value(0.149780716) == "0.15"
    assert style.format_value(0.149780716, zoom=2.0) == "0.1498"
    c.panel.digits_spin.setValue(6)
    assert style.format_value(0.149780716) == "0.149781"
    assert c.actions["classroom"].isChecked()


def test_typed_sample_and_bad_input(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    c.panel.input_edit.setText("1, 0")
    c.panel.target_edit.setText("0.5, 0.5")
    c.panel.use_typed.click()
    assert c.session.custom is not None
    assert c.session.view.trace.inputs == (1.0, 0.0) and c.session.view.trace.targets == (0.5, 0.5)
    c.panel.input_edit.setText("1")
    c.panel.use_typed.click()
    assert "2 input values" in c.panel.where_label.text()
    assert c.session.view.trace.inputs == (1.0, 0.0)  # the previous typed sample is kept


def test_fixed_biases_toggle_is_undoable(window, qtbot):
    c = open_in(window, HAN)
    doc = window.document
    assert not doc.network.fixed_biases and not c.actions["fixed_biases"].isChecked()
    c.actions["fixed_biases"].trigger()
    assert doc.network.fixed_biases
    doc.undo()
    assert not doc.network.fixed_biases and not c.actions["fixed_biases"].isChecked()


def test_an_edit_during_the_step_starts_a_fresh_step(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    for _ in range(3):
        key(window, Qt.Key_Right)
    window.editor.set_weight(1, 0, 2, 0, 0.9) if hasattr(window.editor, "set_weight") else \
        doc_set_weight(window, 0.9)
    assert c.session.view.index == 0
    assert c.session.view.connection("h1", "o1").weight == 0.9


def doc_set_weight(window, value):
    from app.commands import SetWeightCommand
    window.document.push(SetWeightCommand(window.document, 1, 0, 2, 0, value))


def test_canvas_values_follow_the_precision_and_the_zoom(window, qtbot):
    """Issue 8 item 8: after one textbook step w1 is 0.149780716, not '0.15' on the canvas."""
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    for _ in range(6):
        key(window, Qt.Key_Right)
    c.actions["classroom"].trigger()  # leave after the update: the network keeps it
    qtbot.wait(10)
    item = window.scene.edge_items[(0, 0, 1, 0)]
    assert item.show_values
    assert style.format_value(item.weight) == "0.149780716"  # the file's 9 digits
    c.precision_actions[4].trigger()
    assert c.session.digits == 4 and style.format_value(item.weight) == "0.1498"
    qtbot.waitUntil(lambda: item._look[3] == "0.1498", timeout=2000)  # the item redraws it
    assert style.format_value(item.weight, zoom=3.5) == "0.149781"  # zoomed in: two more


def test_table_hover_highlights_and_training_ends_the_mode(window, qtbot):
    c = open_in(window, MAZUR)
    enter(window, qtbot)
    c.table._on_cell_entered(next(r for r, row in enumerate(c.table.rows) if row[0] == "connection"), 1)
    first = c.table.rows[next(r for r, row in enumerate(c.table.rows) if row[0] == "connection")][1]
    net = window.document.network
    assert window.scene.edge_items[(*net.find(first[0]), *net.find(first[1]))].hovered
    c.table.row_hovered.emit(None)
    assert c._hovered_item is None
    with qtbot.waitSignal(window.training.controller.run_ended, timeout=10000):
        window.training.actions["step"].trigger()
    assert not c.session.active and not c.actions["classroom"].isChecked()


def test_glow_scale_choice_reaches_training_and_the_legend(window, qtbot):
    c = open_in(window, MAZUR)
    c.glow_actions["network"].trigger()
    assert window.training.glow.mode == "network" and window.training.legend.mode == "network"
    assert c.panel.glow_combo.currentData() == "network"
    c.panel.glow_combo.setCurrentIndex(c.panel.glow_combo.findData("log"))
    assert window.training.glow.mode == "log" and c.glow_actions["log"].isChecked()
    assert "log" in window.training.legend.end_labels()[1]
    enter(window, qtbot)
    for _ in range(5):
        key(window, Qt.Key_Right)
    g = c.overlay.glow()
    assert set(g) == {"h1", "h2", "o1", "o2"} and max(g.values()) == 1.0
