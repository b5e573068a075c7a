"""Training sets its own BLAS thread count (core/threads.py) and gives the old one back."""
import numpy as np
from threadpoolctl import threadpool_info

from core import threads
from core.network import Network
from core.training import TrainConfig, train


def blas_now() -> int:
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def test_rule(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    assert threads.step_flops([(784, 128), (128, 10)], 64) == 2 * 64 * 784 * 128
    assert threads.blas_threads(12.8e6) == 1
    assert threads.blas_threads(250e6) == 2
    assert threads.blas_threads(10e9) == 4
    assert threads.blas_threads(10e9, reserved_cores=1) == 3
    monkeypatch.setattr(threads, "available_cores", lambda: 1)
    assert threads.blas_threads(10e9, reserved_cores=1) == 1


def test_training_uses_one_thread_for_small_products_and_restores_the_setting():
    before = blas_now()
    net = Network.dense([20, 30, 2], "tanh", seed=0)
    x, y = np.random.default_rng(0).normal(size=(64, 20)), np.zeros((64, 2))
    gen = train(net, x, y, TrainConfig(batch_size=16, max_epochs=3))
    next(gen)
    assert blas_now() == 1
    gen.close()
    assert blas_now() == before
