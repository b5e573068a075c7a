"""Saving and loading .bpnet files: exact round trips, the published schema, atomic saves."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import fileio
from core.activations import ACTIVATIONS
from core.datasets import Dataset, Normalization
from core.fileio import FORMAT_NAME, FORMAT_VERSION, dumps, load_project, loads, save_project
from core.format_spec import schema_text
from core.losses import LOSSES, output_problem
from core.network import Block, Layer, Network
from core.optimizers import OPTIMIZERS, OptimizerSettings
from core.project import HistoryEntry, Project
from core.training import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
     0.1, 1 / 3, 1e16, 123456789012345678.0, 3.0])
ELEMENTWISE = [a for a, act in ACTIVATIONS.items() if not act.whole_layer]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())


@st.composite
def networks(draw) -> Network:
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    names = draw(st.lists(st.text("abcxyz_019αβ", min_size=1, max_size=6), min_size=sum(sizes),
                          max_size=sum(sizes), unique=True))
    layers, k = [], 0
    for li, n in enumerate(sizes):
        act = "linear" if li == 0 else draw(st.sampled_from(
            ELEMENTWISE + (["softmax"] if li == len(sizes) - 1 else [])))
        biases = np.zeros(n) if li == 0 else np.array(draw(st.lists(FLOATS, min_size=n, max_size=n)))
        overrides = [None] * n
        if li and act != "softmax":
            overrides = draw(st.lists(st.none() | st.sampled_from(ELEMENTWISE), min_size=n, max_size=n))
        positions = draw(st.lists(st.none() | st.tuples(FLOATS, FLOATS), min_size=n, max_size=n))
        layers.append(Layer(names[k:k + n], act, biases, overrides, positions))
        k += n
    blocks = {}
    for a in range(len(sizes)):
        for b in range(a + 1, len(sizes)):
            if draw(st.booleans()):
                mask = np.array(draw(st.lists(st.booleans(), min_size=sizes[a] * sizes[b],
                                              max_size=sizes[a] * sizes[b]))).reshape(sizes[a], sizes[b])
                w = np.array(draw(st.lists(FLOATS, min_size=mask.size, max_size=mask.size))).reshape(mask.shape)
                blocks[(a, b)] = Block(np.where(mask, w, 0.0), mask)
    out = layers[-1]
    fitting = [lo for lo in LOSSES if output_problem(lo, [out.activation_of(k) for k in range(out.size)],
                                                      out.names, len(layers) - 1) is None]
    return Network(layers, blocks, draw(st.sampled_from(fitting)))


@st.composite
def projects(draw) -> Project:
    net = draw(networks())
    opt = OptimizerSettings(draw(st.sampled_from(list(OPTIMIZERS))), draw(st.floats(1e-6, 10)),
                            draw(st.floats(0, 1)), l2=draw(st.floats(0, 1)))
    cfg = TrainConfig(opt, batch_size=draw(st.integers(0, 64)), shuffle=draw(st.booleans()),
                      seed=draw(st.integers(0, 2**63)), max_epochs=draw(st.integers(0, 10**6)),
                      target_loss=draw(st.none() | st.floats(0, 1)),
                      stop_when_all_correct=draw(st.booleans()))
    dataset = None
    if draw(st.booleans()):
        n = draw(st.integers(1, 6))
        x = np.array(draw(st.lists(FLOATS, min_size=n * net.n_inputs, max_size=n * net.n_inputs)))
        y = np.array(draw(st.lists(FLOATS, min_size=n * net.n_outputs, max_size=n * net.n_outputs)))
        norm = None
        if draw(st.booleans()):
            norm = Normalization("zscore", np.array(draw(st.lists(FLOATS, min_size=net.n_inputs,
                                                                  max_size=net.n_inputs))),
                                 np.full(net.n_inputs, draw(st.floats(0.1, 10))))
        dataset = Dataset(x.reshape(n, -1), y.reshape(n, -1), task="regression", normalization=norm,
                          validation_fraction=draw(st.floats(0, 0.9)), split_seed=draw(st.integers(0, 99)))
    history = [HistoryEntry(e, draw(FLOATS), draw(st.none() | FLOATS), draw(st.none() | st.floats(0, 1)))
               for e in range(draw(st.integers(0, 5)))]
    return Project(net, cfg, dataset, history, draw(st.text(max_size=20)), draw(st.text(max_size=40)))


def assert_same(p: Project, q: Project) -> None:
    a, b = p.network, q.network
    assert a.loss == b.loss and len(a.layers) == len(b.layers)
    for la, lb in zip(a.layers, b.layers):
        assert la.names == lb.names and la.activation == lb.activation and la.overrides == lb.overrides
        assert same_bits(la.biases, lb.biases)
        assert [None if pa is None else tuple(pa) for pa in la.positions] == lb.positions
    # a layer pair without any connection is not stored: it computes nothing
    assert {k for k, blk in a.blocks.items() if blk.count} == {k for k, blk in b.blocks.items() if blk.count}
    for key in b.blocks:
        assert (a.blocks[key].mask == b.blocks[key].mask).all()
        assert same_bits(a.blocks[key].weight, b.blocks[key].weight)
    assert p.training == q.training
    assert (p.title, p.description) == (q.title, q.description)
    assert len(p.history) == len(q.history)
    for h, g in zip(p.history, q.history):
        assert (h.epoch, h.val_loss, h.accuracy, h.val_accuracy) == (g.epoch, g.val_loss, g.accuracy, g.val_accuracy)
        assert same_bits(h.loss, g.loss)
    assert (p.dataset is None) == (q.dataset is None)
    if p.dataset is not None:
        d, e = p.dataset, q.dataset
        assert same_bits(d.x, e.x) and same_bits(d.y, e.y)
        assert (d.input_names, d.target_names, d.task, d.class_names, d.validation_fraction, d.split_seed) == \
               (e.input_names, e.target_names, e.task, e.class_names, e.validation_fraction, e.split_seed)
        assert (d.normalization is None) == (e.normalization is None)
        if d.normalization is not None:
            assert d.normalization.method == e.normalization.method
            assert same_bits(d.normalization.offset, e.normalization.offset)
            assert same_bits(d.normalization.scale, e.normalization.scale)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(projects())
def test_round_trip_is_exact(project):
    text = dumps(project)
    assert_same(project, loads(text))
    assert dumps(loads(text)) == text  # writing is deterministic


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_dict_round_trip_and_header(net):
    d = fileio.project_to_dict(Project(net))
    assert list(d)[:2] == ["format", "version"]
    assert (d["format"], d["version"]) == (FORMAT_NAME, FORMAT_VERSION)
    assert_same(Project(net), fileio.project_from_dict(json.loads(json.dumps(d))))


def test_connections_are_written_by_name():
    net = Network.dense([2, 2, 1], seed=0)
    d = fileio.project_to_dict(Project(net))
    assert d["connections"][0] == {"from": "i1", "to": "h1", "weight": float(net.blocks[(0, 1)].weight[0, 0])}
    assert "blocks" not in d


def test_large_network_uses_blocks_and_round_trips(tmp_path):
    net = Network.dense([784, 128, 10], "sigmoid", init="he", seed=1)
    net.disconnect(1, 5, 2, 3)  # a missing link inside a dense block is written as null
    path = tmp_path / "mnist.bpnet"
    save_project(Project(net), path)
    d = json.loads(path.read_text())
    assert [(b["from_layer"], b["to_layer"]) for b in d["blocks"]] == [(0, 1), (1, 2)]
    assert d["blocks"][1]["weights"][5][3] is None
    assert_same(Project(net), load_project(path))


def test_skip_connection_and_partial_block_in_list_form():
    net = Network.dense([3, 2, 2], seed=0)
    net.connect(0, 1, 2, 0, weight=-0.0)
    net.disconnect(0, 2, 1, 1)
    text = dumps(Project(net))
    assert '{"from": "i2", "to": "o1", "weight": -0.0}' in text
    assert_same(Project(net), loads(text))


def test_published_schema_is_generated_from_the_spec():
    assert (ROOT / "resources" / "schema" / "bpnet-3.schema.json").read_text(encoding="utf-8") == schema_text()


def test_nonfinite_weights_are_refused_on_save(tmp_path):
    net = Network.dense([2, 1], seed=0)
    net.blocks[(0, 1)].weight[0, 0] = np.nan
    with pytest.raises(ValueError, match="cannot save this network"):
        save_project(Project(net), tmp_path / "x.bpnet")
    assert list(tmp_path.iterdir()) == []


def test_nan_loss_in_history_is_saved_as_null():
    p = Project(Network.dense([1, 1]), history=[HistoryEntry(1, 0.5), HistoryEntry(2, float("nan"))])
    d = json.loads(dumps(p))
    assert d["history"]["loss"] == [0.5, None]
    assert np.isnan(loads(dumps(p)).history[1].loss)


# ------------------------------------------------------------------------------ atomic save
def _old_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "net.bpnet"
    save_project(Project(Network.dense([2, 2, 1], seed=0), title="old"), path)
    return path, path.read_bytes()


@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
def test_failed_save_leaves_old_file_and_no_temp(tmp_path, monkeypatch, where):
    path, before = _old_file(tmp_path)

    def boom(*args, **kwargs):
        raise OSError("disk full (simulated)")

    if where == "replace":
        monkeypatch.setattr(os, "replace", boom)
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    else:
        monkeypatch.setattr(fileio, "dumps", lambda *a, **k: "\udcff")  # cannot be encoded: fails mid-way
    with pytest.raises((OSError, ValueError)):
        save_project(Project(Network.dense([3, 1], seed=1), title="new"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.bpnet"]


def test_save_replaces_and_keeps_permissions(tmp_path):
    path, _ = _old_file(tmp_path)
    os.chmod(path, 0o640)
    save_project(Project(Network.dense([3, 1], seed=1), title="new"), path)
    assert load_project(path).title == "new"
    assert (path.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.bpnet"]


# ------------------------------------------------------------------------------ csv-backed datasets
def test_csv_dataset_is_saved_by_relative_path(tmp_path):
    from core.csv_import import read_csv
    data = tmp_path / "data"
    data.mkdir()
    (data / "pts.csv").write_text("a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n")
    ds = read_csv(data / "pts.csv", normalization="minmax")
    ds.source["linked"] = True
    net = Network.dense([2, 3, 2], ["sigmoid", "softmax"], "cross_entropy", seed=0)
    path = tmp_path / "nets" / "xor.bpnet"
    path.parent.mkdir()
    save_project(Project(net, dataset=ds), path)
    d = json.loads(path.read_text())
    assert d["dataset"]["source"]["path"] == "../data/pts.csv"
    assert "inputs" not in d["dataset"]
    q = load_project(path)
    assert q.dataset.class_names == ["no", "yes"] and q.problems == []
    assert same_bits(q.dataset.x, ds.x) and same_bits(q.dataset.y, ds.y)
    assert same_bits(q.dataset.normalization.scale, ds.normalization.scale)
    (data / "pts.csv").write_text("a,b,label\n0,0,no\n0,1,maybe\n")
    q = load_project(path)  # a changed CSV never makes the network unopenable
    assert q.dataset is None and len(q.problems) == 1
    assert q.problems[0].startswith("data missing: pts.csv cannot be read as it was linked: row 3, column 3 "
                                    "(label): class 'maybe'")
    assert same_bits(q.network.blocks[(0, 1)].weight, net.blocks[(0, 1)].weight)


def test_example_in_the_docs_loads_as_documented():
    text = (ROOT / "docs" / "file-format.md").read_text(encoding="utf-8")
    doc = text.split("```json\n", 1)[1].split("```", 1)[0]
    p = loads(doc)
    shipped = load_project(ROOT / "resources" / "examples" / "textbook-2-2-2.bpnet")
    assert p.description.endswith("...")
    p.description = shipped.description  # shortened on the page
    assert_same(shipped, p)


def test_lone_surrogate_is_refused_at_save_naming_the_key(tmp_path):
    p = Project(Network.dense([2, 1], seed=0), title="quadrants \ud800")
    with pytest.raises(ValueError, match=r'^cannot save: "title": "quadrants \\ud800", contains a lone surrogate'):
        save_project(p, tmp_path / "s.bpnet")
    assert list(tmp_path.iterdir()) == []
