"""The step-through legible on a 1280×720 projector: in the real window, at the default digits, no
two of the overlay's value boxes overlap and none covers a neuron at any stage, and on a short
screen the canvas keeps most of the height (the Step table waits in a tab)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app.on_screen import show_tab
from core.fileio import load_project
from core.resources import example

NETWORKS = ["textbook-2-2-2", "textbook-3-2-1", "xor-shortcut"]


def projector_window(make_window, qtbot, name):
    w = make_window()
    w.resize(1280, 720)
    w.document.replace_project(load_project(example(name).path))
    QGuiApplication.processEvents()
    w.activateWindow()
    w.view.setFocus()
    w.classroom.actions["classroom"].trigger()
    c = w.classroom
    assert c.session.active and c.overlay is not None
    c.session.set_digits(9)  # the default; textbook-3-2-1 opens at the book's 3
    QGuiApplication.processEvents()
    return w, c


def neuron_rects(window) -> dict[str, QRectF]:
    out = {}
    for layer in window.scene.neurons:
        for item in layer:
            c, r = item.scenePos(), item.radius
            out[item.name] = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
    return out


def shown(widget) -> bool:
    """On screen: a dock in a tab behind another counts as visible to Qt but has no visible region."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def scene_boxes(c) -> list[tuple[str, QRectF]]:
    return [(f"{kind} {key}", c.overlay.mapRectToScene(rect)) for kind, key, rect, _ in c.overlay.boxes()]


@pytest.mark.parametrize("name", NETWORKS)
def test_no_value_box_overlaps_another_or_a_neuron(make_window, qtbot, name):
    window, c = projector_window(make_window, qtbot, name)
    qtbot.wait(300)  # the docks settle and the view is fitted to the network and its boxes
    port = window.view.viewport().rect()
    count = c.session.stepper.stage_count()
    start = (c.session.view.step, c.session.view.epoch)
    kinds, connection_boxes = [], 0
    for _ in range(count):
        v = c.session.view
        kinds.append(v.stage.kind)
        boxes = scene_boxes(c)
        connection_boxes = max(connection_boxes, sum(1 for label, _ in boxes if label.startswith("connection")))
        neurons = neuron_rects(window)
        for k, (a, ra) in enumerate(boxes):
            for b, rb in boxes[k + 1:]:
                assert not ra.intersects(rb), f"{name} {v.stage.kind}: {a} {ra} overlaps {b} {rb}"
            on_screen = window.view.mapFromScene(ra).boundingRect()
            assert port.contains(on_screen), f"{name} {v.stage.kind}: {a} is cut off at {on_screen} in {port}"
            for neuron, rn in neurons.items():
                assert not ra.intersects(rn), f"{name} {v.stage.kind}: {a} {ra} covers neuron {neuron}"
        QTest.keyClick(window.view, Qt.Key_Right)
        QGuiApplication.processEvents()
    assert {"forward", "error", "backward", "update"} <= set(kinds)
    # every connection is labelled at every stage: nothing was made legible by leaving it out
    assert connection_boxes == len(c.session.view.connections)
    v = c.session.view
    assert v.stage.kind == "input" and (v.step, v.epoch) != start  # went round once


def test_short_screen_gives_the_canvas_the_height_and_keeps_the_table_a_tab_away(make_window, qtbot):
    # the offscreen screen is 800 px high: a projector's height class
    window, c = projector_window(make_window, qtbot, "textbook-2-2-2")
    assert window.screen().availableGeometry().height() <= 800 and c.short_screen()
    qtbot.wait(200)  # the docks settle and the view is fitted
    assert c.table_dock in window.tabifiedDockWidgets(c.panel_dock)
    assert window.dockWidgetArea(c.table_dock) == Qt.RightDockWidgetArea
    assert shown(c.panel_dock) and not shown(c.table_dock)  # a tab behind the panel
    central = window.centralWidget().geometry()
    assert window.view.height() >= central.height() - 40  # nothing below the canvas
    assert window.view.height() >= 0.7 * window.height()
    show_tab(c.table_dock)  # a click on its tab
    QGuiApplication.processEvents()
    assert shown(c.table_dock) and c.table.rowCount() > 0
    c.actions["classroom"].trigger()
    assert not c.table_dock.isVisible() and window.training.docks["training"].isVisible()


def test_tall_screen_keeps_the_table_under_the_canvas(make_window, qtbot, monkeypatch):
    from app.classroom import feature
    monkeypatch.setattr(feature, "SHORT_SCREEN", 600)  # this 800 px screen counts as tall
    window, c = projector_window(make_window, qtbot, "textbook-2-2-2")
    qtbot.wait(200)
    assert window.dockWidgetArea(c.table_dock) == Qt.BottomDockWidgetArea
    assert shown(c.table_dock) and shown(c.panel_dock)
