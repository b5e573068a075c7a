"""The classroom stepper: textbook numbers at the shown precision, trace --json exactly, batches,
arbitrary graphs, and exact back-and-forth."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core import cli
from core.engine import Engine
from core.explain import format_number
from core.fileio import load_project
from core.network import Layer, Network
from core.resources import example
from core.stepper import Stepper
from core.trace import error_terms

MAZUR = example("textbook-2-2-2").path
HAN = example("textbook-3-2-1").path


def sig_digits(printed: str) -> int:
    return len(printed.lstrip("-0.").replace(".", ""))


def shows(value: float, printed: str, digits: int) -> None:
    """At ``digits`` (at most the printed figure's own digits) the value reads as the book prints it."""
    k = min(digits, sig_digits(printed))
    assert format_number(value, k) == format_number(float(printed), k), (value, printed, k)


def stepper_for(path) -> tuple[Stepper, object]:
    p = load_project(path)
    return Stepper(p.network, p.dataset.x, p.dataset.y, p.training.optimizer.learning_rate,
                   p.training.batch_size), p


def walk(st: Stepper):
    """Every stage view of the current step, from its first stage to its update."""
    views = [st.restart()]
    while views[-1].stage.kind != "update":
        views.append(st.forward())
    return views


def test_mazur_stages_show_the_tutorial_numbers():
    st, p = stepper_for(MAZUR)
    digits = p.display_digits
    assert digits == 9
    views = walk(st)
    assert [v.stage.kind for v in views] == ["input", "forward", "forward", "error", "backward", "backward",
                                             "update"]
    assert views[0].counter == "step 1 / 7" and views[-1].counter == "step 7 / 7"
    fwd1, fwd2, err, back_o, back_h, upd = views[1:]
    assert fwd1.neuron("h1").out is not None and fwd1.neuron("o1").out is None
    assert not fwd1.neuron("o1").reached
    shows(fwd1.neuron("h1").out, "0.593269992", digits)
    shows(fwd2.neuron("o1").out, "0.75136507", digits)
    assert fwd2.error is None
    shows(err.error, "0.298371109", digits)
    assert err.neuron("o1").delta is None
    o1 = back_o.neuron("o1")
    shows(back_o.trace.neuron("o1").dE_dout, "0.74136507", digits)
    shows(o1.derivative, "0.186815602", digits)
    shows(o1.delta, "0.138498562", digits)
    assert back_o.neuron("h1").delta is None
    w5 = back_o.connection("h1", "o1")
    assert w5.label == "w5"
    shows(w5.grad, "0.082167041", digits)
    assert back_o.connection("i1", "h1").grad is None and back_h.connection("i1", "h1").grad is not None
    # only the update changes weights; biases are fixed in this example (Mazur does not train them)
    assert back_h.connection("h1", "o1").weight == 0.4
    shows(upd.connection("h1", "o1").weight, "0.35891648", digits)
    shows(upd.connection("i1", "h1").weight, "0.149780716", digits)
    assert upd.neuron("h1").bias == 0.35 and upd.neuron("o1").bias == 0.6
    assert upd.connection("h1", "o1").update.old == 0.4


def test_han_kamber_stages_show_the_book_numbers():
    st, p = stepper_for(HAN)
    digits = p.display_digits
    assert digits == 3
    views = walk(st)
    back = views[-2]
    upd = views[-1]
    for name, net, out in (("h4", "-0.7", "0.332"), ("h5", "0.1", "0.525"), ("o6", "-0.105", "0.474")):
        shows(back.neuron(name).net, net, digits)
        shows(back.neuron(name).out, out, digits)
    # the book's Err_j is −δ_j (δ = ∂E/∂net here)
    for name, err in (("o6", "0.1311"), ("h5", "-0.0065"), ("h4", "-0.0087")):
        shows(-back.neuron(name).delta, err, digits)
    for (a, b), new in {("h4", "o6"): "-0.261", ("h5", "o6"): "-0.138", ("x1", "h4"): "0.192",
                        ("x1", "h5"): "-0.306", ("x2", "h4"): "0.4", ("x2", "h5"): "0.1",
                        ("x3", "h4"): "-0.508", ("x3", "h5"): "0.194"}.items():
        shows(upd.connection(a, b).weight, new, digits)
    for name, new in (("o6", "0.218"), ("h5", "0.194"), ("h4", "-0.408")):
        shows(upd.neuron(name).bias, new, digits)
    assert upd.connection("h4", "o6").label == "w46" and upd.neuron("h4").bias_label == "θ4"


@pytest.mark.parametrize("path", [MAZUR, HAN])
def test_every_stage_number_is_trace_json_exactly(path, capsys):
    assert cli.main(["trace", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    st, _ = stepper_for(path)
    for v in walk(st):
        assert json.loads(json.dumps(v.trace.to_dict())) == printed
        by_name = {n["name"]: n for n in printed["neurons"]}
        for n in v.neurons:
            for key in ("net", "out", "delta", "derivative", "error_term"):
                shown = getattr(n, key)
                assert shown is None or shown == by_name[n.name][key], (v.stage, n.name, key)
        for c in v.connections:
            w = next(w for w in printed["weights"] if (w["source"], w["target"]) == (c.source, c.target))
            assert c.grad is None or c.grad == w["grad"]
            assert c.weight == (w["new"] if v.stage.kind == "update" else w["weight"])
        assert v.error is None or v.error == printed["error_before"]


def random_network(seed: int, out_act: str, loss: str) -> Network:
    """3-4-3-K with a skip block 0→2 and 1→3, some links missing, mixed hidden activations."""
    rng = np.random.default_rng(seed)
    layers = [Layer(["a1", "a2", "a3"], "linear"), Layer(["h1", "h2", "h3", "h4"], "tanh",
                                                        overrides=[None, "sigmoid", "relu", "leaky_relu"]),
              Layer(["g1", "g2", "g3"], "sigmoid"), Layer(["o1", "o2", "o3"], out_act)]
    net = Network(layers, loss=loss)
    for ls, ld in ((0, 1), (1, 2), (2, 3), (0, 2), (1, 3)):
        net.connect_fully(ls, ld)
        blk = net.blocks[(ls, ld)]
        blk.weight[:] = rng.normal(0, 0.8, blk.weight.shape)
    for ls, i, ld, j in ((0, 1, 1, 2), (1, 0, 2, 1), (2, 2, 3, 0), (0, 0, 2, 0), (1, 3, 3, 2)):
        net.disconnect(ls, i, ld, j)
    for layer in net.layers[1:]:
        layer.biases[:] = rng.normal(0, 0.3, layer.size) + 0.05
    return net


CASES = [("softmax", "cross_entropy"), ("softmax", "half_sse"), ("sigmoid", "binary_cross_entropy"),
         ("linear", "mse"), ("sigmoid", "half_sse"), ("tanh", "mse"), ("sigmoid", "cross_entropy")]


@pytest.mark.parametrize("out_act,loss", CASES)
@pytest.mark.parametrize("batch", [1, 2, 0])
def test_random_graphs_update_is_the_engines_batch_gradient(out_act, loss, batch):
    net = random_network(7, out_act, loss)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 3))
    y = np.eye(3)[rng.integers(0, 3, 5)] if out_act == "softmax" or "entropy" in loss else rng.uniform(0.1, 0.9, (5, 3))
    st = Stepper(net, x, y, 0.3, batch)
    for step in range(3):
        s = st.step(step)
        rows = list(s.batch)
        eng = Engine(net.copy())
        probe = net.copy()
        probe.set_parameters(*s.before)
        eng = Engine(probe)
        p = eng.backward(eng.forward(x[rows]), y[rows])
        grads = dict(zip(eng.keys, eng.gradients(p)))
        for (src, dst), up in s.weight_updates.items():
            (ls, i), (ld, j) = probe.find(src), probe.find(dst)
            assert up.grad == pytest.approx(grads[(ls, ld)][i, j], rel=1e-12, abs=1e-15)
            assert sum(up.shares) == pytest.approx(up.grad, rel=1e-12, abs=1e-15)
            assert up.new == up.old - 0.3 * up.grad
        for tr in s.traces:  # the error terms add up to the sample's E
            outs = [n for n in tr.neurons if n.layer == 3]
            assert sum(n.error_term for n in outs) == pytest.approx(tr.error_before, rel=1e-12)
            assert np.allclose(error_terms(loss, [n.out for n in outs], tr.targets).sum(), tr.error_before)
        # the next step starts from this step's new weights
        nxt = st.step(step + 1)
        for k in s.after[0]:
            assert np.array_equal(nxt.before[0][k], s.after[0][k])
    assert st.step(0).batch == ((0,) if batch == 1 else (0, 1) if batch == 2 else (0, 1, 2, 3, 4))
    # hidden δ sums over every layer a neuron feeds (skip connections): δ = f'(net)·Σ w δ
    tr = st.step(0).traces[0]
    h1 = tr.neuron("h1")
    fed = [(w.weight, tr.neuron(w.target).delta) for w in tr.weights if w.source == "h1"]
    assert {tr.neuron(w.target).layer for w in tr.weights if w.source == "h1"} == {2, 3}
    assert h1.dE_dout == pytest.approx(sum(a * b for a, b in fed), rel=1e-12)
    assert h1.delta == h1.dE_dout * h1.derivative


@pytest.mark.parametrize("batch", [1, 2, 0])
def test_back_and_forth_returns_the_exact_state(batch):
    net = random_network(11, "softmax", "cross_entropy")
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(3, 3)), np.eye(3)[[0, 2, 1]]
    st = Stepper(net, x, y, 0.5, batch)
    first = st.view()
    start_params = st.shown_parameters()
    seen = [first]
    for _ in range(40):
        seen.append(st.forward())
    for k in range(len(seen) - 2, -1, -1):
        assert st.back() == seen[k]
    assert st.view() == first and st.at_start
    assert st.back() == first  # nothing before the first stage
    now = st.shown_parameters()
    for k in start_params[0]:
        assert np.array_equal(now[0][k], start_params[0][k])
    for a, b in zip(now[1], start_params[1]):
        assert np.array_equal(a, b)
    assert np.array_equal(net.blocks[(0, 1)].weight, st.step(0).before[0][(0, 1)])  # net untouched


