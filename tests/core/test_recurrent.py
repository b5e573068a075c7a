"""The recurrent engine (core/recurrent.py, core/bptt.py) against independent oracles: central
finite differences, and torch autograd through the relaxation (or the time steps) unrolled."""
import numpy as np
import pytest

from core import bptt
from core.engine import Engine
from core.network import Network
from core.recurrence import Recurrence
from core.recurrent import NotSettledError, RecurrentEngine
from core.training import TrainConfig, evaluate, train
from core.optimizers import OptimizerSettings
from tests.core.recurrent_nets import random_recurrent

CASES = [("half_sse", None), ("mse", None), ("binary_cross_entropy", "sigmoid"), ("cross_entropy", "sigmoid")]


def data(seed: int, n: int = 5, n_in: int = 3, n_out: int = 2):
    rng = np.random.default_rng(100 + seed)
    return rng.normal(0, 1.5, (n, n_in)), rng.random((n, n_out)).round(1)


def settle_grad(eng: RecurrentEngine, x, t) -> np.ndarray:
    fwd = eng.forward(x)
    back = eng.backward(fwd, t)
    assert fwd.converged and back.converged
    return eng.gradients(fwd.values, back.values).copy()


def free_indexes(eng: RecurrentEngine) -> list[int]:
    """Every present weight and every non-input bias, as indexes into theta."""
    return np.nonzero(eng.theta_mask)[0].tolist() + list(range(eng.n * eng.n + eng.n_in, eng.theta.size))


