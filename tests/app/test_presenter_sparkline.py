"""Presenter mode's toolbar sparkline stands for the loss plot: it follows a run epoch by epoch
(it was never connected to the training reports) and stays bounded however long the run."""
from __future__ import annotations

import numpy as np

from app.presenter import MAX_POINTS

from .test_training import load, xor_project


def test_sparkline_follows_a_run_in_presenter_mode(qtbot, window):
    f = load(window, xor_project(150))
    window.presenter.set_active(True)
    try:
        assert window.presenter.sparkline.losses == []
        with qtbot.waitSignal(f.controller.run_ended, timeout=20000):
            assert f.controller.start()
        losses = [h.loss for h in window.document.project.history]
        assert len(losses) == 150
        assert window.presenter.sparkline.losses == losses
    finally:
        window.presenter.set_active(False)


def test_sparkline_keeps_a_bounded_number_of_points(window):
    spark = window.presenter.sparkline
    spark.set_losses([])
    rng = np.random.default_rng(0)
    for _ in range(50):
        spark.add_losses(rng.uniform(0.1, 1.0, 997).tolist())
    assert 0 < len(spark.losses) <= MAX_POINTS

