"""Finite-difference checks of the backward pass: every activation, loss and connection pattern."""
import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.gradcheck import analytic_gradients, max_relative_error, numeric_gradients
from core.losses import LOSSES
from core.network import Network

HIDDEN = [a for a in ACTIVATIONS if a != "softmax"]


def _data(rng, n, n_in, n_out, kind="regression"):
    x = rng.normal(size=(n, n_in))
    if kind == "onehot":
        y = np.eye(n_out)[rng.integers(0, n_out, n)]
    elif kind == "binary":
        y = rng.integers(0, 2, (n, n_out)).astype(float)
    else:
        y = rng.uniform(0.1, 0.9, (n, n_out))
    return x, y


def _nudge_from_kinks(net):
    """ReLU-family kinks make finite differences meaningless exactly at 0; keep biases off them."""
    for layer in net.layers[1:]:
        layer.biases += 0.05 * np.sign(layer.biases + 1e-9)


@pytest.mark.parametrize("act", HIDDEN)
@pytest.mark.parametrize("loss", ["half_sse", "mse"])
def test_each_activation_and_regression_loss(act, loss, rng):
    net = Network.dense([3, 4, 2], [act, act], loss=loss, init="uniform", scale=1.0, seed=int(rng.integers(1e6)))
    _nudge_from_kinks(net)
    x, y = _data(rng, 5, 3, 2)
    assert max_relative_error(net, x, y) < 1e-5


def test_softmax_cross_entropy(rng):
    net = Network.dense([4, 5, 3], ["tanh", "softmax"], loss="cross_entropy", scale=1.0, seed=3)
    x, y = _data(rng, 6, 4, 3, "onehot")
    assert max_relative_error(net, x, y) < 1e-5


@pytest.mark.parametrize("loss", ["half_sse", "mse"])
def test_softmax_with_squared_error_uses_the_full_jacobian(loss, rng):
    net = Network.dense([3, 4, 3], ["sigmoid", "softmax"], loss=loss, scale=1.0, seed=4)
    x, y = _data(rng, 4, 3, 3, "onehot")
    assert max_relative_error(net, x, y) < 1e-5


def test_sigmoid_binary_cross_entropy(rng):
    net = Network.dense([2, 3, 2], "sigmoid", loss="binary_cross_entropy", scale=1.0, seed=5)
    x, y = _data(rng, 5, 2, 2, "binary")
    assert max_relative_error(net, x, y) < 1e-5


def test_cross_entropy_without_softmax_is_not_fused(rng):
    net = Network.dense([2, 3, 2], ["tanh", "sigmoid"], loss="cross_entropy", scale=1.0, seed=6)
    x, y = _data(rng, 5, 2, 2, "onehot")
    assert max_relative_error(net, x, y) < 1e-5


def test_skip_connections_accumulate_gradients(rng):
    net = Network.dense([3, 4, 3, 2], ["tanh", "sigmoid", "linear"], scale=1.0, seed=7)
    net.connect_fully(0, 2, rng.normal(size=(3, 3)))
    net.connect_fully(0, 3, rng.normal(size=(3, 2)))
    net.connect_fully(1, 3, rng.normal(size=(4, 2)))
    x, y = _data(rng, 5, 3, 2)
    assert max_relative_error(net, x, y) < 1e-5


def test_missing_links_keep_zero_gradient(rng):
    net = Network.dense([3, 4, 2], "sigmoid", scale=1.0, seed=8)
    net.disconnect(0, 1, 1, 2)
    net.disconnect(1, 0, 2, 1)
    net.disconnect(1, 3, 2, 0)
    x, y = _data(rng, 5, 3, 2)
    grads = analytic_gradients(net, x, y)
    assert grads[0][1, 2] == 0 and grads[1][0, 1] == 0 and grads[1][3, 0] == 0
    assert max_relative_error(net, x, y) < 1e-5


def test_random_sparse_graphs_with_overrides(rng):
    for trial in range(10):
        sizes = list(rng.integers(1, 5, size=rng.integers(2, 5)))
        acts = [str(rng.choice(HIDDEN)) for _ in sizes[1:]]
        net = Network.dense(sizes, acts, fully_connected=False, seed=trial)
        for ls in range(len(sizes)):
            for ld in range(ls + 1, len(sizes)):
                for i in range(sizes[ls]):
                    for j in range(sizes[ld]):
                        if rng.random() < (0.7 if ld == ls + 1 else 0.25):
                            net.connect(ls, i, ld, j, float(rng.normal()))
        for li in range(1, len(sizes)):
            net.layers[li].biases = rng.normal(size=sizes[li])
            for k in range(sizes[li]):
                if rng.random() < 0.3:
                    net.set_activation(li, str(rng.choice(HIDDEN)), k)
        _nudge_from_kinks(net)
        x, y = _data(rng, 4, sizes[0], sizes[-1])
        assert max_relative_error(net, x, y) < 1e-4, (sizes, acts)


def test_relu_derivative_at_zero_is_zero():
    relu = ACTIVATIONS["relu"]
    assert relu.df(np.array([0.0, -1.0, 2.0]), np.array([0.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    leaky = ACTIVATIONS["leaky_relu"]
    assert leaky.df(np.array([0.0]), np.array([0.0])).tolist() == [0.01]


def test_every_loss_is_checked():
    checked = {"half_sse", "mse", "cross_entropy", "binary_cross_entropy"}
    assert checked == set(LOSSES)


def test_numeric_gradient_oracle_detects_a_wrong_gradient(rng):
    """The oracle itself can fail: a deliberately wrong derivative is caught."""
    import core.activations as A
    net = Network.dense([2, 3, 1], "tanh", seed=1, scale=1.0)
    x, y = _data(rng, 3, 2, 1)
    good = A.ACTIVATIONS["tanh"]
    try:
        A.ACTIVATIONS["tanh"] = A.Activation("tanh", "bad", good.f, lambda net, out: 1.0 - out)
        assert max_relative_error(net, x, y) > 1e-3
    finally:
        A.ACTIVATIONS["tanh"] = good
    assert len(numeric_gradients(net, x, y)) == 4
