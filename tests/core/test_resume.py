"""n epochs, save, load, m more epochs == n + m epochs straight through, bit for bit: the file
carries the optimiser state (momentum velocities, Adam moments and step) and the shuffle state."""
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.datasets import Dataset
from core.engine import Engine
from core.fileio import dumps, load_project, loads, save_project
from core.network import Network
from core.optimizers import OptimizerSettings
from core.project import HistoryEntry, Project
from core.resume import ResumeSlot
from core.training import TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "momentum, mini-batch": (OptimizerSettings("momentum", 0.3, momentum=0.9), 3, [4, 5, 2]),
    "adam, mini-batch": (OptimizerSettings("adam", 0.05), 3, [4, 5, 2]),
    "adam, online": (OptimizerSettings("adam", 0.02), 1, [4, 5, 2]),
    "momentum, online float path": (OptimizerSettings("momentum", 0.3, momentum=0.8), 1, [2, 2, 1]),
}


def _data(sizes):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, sizes[0]))
    y = (rng.uniform(size=(10, sizes[-1])) > 0.5).astype(float)
    return x, y


def _params(net):
    return np.concatenate([p.ravel() for p in Engine(net).parameters()])


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_through_a_file_equals_straight_through(case, tmp_path):
    opt, batch, sizes = CASES[case]
    x, y = _data(sizes)
    cfg = TrainConfig(opt, batch_size=batch, shuffle=True, seed=5, max_epochs=7)
    straight = Network.dense(sizes, "sigmoid", seed=2)
    losses = [r.loss for r in train(straight, x, y, cfg)]

    net = Network.dense(sizes, "sigmoid", seed=2)
    slot = ResumeSlot()
    first = [r.loss for r in train(net, x, y, replace(cfg, max_epochs=3), resume=slot)]
    project = Project(net, cfg, history=[HistoryEntry(e, lo) for e, lo in zip(range(1, 4), first)],
                      resume=slot.state)
    save_project(project, tmp_path / "half.bpnet")
    back = load_project(tmp_path / "half.bpnet")
    slot = ResumeSlot(back.resume)
    rest = [r.loss for r in train(back.network, x, y, replace(cfg, max_epochs=4), first_epoch=4, resume=slot)]

    assert first + rest == losses
    assert np.array_equal(_params(back.network), _params(straight))
    assert slot.state.epoch == 7


def test_without_the_state_resume_differs():
    """The oracle above can fail: restarting momentum and the shuffle changes the result."""
    opt, batch, sizes = CASES["momentum, mini-batch"]
    x, y = _data(sizes)
    cfg = TrainConfig(opt, batch_size=batch, seed=5, max_epochs=4)
    a, b = Network.dense(sizes, "sigmoid", seed=2), Network.dense(sizes, "sigmoid", seed=2)
    list(train(a, x, y, cfg))
    list(train(b, x, y, replace(cfg, max_epochs=2)))
    list(train(b, x, y, replace(cfg, max_epochs=2), first_epoch=3))
    assert not np.array_equal(_params(a), _params(b))


def test_state_applies_only_to_its_own_weights_and_optimiser():
    opt, batch, sizes = CASES["adam, mini-batch"]
    x, y = _data(sizes)
    cfg = TrainConfig(opt, batch_size=batch, seed=5, max_epochs=2)
    net = Network.dense(sizes, "sigmoid", seed=2)
    slot = ResumeSlot()
    list(train(net, x, y, cfg, resume=slot))
    edited = net.copy()
    edited.layers[1].biases[0] += 0.5
    fresh = Network.dense(sizes, "sigmoid", seed=2)
    fresh.set_parameters(*edited.get_parameters())
    a, b = edited.copy(), fresh.copy()
    list(train(a, x, y, cfg, resume=ResumeSlot(slot.state)))  # the state is for other weights
    list(train(b, x, y, cfg))
    assert np.array_equal(_params(a), _params(b))
    momentum = replace(cfg, optimizer=OptimizerSettings("momentum", 0.1))
    c, d = net.copy(), net.copy()
    list(train(c, x, y, momentum, resume=ResumeSlot(slot.state)))  # Adam's state, momentum run
    list(train(d, x, y, replace(momentum, seed=5)))
    assert not np.array_equal(_params(c), _params(net))


