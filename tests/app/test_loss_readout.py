"""The loss plot's readout line wraps rather than widening the right column into the canvas."""
from __future__ import annotations

from .test_training import load, xor_project


def test_a_long_loss_readout_does_not_widen_the_right_column(qtbot, window):
    """The loss plot's readout grows during a run ("epoch 1500 · training loss … · training
    accuracy … · validation …"); the canvas must keep its width (it lost 150 px mid-run)."""
    f = load(window, xor_project(60))
    qtbot.wait(50)
    before = window.view.width()
    window.training.loss_plot.readout.setText("epoch 123456 · training loss 0.0123456789 · validation loss "
                                         "0.0123456789 · training accuracy 99.5 % · validation accuracy 99.5 %")
    qtbot.wait(50)
    assert window.view.width() == before
    with qtbot.waitSignal(f.controller.run_ended, timeout=20000):
        assert f.controller.start()
    qtbot.wait(50)
    assert window.view.width() == before
