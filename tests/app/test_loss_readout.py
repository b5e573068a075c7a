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


def test_a_frames_figures_do_not_lay_the_window_out_again(qtbot, window):
    """Every training frame sets the toolbar's epoch and loss, the status bar's figures and the
    loss readout. As plain QLabels each new text asked for a layout that climbed to the main
    window (1.8 ms a frame offscreen at 1280x720); now none is asked for while the text fits,
    and the readout still grows a line when its text needs one."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from app.training.quiet_label import QuietLabel
    f = load(window, xor_project(60))
    window.resize(1280, 720)
    qtbot.wait(100)
    readout = f.loss_plot.readout
    requests = []

    class Spy(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            # a QuietLabel takes its own label's requests and passes none on
            if event.type() == QEvent.LayoutRequest and not isinstance(obj, QuietLabel):
                requests.append(obj)
            return False

    def frame(i: int) -> None:
        f.controller.stats_changed.emit(10_000 + i, 0.12345 + i * 1e-5, 1234.0 + i)
        readout.setText(f"epoch {10_000 + i} · training loss {0.12345 + i * 1e-5:.6g}")
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    frame(0)  # the first figures may need more room than the empty labels had
    qtbot.wait(100)  # and the layout that makes it may ask for more
    spy = Spy()
    QApplication.instance().installEventFilter(spy)
    try:
        for i in range(1, 21):
            frame(i)
        assert not requests, f"layouts asked for by a frame's figures: {[type(o).__name__ for o in requests]}"
        one_line = readout.height()
        readout.setText(" · ".join(["training loss 0.0123456789"] * 12))  # several lines
        qtbot.waitUntil(lambda: readout.height() > one_line, timeout=2000)
        assert readout.label.height() == readout.height()
        tall = readout.height()
        readout.setText("epoch 12 · training loss 0.5")  # a line again: the room is kept
        qtbot.wait(50)
        assert readout.height() == tall
        readout.clear()
        qtbot.waitUntil(lambda: readout.height() < tall, timeout=2000)
    finally:
        QApplication.instance().removeEventFilter(spy)


def test_a_layout_a_frame_asks_for_is_done_within_the_frame(qtbot, window):
    """A frame's paint (GuiPriority.paint_now, run with the worker held) first does the layouts
    the frame's updates asked for; left to the event loop they ran beside the worker, each
    Python resize handler waiting for the GIL, and a 10 ms timer came 35-65 ms late."""
    f = load(window, xor_project(60))
    qtbot.wait(100)
    readout = f.loss_plot.readout
    before = readout.height()
    readout.setText(" · ".join(["training loss 0.0123456789"] * 12))
    f.controller.priority.paint_now()  # no event loop turn in between
    assert readout.height() > before
