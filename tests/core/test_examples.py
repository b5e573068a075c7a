"""Every shipped example loads, matches its textbook numbers and learns with its saved settings."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.engine import Engine
from core.fileio import dumps, load_project, loads
from core.resources import EXAMPLE_ORDER, example, examples, resource_path
from core.training import train

NAMES = [e.name for e in examples()]


def test_every_listed_example_exists_in_order():
    assert NAMES == EXAMPLE_ORDER
    for e in examples():
        assert e.path.is_file() and e.title and e.description
        assert e.path.parent == resource_path("examples")


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_round_trips_and_learns(name):
    p = load_project(example(name).path)
    assert p.dataset is not None and len(p.dataset) > 0
    assert loads(dumps(p)).network.names() == p.network.names()
    x, y, val = p.dataset.arrays()
    # "learns as shipped": with its saved settings the loss clearly falls within 300 epochs
    config = dataclasses.replace(p.training, max_epochs=min(p.training.max_epochs, 300))
    reports = list(train(p.network, x, y, config, validation=val))
    assert not reports[-1].diverged
    assert reports[-1].loss < 0.8 * reports[0].loss, (name, reports[0].loss, reports[-1].loss)


def test_textbook_2_2_2_matches_mazur():
    p = load_project(example("textbook-2-2-2").path)
    net = p.network
    assert [net.weight(0, i, 1, j) for j in range(2) for i in range(2)] == [0.15, 0.20, 0.25, 0.30]
    out = Engine(net).forward(p.dataset.inputs()).outs[-1]
    assert out[0] == pytest.approx([0.75136507, 0.772928465], abs=1e-9)
    first = next(train(net, *p.dataset.arrays()[:2], dataclasses.replace(p.training, max_epochs=1)))
    assert first.loss == pytest.approx(0.298371109, abs=1e-9)
    assert net.weight(1, 0, 2, 0) == pytest.approx(0.35891648, abs=1e-8)


def test_textbook_3_2_1_matches_han_kamber():
    p = load_project(example("textbook-3-2-1").path)
    net = p.network
    assert net.names() == ["x1", "x2", "x3", "h4", "h5", "o6"]
    out = Engine(net).forward(p.dataset.inputs())
    assert out.outs[1][0] == pytest.approx([0.332, 0.525], abs=5e-4)
    assert out.outs[2][0, 0] == pytest.approx(0.474, abs=5e-4)
    list(train(net, *p.dataset.arrays()[:2], dataclasses.replace(p.training, max_epochs=1)))
    assert net.weight(1, 0, 2, 0) == pytest.approx(-0.261, abs=5e-4)
    assert net.weight(1, 1, 2, 0) == pytest.approx(-0.138, abs=5e-4)
    assert net.bias(2, 0) == pytest.approx(0.218, abs=5e-4)


def test_one_weight_learns_w_equals_2():
    p = load_project(example("one-weight").path)
    assert p.network.weight(0, 0, 1, 0) == 3.0 and p.network.bias(1, 0) == 0.0
    list(train(p.network, *p.dataset.arrays()[:2], p.training))
    assert p.network.weight(0, 0, 1, 0) == pytest.approx(2.0, abs=1e-3)


def test_xor_shortcut_has_snns_topology():
    net = load_project(example("xor-shortcut").path).network
    assert net.sizes == [2, 1, 1] and net.num_connections == 5
    assert net.weight(0, 0, 2, 0) == -0.64018  # in_1 -> result, a shortcut


def test_iris_and_digits_datasets():
    iris = load_project(example("iris").path)
    assert iris.dataset.x.shape == (150, 4) and iris.dataset.class_names == ["setosa", "versicolor", "virginica"]
    assert np.array_equal(iris.dataset.labels()[[0, 50, 100]], [0, 1, 2])
    digits = load_project(example("digits").path)
    assert digits.dataset.x.shape == (1797, 64) and digits.dataset.y.shape == (1797, 10)
    assert digits.network.sizes == [64, 32, 10] and digits.network.loss == "cross_entropy"


def test_resource_path_inside_a_pyinstaller_bundle(monkeypatch, tmp_path):
    import sys
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("examples", "xor.bpnet") == tmp_path / "resources" / "examples" / "xor.bpnet"
    assert examples() == []  # the bundle folder is empty here
