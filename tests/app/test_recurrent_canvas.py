"""Recurrent connections drawn on the canvas: backward, sideways and self connections are arcs
and loops that leave the forward connections visible."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from app.canvas.items import ConnectionItem
from app.canvas.recurrent_edges import RecurrentBatchItem, RecurrentConnectionItem
from app.on_screen import on_screen, show_tab
from app.panels.recurrence_panel import RecurrencePanel
from core.network import Network
from core.project import Project
from tests.app.test_canvas import blank, centre, drag, port  # noqa: F401 (blank is a fixture)


def _distance_to_segment(p: QPointF, a: QPointF, b: QPointF) -> float:
    ab, ap = b - a, p - a
    t = max(0.0, min(1.0, QPointF.dotProduct(ap, ab) / QPointF.dotProduct(ab, ab)))
    q = a + ab * t
    return math.hypot(p.x() - q.x(), p.y() - q.y())


def test_drawing_backward_sideways_and_self_connections(blank):
    w, net = blank, blank.document.network
    drag(w, port(w, 1, 0), centre(w, 2, 0))  # forward h1 -> o1
    drag(w, port(w, 2, 0), centre(w, 1, 0))  # backward o1 -> h1, over the same pair
    drag(w, port(w, 1, 0), centre(w, 1, 1))  # sideways h1 -> h2
    assert net.num_connections == 3
    h2 = port(w, 1, 1)
    item = w.scene.neuron_item(1, 1)
    vp = w.view.viewport()  # a drag that leaves h2 and comes back onto it: a self-loop
    a = w.view.mapFromScene(h2)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, a)
    for dx, dy in ((30, -20), (90, -70), (40, -30), (0, 0)):
        QTest.mouseMove(vp, w.view.mapFromScene(item.scenePos() + QPointF(dx, dy)))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, w.view.mapFromScene(item.scenePos()))
    assert net.has_connection(2, 0, 1, 0) and net.has_connection(1, 0, 1, 1) and net.has_connection(1, 1, 1, 1)
    assert net.is_recurrent
    arcs = {i.key: i for i in w.scene.items() if isinstance(i, RecurrentConnectionItem)}
    assert set(arcs) == {(2, 0, 1, 0), (1, 0, 1, 1), (1, 1, 1, 1)}
    forward = next(i for i in w.scene.items() if type(i) is ConnectionItem and i.key == (1, 0, 2, 0))
    back = arcs[(2, 0, 1, 0)]
    mid = back.path.pointAtPercent(0.5)
    assert _distance_to_segment(mid, forward.line.p1(), forward.line.p2()) > 20  # never on top of it
    side = arcs[(1, 0, 1, 1)]
    h1c, h2c = centre(w, 1, 0), centre(w, 1, 1)
    assert _distance_to_segment(side.path.pointAtPercent(0.5), h1c, h2c) > 20  # not through the layer
    loop = arcs[(1, 1, 1, 1)].path
    far = loop.pointAtPercent(0.5)  # up and to the right: clear of the title, the bias and the port
    assert far.x() > h2c.x() and far.y() < h2c.y() and math.hypot(far.x() - h2c.x(), far.y() - h2c.y()) > 2 * item.radius
    assert loop.boundingRect().bottom() < h2c.y() + 0.2 * item.radius


def test_a_pair_of_opposite_sideways_connections_bow_to_opposite_sides(blank):
    w, net = blank, blank.document.network
    w.editor.connect(1, 0, 1, 1)
    w.editor.connect(1, 1, 1, 0)
    arcs = {i.key: i for i in w.scene.items() if isinstance(i, RecurrentConnectionItem)}
    x = centre(w, 1, 0).x()
    assert arcs[(1, 0, 1, 1)].path.pointAtPercent(0.5).x() > x + 15
    assert arcs[(1, 1, 1, 0)].path.pointAtPercent(0.5).x() < x - 15


def test_large_networks_draw_recurrent_blocks_as_arc_batches(window, qtbot):
    net = Network.dense([20, 60, 10])
    net.connect_fully(1, 1, np.full((60, 60), 0.01))
    window.document.replace_project(Project(net))
    qtbot.wait(10)
    batch = window.scene.batches[(1, 1)]
    assert isinstance(batch, RecurrentBatchItem) and batch.n_total == 3600
    fwd = window.scene.batches[(0, 1)]
    assert batch.boundingRect().contains(fwd.boundingRect().center())
    window.grab()  # paints every item once


def test_probe_shows_the_fixed_point_and_training_runs_in_the_thread(qtbot, window):
    from core.fileio import load_project
    from core.recurrent import RecurrentEngine
    from core.resources import example
    from tests.app.test_training import load
    f = load(window, load_project(example("self-loop-attractor").path))
    f.docks["probe"].show()
    show_tab(f.docks["probe"])
    qtbot.waitUntil(lambda: on_screen(f.probe))
    f.probe.set_inputs([0.3])
    expected = RecurrentEngine(window.document.network).settle([[0.3]])[0, 0]
    assert f.probe.output_values()[0] == pytest.approx(expected, rel=1e-5)
    from app.training.controller import IDLE
    from tests.app.test_training import wait_state
    c = f.controller
    w_before = window.document.network.weight(1, 0, 1, 0)
    assert c.start()
    wait_state(qtbot, c, IDLE, timeout=30000)  # the example's 300 epochs, in the worker thread
    net = window.document.network
    assert net.weight(1, 0, 1, 0) > 1.0 > w_before  # the self-loop learned its attractor
    assert window.document.project.history[-1].loss < 0.01


def test_recurrence_settings_panel_edits_through_undo(qtbot, window):
    from core.fileio import load_project
    from core.resources import example
    window.document.replace_project(Project(Network.dense([2, 2, 1])))
    panel = window.findChild(RecurrencePanel)
    assert panel is not None and panel.isHidden()  # a feed-forward network has no such settings
    window.document.replace_project(load_project(example("self-loop-attractor").path))
    assert not panel.isHidden() and panel.max_iterations.value() == 2000
    panel.rate.setValue(0.5)
    panel.rate.editingFinished.emit()
    net = window.document.network
    assert net.recurrence.rate == 0.5 and net.recurrence.max_iterations == 2000
    panel.threshold.setText("abc")
    panel.threshold.editingFinished.emit()
    assert net.recurrence.threshold == 1e-6 and panel.threshold.text() == "1e-06"
    window.document.undo()
    assert net.recurrence.rate == 1.0 and panel.rate.value() == 1.0


def test_relaxation_dock_plays_the_settling_on_the_canvas(qtbot, window):
    from core.fileio import load_project
    from core.resources import example
    from core.recurrent import RecurrentEngine
    f = window.training
    window.document.replace_project(load_project(example("self-loop-attractor").path))
    view = f.relaxation
    qtbot.waitUntil(view.isVisible)  # raised for a recurrent network
    assert view.trace is not None
    x = window.document.project.dataset.inputs()[:1]
    fwd = RecurrentEngine(window.document.network).forward(x)
    xs, ys = view.curve_f.getData()
    assert len(xs) == fwd.iterations and np.allclose(10 ** ys, fwd.changes)  # log-scale plot
    assert len(view.curve_b.getData()[0]) == len(view.trace.backward)
    view.show_frame(len(view.trace.forward) - 1)  # the settled forward state
    glow = window.scene.neuron_item(1, 0).glow
    assert glow == pytest.approx(abs(fwd.values[0, 1]), rel=1e-9)
    view.show_frame(len(view.frames) - 1)  # the last backward iteration: |δ| scaled to the largest
    assert window.scene.neuron_item(1, 0).glow == pytest.approx(1.0)
    assert "backward iteration" in view.status.text()
    view.toggle_play()
    assert view.play_button.text() == "Stop"
    qtbot.waitUntil(lambda: view.play_button.text() == "Play", timeout=20000)
    assert window.scene.neuron_item(1, 0).glow is None  # the canvas is left as it was
    window.document.replace_project(Project(Network.dense([2, 2, 1])))
    view.refresh()
    assert "feed-forward" in view.note.text()
