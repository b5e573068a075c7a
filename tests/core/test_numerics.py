"""The engine's numerics against independent oracles: finite differences of the project's own
loss (softmax layers with per-neuron activations, targets that do not sum to 1) and exact
reference values computed with ``decimal`` at 50 digits (the logistic and the cross-entropies
far into their tails)."""
import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from core.activations import get_activation
from core.engine import Engine
from core.gradcheck import max_relative_error, numeric_gradients
from core.network import Network
from core.optimizers import OptimizerSettings
from core.trace import trace
from core.training import TrainConfig, train

getcontext().prec = 50
XS = [x / 4 for x in range(-160, 161)]  # −40 … 40 in steps of 0.25


def exact_sigmoid(x: float) -> float:
    return float(1 / (1 + (-Decimal(x)).exp()))


def exact_log_sigmoid(x: float) -> float:
    return float(-(1 + (-Decimal(x)).exp()).ln())


def ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(b) if b else abs(a)


# ------------------------------------------------------------------ 1: softmax with an override
def _mixed_softmax(loss: str, override: str = "sigmoid") -> Network:
    net = Network.dense([3, 4, 4], ["tanh", "softmax"], loss=loss, scale=1.0, seed=11)
    net.set_activation(2, override, 1)
    return net


@pytest.mark.parametrize("loss", ["half_sse", "mse", "cross_entropy", "binary_cross_entropy"])
def test_softmax_layer_with_an_overridden_neuron_matches_finite_differences(loss, rng):
    net = _mixed_softmax(loss)
    x = rng.normal(size=(5, 3))
    y = np.eye(4)[rng.integers(0, 4, 5)]
    assert max_relative_error(net, x, y) < 1e-6


def test_trace_delta_of_a_mixed_softmax_layer_is_the_slope_of_the_loss(rng):
    """δ of an output neuron is ∂E/∂bias for one sample: nudge the bias, re-run, compare."""
    net = _mixed_softmax("half_sse")
    x, t = rng.normal(size=3), np.array([0.0, 1.0, 0.0, 0.0])
    tr = trace(net, x, t, 0.1)
    numeric = numeric_gradients(net, x[None], t[None])[-1]
    for k, name in enumerate(net.layers[2].names):
        assert tr.neuron(name).delta == pytest.approx(numeric[k], rel=1e-6, abs=1e-10)


# ------------------------------------------------------------------ 2: targets that do not sum to 1
@pytest.mark.parametrize("targets", [[[0.0, 0.0, 0.0]], [[0.3, 0.2, 0.0]], [[1.0, 1.0, 0.0]],
                                     [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.5]]])
def test_softmax_cross_entropy_with_targets_that_do_not_sum_to_one(targets, rng):
    net = Network.dense([2, 3, 3], ["sigmoid", "softmax"], loss="cross_entropy", scale=1.0, seed=7)
    y = np.array(targets)
    x = rng.normal(size=(len(y), 2))
    assert max_relative_error(net, x, y) < 1e-6


def test_a_target_row_of_zeros_costs_nothing_and_moves_nothing():
    net = Network.dense([2, 3, 3], ["sigmoid", "softmax"], loss="cross_entropy", scale=1.0, seed=7)
    tr = trace(net, [0.3, -0.4], [0.0, 0.0, 0.0], 0.5)
    assert tr.error_before == 0.0 and tr.error_after == 0.0
    assert all(n.delta == 0.0 for n in tr.neurons if n.layer == 2)


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy", "half_sse"])
def test_one_neuron_softmax_layer(loss, rng):
    net = Network.dense([2, 3, 1], ["tanh", "softmax"], loss=loss, scale=1.0, seed=8)
    # Binary cross-entropy of a one-neuron softmax (o = 1 always) is infinite unless t = 1.
    y = np.ones((4, 1)) if loss == "binary_cross_entropy" else np.array([[0.0], [1.0], [0.5], [2.0]])
    x = rng.normal(size=(4, 2))
    assert max_relative_error(net, x, y) < 1e-6
    assert np.all(Engine(net).backward(Engine(net).forward(x), y).deltas[-1] == 0.0)


