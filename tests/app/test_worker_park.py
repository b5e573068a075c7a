"""The training worker parks for the GUI inside a long epoch, not only between epochs: an epoch of
thousands of samples otherwise left a paint competing for the GIL for its whole length."""
import threading
import time

import numpy as np

from app.training.worker import TrainingWorker
from core.network import Network
from core.optimizers import OptimizerSettings
from core.training import TrainConfig


def test_hold_parks_the_worker_inside_a_long_epoch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 2))  # one online epoch: 0.4-1.5 s here
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    net = Network.dense([2, 16, 16, 1], activation="tanh", seed=1)
    cfg = TrainConfig(optimizer=OptimizerSettings("sgd", 0.05), batch_size=1, max_epochs=2)
    worker = TrainingWorker(net, x, y, None, cfg)
    reported = []  # called in the worker's thread (no receiver object): set when epoch 1 ends
    worker.epochs_reported.connect(lambda batch: reported.append(batch))
    t = threading.Thread(target=worker.run)
    started = time.perf_counter()
    t.start()
    try:
        time.sleep(0.05)
        worker.hold()
        assert worker._parked.wait(0.3), "the worker ran on instead of parking"
        parked_after = time.perf_counter() - started
        first_epoch_left = not reported
    finally:
        worker.request_stop()
        t.join()
    assert first_epoch_left, f"parked only after a whole epoch ({parked_after:.2f} s)"
