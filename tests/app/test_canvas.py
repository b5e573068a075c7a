"""Building and editing a network on the canvas with simulated mouse drags and key presses."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.canvas.edges import EdgeBatchItem
from app.canvas.items import ConnectionItem, NeuronItem
from core.fileio import dumps
from core.network import Network
from core.project import Project


def vp(window, scene_point: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_point)


def drag(window, a: QPointF, b: QPointF, button=Qt.LeftButton, modifier=Qt.NoModifier) -> None:
    viewport = window.view.viewport()
    p, q = vp(window, a), vp(window, b)
    QTest.mousePress(viewport, button, modifier, p)
    for t in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(viewport, p + (q - p) * t)
    QTest.mouseRelease(viewport, button, modifier, q)


def click(window, a: QPointF, modifier=Qt.NoModifier) -> None:
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, modifier, vp(window, a))


def dclick(window, a: QPointF) -> None:
    """A real double-click: press, release, then the double-click event (QTest sends only that)."""
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, vp(window, a))
    QTest.mouseDClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, vp(window, a))
    QApplication.processEvents()  # the in-place field opens after the release


def port(window, li, k) -> QPointF:
    item = window.scene.neuron_item(li, k)
    return item.mapToScene(item.port_pos())


def centre(window, li, k) -> QPointF:
    return window.scene.neuron_item(li, k).scenePos()


@pytest.fixture
def blank(window, qtbot):
    """A 2-2-1 network without connections, filling the view."""
    window.document.replace_project(Project(Network.dense([2, 2, 1], fully_connected=False)))
    qtbot.wait(10)  # the automatic fit-to-window after opening
    window.view.reset_zoom()
    window.view.centerOn(window.scene.sceneRect().center())
    return window


def test_draw_connections_by_dragging(blank):
    w, net = blank, blank.document.network
    drag(w, port(w, 0, 0), centre(w, 1, 0))
    drag(w, port(w, 0, 1), centre(w, 1, 1))
    drag(w, port(w, 1, 0), centre(w, 2, 0))
    drag(w, port(w, 0, 0), centre(w, 2, 0))  # a skip connection
    assert net.num_connections == 4
    assert net.has_connection(0, 0, 2, 0)
    assert len([i for i in w.scene.items() if isinstance(i, ConnectionItem)]) == 4
    assert w.document.undo_stack.count() == 4
    assert w.document.modified and w.isWindowModified()


def test_refused_connections_explain_in_status_bar(blank):
    w, net = blank, blank.document.network
    drag(w, port(w, 0, 0), centre(w, 1, 0))
    drag(w, port(w, 0, 0), centre(w, 1, 0))  # duplicate
    assert "already connected" in w.statusBar().currentMessage()
    drag(w, port(w, 1, 0), centre(w, 0, 1))  # into an input
    assert "input neurons are set by the data" in w.statusBar().currentMessage()
    assert net.num_connections == 1


def test_connect_tool_drags_from_anywhere_on_a_neuron(blank):
    w = blank
    QTest.keyClick(w.view, Qt.Key_C)
    assert w.scene.interactions.tool == "connect"
    drag(w, centre(w, 0, 1), centre(w, 1, 0))
    assert w.document.network.has_connection(0, 1, 1, 0)
    QTest.keyClick(w.view, Qt.Key_V)
    assert w.scene.interactions.tool == "select"


def test_select_connection_and_delete_key(blank):
    w = blank
    drag(w, port(w, 0, 0), centre(w, 1, 0))
    edge = w.scene.edge_items[(0, 0, 1, 0)]
    click(w, edge.line.pointAt(0.5))
    assert w.scene.selected_connections() == [(0, 0, 1, 0)]
    assert w.inspector.stack.currentWidget() is w.inspector.conn_page
    w.view.setFocus()
    QTest.keyClick(w.view, Qt.Key_Delete)
    assert w.document.network.num_connections == 0
    QTest.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier)
    assert w.document.network.num_connections == 1
    QTest.keyClick(w.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert w.document.network.num_connections == 0


def test_drag_moves_neuron_as_one_undo_step(blank):
    w = blank
    start = centre(w, 1, 0)
    drag(w, start, start + QPointF(40, 25))
    moved = w.document.network.layers[1].positions[0]
    assert moved is not None and abs(moved[0] - (start.x() + 40)) < 2
    assert w.document.undo_stack.count() == 1
    w.document.undo()
    assert w.document.network.layers[1].positions[0] is None
    assert w.scene.neuron_item(1, 0).scenePos() == start


def test_rubber_band_selects_several_and_delete_removes_them(window, qtbot):
    w = window
    w.document.replace_project(Project(Network.dense([2, 3, 1])))
    qtbot.wait(10)
    w.view.reset_zoom()
    w.view.centerOn(w.scene.sceneRect().center())
    h = [w.scene.neuron_item(1, k).scenePos() for k in range(3)]
    a = QPointF(h[0].x() - 40, h[0].y() - 30)
    b = QPointF(h[1].x() + 40, h[1].y() + 30)
    drag(w, a, b)
    assert w.scene.selected_neurons() == [(1, 0), (1, 1)]
    assert "items selected" in w.inspector.title.text()
    w.view.setFocus()
    QTest.keyClick(w.view, Qt.Key_Delete)
    assert w.document.network.sizes == [2, 1, 1]
    assert w.document.undo_stack.count() == 1


def test_layer_title_selects_layer_and_keys_add_neurons(blank):
    w = blank
    label = w.scene.labels[1]
    click(w, label.scenePos())
    assert w.scene.selected_layers() == [1]
    assert w.inspector.stack.currentWidget() is w.inspector.layer_page
    w.view.setFocus()
    QTest.keyClick(w.view, Qt.Key_N)
    assert w.document.network.sizes == [2, 3, 1]
    assert w.scene.selected_layers() == [1]  # selection survives the rebuild
    assert len(w.scene.neurons[1]) == 3


def test_double_click_types_a_weight_in_place(blank):
    w = blank
    drag(w, port(w, 0, 0), centre(w, 1, 0))
    edge = w.scene.edge_items[(0, 0, 1, 0)]
    dclick(w, edge.line.pointAt(0.5))
    editor = w.view.inline_editor
    assert editor.isVisible()
    editor.setText("0.123456789")
    QTest.keyClick(editor, Qt.Key_Return)
    assert w.document.network.weight(0, 0, 1, 0) == 0.123456789
    assert not editor.isVisible()


def test_double_click_neuron_types_bias_and_input_name(blank):
    w = blank
    dclick(w, centre(w, 1, 1))
    w.view.inline_editor.setText("-1.5")
    QTest.keyClick(w.view.inline_editor, Qt.Key_Return)
    assert w.document.network.bias(1, 1) == -1.5
    QTest.qWait(2 * QApplication.doubleClickInterval())  # two separate double-clicks
    dclick(w, centre(w, 0, 0))
    w.view.inline_editor.setText("x")
    QTest.keyClick(w.view.inline_editor, Qt.Key_Return)
    assert w.document.network.name_of(0, 0) == "x"
    assert w.scene.neuron_item(0, 0).name == "x"


def test_inspector_edits_keep_full_precision(window, qtbot):
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1], seed=5)))
    exact = w.document.network.weight(0, 1, 1, 0)
    w.scene.select(connections=[(0, 1, 1, 0)])
    field = w.inspector.c_weight
    assert field.text() == f"{exact:.6f}"
    field.editingFinished.emit()  # focus passes through without a change: nothing written
    assert w.document.network.weight(0, 1, 1, 0) == exact and w.document.undo_stack.count() == 0
    field.selectAll()
    QTest.keyClicks(field, "0.3333333333")
    QTest.keyClick(field, Qt.Key_Return)
    assert w.document.network.weight(0, 1, 1, 0) == 0.3333333333
    assert field.text() == "0.333333"
    w.scene.select(neurons=[(1, 1)])
    w.inspector.n_bias.selectAll()
    QTest.keyClicks(w.inspector.n_bias, "2")
    QTest.keyClick(w.inspector.n_bias, Qt.Key_Return)
    assert w.document.network.bias(1, 1) == 2.0
    QTest.keyClick(w.inspector.n_bias, Qt.Key_Up)
    assert w.document.network.bias(1, 1) == 2.1
    w.inspector.n_name.selectAll()
    QTest.keyClicks(w.inspector.n_name, "hidden2")
    QTest.keyClick(w.inspector.n_name, Qt.Key_Return)
    assert w.document.network.name_of(1, 1) == "hidden2"


def test_scene_follows_document(window):
    w = window
    w.document.replace_project(Project(Network.dense([3, 4, 2])))
    s = w.scene
    assert [len(x) for x in s.neurons] == [3, 4, 2]
    assert len(s.edge_items) == 20
    w.editor.remove_layer(1)
    assert [len(x) for x in s.neurons] == [3, 2] and len(s.edge_items) == 6
    w.document.undo()
    assert len(s.edge_items) == 20
    w.editor.set_weight(0, 0, 1, 0, -3.0)
    assert s.edge_items[(0, 0, 1, 0)].weight == -3.0
    w.editor.rename(1, 0, "hid")
    assert s.neuron_item(1, 0).name == "hid"


def test_large_network_uses_batched_edges(window):
    w = window
    w.document.replace_project(Project(Network.dense([784, 128, 10], seed=1)))
    s = w.scene
    assert not s.edge_items
    assert {type(i) for i in s.batches.values()} == {EdgeBatchItem}
    assert s.batches[(0, 1)].n_total == 784 * 128 and s.batches[(0, 1)].n_drawn <= s.batch_limit
    w.view.fit_to_window()
    image = w.view.grab()
    assert not image.isNull()
    w.document.show_parameters(*[{k: -v for k, v in w.document.network.get_parameters()[0].items()},
                                 w.document.network.get_parameters()[1]])
    assert w.document.undo_stack.count() == 0


def test_glow(window):
    w = window
    net = w.document.network
    w.scene.set_glow([np.full(n, 0.7) for n in net.sizes])
    assert w.scene.neuron_item(len(net.sizes) - 1, net.sizes[-1] - 1).glow == 0.7
    w.scene.set_glow([np.zeros(3)])  # wrong shape (e.g. a stale report): cleared, no crash
    assert w.scene.neuron_item(0, 0).glow is None
    w.scene.set_glow(None)
    assert w.scene.neuron_item(0, 0).glow is None


def test_zoom_keys_and_fit(window):
    w = window
    w.view.setFocus()
    z = w.view.zoom
    QTest.keyClick(w.view, Qt.Key_Equal, Qt.ControlModifier)
    assert w.view.zoom > z
    QTest.keyClick(w.view, Qt.Key_Minus, Qt.ControlModifier)
    QTest.keyClick(w.view, Qt.Key_Minus, Qt.ControlModifier)
    assert w.view.zoom < z
    w.actions["fit"].trigger()
    rect = w.view.mapFromScene(w.scene.sceneRect()).boundingRect()
    assert w.view.viewport().rect().adjusted(-2, -2, 2, 2).contains(rect)


def test_undo_restores_document_exactly_through_ui(blank):
    w = blank
    before = dumps(w.document.project)
    drag(w, port(w, 0, 0), centre(w, 1, 0))
    drag(w, centre(w, 1, 1), centre(w, 1, 1) + QPointF(30, 30))
    w.editor.add_layer(1, 3)
    while w.document.undo_stack.canUndo():
        w.actions["undo"].trigger()
    assert dumps(w.document.project) == before
    assert isinstance(w.scene.neuron_item(0, 0), NeuronItem)


def test_weight_legend_is_drawn_once_per_printed_scale(window, monkeypatch):
    """The canvas repaints at every training frame; its legend comes from a pixmap made again
    only when the numbers it prints change, and looks as drawn directly (to within compositing's
    rounding)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter

    import app.canvas.view as view_module
    from app.panels.legend import paint_legend
    from core.resources import resource_path
    assert window.files.load(resource_path("examples", "xor.bpnet"))
    QApplication.processEvents()
    view, scene = window.view, window.scene
    drawn = []
    monkeypatch.setattr(view_module, "paint_legend", lambda *a: (drawn.append(a[2]), paint_legend(*a))[1])
    view._legend_key = None
    shot = view.viewport().grab().toImage()
    for _ in range(3):
        view.viewport().repaint()
    assert len(drawn) == 1, f"the legend was drawn {len(drawn)} times for one scale"
    view.show_legend = False
    direct = view.viewport().grab().toImage().convertToFormat(shot.format())
    view.show_legend = True
    p = QPainter(direct)
    box = paint_legend(p, QRect(0, 0, view.viewport().width(), view.viewport().height()),
                       scene.max_abs, scene.batches_summary()).toAlignedRect()
    p.end()
    assert box.height() > 40 and box.bottom() < shot.height()
    worst = max(abs(a - b) for y in range(box.top(), box.bottom(), 2) for x in range(box.left(), box.right(), 2)
                for a, b in zip(shot.pixelColor(x, y).getRgb(), direct.pixelColor(x, y).getRgb()))
    assert worst <= 3, f"the legend differs from one drawn directly by {worst} in a colour channel"
    weights, biases = window.document.network.get_parameters()
    window.document.show_parameters({k: w * 2.0 for k, w in weights.items()}, biases)  # new numbers
    QApplication.processEvents()
    view.viewport().repaint()
    assert len(drawn) == 2 and drawn[-1] == pytest.approx(2 * drawn[0])


