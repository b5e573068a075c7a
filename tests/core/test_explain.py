"""Explanations: the issue's examples word for word, and every activation, loss, skip connection
and missing link explained with results equal to the stepper's numbers."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core.explain import BiasRef, ConnectionRef, NeuronRef, explain, format_number
from core.fileio import load_project
from core.resources import example
from core.stepper import Stepper

from .test_stepper import CASES, random_network, walk


def mazur_views():
    p = load_project(example("textbook-2-2-2").path)
    return walk(Stepper(p.network, p.dataset.x, p.dataset.y, 0.5))


def test_the_issues_examples():
    views = mazur_views()
    net = explain(views[1], NeuronRef("h1"), 6)
    assert net.lines[0].text == "net_h1 = w1·i1 + w2·i2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775"
    assert "net<sub>h1</sub>" in net.lines[0].html
    w5 = explain(views[4], ConnectionRef("h1", "o1"), 6)
    assert w5.lines[0].text == ("∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5 = "
                                "0.741365 · 0.186816 · 0.59327 = 0.082167")
    assert w5.result == views[4].connection("h1", "o1").grad
    upd = explain(views[6], ConnectionRef("h1", "o1"), 9)
    assert upd.lines[0].text == "w5⁺ = w5 − η·∂E/∂w5 = 0.4 − 0.5·0.0821670406 = 0.35891648"
    fixed = explain(views[6], BiasRef("h1"), 6)
    assert "fixed" in fixed.sentence and fixed.result == 0.35
    hidden = explain(views[5], NeuronRef("h1"), 6)
    assert hidden.lines[0].text.startswith("∂E/∂out_h1 = w5·δ_o1 + w7·δ_o2 = 0.4·0.138499 + 0.5·(−0.0380982)")
    err = explain(views[3], NeuronRef("o1"), 9)
    assert err.lines[1].text == "E = E_o1 + E_o2 = 0.274811083 + 0.0235600256 = 0.298371109"
    assert explain(views[1], NeuronRef("o1"), 6).result is None  # not reached yet


def test_format_number():
    assert format_number(0.7513650695523157, 8) == "0.75136507"
    assert format_number(-0.0380982, 3) == "−0.0381"
    assert format_number(2.5e-5, 3) == "2.5·10⁻⁵"
    assert format_number(-2.5e-5, 3, unicode=False) == "-2.5e-05"


def test_softmax_cross_entropy_shortcut():
    net = random_network(2, "softmax", "cross_entropy")
    st = Stepper(net, [[0.3, -0.2, 0.5]], [[0, 1, 0]], 0.1)
    back = [v for v in walk(st) if v.stage.kind == "backward"][0]
    e = explain(back, NeuronRef("o2"), 6)
    assert e.lines[0].text.startswith("δ_o2 = out_o2 − t_o2 = ")
    assert e.result == back.neuron("o2").delta
    assert "cancel" in e.sentence


def test_skip_connections_and_missing_links_are_named():
    net = random_network(2, "sigmoid", "half_sse")
    st = Stepper(net, [[0.3, -0.2, 0.5]], [[0.2, 0.7, 0.4]], 0.1)
    views = walk(st)
    fwd1 = views[1]
    e = explain(fwd1, NeuronRef("h3"), 6)  # a2 -> h3 is missing
    assert "a2 is not connected to h3" in e.sentence
    assert "a2" not in e.lines[0].formula.text
    back_h = [v for v in views if v.stage.kind == "backward" and v.stage.layer == 1][0]
    e = explain(back_h, NeuronRef("h2"), 6)
    assert "skip connections" in e.sentence
    assert "δ_o1" in e.lines[0].text and "δ_g1" in e.lines[0].text  # both layers it feeds


@pytest.mark.parametrize("out_act,loss", CASES)
@pytest.mark.parametrize("batch", [1, 2])
def test_every_item_at_every_stage_is_explained_with_the_stages_numbers(out_act, loss, batch):
    net = random_network(4, out_act, loss)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3))
    y = np.eye(3)[[1, 2]] if out_act == "softmax" or "entropy" in loss else rng.uniform(0.1, 0.9, (2, 3))
    st = Stepper(net, x, y, 0.25, batch)
    views = walk(st)
    for v in views:
        for n in v.neurons:
            for ref in (NeuronRef(n.name), BiasRef(n.name)):
                e = explain(v, ref, 6)
                assert e.title and e.sentence
                assert e.html.startswith("<h3>")
                for ln in e.lines:
                    if ln.result is not None:
                        assert math.isfinite(ln.result)
                        assert ln.text.endswith(format_number(ln.result, 6))
            e = explain(v, NeuronRef(n.name), 6)
            if v.stage.kind == "update" and n.layer:
                assert e.result == n.bias_update.new
            elif n.delta is not None and v.trace is not None:
                assert e.result == n.delta
            elif n.out is not None and n.error_term is None and n.layer:
                assert e.result == n.out
        for c in v.connections:
            e = explain(v, ConnectionRef(c.source, c.target), 6)
            if v.stage.kind == "update":
                assert e.result == c.update.new
                assert len(c.update.shares) == len(v.batch)
            elif c.grad is not None:
                assert e.result == c.grad
    # the chain-rule factors multiply out to the result
    back = [v for v in views if v.stage.kind == "backward"][-1]
    for w in back.trace.weights:
        t, s = back.trace.neuron(w.target), back.trace.neuron(w.source)
        assert w.grad == pytest.approx(t.delta * s.out, rel=1e-9, abs=1e-15)
        if t.activation != "softmax":
            assert t.delta == pytest.approx(t.dE_dout * t.derivative, rel=1e-9, abs=1e-15)
