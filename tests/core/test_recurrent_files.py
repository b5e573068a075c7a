"""Recurrent networks in files, in the trace and CLI, and the shipped recurrent examples."""
import dataclasses
import json

import numpy as np
import pytest

from core.fileio import FileFormatError, dumps, load_project, loads
from core.network import Network
from core.optimizers import OptimizerSettings
from core.project import Project
from core.recurrence import Recurrence
from core.recurrent import RecurrentEngine
from core.recurrent_trace import RecurrentTrace
from core.resources import example
from core.trace import trace
from core.training import train
from tests.core.recurrent_nets import random_recurrent
from tests.core.test_cli import cli


def test_recurrent_network_round_trips_bit_for_bit():
    net = random_recurrent(3)
    net.recurrence = Recurrence("sequence", threshold=1e-9, max_iterations=77, rate=0.5, bptt_steps=3)
    back = loads(dumps(Project(net))).network
    assert back.recurrence == net.recurrence and back.is_recurrent
    assert sorted(back.blocks) == sorted(net.blocks)
    assert list(back.connections()) == list(net.connections())


def test_static_file_has_no_recurrence_key():
    d = json.loads(dumps(Project(Network.dense([2, 2, 1]))))
    assert "recurrence" not in d and loads(dumps(Project(Network.dense([2, 2, 1])))).network.recurrence is None


def _doc(**extra) -> dict:
    d = json.loads(dumps(Project(Network.dense([2, 2, 1]))))
    d.update(extra)
    return d


def test_backward_connection_needs_the_declaration():
    d = _doc()
    d["connections"].append({"from": "o1", "to": "h1", "weight": 0.5})
    with pytest.raises(FileFormatError, match=r'^connections\[6\]: connection o1 -> h1 goes backward .*declares "recurrence"'):
        loads(json.dumps(d))
    d["recurrence"] = {}
    net = loads(json.dumps(d)).network
    assert net.is_recurrent and net.weight(2, 0, 1, 0) == 0.5 and net.recurrence == Recurrence()


@pytest.mark.parametrize("conn,msg", [({"from": "h1", "to": "i1"}, "has no effect: input neurons are set by the data"),
                                      ({"from": "h1", "to": "h1"}, None), ({"from": "h1", "to": "h2"}, None)])
def test_self_sideways_and_into_input(conn, msg):
    d = _doc(recurrence={"mode": "settle"})
    d["connections"].append({**conn, "weight": 0.25})
    if msg:
        with pytest.raises(FileFormatError, match=msg):
            loads(json.dumps(d))
    else:
        assert loads(json.dumps(d)).network.is_recurrent


def test_bad_recurrence_settings_are_named():
    with pytest.raises(FileFormatError, match=r"^recurrence\.rate: must be at most 1"):
        loads(json.dumps(_doc(recurrence={"rate": 1.5})))
    with pytest.raises(FileFormatError, match=r'^recurrence: unknown key "steps"'):
        loads(json.dumps(_doc(recurrence={"steps": 3})))


def test_trace_rows_are_the_relaxation_and_match_the_engine():
    net = random_recurrent(1)
    x, t = np.array([0.3, -0.2, 0.9]), np.array([0.2, 0.7])
    tr = trace(net, x, t, 0.5)
    assert isinstance(tr, RecurrentTrace)
    eng = RecurrentEngine(net)
    fwd = eng.forward(x[None])
    assert len(tr.forward) == fwd.iterations and tr.forward_changes[-1] < 1e-14
    assert np.allclose(tr.forward[-1], fwd.values[0], atol=0) and tr.forward_changes == tuple(fwd.changes)
    back = eng.backward(fwd, t[None])
    assert np.allclose(tr.backward[-1], back.values[0], atol=1e-15)
    g = eng.gradients(fwd.values, back.values)
    w = tr.weight("h2", "h1")
    r, c = eng.offsets[1] + 1, eng.offsets[1] + 0
    assert w.grad == g[r * eng.n + c] and w.new == pytest.approx(w.weight - 0.5 * w.grad, abs=0)
    assert tr.error_after < tr.error_before
    for nt in tr.neurons[3:]:  # the chain rule at the fixed point: δ = ∂E/∂out · f′(net)
        assert nt.delta == pytest.approx(nt.dE_dout * nt.derivative, rel=1e-9, abs=1e-15)
    assert sum(nt.error_term for nt in tr.neurons if nt.error_term is not None) == pytest.approx(tr.error_before)
    net.fixed_biases = True
    fixed = trace(net, x, t, 0.5)
    assert fixed.fixed_biases and all(nt.bias_new == nt.bias for nt in fixed.neurons[3:])