def numeric(eng: RecurrentEngine, loss, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(eng.theta)
    for i in free_indexes(eng):
        old = eng.theta[i]
        eng.theta[i] = old + h
        up = loss()
        eng.theta[i] = old - h
        down = loss()
        eng.theta[i] = old
        g[i] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("loss,out_act", CASES)
def test_settle_gradient_matches_finite_differences(seed, loss, out_act):
    eng = RecurrentEngine(random_recurrent(seed, loss, out_act))
    x, t = data(seed)
    if loss == "cross_entropy":
        t = np.eye(2)[np.arange(5) % 2]
    g = settle_grad(eng, x, t)

    def batch_loss() -> float:
        r = eng.forward(x)
        return float(eng.loss_per_sample(r.values[:, eng.out_slice], t).mean())
    assert np.abs(g - numeric(eng, batch_loss)).max() < 1e-7
    assert np.abs(g).max() > 1e-3  # a real gradient, not zeros agreeing with zeros


def test_gradient_is_zero_only_where_links_are_absent():
    eng = RecurrentEngine(random_recurrent(3))
    g = settle_grad(eng, *data(3))
    w = g[:eng.n * eng.n]
    assert not w[eng.theta_mask == 0].any()
    assert np.count_nonzero(w[eng.theta_mask == 1]) > 0.9 * eng.theta_mask.sum()


def test_feed_forward_part_equals_static_engine():
    """A recurrent link of weight 0 changes nothing: outputs, δ and gradients are the static ones."""
    static = Network.dense([3, 4, 2], "tanh", seed=4, scale=1.0)
    rec = static.copy()
    rec.connect(2, 0, 1, 1, 0.0)
    rec.recurrence = Recurrence(threshold=1e-15)
    x, t = data(4)
    e = Engine(static)
    p = e.backward(e.forward(x), t)
    se = RecurrentEngine(rec)
    fwd = se.forward(x)
    back = se.backward(fwd, t)
    assert fwd.iterations == 3  # two layers to fill, then one iteration without change
    assert np.allclose(fwd.values[:, se.out_slice], p.outs[-1], atol=1e-15)
    assert np.allclose(back.values[:, 3:], np.hstack(p.deltas[1:]), atol=1e-15)
    assert np.allclose(back.values[:, :3], p.deltas[0], atol=1e-15)
    grads = e.gradients(p)
    g = se.gradients(fwd.values, back.values)
    assert np.allclose(se.W[(0, 1)] * 0 + g[:se.n * se.n].reshape(se.n, se.n)[0:3, 3:7], grads[0], atol=1e-15)


def test_relaxation_rate_keeps_the_fixed_point_and_damps_an_oscillation():
    net = Network.dense([1, 1], "tanh", seed=0)
    net.set_weight(0, 0, 1, 0, 1.0)
    net.set_bias(1, 0, 0.0)
    net.connect(1, 0, 1, 0, -1.6)  # self-inhibition: x ← tanh(u − 1.6x) flips sign each step
    net.recurrence = Recurrence(max_iterations=200)
    with pytest.raises(NotSettledError, match=r"did not settle: after 200 iterations of the forward .*rate below 1"):
        RecurrentEngine(net).settle([[0.5]])
    net.recurrence = Recurrence(max_iterations=200, rate=0.5, threshold=1e-12)
    y = RecurrentEngine(net).settle([[0.5]])[0, 0]
    assert abs(y - np.tanh(0.5 - 1.6 * y)) < 1e-11


def test_overflow_is_named():
    net = Network.dense([1, 1], "linear", seed=0)
    net.connect(1, 0, 1, 0, 10.0)
    with pytest.raises(NotSettledError, match="overflowed"):
        RecurrentEngine(net).settle([[1.0]])


def test_softmax_is_refused_with_a_reason():
    net = Network.dense([2, 3, 2], ["sigmoid", "softmax"], loss="cross_entropy")
    net.connect(2, 0, 1, 0, 0.1)
    with pytest.raises(ValueError, match="softmax cannot be used in a recurrent network"):
        RecurrentEngine(net)


def test_torch_unrolled_relaxation_agrees():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda u: u,
           "leaky_relu": lambda u: torch.nn.functional.leaky_relu(u, 0.01)}
    for seed in range(3):
        net = random_recurrent(seed)
        eng = RecurrentEngine(net)
        x, t = data(seed)
        g = settle_grad(eng, x, t)
        acts = [net.activation_of(li, k) for li in range(1, len(net.layers)) for k in range(net.layers[li].size)]
        W = torch.tensor(eng.Wf, requires_grad=True)
        b = torch.tensor(eng.bf, requires_grad=True)
        mask = torch.tensor(eng.mask)
        n_in = eng.n_in
        s = torch.cat([torch.tensor(x), torch.zeros(len(x), eng.n - n_in, dtype=torch.float64)], 1)
        for _ in range(eng.forward(x).iterations + 400):  # well past convergence: the tail vanishes
            u = s @ (W * mask) + b
            cols = [fns[a](u[:, n_in + k:n_in + k + 1]) for k, a in enumerate(acts)]
            s = torch.cat([s[:, :n_in]] + cols, 1)
        out = s[:, eng.out_slice]
        (0.5 * ((out - torch.tensor(t)) ** 2).sum(1)).mean().backward()
        tg = np.concatenate([(W.grad * mask).numpy().ravel(), b.grad.numpy()])
        tg[eng.n * eng.n:eng.n * eng.n + n_in] = 0.0
        assert np.abs(tg - g).max() < 1e-7, seed


# ----------------------------------------------------------------- sequence mode (BPTT)
def unrolled_loss(eng, xs, ts, start) -> float:
    run = bptt.unroll(eng, xs, start)
    return float(sum(eng.loss_per_sample(s[:, eng.out_slice], t).sum() for s, t in zip(run.states, ts)))


@pytest.mark.parametrize("seed", range(4))
def test_bptt_gradient_matches_finite_differences(seed):
    eng = RecurrentEngine(random_recurrent(seed, mode="sequence", scale=0.8))
    rng = np.random.default_rng(seed)
    xs, ts = rng.normal(0, 1, (6, 2, 3)), rng.random((6, 2, 2))
    start = rng.normal(0, 0.5, (2, eng.n))
    run = bptt.unroll(eng, xs, start)
    g = bptt.gradients(eng, run, bptt.backward(eng, run, ts), 1.0).copy()
    num = numeric(eng, lambda: unrolled_loss(eng, xs, ts, start))
    assert np.abs(g - num).max() < 1e-7 * max(1.0, np.abs(g).max())
    assert np.abs(g[:eng.n * eng.n] * (eng.rec_mask.ravel())).max() > 1e-3  # recurrent weights learn