def test_divergence_leaves_no_state():
    x, y = _data([2, 3, 1])
    net = Network.dense([2, 3, 1], "linear", scale=1.0, seed=1)
    slot = ResumeSlot()
    reports = list(train(net, x * 100, y, TrainConfig(OptimizerSettings("momentum", 10.0), max_epochs=1000),
                         resume=slot))
    assert reports[-1].diverged and slot.state is None


def test_resume_state_round_trips_exactly():
    opt, batch, sizes = CASES["adam, mini-batch"]
    x, y = _data(sizes)
    net = Network.dense(sizes, "sigmoid", seed=2)
    slot = ResumeSlot()
    list(train(net, x, y, TrainConfig(opt, batch_size=batch, max_epochs=2), resume=slot))
    text = dumps(Project(net, resume=slot.state))
    back = loads(text).resume
    assert back.shuffle == slot.state.shuffle and back.step == slot.state.step == 8
    assert all(np.array_equal(a, b) for a, b in zip(back.moments, slot.state.moments))
    assert dumps(loads(text)) == text


def test_cli_train_two_plus_two_equals_four(tmp_path):
    net = Network.dense([2, 3, 1], "tanh", seed=4)
    x, y = _data([2, 3, 1])
    cfg = TrainConfig(OptimizerSettings("momentum", 0.2, momentum=0.9), batch_size=2, seed=9, max_epochs=2)
    save_project(Project(net, cfg, Dataset(x, y)), tmp_path / "start.bpnet")

    def run(src, out, epochs):
        r = subprocess.run([sys.executable, "-m", "app.launch", "train", str(src), "--epochs", str(epochs),
                            "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert r.returncode == 0, r.stderr

    run(tmp_path / "start.bpnet", tmp_path / "two.bpnet", 2)
    run(tmp_path / "two.bpnet", tmp_path / "four.bpnet", 2)
    run(tmp_path / "start.bpnet", tmp_path / "straight.bpnet", 4)
    resumed, straight = load_project(tmp_path / "four.bpnet"), load_project(tmp_path / "straight.bpnet")
    assert [h.loss for h in resumed.history] == [h.loss for h in straight.history]
    assert np.array_equal(_params(resumed.network), _params(straight.network))


def test_saved_state_uses_the_file_formats_parameter_order():
    """The engine keeps each layer's bias next to its weights; the saved moments and hash must
    still be in the documented order (every block by layer pair, then the biases), so files
    written by earlier versions resume the same. One full-batch momentum step from rest leaves
    v = −η g, which is compared with the gradient in that order."""
    net = Network.dense([3, 4, 2], ["tanh", "sigmoid"], loss="mse", init="xavier", seed=7)
    x = np.random.default_rng(0).normal(size=(6, 3))
    y = np.random.default_rng(1).uniform(size=(6, 2))
    eng = Engine(net.copy())
    p = eng.backward(eng.forward(x), y)
    g = np.concatenate([a.ravel() for a in eng.gradients(p)])
    w = np.concatenate([net.blocks[k].weight.ravel() for k in sorted(net.blocks)] +
                       [layer.biases for layer in net.layers[1:]])
    slot = ResumeSlot()
    cfg = TrainConfig(OptimizerSettings("momentum", 0.2, momentum=0.5), batch_size=0, shuffle=False, max_epochs=1)
    trained = net.copy()
    list(train(trained, x, y, cfg, resume=slot))
    np.testing.assert_allclose(slot.state.moments[0], -0.2 * g, rtol=1e-10, atol=1e-15)
    after = np.concatenate([trained.blocks[k].weight.ravel() for k in sorted(trained.blocks)] +
                           [layer.biases for layer in trained.layers[1:]])
    np.testing.assert_allclose(after, w - 0.2 * g, rtol=1e-10, atol=1e-15)
    from core.resume import parameters_sha256
    assert slot.state.parameters_sha256 == parameters_sha256(after)
