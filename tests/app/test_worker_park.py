"""The training worker parks for the GUI inside a long epoch, not only between epochs: an epoch of
thousands of samples otherwise left a paint competing for the GIL for its whole length."""
import threading
import time

import numpy as np

from app.training.worker import TrainingWorker
from core.network import Network
from core.optimizers import OptimizerSettings
from core.training import TrainConfig


def recorded_sleeps(monkeypatch) -> list[float]:
    """The worker module's sleeps from now on, as they happen (they still sleep)."""
    import app.training.worker as worker_module
    sleeps, real_sleep = [], time.sleep

    class Clock:  # the worker module's ``time``, with its sleeps recorded
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(s):
            sleeps.append(s)
            real_sleep(s)
    monkeypatch.setattr(worker_module, "time", Clock())
    return sleeps


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


def test_gil_hand_over_is_a_real_sleep(monkeypatch):
    """A sleep(0) gives the GIL back before the waiting GUI thread has woken, and restarts its
    switch-interval countdown: bench/gil_handover.py measured a 10 ms timer late by p99 43-245 ms
    with sleep(0) hand-overs, 2-6 ms with 50 µs sleeps. Every hand-over, between epochs and
    inside a long one, must sleep long enough for the GUI thread to take the GIL."""
    pauses = recorded_sleeps(monkeypatch)
    rng = np.random.default_rng(0)
    for n in (3000, 4):  # long epochs (hand-overs inside them) and short ones (between them)
        x = rng.normal(size=(n, 2))
        y = (x[:, :1] * x[:, 1:] > 0).astype(float)
        net = Network.dense([2, 16, 16, 1], activation="tanh", seed=1)
        cfg = TrainConfig(optimizer=OptimizerSettings("sgd", 0.05), batch_size=1, max_epochs=2 if n > 4 else 3000)
        pauses.clear()
        worker = TrainingWorker(net, x, y, None, cfg, gui_awake=lambda: True)  # the GUI always ran
        t = threading.Thread(target=worker.run)  # not here: the worker lowers its thread's timer slack
        t.start()
        t.join()
        assert len(pauses) >= 5, f"{n} samples: {len(pauses)} hand-overs"
        assert min(pauses) >= 20e-6, f"{n} samples: a hand-over of {min(pauses) * 1e6:.0f} µs"


def test_no_hand_over_for_what_the_gui_ran_during_the_last_one(monkeypatch):
    """A GUI thread that wakes now and then needs the GIL once per wake. Its CPU clock also
    advances while it runs during a hand-over, and the worker's next look used to read that as a
    new wake: about every second hand-over found the GUI thread back in its event loop's poll
    (counted from /proc in an XOR run: 151-196 of 335-452)."""
    from app.training.gui_awake import gui_ran_probe
    probe, stop, wakes = [], threading.Event(), [0]

    def gui() -> None:  # wakes every 10 ms and runs a little Python, like a GUI timer's slot
        probe.append(gui_ran_probe())
        while not stop.wait(0.01):
            wakes[0] += 1
            sum(range(200))
    g = threading.Thread(target=gui)
    g.start()
    while not probe:
        time.sleep(0.001)
    sleeps = recorded_sleeps(monkeypatch)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = Network.dense([2, 2, 1], activation="sigmoid", seed=1)
    cfg = TrainConfig(optimizer=OptimizerSettings("sgd", 0.5), batch_size=1, max_epochs=10 ** 9)
    worker = TrainingWorker(net, x, y, None, cfg, gui_awake=probe[0])
    t = threading.Thread(target=worker.run)
    try:
        t.start()
        time.sleep(1.0)
    finally:
        worker.request_stop()
        t.join()
        stop.set()
        g.join()
    assert wakes[0] >= 20, f"the GUI thread woke only {wakes[0]} times"
    assert len(sleeps) <= 1.5 * wakes[0], f"{len(sleeps)} hand-overs for {wakes[0]} GUI wakes"
