"""The step-through legible on a 1280×720 projector: in the real window, at the default digits, no
two of the overlay's value boxes overlap and none covers a neuron at any stage, and on a short
screen the canvas keeps most of the height (the Step table waits in a tab)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

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


def scene_boxes(c) -> list[tuple[str, QRectF]]:
    return [(f"{kind} {key}", c.overlay.mapRectToScene(rect)) for kind, key, rect, _ in c.overlay.boxes()]


@pytest.mark.parametrize("name", NETWORKS)
def test_no_value_box_overlaps_another_or_a_neuron(make_window, qtbot, name):
    window, c = projector_window(make_window, qtbot, name)
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
            for neuron, rn in neurons.items():
                assert not ra.intersects(rn), f"{name} {v.stage.kind}: {a} {ra} covers neuron {neuron}"
        QTest.keyClick(window.view, Qt.Key_Right)
        QGuiApplication.processEvents()
    assert {"forward", "error", "backward", "update"} <= set(kinds)
    # every connection is labelled at every stage: nothing was made legible by leaving it out
    assert connection_boxes == len(c.session.view.connections)
    v = c.session.view
    assert v.stage.kind == "input" and (v.step, v.epoch) != start  # went round once
