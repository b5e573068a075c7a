"""Version 1 files are read through migrate_1_to_2; newer versions are refused clearly."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.fileio import FileFormatError, dumps, loads, project_from_dict
from core.format_migrations import migrate_1_to_2, migrate_2_to_3
from core.format_spec import FILE

V1 = {
    "format": "backprop-studio-network", "version": 1,
    "name": "XOR (old file)", "notes": "saved by 0.0.3",
    "loss": "half_sse",
    "layers": [{"size": 2, "names": ["a", "b"]},
               {"size": 2, "activation": "tanh", "biases": [0.1, -0.2]},
               {"size": 1, "activation": "sigmoid", "biases": [0.3]}],
    "weights": [[0, 0, 1, 0, 0.5], [0, 1, 1, 0, -0.5], [0, 0, 1, 1, 0.25], [0, 1, 1, 1, 0.75],
                [1, 0, 2, 0, 1.5], [1, 1, 2, 0, -1.5], [0, 0, 2, 0, 0.125]],
    "positions": {"a": [10, 20]},
    "training": {"learning_rate": 0.3, "momentum": 0.8, "epochs": 500, "batch_size": 4, "seed": 7},
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
}


def test_migrate_1_to_2_gives_a_valid_version_2_document():
    d = migrate_1_to_2(json.loads(json.dumps(V1)))
    FILE.check(migrate_2_to_3(d), "")
    assert d["version"] == 2 and d["title"] == "XOR (old file)" and d["description"] == "saved by 0.0.3"
    assert d["layers"][1]["neurons"] == [{"name": "h1", "bias": 0.1}, {"name": "h2", "bias": -0.2}]
    assert d["layers"][0]["neurons"][0] == {"name": "a", "position": [10, 20]}
    assert d["connections"][-1] == {"from": "a", "to": "o1", "weight": 0.125}
    assert d["training"] == {"optimizer": {"name": "momentum", "learning_rate": 0.3, "momentum": 0.8},
                             "max_epochs": 500, "batch_size": 4, "seed": 7}


def test_version_1_file_loads_with_everything():
    p = project_from_dict(json.loads(json.dumps(V1)))
    net = p.network
    assert net.names() == ["a", "b", "h1", "h2", "o1"]
    assert net.layers[1].activation == "tanh" and net.layers[0].positions[0] == (10.0, 20.0)
    assert net.weight(0, 0, 2, 0) == 0.125  # a skip connection
    assert net.weight(1, 1, 2, 0) == -1.5
    assert net.num_connections == 7
    assert p.training.optimizer.name == "momentum" and p.training.optimizer.learning_rate == 0.3
    assert p.training.max_epochs == 500 and p.training.batch_size == 4 and p.training.seed == 7
    assert np.array_equal(p.dataset.y, [[0], [1], [1], [0]])
    # and it is written back in the newest version
    assert json.loads(dumps(p))["version"] == 3
    assert loads(dumps(p)).network.weight(0, 0, 2, 0) == 0.125


def test_plain_sgd_and_missing_optional_parts():
    d = {"format": "backprop-studio-network", "version": 1,
         "layers": [{"size": 1}, {"size": 1}], "weights": [[0, 0, 1, 0, 2.0]]}
    p = project_from_dict(d)
    assert p.training.optimizer.name == "sgd" and p.dataset is None
    assert p.network.names() == ["i1", "o1"] and p.network.layers[1].activation == "sigmoid"


@pytest.mark.parametrize("change, message", [
    (lambda d: d["weights"].append([0, 5, 1, 0, 1.0]),
     r"^weights\[7\]: no neuron at layer 0, index 5 \(in a version 1 file\)$"),
    (lambda d: d["weights"].append([0, 0, 1]), r"^weights\[7\]: expected 5 numbers, got 3 \(in a version 1 file\)$"),
    (lambda d: d["layers"][1].update(biases=[0.1]), r"^layers\[1\]\.biases: has 1 biases for 2 neurons"),
    (lambda d: d["training"].update(epochs="many"), r'^training\.epochs: expected an integer, got "many"'),
    (lambda d: d["weights"].append([2, 0, 1, 0, 1.0]), r"^connections\[7\]: connection o1 -> h1 goes backward"),
])
def test_broken_version_1_files(change, message):
    d = json.loads(json.dumps(V1))
    change(d)
    with pytest.raises(FileFormatError, match=message):
        project_from_dict(d)


def test_newer_and_impossible_versions():
    with pytest.raises(FileFormatError, match=r"^this file was made by a newer Backprop Studio \(format "
                                              r"version 4\); this one reads up to version 3$"):
        project_from_dict({"format": "backprop-studio-network", "version": 4, "whatever": []})
    with pytest.raises(FileFormatError, match=r"^version: there is no format version 0$"):
        project_from_dict({"format": "backprop-studio-network", "version": 0})
    with pytest.raises(FileFormatError, match=r"^version: expected an integer, got 2\.0$"):
        project_from_dict({"format": "backprop-studio-network", "version": 2.0})
