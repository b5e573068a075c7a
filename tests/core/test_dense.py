"""The chain path (core/dense.py) against the general engine path of core/training.py.

Both compute the same formulas; the chain path folds each bias into its layer's product, so the
two agree to rounding, not bit for bit. Each case trains a few epochs both ways and compares
every report and the final weights."""
from __future__ import annotations

import numpy as np
import pytest

import core.training as T
from core import dense
from core.engine import Engine
from core.network import Network
from core.optimizers import OptimizerSettings


def _data(n_in: int, n_out: int, n: int, onehot: bool, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in))
    if onehot:
        y = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        y = rng.uniform(0.1, 0.9, (n, n_out))
    return x, y


def _run(net: Network, x, y, cfg: T.TrainConfig, use_dense: bool, monkeypatch):
    monkeypatch.setattr(T, "dense_eligible", dense.eligible if use_dense else (lambda eng: False))
    chosen = []
    real = T.DenseTrainer

    def spy(*a, **k):
        chosen.append(True)
        return real(*a, **k)
    monkeypatch.setattr(T, "DenseTrainer", spy)
    net = net.copy()
    reports = list(T.train(net, x, y, cfg))
    return net, reports, bool(chosen)


CASES = [
    # sizes, activations, loss, one-hot targets, batch, optimiser
    ((2, 16, 16, 1), ("tanh", "tanh", "sigmoid"), "mse", False, 32, "sgd"),
    ((8, 40, 2), ("sigmoid", "sigmoid"), "half_sse", False, 1, "sgd"),  # online, above the float path's size
    ((64, 20, 10), ("sigmoid", "softmax"), "cross_entropy", True, 1, "sgd"),
    ((64, 20, 10), ("relu", "softmax"), "cross_entropy", True, 16, "momentum"),
    ((6, 12, 8, 3), ("leaky_relu", "linear", "sigmoid"), "binary_cross_entropy", True, 7, "adam"),
    ((6, 12, 3), ("tanh", "linear"), "mse", False, 0, "sgd"),
    ((6, 12, 3), ("relu", "tanh"), "half_sse", False, 5, "momentum"),
    ((5, 9, 4), ("sigmoid", "softmax"), "cross_entropy", False, 8, "sgd"),  # rows not summing to 1: general δ
    ((5, 9, 4), ("sigmoid", "softmax"), "mse", True, 4, "sgd"),  # softmax with a squared error: general δ
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2]}-b{c[4]}-{c[5]}" for c in CASES])
def test_chain_path_matches_general_path(case, monkeypatch):
    sizes, acts, loss, onehot, batch, opt = case
    net = Network.dense(list(sizes), list(acts), loss=loss, init="xavier", seed=3)
    x, y = _data(sizes[0], sizes[-1], 50, onehot)
    settings = OptimizerSettings(opt, 0.05, l2=1e-3 if opt == "momentum" else 0.0)
    cfg = T.TrainConfig(settings, batch_size=batch, shuffle=True, seed=4, max_epochs=4)
    a_net, a_rep, a_used = _run(net, x, y, cfg, True, monkeypatch)
    b_net, b_rep, b_used = _run(net, x, y, cfg, False, monkeypatch)
    assert a_used and not b_used
    for ra, rb in zip(a_rep, b_rep, strict=True):
        assert ra.loss == pytest.approx(rb.loss, rel=1e-12, abs=1e-15)
        assert ra.accuracy == rb.accuracy
        for da, db in zip(ra.mean_abs_delta, rb.mean_abs_delta):
            np.testing.assert_allclose(da, db, rtol=1e-11, atol=1e-15)
    for k in net.blocks:
        np.testing.assert_allclose(a_net.blocks[k].weight, b_net.blocks[k].weight, rtol=1e-11, atol=1e-14)
    for la, lb in zip(a_net.layers, b_net.layers):
        np.testing.assert_allclose(la.biases, lb.biases, rtol=1e-11, atol=1e-14)


def test_masked_links_and_fixed_biases_stay(monkeypatch):
    net = Network.dense([4, 6, 2], ["tanh", "sigmoid"], loss="mse", init="xavier", seed=5)
    net.blocks[(0, 1)].mask[1, 2] = False
    net.blocks[(0, 1)].weight[1, 2] = 0.0
    net.fixed_biases = True
    before = [layer.biases.copy() for layer in net.layers]
    x, y = _data(4, 2, 30, False)
    cfg = T.TrainConfig(OptimizerSettings("sgd", 0.3), batch_size=8, max_epochs=5)
    a_net, _, used = _run(net, x, y, cfg, True, monkeypatch)
    b_net, _, _ = _run(net, x, y, cfg, False, monkeypatch)
    assert used
    assert a_net.blocks[(0, 1)].weight[1, 2] == 0.0
    for layer, b in zip(a_net.layers, before):
        np.testing.assert_array_equal(layer.biases, b)
    np.testing.assert_allclose(a_net.blocks[(1, 2)].weight, b_net.blocks[(1, 2)].weight, rtol=1e-12)


def test_large_data_is_gathered_per_batch(monkeypatch):
    """Above PERMUTE_WHOLE_BYTES batches are gathered straight into their buffers."""
    monkeypatch.setattr(dense, "PERMUTE_WHOLE_BYTES", 1000)
    net = Network.dense([8, 6, 3], ["relu", "softmax"], loss="cross_entropy", init="xavier", seed=2)
    x, y = _data(8, 3, 60, True)
    cfg = T.TrainConfig(OptimizerSettings("sgd", 0.1), batch_size=16, max_epochs=3)
    a_net, a_rep, used = _run(net, x, y, cfg, True, monkeypatch)
    b_net, b_rep, _ = _run(net, x, y, cfg, False, monkeypatch)
    assert used
    assert [r.loss for r in a_rep] == pytest.approx([r.loss for r in b_rep], rel=1e-12)
    np.testing.assert_allclose(a_net.blocks[(0, 1)].weight, b_net.blocks[(0, 1)].weight, rtol=1e-11)


def test_only_chains_are_eligible():
    chain = Network.dense([3, 4, 2], ["tanh", "sigmoid"], loss="mse")
    assert dense.eligible(Engine(chain))
    skip = chain.copy()
    skip.connect(0, 0, 2, 1, 0.5)  # a skip connection: layer 2 is fed by layers 0 and 1
    assert not dense.eligible(Engine(skip))
    mixed = chain.copy()
    mixed.set_activation(1, "relu", index=0)  # two activations in one layer
    assert not dense.eligible(Engine(mixed))
