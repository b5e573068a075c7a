"""Labels of connections and biases (w5, b1) and the per-network fixed-biases setting: the file
keeps them, training and the command line honour them."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core import cli
from core.fileio import dumps, load_project, loads
from core.network import Network
from core.project import Project
from core.resources import example
from core.training import TrainConfig, train
from core.optimizers import OptimizerSettings


def test_labels_round_trip_and_follow_renames():
    p = load_project(example("textbook-2-2-2").path)
    net = p.network
    assert net.connection_label(*net.find("h1"), *net.find("o1")) == "w5"
    assert net.bias_label(*net.find("h2")) == "b1"
    net.rename(*net.find("h1"), "hidden1")
    assert net.connection_label(*net.find("hidden1"), *net.find("o1")) == "w5"
    assert net.bias_label(*net.find("hidden1")) == "b1"
    back = loads(dumps(p))
    assert back.network.connection_labels == net.connection_labels
    assert back.network.bias_labels == net.bias_labels
    assert back.network.fixed_biases and back.display_digits == 9


def test_labelled_large_block_is_written_by_name():
    net = Network.dense([20, 20, 1], "sigmoid", seed=0)  # 400 connections: normally a matrix
    net.set_connection_label(0, 3, 1, 4, "w_special")
    d = loads(dumps(Project(net)))
    assert d.network.connection_label(0, 3, 1, 4) == "w_special"
    assert np.array_equal(d.network.blocks[(0, 1)].weight, net.blocks[(0, 1)].weight)


def test_labels_are_checked():
    net = Network.dense([2, 1])
    with pytest.raises(ValueError, match="at most 32"):
        net.set_connection_label(0, 0, 1, 0, "x" * 40)
    with pytest.raises(ValueError, match="no bias"):
        net.set_bias_label(0, 0, "b")
    net.set_connection_label(0, 0, 1, 0, "  ")
    assert net.connection_labels == {}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [1, 2])
def test_fixed_biases_never_move(optimizer, batch):
    net = Network.dense([2, 3, 1], "sigmoid", seed=2, bias_init="same")
    net.fixed_biases = True
    biases = [b.biases.copy() for b in net.layers]
    weights = net.blocks[(0, 1)].weight.copy()
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    list(train(net, x, y, TrainConfig(OptimizerSettings(optimizer, 0.5), batch_size=batch, max_epochs=20)))
    assert all(np.array_equal(a.biases, b) for a, b in zip(net.layers, biases))
    assert not np.array_equal(net.blocks[(0, 1)].weight, weights)


def test_mazur_weights_after_many_steps_are_the_tutorials():
    """Mazur's biases stay fixed, so training equals plain updates of the weights only."""
    p = load_project(example("textbook-2-2-2").path)
    x, y = p.dataset.x, p.dataset.y
    list(train(p.network, x, y, dataclasses.replace(p.training, max_epochs=1)))
    assert p.network.weight(0, 0, 1, 0) == pytest.approx(0.149780716, abs=1e-9)  # w1 after one step
    assert p.network.bias(1, 0) == 0.35 and p.network.bias(2, 1) == 0.6
    last = list(train(p.network, x, y, dataclasses.replace(p.training, max_epochs=9999)))[-1]
    # Mazur: "after repeating this process 10,000 times … the error plummets to 0.0000351085"
    # (the error of the 10,000th round, measured before its update, as the epoch's loss is)
    assert round(last.loss, 10) == 0.0000351085


def test_cli_train_honours_fixed_biases(tmp_path, capsys):
    out = tmp_path / "t.bpnet"
    assert cli.main(["train", str(example("textbook-2-2-2").path), "--epochs", "50", "-o", str(out)]) == 0
    net = load_project(out).network
    assert net.fixed_biases and net.bias(1, 0) == 0.35 and net.bias(2, 0) == 0.6
    assert net.weight(1, 0, 2, 0) != 0.4
