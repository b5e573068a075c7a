"""Datasets (normalisation, split, labels) and the seeded generators."""
from __future__ import annotations

import numpy as np
import pytest

from core.datasets import Dataset, Normalization, one_hot
from core.fileio import dumps, loads
from core.generators import GENERATORS, generate
from core.network import Network
from core.project import Project
from core.training import TrainConfig, evaluate, train


def test_normalization_fit_and_apply():
    x = np.array([[0.0, 5.0], [10.0, 5.0]])
    n = Normalization.fit("minmax", x)
    assert n.apply(x).tolist() == [[0.0, 0.0], [1.0, 0.0]]  # a constant column scales by 1, never 0
    z = Normalization.fit("zscore", x)
    assert z.apply(x)[:, 0].tolist() == [-1.0, 1.0]
    with pytest.raises(ValueError, match="unknown normalisation"):
        Normalization.fit("log", x)


def test_split_is_seeded_and_disjoint():
    ds = Dataset(np.arange(20.0)[:, None], np.zeros((20, 1)), validation_fraction=0.3, split_seed=5)
    tr, va = ds.split_indices()
    assert len(va) == 6 and set(tr).isdisjoint(va) and len(tr) + len(va) == 20
    assert np.array_equal(Dataset(ds.x, ds.y, validation_fraction=0.3, split_seed=5).split_indices()[1], va)
    xt, yt, val = ds.arrays()
    assert xt.shape == (14, 1) and val[0].shape == (6, 1)


def test_normalized_uses_training_rows_only():
    x = np.arange(10.0)[:, None]
    ds = Dataset(x, x, validation_fraction=0.5, split_seed=0).normalized("minmax")
    tr, _ = ds.split_indices()
    assert ds.normalization.offset[0] == x[tr].min()
    assert ds.normalized(None).normalization is None


def test_labels_one_hot_and_fit_check():
    assert one_hot([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    ds = Dataset(np.zeros((2, 2)), one_hot([2, 0], 3), task="classification")
    assert ds.labels().tolist() == [2, 0]
    assert Dataset(np.zeros((2, 1)), [[0.9], [0.1]]).labels().tolist() == [1, 0]
    ds.check_fits(2, 3)
    with pytest.raises(ValueError, match="the data has 2 input columns; the network has 3 inputs"):
        ds.check_fits(3, 3)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generators_are_seeded_and_shaped(name):
    a = generate(name, 50, 0.1, seed=4)
    b = generate(name, 50, 0.1, seed=4)
    c = generate(name, 50, 0.1, seed=5)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y) and not np.array_equal(a.x, c.x)
    assert len(a) == 50 and np.isfinite(a.x).all()
    assert a.source == {"kind": "generated", "generator": name, "n_samples": 50, "noise": 0.1, "seed": 4}
    if GENERATORS[name].task == "classification":
        assert a.x.shape == (50, 2) and set(a.y[:, 0]) == {0.0, 1.0} and a.class_names == ["0", "1"]
    else:
        assert a.x.shape == (50, 1) and a.task == "regression"
    q = loads(dumps(Project(Network.dense([a.n_inputs, 3, 1]), dataset=a)))
    assert q.dataset.source == a.source and np.array_equal(q.dataset.x, a.x)


def test_noise_free_generators_have_the_promised_shapes():
    c = generate("circles", 200, 0.0)
    r = np.hypot(c.x[:, 0], c.x[:, 1])
    assert (r[c.y[:, 0] == 1] <= 0.5).all() and (r[c.y[:, 0] == 0] >= 0.7).all()
    x = generate("xor", 200, 0.0)
    assert np.array_equal(x.y[:, 0] == 1, x.x[:, 0] * x.x[:, 1] < 0)
    s = generate("sine", 30, 0.0)
    assert np.allclose(s.y[:, 0], np.sin(s.x[:, 0]))


def test_generator_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown generator"):
        generate("moons")
    with pytest.raises(ValueError, match="noise"):
        generate("xor", 10, -1.0)
    with pytest.raises(ValueError, match="at least one sample"):
        generate("xor", 0)


def test_gaussians_are_learnable():
    ds = generate("gaussians", 200, 0.0, seed=0)
    net = Network.dense([2, 1], "sigmoid", "binary_cross_entropy", seed=0)
    list(train(net, ds.x, ds.y, TrainConfig(max_epochs=50)))
    assert evaluate(net, ds.x, ds.y)[1] > 0.95
