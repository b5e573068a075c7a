"""The loss plot's axes move in round steps while a run goes, not at every redraw: an axis whose
range changes lays its ticks out again (1.5 ms a redraw), and steady round numbers read better
on a projector than a scale that shifts under a falling curve."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from app.training.loss_plot import LossPlot


def frames(plot, epochs, loss):
    """Feed the plot as a run's frames do, 10 epochs a frame, redrawing each; the view's
    (x, y) ranges after each redraw."""
    ranges = []
    for k in range(0, len(epochs), 10):
        e = epochs[k:k + 10]
        nan = np.full(len(e), np.nan)
        plot.append_batch(SimpleNamespace(epoch=e, loss=loss[k:k + 10], val_loss=nan, accuracy=nan,
                                          val_accuracy=nan), draw=False)
        plot.redraw()
        ranges.append(tuple(np.ravel(plot.plot.getPlotItem().vb.viewRange())))
    return ranges


def test_loss_axis_steps_through_round_ranges(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(420, 260)
    plot.show()
    epochs = np.arange(1, 3001, dtype=np.float64)
    loss = 0.7 * np.exp(-epochs / 300) + 0.004
    ranges = frames(plot, epochs, loss)
    ys = [(y0, y1) for _, _, y0, y1 in ranges]
    # autoranged it moved at every one of the 300 redraws; in steps, as the span grows 1-2-5
    assert len(set(ys)) <= 15, f"the loss axis moved {len(set(ys))} times in 300 redraws"
    for (y0, y1), k in zip(ys, range(10, 3001, 10)):
        shown = loss[:k]
        assert y0 <= shown.min() and shown.max() <= y1  # all of the curve in view
        assert shown.max() - shown.min() >= 0.5 * (y1 - y0) * 0.9  # and not squashed
    plot.set_log(True)
    more = np.arange(3001, 6001, dtype=np.float64)
    tail = 0.7 * np.exp(-more / 300) + 1e-4 * np.exp(-more / 2000)
    ranges = frames(plot, more, tail)
    ys = [(y0, y1) for _, _, y0, y1 in ranges]
    assert len(set(ys)) <= 6, f"the log axis moved {len(set(ys))} times in 300 redraws"
    y0, y1 = ys[-1]
    lo, hi = np.log10(min(loss.min(), tail.min())), np.log10(max(loss.max(), tail.max()))
    assert np.floor(lo) - 0.2 < y0 <= lo and hi <= y1 < np.ceil(hi) + 0.2  # whole decades around it

def test_log_axis_labels_decades_without_overlap(qtbot):
    """On a short plot spanning two decades pyqtgraph labelled every 2-9 tick on top of each
    other ("0.09 0.08 0.06 …", seen under Xvfb); the decades are labelled, nothing overlaps."""
    from PySide6.QtGui import QImage, QPainter
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(330, 200)
    plot.show()
    epochs = np.arange(1, 1501, dtype=np.float64)
    frames(plot, epochs, 0.69 * np.exp(-epochs / 100) + 0.012)
    plot.set_log(True)
    qtbot.wait(50)
    axis = plot.plot.getPlotItem().getAxis("left")
    image = QImage(400, 400, QImage.Format_ARGB32)
    p = QPainter(image)
    _, _, texts = axis.generateDrawSpecs(p)
    p.end()
    assert axis.height() < 200
    labels = [t for _, _, t in texts]
    assert {"1", "0.1", "0.01"} <= set(labels), labels
    rects = [r for r, _, _ in texts]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:]), labels


def test_readout_shows_the_newest_epoch_while_the_curve_waits(qtbot):
    """Between paced redraws the curve keeps its last picture, but the readout (a label, like the
    toolbar's epoch) shows the newest epoch at once: it trailed the toolbar by up to 0.7 s."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.show()
    nan = np.full(10, np.nan)
    loss = np.linspace(0.5, 0.4, 20)
    for first in (1, 11):
        e = np.arange(first, first + 10, dtype=np.float64)
        drawn = plot.append_batch(SimpleNamespace(epoch=e, loss=loss[first - 1:first + 9], val_loss=nan,
                                                  accuracy=nan, val_accuracy=nan))
    assert not drawn, "the second batch came before its redraw was due (the test needs that)"
    x, _ = plot.series("loss")
    assert x[-1] == 10, "the curve waits for its redraw"
    assert plot.readout.text().startswith("epoch 20 ") and f"{loss[-1]:.6g}" in plot.readout.text()