def test_bptt_agrees_with_torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    net = random_recurrent(5, mode="sequence", scale=0.8)
    for li in range(1, len(net.layers)):
        net.set_activation(li, "tanh")
        for k in range(net.layers[li].size):
            net.set_activation(li, None, k)
    eng = RecurrentEngine(net)
    rng = np.random.default_rng(5)
    xs, ts = rng.normal(0, 1, (7, 1, 3)), rng.random((7, 1, 2))
    run = bptt.unroll(eng, xs, np.zeros((1, eng.n)))
    g = bptt.gradients(eng, run, bptt.backward(eng, run, ts), 1.0).copy()
    W = torch.tensor(eng.Wf, requires_grad=True)
    b = torch.tensor(eng.bf, requires_grad=True)
    wff, wrec = W * torch.tensor(eng.ff_mask), W * torch.tensor(eng.rec_mask)
    prev, total = torch.zeros(1, eng.n, dtype=torch.float64), 0
    for x, t in zip(xs, ts):
        s = torch.cat([torch.tensor(x), torch.zeros(1, eng.n - 3, dtype=torch.float64)], 1)
        carried = prev @ wrec + b
        for j in range(1, len(eng.sizes)):  # layer by layer, each seeing this step's earlier layers
            lo, hi = eng.offsets[j], eng.offsets[j + 1]
            h = torch.tanh(carried[:, lo:hi] + s[:, :lo] @ wff[:lo, lo:hi])
            s = torch.cat([s[:, :lo], h, s[:, hi:]], 1)
        total = total + 0.5 * ((s[:, eng.out_slice] - torch.tensor(t)) ** 2).sum()
        prev = s
    total.backward()
    tg = np.concatenate([W.grad.numpy().ravel() * eng.theta_mask, b.grad.numpy()])
    tg[eng.n * eng.n:eng.n * eng.n + 3] = 0.0
    assert np.abs(tg - g).max() < 1e-9


# ----------------------------------------------------------------- training through core.training.train
def test_train_dispatches_and_reports_relaxation():
    net = random_recurrent(1, loss="half_sse", out_act="sigmoid")
    net.recurrence = Recurrence(threshold=1e-8)
    x, t = data(1, n=4)
    before = evaluate(net, x, t)[0]
    reports = list(train(net, x, t, TrainConfig(OptimizerSettings("sgd", 0.5), batch_size=1, max_epochs=60)))
    assert len(reports) == 60 and reports[-1].relaxation[0] > 3 and reports[-1].relaxation[1] > 3
    assert reports[-1].loss < 0.5 * reports[0].loss
    assert evaluate(net, x, t)[0] < 0.5 * before  # the weights were written back into the network


def test_training_stops_with_a_message_when_the_network_stops_settling():
    net = Network.dense([1, 1], "tanh", seed=0)
    net.set_weight(0, 0, 1, 0, 1.0)
    net.connect(1, 0, 1, 0, -1.6)
    net.recurrence = Recurrence(max_iterations=50)
    r = list(train(net, np.array([[0.5]]), np.array([[0.2]]), TrainConfig(max_epochs=5)))
    assert len(r) == 1 and r[0].diverged and "did not settle" in r[0].stop_reason
    assert net.weight(1, 0, 1, 0) == -1.6  # the weights the run started with


def test_remove_and_restore_neuron_with_a_sideways_block():
    net = random_recurrent(2)
    before = net.get_parameters()
    saved = net.remove_neuron(1, 2)
    net.restore_neuron(1, 2, saved)
    after = net.get_parameters()
    assert all(np.array_equal(before[0][k], after[0][k]) for k in before[0])


def test_layer_pass_is_the_fixed_point_per_layer():
    from core.recurrent import layer_pass
    net = random_recurrent(2)
    x = data(2)[0]
    p = layer_pass(net, x)
    eng = RecurrentEngine(net)
    s = eng.forward(x).values
    assert np.array_equal(np.hstack(p.outs), s)
    assert np.allclose(np.hstack(p.nets[1:]), eng.net_input(s)[:, eng.n_in:], atol=0)
    net.recurrence = Recurrence("sequence")
    first = layer_pass(net, x)
    assert np.array_equal(np.hstack(first.outs), bptt.step(RecurrentEngine(net), x, np.zeros((5, eng.n)))[0])
