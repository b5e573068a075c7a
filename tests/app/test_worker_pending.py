"""The worker's figures between deliveries (app/training/worker.py ``Pending``): every epoch's
numbers reach the batch, absent ones as NaN, a diverged last epoch has no row, and the reports
themselves are let go at once (only the newest and the newest with weights are kept)."""
from __future__ import annotations

import gc
import weakref

import numpy as np

from app.training.worker import Pending
from core.training import EpochReport


def report(epoch: int, loss: float, acc: float | None = None, weights=None, diverged: bool = False) -> EpochReport:
    return EpochReport(epoch, loss, None, acc, None, (np.zeros(2),), 0.0, weights, None, diverged=diverged)


def test_every_epoch_is_a_row_with_nan_where_a_figure_is_absent():
    p = Pending()
    assert not p
    weights = ({(0, 1): np.ones((2, 2))}, [np.zeros(2)])
    for r in (report(7, 0.5, 0.25), report(8, 0.4, None, weights), report(9, 0.3, 0.75)):
        p.add(r)
    b = p.batch()
    assert b.epoch.tolist() == [7, 8, 9] and b.epoch.dtype == np.int64
    assert b.loss.tolist() == [0.5, 0.4, 0.3]
    assert np.isnan(b.accuracy[1]) and b.accuracy[[0, 2]].tolist() == [0.25, 0.75]
    assert np.isnan(b.val_loss).all() and np.isnan(b.val_accuracy).all() and len(b.val_loss) == 3
    assert b.last.epoch == 9 and b.weights is weights and b.weights_epoch == 8


def test_a_diverged_last_epoch_is_reported_but_has_no_row():
    p = Pending()
    p.add(report(1, 0.5, 1.0))
    p.add(report(2, float("inf"), None, diverged=True))
    b = p.batch()
    assert b.epoch.tolist() == [1] and b.loss.tolist() == [0.5] and b.accuracy.tolist() == [1.0]
    assert b.last.diverged and b.weights is None and b.weights_epoch == 0


def test_reports_are_not_kept_until_the_delivery():
    p = Pending()
    first = report(1, 0.5)
    gone = weakref.ref(first)
    p.add(first)
    p.add(report(2, 0.4))
    del first
    gc.collect()
    assert gone() is None, "an epoch's report (and its δ arrays) lives on until the delivery"
    assert p.batch().epoch.tolist() == [1, 2]
