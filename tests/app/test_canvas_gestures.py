"""Gestures on the canvas as a user makes them (issue 8, items 1 and 2): a drag from a neuron's
dot connects at any zoom, every move is one undo step, the Connect tool never rubber-bands, and
the in-place editor closes on Enter and covers the label it edits."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import style
from core.network import Network
from core.project import Project

from .test_canvas import centre, dclick, drag, port, vp


@pytest.fixture
def dense(window, qtbot):
    """An unconnected 2-4-1 network at the zoom a 1280x720 screen fits it to (about half size)."""
    window.document.replace_project(Project(Network.dense([2, 4, 1], fully_connected=False)))
    qtbot.wait(10)
    window.view.set_zoom(0.5)
    window.view.centerOn(window.scene.sceneRect().center())
    return window


def drag_pixels(window, p: QPoint, q: QPoint) -> None:
    viewport = window.view.viewport()
    QTest.mouseMove(viewport, p)
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, p)
    for t in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(viewport, p + (q - p) * t)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, q)


def test_drag_from_the_edge_of_the_dot_connects_and_never_moves(dense):
    """The press lands on or near the dot's rim: Qt's own hit test (a one-pixel square) reaches the
    neuron there where a point test did not, so the old code moved the neuron, for some of these
    presses without an undo step."""
    w = dense
    before = centre(w, 1, 3)
    dot = vp(w, port(w, 1, 3))
    for offset in (QPoint(-1, -3), QPoint(0, 0), QPoint(-1, 0), QPoint(1, -5), QPoint(-2, -5), QPoint(3, 3)):
        drag_pixels(w, dot + offset, vp(w, centre(w, 2, 0)))
        assert centre(w, 1, 3) == before, f"the neuron moved for a press at {offset}"
        assert w.document.network.layers[1].positions[3] is None
        assert w.document.network.has_connection(1, 3, 2, 0)
        assert w.document.undo_stack.count() == 1
        assert w.scene.selected_neurons() == []  # no rubber band behind the connection
        w.document.undo()
        QTest.qWait(2 * QApplication.doubleClickInterval())


def test_every_move_is_exactly_one_undo_step(dense):
    w = dense
    for k, (dx, dy) in enumerate(((30, 10), (-20, 25), (15, -40))):
        start = vp(w, centre(w, 1, 1))
        drag_pixels(w, start, start + QPoint(dx, dy))
        assert w.document.undo_stack.count() == k + 1
        assert w.document.network.layers[1].positions[1] is not None
        QTest.qWait(2 * QApplication.doubleClickInterval())
    for k in range(3):
        w.document.undo()
    assert w.document.network.layers[1].positions[1] is None
    assert w.scene.neuron_item(1, 1).pos() == QPointF(*w.scene.stored_position(1, 1))


def test_connect_tool_never_rubber_bands(dense):
    w = dense
    QTest.keyClick(w.view, Qt.Key_C)
    assert w.scene.interactions.tool == "connect"
    w.document.replace_project(Project(Network.dense([2, 4, 1], fully_connected=False)))
    QTest.qWait(10)
    w.view.set_zoom(0.5)
    w.view.centerOn(w.scene.sceneRect().center())
    # through the hidden layer to the output: the band would have caught h2, h3 and o1
    drag(w, centre(w, 0, 0) + QPointF(-6, -6), centre(w, 2, 0))
    assert w.document.network.has_connection(0, 0, 2, 0)
    assert w.scene.selectedItems() == []
    assert w.view.rubberBandRect().isNull()
    # a press on empty canvas neither selects nor moves anything with the Connect tool
    empty = w.scene.sceneRect().topLeft() + QPointF(5, 5)
    drag(w, empty, centre(w, 1, 3) + QPointF(30, 30))
    assert w.scene.selectedItems() == []
    assert w.document.undo_stack.count() == 1


def test_enter_applies_the_value_and_closes_the_editor(window, qtbot):
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    qtbot.wait(10)
    edge = w.scene.edge_items[(0, 0, 1, 0)]
    dclick(w, edge.label_pos())
    editor = w.view.inline_editor
    assert editor.isVisible()
    editor.setText("0.5")
    QTest.keyClick(editor, Qt.Key_Return)
    assert w.document.network.weight(0, 0, 1, 0) == 0.5
    for _ in range(5):  # the old editor came back on the next turn of the event loop
        QApplication.processEvents()
        QTest.qWait(5)
    assert not editor.isVisible()
    assert w.document.undo_stack.count() == 1
    QTest.keyClick(w.view, Qt.Key_Return)  # Enter on the canvas (not in the field) still opens it
    QApplication.processEvents()
    assert editor.isVisible()
    QTest.keyClick(editor, Qt.Key_Escape)
    assert not editor.isVisible()


@pytest.mark.parametrize("zoom", [0.5, 1.0, 2.0])
def test_editor_covers_the_label_at_any_zoom(window, qtbot, zoom):
    """At 1920x1080 a fitted textbook network is drawn at twice its size: the field's text must be
    as large as the label's and sit on it. The bias is edited by double-clicking its text."""
    w = window
    w.resize(1920, 1080)
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    qtbot.wait(50)
    w.view.set_zoom(zoom)
    w.view.centerOn(w.scene.sceneRect().center())
    edge, neuron = w.scene.edge_items[(0, 1, 1, 1)], w.scene.neuron_item(1, 0)
    for item, kind, key in ((edge, "weight", edge.key), (neuron, "bias", neuron.key)):
        label = w.view.mapFromScene(item.edit_rect()).boundingRect()
        dclick(w, item.edit_rect().center())
        editor = w.view.inline_editor
        assert editor.isVisible() and w.view._editing == (kind, key)
        field = editor.geometry()
        assert abs(field.center().x() - label.center().x()) <= 2
        assert abs(field.center().y() - label.center().y()) <= 2
        assert field.width() >= label.width() and field.height() >= label.height() - 1
        assert field.height() <= max(label.height(), editor.fontMetrics().height() + 4) + 1
        assert editor.font().pointSizeF() == pytest.approx(max(style.value_font(8.5).pointSizeF() * zoom, 6.0))
        QTest.keyClick(editor, Qt.Key_Escape)
        QTest.qWait(2 * QApplication.doubleClickInterval())
