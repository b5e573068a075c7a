"""Every view shows the current document and run (issue 8, items 3, 4 and 5), checked through the
real window: runs on the real worker thread, clicks on the real plots."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.on_screen import show_tab
from app.training.loss_plot import COLOURS
from core.network import Network
from core.project import Project


def step(window, qtbot, times: int = 1) -> None:
    c = window.training.controller
    for _ in range(times):
        with qtbot.waitSignal(c.run_ended, timeout=20000):
            assert c.step()


def plot_pixel(plot_widget, view_point: QPointF):
    vb = plot_widget.getPlotItem().vb
    return plot_widget.mapFromScene(vb.mapViewToScene(view_point))


def colour_near(image, centre, colour: str, radius: int = 5) -> int:
    want = QColor(colour)
    hits = 0
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            x, y = centre.x() + dx, centre.y() + dy
            if 0 <= x < image.width() and 0 <= y < image.height():
                c = image.pixelColor(x, y)
                if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60:
                    hits += 1
    return hits


# ----------------------------------------------------------------- item 5
def test_a_loss_plot_of_one_epoch_shows_the_point_and_its_value(window, qtbot):
    w = window
    w.files.open_example("textbook-2-2-2")
    step(w, qtbot)
    lp = w.training.loss_plot
    lp.redraw()
    entry = w.document.project.history[-1]
    assert entry.epoch == 1 and lp.epochs_shown() == 1
    image = lp.plot.grab().toImage()
    where = plot_pixel(lp.plot, QPointF(entry.epoch, entry.loss))
    assert colour_near(image, where, COLOURS["loss"]) >= 12, "no visible mark at the one point"
    assert "epoch 1" in lp.readout.text() and f"{entry.loss:.6g}" in lp.readout.text()


# ----------------------------------------------------------------- item 4
def test_opening_another_network_resets_the_run_readouts(window, qtbot):
    w = window
    w.files.open_example("xor")
    step(w, qtbot, 2)
    f = w.training
    assert "Epoch 2" in f.status_label.text() and f.panel.status.text().strip()
    w.files.maybe_save = lambda: True  # (the trained XOR is not kept)
    w.files.open_example("two-spirals")
    QApplication.processEvents()
    assert f.status_label.text() == ""
    assert f.panel.status.text().strip() == ""
    assert f.loss_plot.epochs_shown() == 0
    (x0, x1), (y0, y1) = f.loss_plot.plot.getPlotItem().vb.viewRange()
    assert x1 < 3, "the loss plot kept the previous network's epoch axis"


def test_opening_another_network_clears_the_selection(window):
    w = window
    w.files.open_example("xor")
    w.scene.select(connections=[(0, 0, 1, 1)])
    assert w.inspector.stack.currentWidget() is w.inspector.conn_page
    w.files.open_example("circles")  # it has a connection i1 -> h2 too
    assert w.scene.selectedItems() == []
    assert w.inspector.stack.currentWidget() is not w.inspector.conn_page


def test_probe_shows_the_sample_it_names(window, qtbot):
    w = window
    w.files.open_example("textbook-2-2-2")
    probe = w.training.probe
    probe.sample.setValue(1)
    assert [s.value() for s in probe.inputs] == pytest.approx([0.05, 0.10])
    w.files.open_example("two-spirals")
    ds = w.document.project.dataset
    assert probe.sample.value() == 1 and len(ds) == 400
    assert [s.value() for s in probe.inputs] == pytest.approx(ds.x[0], abs=1e-4)


def test_undoing_a_training_step_takes_its_epochs_back(window, qtbot):
    w = window
    w.files.open_example("xor")
    step(w, qtbot)
    first = w.document.project.history[-1]
    w.document.undo()
    assert w.document.project.history == []
    assert w.training.loss_plot.epochs_shown() == 0
    step(w, qtbot)
    hist = w.document.project.history
    assert [e.epoch for e in hist] == [1]
    assert hist[0].loss == pytest.approx(first.loss, rel=1e-12)
    step(w, qtbot)
    assert [e.epoch for e in w.document.project.history] == [1, 2]
    w.document.undo()
    w.document.redo()  # redo brings the epoch back
    assert [e.epoch for e in w.document.project.history] == [1, 2]
    x, y = w.training.loss_plot.series("loss")
    assert list(x) == [1, 2] and y[1] != y[0]


def test_undo_and_redo_bring_the_status_bar_figures_with_the_history(window, qtbot):
    w = window
    w.files.open_example("xor")
    step(w, qtbot, 3)
    f = w.training
    third = w.document.project.history[-1]
    # a step has no rate to give: the line does not say "0 epochs/s"
    assert f.status_label.text() == f"Epoch 3 · loss {third.loss:.5g}"
    w.document.undo()
    second = w.document.project.history[-1]
    assert second.epoch == 2
    assert f.status_label.text() == f"Epoch 2 · loss {second.loss:.5g}"
    assert w.toolbar.readout.epoch == 2
    w.document.undo()
    w.document.undo()
    assert w.document.project.history == [] and f.status_label.text() == ""
    w.document.redo()
    assert f.status_label.text().startswith("Epoch 1 · loss ")


class PaintSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.regions = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Paint:
            self.regions.append(event.region())
        return False


def test_the_weight_legend_follows_the_weights(window, qtbot):
    """Training shows weights live (no undo step); the legend in the canvas corner is drawn in the
    foreground, repainted only where asked: it kept saying w = 0.829 with weights near ±10."""
    w = window
    w.files.open_example("textbook-2-2-2")
    qtbot.wait(50)
    spy = PaintSpy()
    w.view.viewport().installEventFilter(spy)
    weights, biases = w.document.network.get_parameters()
    big = {k: np.where(v > 0, 10.0, -10.0) for k, v in weights.items()}
    w.document.show_parameters(big, biases)
    qtbot.wait(50)
    w.view.viewport().removeEventFilter(spy)
    assert w.scene.max_abs == 10.0
    vp = w.view.viewport().rect()
    corner = QRect(12, vp.height() - 60, 200, 40)  # inside the legend, whatever its size
    assert any(r.contains(corner) for r in spy.regions), "the legend's corner was not repainted"


# ----------------------------------------------------------------- item 3
def test_clicked_points_land_where_clicked_and_the_axes_stay(window, qtbot):
    w = window
    w.files.open_example("xor")
    show_tab(w.training.docks["map"])
    dm = w.training.decision_map
    qtbot.waitUntil(lambda: dm.plot.isVisible() and dm.refresh_count > 0)
    qtbot.wait(200)  # the docks' layout settles
    vb = dm.plot.getPlotItem().vb
    before = np.ravel(vb.viewRange())
    n0 = len(w.document.project.dataset)
    pixel = (before[1] - before[0]) / vb.width()
    for k, (x, y) in enumerate(((0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0))):
        QTest.mouseClick(dm.plot.viewport(), Qt.LeftButton, Qt.NoModifier, plot_pixel(dm.plot, QPointF(x, y)))
        QApplication.processEvents()
        ds = w.document.project.dataset
        assert len(ds) == n0 + k + 1
        assert ds.x[-1] == pytest.approx([x, y], abs=2 * pixel)
        assert np.ravel(vb.viewRange()) == pytest.approx(before), "the axes moved after a click"
        qtbot.wait(2 * QApplication.doubleClickInterval())
    vb.translateBy(x=0.8)
    dm.fit_button.click()  # fitting stays possible, on request
    x0, x1, y0, y1 = np.ravel(vb.viewRange())
    px0, px1, py0, py1 = dm.plane
    assert x0 <= px0 + 1e-6 and x1 >= px1 - 1e-6 and y0 <= py0 + 1e-6 and y1 >= py1 - 1e-6


def test_class_picker_says_class_0(window, qtbot):
    w = window
    w.document.replace_project(Project(Network.dense([2, 2, 1])))
    dm = w.training.decision_map
    assert [dm.class_box.itemText(k) for k in range(dm.class_box.count())] == ["class 0", "class 1"]
    dm.add_point(0.5, 0.5, 0)  # a network without data: the point starts a data set
    assert w.document.project.dataset is not None
    assert [dm.class_box.itemText(k) for k in range(dm.class_box.count())] == ["class 0", "class 1"]
    assert w.document.undo_stack.undoText().startswith("Add a data point")