def test_cli_trace_prints_each_iteration_and_train_writes_a_recurrent_file(tmp_path):
    r = cli("trace", example("self-loop-attractor").path, "--sample", "2")
    assert r.returncode == 0, r.stderr
    assert "Forward relaxation:" in r.stdout and "Backward relaxation of δ:" in r.stdout
    rows = [ln.split() for ln in r.stdout.split("Forward relaxation")[1].split("Backward")[0].splitlines()[3:] if ln.strip()]
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1)) and float(rows[-1][-1]) < 1e-6
    out = tmp_path / "t.bpnet"
    r = cli("train", example("self-loop-attractor").path, "--epochs", "5", "-o", out)
    assert r.returncode == 0, r.stderr
    assert load_project(out).network.is_recurrent
    assert "relaxation (last epoch): up to" in r.stdout
    r = cli("predict", example("elman-grammar").path)
    assert r.returncode == 0 and len(r.stdout.splitlines()) > 100


# ----------------------------------------------------------------- the examples teach what they say
def _trained(name: str, epochs: int | None = None) -> Project:
    p = load_project(example(name).path)
    x, y, _ = p.dataset.arrays()
    cfg = p.training if epochs is None else dataclasses.replace(p.training, max_epochs=epochs)
    reports = list(train(p.network, x, y, cfg))
    assert not reports[-1].diverged, reports[-1].stop_reason
    return p


def test_pattern_completion_completes_every_pattern():
    p = _trained("pattern-completion")
    x, y, _ = p.dataset.arrays()
    out = RecurrentEngine(p.network).predict(x)
    assert ((out > 0.5) == (y > 0.5)).all()  # every copy with one or two unknown pixels


def test_self_loop_grows_past_one_into_two_attractors():
    p = _trained("self-loop-attractor")
    net = p.network
    assert net.weight(1, 0, 1, 0) > 1.0
    out = RecurrentEngine(net).predict([[0.01], [-0.01]])[:, 0]
    assert out[0] > 0.8 and out[1] < -0.8  # inputs far smaller than any it was trained on


def test_elman_network_predicts_the_vowels():
    p = _trained("elman-grammar")
    x, y, _ = p.dataset.arrays()
    out = RecurrentEngine(p.network).predict(x)
    cons = x[:, :3].any(axis=1)  # after a consonant the vowel is certain
    assert (out[cons].argmax(1) == y[cons].argmax(1)).all()
    in_word = x[:, 4:].any(axis=1) & y[:, 3:].any(axis=1)  # i → i, u → u: the network counts
    assert (out[in_word].argmax(1) == y[in_word].argmax(1)).mean() > 0.95


def test_exports_refuse_or_keep_recurrent_connections(tmp_path):
    from core.export import ExportError, export
    from core.snns import import_snns
    p = load_project(example("self-loop-attractor").path)
    with pytest.raises(ExportError, match="--to torch writes feed-forward networks; this one has recurrent"):
        export(p, "torch", tmp_path / "m.py")
    out = export(p, "snns", tmp_path / "a.net")
    back, notes = import_snns(out)
    assert back.network.weight(1, 0, 1, 0) == p.network.weight(1, 0, 1, 0) and "recurrent links" in notes[0]


@pytest.mark.parametrize("name,opt", [("pattern-completion", OptimizerSettings("momentum", 0.2, momentum=0.7)),
                                      ("elman-grammar", OptimizerSettings("adam", 0.01))])
def test_a_recurrent_run_resumes_through_a_file_as_if_straight_through(name, opt, tmp_path):
    """Settle and sequence mode keep their optimiser and shuffle state in the file like static
    networks do: 3 epochs, save, open, 4 more equal 7 straight through, bit for bit."""
    from dataclasses import replace

    from core.fileio import load_project, save_project
    from core.resume import ResumeSlot
    from core.training import train
    project = load_project(example(name).path)
    x, y, _ = project.dataset.arrays()
    cfg = replace(project.training, optimizer=opt, shuffle=True, seed=9, max_epochs=7)
    straight = project.network.copy()
    losses = [r.loss for r in train(straight, x, y, cfg)]
    half = replace(project, network=project.network.copy())
    slot = ResumeSlot()
    first = [r.loss for r in train(half.network, x, y, replace(cfg, max_epochs=3), resume=slot)]
    assert slot.state is not None and slot.state.epoch == 3
    save_project(replace(half, training=cfg, resume=slot.state), tmp_path / "half.bpnet")
    back = load_project(tmp_path / "half.bpnet")
    slot = ResumeSlot(back.resume)
    rest = [r.loss for r in train(back.network, x, y, replace(cfg, max_epochs=4), first_epoch=4, resume=slot)]
    assert first + rest == losses
    for k, blk in straight.blocks.items():
        assert np.array_equal(back.network.blocks[k].weight, blk.weight)
    for a, b in zip(back.network.layers, straight.layers):
        assert np.array_equal(a.biases, b.biases)