def test_training_takes_the_general_formula_when_rows_do_not_sum_to_one(rng):
    """One full-batch epoch of plain descent moves θ by −η times the finite-difference gradient."""
    net = Network.dense([2, 4, 3], ["tanh", "softmax"], loss="cross_entropy", scale=1.0, seed=9)
    x, y = rng.normal(size=(6, 2)), rng.uniform(0, 1, size=(6, 3))
    lr = 0.1
    expected = [p - lr * g for p, g in zip(Engine(net).parameters(), numeric_gradients(net, x, y))]
    cfg = TrainConfig(OptimizerSettings("sgd", lr), batch_size=0, shuffle=False, max_epochs=1)
    list(train(net, x, y, cfg))
    for got, want in zip(Engine(net).parameters(), expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_softmax_cross_entropy_fuses_only_when_rows_sum_to_one():
    eng = Engine(Network.dense([2, 3], "softmax", loss="cross_entropy"))
    eng.expect_targets(np.eye(3)[[0, 2, 1]])
    assert eng.fused
    eng.expect_targets(np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    assert not eng.fused


# ------------------------------------------------------------------ 3: the logistic and its logs
def test_logistic_matches_exact_values_from_minus_40_to_40():
    act = get_activation("sigmoid")
    arr = act.f(np.array(XS))
    for x, a in zip(XS, arr):
        want = exact_sigmoid(x)
        assert ulps(float(a), want) <= 4, x
        assert ulps(act.scalar_f(x), want) <= 4, x


def test_logistic_array_and_float_paths_agree():
    act = get_activation("sigmoid")
    xs = np.linspace(-745.0, 745.0, 20001)
    arr = act.f(xs)
    scal = np.array([act.scalar_f(float(x)) for x in xs])
    np.testing.assert_allclose(arr, scal, rtol=1e-15, atol=0)
    assert np.all((arr >= 0) & (arr <= 1)) and arr[-1] == 1.0 and arr[0] < 1e-300


def test_log_sigmoid_matches_exact_values():
    lp, lq = get_activation("sigmoid").log_prob(np.array(XS + [-800.0, 800.0]))
    for x, a, b in zip(XS, lp, lq):
        assert ulps(float(a), exact_log_sigmoid(x)) <= 4, x
        assert ulps(float(b), exact_log_sigmoid(-x)) <= 4, x
    assert lp[-2] == -800.0 and lq[-1] == -800.0


@pytest.mark.parametrize("z", [40.0, 100.0, 800.0])
def test_binary_cross_entropy_far_in_the_tail(z):
    """Output rounds to 1 (or is 1 exactly): the loss of a wrong target is still exact, not 27.6."""
    net = Network.dense([1, 1], "sigmoid", loss="binary_cross_entropy")
    net.blocks[(0, 1)].weight[:] = 0.0
    net.layers[1].biases[:] = z
    eng = Engine(net)
    p = eng.forward(np.zeros((1, 1)))
    e = float(eng.pass_loss(p, np.zeros((1, 1)))[0])
    assert ulps(e, -exact_log_sigmoid(-z)) <= 4


def test_cross_entropy_uses_log_sum_exp():
    net = Network.dense([1, 3], "softmax", loss="cross_entropy")
    net.blocks[(0, 1)].weight[:] = 0.0
    nets = [0.0, 50.0, -760.0]
    net.layers[1].biases[:] = nets
    eng = Engine(net)
    p = eng.forward(np.zeros((1, 1)))
    assert p.outs[-1][0, 2] == 0.0  # the output underflows, its log-probability does not
    lse = Decimal(0).exp() + Decimal(50).exp() + Decimal(-760).exp()
    for k in range(3):
        t = np.eye(3)[[k]]
        want = float(lse.ln() - Decimal(nets[k]))
        assert ulps(float(eng.pass_loss(p, t)[0]), want) <= 4, k


def test_sigmoid_network_far_in_the_tail_online_and_arrays_agree(monkeypatch):
    """Nets around −30: the float path and the array path now compute the same logistic."""
    import core.training as T
    net = Network.dense([2, 2, 1], "sigmoid", seed=3)
    net.layers[1].biases[:] = -30.0
    x, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0], [1.0]])
    cfg = TrainConfig(OptimizerSettings("sgd", 0.5), batch_size=1, max_epochs=3, seed=1)
    fast_net, slow_net = net.copy(), net.copy()
    fast = [r.loss for r in train(fast_net, x, y, cfg)]
    monkeypatch.setattr(T, "online_eligible", lambda *a: False)
    slow = [r.loss for r in train(slow_net, x, y, cfg)]
    np.testing.assert_allclose(fast, slow, rtol=1e-14)
    for a, b in zip(Engine(fast_net).parameters(), Engine(slow_net).parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-300)


# ------------------------------------------------------------------ 4: refusing non-probabilities
@pytest.mark.parametrize("act", ["linear", "relu", "tanh", "leaky_relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_cross_entropy_on_non_probabilities_is_refused_naming_the_layer(act, loss):
    net = Network.dense([2, 3, 2], ["tanh", act], loss=loss)
    with pytest.raises(ValueError, match=rf"output layer \(layer 2\) uses {act}.*softmax.*sigmoid"):
        Engine(net)


def test_one_non_probability_neuron_is_named():
    net = Network.dense([2, 3], "sigmoid", loss="binary_cross_entropy")
    net.set_activation(1, "linear", 2)
    with pytest.raises(ValueError, match=r"output neuron o3 \(layer 1\) uses linear"):
        net.validate()


def test_a_file_with_cross_entropy_on_linear_outputs_is_refused():
    import json

    from core.fileio import FileFormatError, loads, project_to_dict
    from core.project import Project
    d = project_to_dict(Project(Network.dense([2, 2], "sigmoid", loss="cross_entropy")))
    d["layers"][1]["activation"] = "linear"
    with pytest.raises(FileFormatError, match=r"cross-entropy needs probabilities.*layer 1.*linear"):
        loads(json.dumps(d))