def test_glow_halos_are_shared_pixmaps_that_look_like_the_gradient(window):
    """The δ glow changes at every training frame; each level's halo is drawn once (a radial
    gradient filled at every paint took 9.5 ms of a 12 ms two-spirals canvas repaint) and looks
    as that gradient does."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QRadialGradient
    from PySide6.QtWidgets import QGraphicsScene

    from app import style
    from app.canvas.items import GLOW_LEVELS, GLOW_MARGIN
    from core.resources import resource_path
    assert window.files.load(resource_path("examples", "xor.bpnet"))
    QApplication.processEvents()
    a, b = window.scene.neurons[1]
    a.set_glow(0.5)
    b.set_glow(0.5)
    assert a._halo.isVisible() and a._halo.pixmap().cacheKey() == b._halo.pixmap().cacheKey()
    r = a.radius + GLOW_MARGIN
    assert a._halo.sceneBoundingRect().width() == pytest.approx(2 * r)
    assert a._halo.sceneBoundingRect().center() == a.scenePos()  # centred on the neuron

    def drawn(halo_only):  # the halo alone, in a scene of its own, 2 px a unit
        scene = QGraphicsScene()
        if halo_only:
            item = type(a._halo)()
            item.setPixmap(a._halo.pixmap())
            item.setScale(a._halo.scale())
            item.setOffset(a._halo.offset())
            item.setTransformationMode(a._halo.transformationMode())
            scene.addItem(item)
        image = QImage(int(4 * r), int(4 * r), QImage.Format_ARGB32_Premultiplied)
        image.fill(QColor("white"))
        p = QPainter(image)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setRenderHint(QPainter.SmoothPixmapTransform, True)
        if halo_only:
            scene.render(p, QRectF(image.rect()), QRectF(-r, -r, 2 * r, 2 * r))
        else:  # the gradient as the halo was filled before
            p.scale(2, 2)
            p.translate(r, r)
            g = QRadialGradient(QPointF(0, 0), r)
            c = QColor(style.GLOW)
            c.setAlpha(int(230 * round(0.5 * GLOW_LEVELS) / GLOW_LEVELS))
            g.setColorAt(a.radius / r, c)
            c.setAlpha(0)
            g.setColorAt(1.0, c)
            p.setPen(Qt.NoPen)
            p.setBrush(QBrush(g))
            p.drawEllipse(QPointF(0, 0), r, r)
        p.end()
        return image
    got, want = drawn(True), drawn(False)
    worst = max(abs(x - y) for j in range(0, got.height(), 3) for i in range(0, got.width(), 3)
                for x, y in zip(got.pixelColor(i, j).getRgb(), want.pixelColor(i, j).getRgb()))
    assert worst <= 8, f"the halo differs from its gradient by {worst} in a colour channel"