def test_weights_change_only_at_the_update_stage_and_wrap_to_the_next_epoch():
    st, p = stepper_for(HAN)
    views = walk(st)
    w0 = [c.weight for c in views[0].connections]
    assert all([c.weight for c in v.connections] == w0 for v in views[:-1])
    assert [c.weight for c in views[-1].connections] != w0
    nxt = st.forward()
    assert nxt.stage.kind == "input" and nxt.step == 1 and nxt.epoch == 2  # one sample: next epoch
    assert [c.weight for c in nxt.connections] == [c.weight for c in views[-1].connections]


def test_saturated_neurons_are_marked():
    net = Network.dense([1, 2, 1], "sigmoid", seed=0)
    net.blocks[(0, 1)].weight[:] = [[9.0, 0.1]]
    st = Stepper(net, [[1.0]], [[1.0]], 0.5)
    v = st.forward()
    assert v.neuron("h1").saturated and not v.neuron("h2").saturated


def test_bad_input_is_refused_with_a_message():
    net = Network.dense([2, 1], "sigmoid")
    with pytest.raises(ValueError, match="learning rate"):
        Stepper(net, [[0, 1]], [[1]], 0.0)
    with pytest.raises(ValueError, match="same, non-zero"):
        Stepper(net, np.zeros((2, 2)), np.zeros((1, 1)), 0.1)
