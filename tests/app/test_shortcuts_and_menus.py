"""Key bindings and menu texts (issue 8, items 6 and 7): no shortcut is bound twice, the F1 list
is read from the actions themselves, and an & in an example's title is shown, not eaten."""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest

from app.files import examples


def bound_keys(window) -> dict[str, list[str]]:
    keys = defaultdict(list)
    for act in window.findChildren(QAction):
        for seq in act.shortcuts():
            if not seq.isEmpty():
                keys[seq.toString(QKeySequence.PortableText)].append(act.text())
    return keys


def test_every_shortcut_is_bound_once(window):
    keys = bound_keys(window)
    assert "F5" in keys and "Ctrl+Shift+R" in keys  # the training feature's actions are counted
    twice = {k: v for k, v in keys.items() if len(v) > 1}
    assert not twice, f"shortcuts bound more than once: {twice}"


def test_ctrl_shift_r_fires_reset_weights(window, qtbot):
    """An ambiguous binding fires nothing (and Qt warns, which fails the test)."""
    w = window
    w.files.open_example("xor")
    opened = w.document.network.get_parameters()[0]
    with qtbot.waitSignal(w.training.controller.run_ended, timeout=20000):
        w.training.controller.step()
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow())
    QTest.keyClick(w, Qt.Key_R, Qt.ControlModifier | Qt.ShiftModifier)
    assert w.document.undo_stack.undoText() == "Reset weights"
    after = w.document.network.get_parameters()[0]
    assert all(np.array_equal(opened[k], after[k]) for k in opened)


def test_shortcut_list_names_every_bound_key(window):
    html = window.shortcuts_html()
    for key, actions in bound_keys(window).items():
        native = QKeySequence(key).toString(QKeySequence.NativeText)
        assert native in html, f"{key} ({actions}) is missing from the F1 list"
    for key in ("F5", "F6", "F7", "Shift+F5", "F10", "Ctrl+H"):
        assert f"<b>{key}" in html or f", {key}" in html


def test_examples_menu_shows_ampersands(window):
    titles = {ex.title for ex in examples()}
    assert any("&" in t for t in titles), "an example title with & (Han & Kamber) is expected"
    shown = [a.text() for a in window.examples_menu.actions()]
    for text in shown:
        assert not re.search(r"(?<!&)&(?!&)", text), f"{text!r}: a lone & becomes a mnemonic"
    assert sorted(t.replace("&&", "&") for t in shown) == sorted(titles)
