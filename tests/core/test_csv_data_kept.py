"""A network with CSV-imported data comes back (issue 9, item 1): data embedded by default, the
CSV path, columns and target encoding kept as provenance; a linked CSV that is missing or changed
never makes the file unopenable. Through the real command line where a user would see it."""
import json
import shutil

import numpy as np

from core.csv_import import read_csv
from core.dataset_io import encode_targets
from core.fileio import load_project, save_project
from core.network import Network
from core.project import HistoryEntry, Project

from .test_cli import cli

QUADRANTS = "x1,x2,label\n" + "".join(f"{x},{y},{int((x > 0) == (y > 0))}\n"
                                     for x, y in [(-1, -1), (-1, 1), (1, -1), (1, 1), (-2, -1), (2, 1),
                                                  (-1, 2), (1, -2)])


def _imported(tmp_path, n_outputs=1):
    """What the GUI's import does: the label read as classes, fitted to the network's outputs."""
    csv = tmp_path / "quadrants.csv"
    csv.write_text(QUADRANTS)
    ds = read_csv(csv, ["x1", "x2"], ["label"], task="classification")
    if n_outputs == 1:
        ds = encode_targets(ds, "binary")
    net = Network.dense([2, 3, n_outputs], "sigmoid", seed=3)
    return csv, ds, net


def test_csv_data_is_embedded_and_opens_anywhere(tmp_path):
    csv, ds, net = _imported(tmp_path)
    path = tmp_path / "quadrants.bpnet"
    save_project(Project(net, dataset=ds), path)
    d = json.loads(path.read_text())
    src = d["dataset"]["source"]
    assert src["kind"] == "csv" and src["path"] == "quadrants.csv" and "linked" not in src
    assert src["input_columns"] == [0, 1] and src["target_columns"] == [2]
    assert src["target_encoding"] == "binary"
    assert len(d["dataset"]["targets"][0]) == 1  # the label as one target, as imported
    elsewhere = tmp_path / "mailed"
    elsewhere.mkdir()
    shutil.copy(path, elsewhere / "quadrants.bpnet")  # a student e-mails the network alone
    csv.unlink()
    r = cli("train", elsewhere / "quadrants.bpnet", "--epochs", "50", "-o", elsewhere / "out.bpnet")
    assert r.returncode == 0, r.stderr
    q = load_project(elsewhere / "out.bpnet")
    assert q.problems == [] and q.dataset.y.shape == (8, 1)
    assert np.array_equal(q.dataset.x, ds.x) and np.array_equal(q.dataset.y, ds.y)
    assert q.dataset.class_names == ["0", "1"] and q.dataset.task == "classification"
    assert len(q.history) == 50


def test_linked_csv_reads_back_exactly_as_imported(tmp_path):
    csv, ds, net = _imported(tmp_path)
    ds.source["linked"] = True
    path = tmp_path / "quadrants.bpnet"
    save_project(Project(net, dataset=ds), path)
    d = json.loads(path.read_text())
    assert "inputs" not in d["dataset"] and d["dataset"]["source"]["linked"] is True
    q = load_project(path)
    assert q.problems == []
    assert np.array_equal(q.dataset.y, ds.y) and q.dataset.y.shape == (8, 1)  # not two one-hot columns
    assert q.dataset.target_names == ds.target_names and q.dataset.input_names == ["x1", "x2"]
    r = cli("train", path, "--epochs", "20", "-o", tmp_path / "t.bpnet")
    assert r.returncode == 0, r.stderr


def test_linked_csv_missing_or_changed_still_opens(tmp_path):
    csv, ds, net = _imported(tmp_path, n_outputs=2)
    ds.source["linked"] = True
    path = tmp_path / "sub" / "quadrants.bpnet"
    path.parent.mkdir()
    p = Project(net, dataset=ds)
    p.history.append(HistoryEntry(1, 0.3))
    save_project(p, path)
    csv.write_text(QUADRANTS.replace("x2,label", "x2,x3,label").replace(",1\n", ",5,1\n").replace(",0\n", ",5,0\n"))
    q = load_project(path)  # changed: still readable, the same columns chosen by index read other data
    assert q.network.blocks[(0, 1)].weight.tolist() == net.blocks[(0, 1)].weight.tolist()
    assert len(q.history) == 1
    assert q.dataset is None and q.problems[0].startswith("data missing: quadrants.csv cannot be read as it "
                                                          "was linked: row 2, column 3 (x3): class '5' is not one of 0, 1")
    csv.unlink()
    q = load_project(path)
    assert q.dataset is None and len(q.problems) == 1
    assert q.problems[0].startswith("data missing: cannot read quadrants.csv: no such file (linked from ")
    assert len(q.history) == 1 and q.history[0].loss == 0.3
    r = cli("predict", path)  # the command line says the same, in one line
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "data missing" in r.stderr, r.stderr


def test_changed_linked_csv_is_reported(tmp_path):
    csv, ds, net = _imported(tmp_path)
    ds.source["linked"] = True
    path = tmp_path / "q.bpnet"
    save_project(Project(net, dataset=ds), path)
    csv.write_text(QUADRANTS.replace("-2,-1,1", "-3,-1,1"))
    q = load_project(path)
    assert q.dataset is not None and q.dataset.x[4, 0] == -3  # current rows, never stale ones
    assert len(q.problems) == 1 and q.problems[0].startswith("data changed: quadrants.csv differs")
