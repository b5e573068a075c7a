"""Large but valid files (issue 9, item 12): the fast matrix reader gives exactly what the plain
JSON reader gives, damaged matrices get the same messages, and loading reports progress and can be
cancelled."""
import json

import numpy as np
import pytest

from core import json_arrays
from core.datasets import Dataset
from core.fileio import FileFormatError, LoadCancelled, dumps, load_project, loads, save_project
from core.network import Network
from core.project import Project


def _big_project(rows=3000):
    net = Network.dense([64, 120, 3], ["tanh", "sigmoid"], seed=5)
    net.blocks[(0, 1)].mask[3, 7] = False  # a missing link: a null in the matrix
    rng = np.random.default_rng(0)
    ds = Dataset(rng.normal(size=(rows, 64)), rng.integers(0, 2, size=(rows, 3)).astype(float))
    return Project(net, dataset=ds)


def _same(p, q):
    for k, b in p.network.blocks.items():
        assert np.array_equal(b.mask, q.network.blocks[k].mask)
        assert np.array_equal(b.weight[b.mask], q.network.blocks[k].weight[b.mask])
    assert p.dataset.x.tobytes() == q.dataset.x.tobytes() and p.dataset.y.tobytes() == q.dataset.y.tobytes()


def test_fast_reader_gives_what_json_gives(tmp_path):
    p = _big_project()
    path = tmp_path / "big.bpnet"
    save_project(p, path)
    text = path.read_text()
    _, matrices = json_arrays.extract(text.encode())
    assert len(matrices) >= 2  # the weights block and the data took the fast path
    _same(p, load_project(path))
    _same(p, loads(text))  # the plain reader, for comparison


def test_progress_rises_to_one_and_cancel_stops(tmp_path):
    path = tmp_path / "big.bpnet"
    save_project(_big_project(), path)
    seen = []
    load_project(path, progress=lambda f: seen.append(f) or True)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3
    calls = []

    def cancel_half_way(f):
        calls.append(f)
        return f < 0.5
    with pytest.raises(LoadCancelled):
        load_project(path, progress=cancel_half_way)
    assert 0.5 <= calls[-1] < 1.0


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("]\n      ]", "],\n [1]]", 1), "blocks[0].weights: has 31 rows; layer 0 has 30"),
    (lambda t: t.replace("]\n      ]", ", 2]]", 1), "blocks[0].weights[29]: has 301 entries"),
    (lambda t: t.replace(", 0.", ", 1e999, 0.", 1), "blocks[0].weights[0][1]: expected a finite number, got Infinity"),
    (lambda t: t.replace(", 0.", ", NaN, 0.", 1), "blocks[0].weights[0][1]: expected a finite number, got NaN"),
    (lambda t: t.replace(", 0.", ", 0..1, 0.", 1), "invalid JSON on line"),
])
def test_damaged_matrix_gets_the_plain_readers_message(tmp_path, damage, message):
    net = Network.dense([30, 300, 1], seed=1)  # a 30x300 block: 180 KB, read by the fast path
    text = dumps(Project(net))
    bad = damage(text)
    assert bad != text
    path = tmp_path / "bad.bpnet"
    path.write_text(bad)
    with pytest.raises(FileFormatError) as fast:
        load_project(path)
    with pytest.raises(FileFormatError) as plain:
        loads(bad)
    assert str(fast.value) == str(plain.value)
    assert message in str(fast.value)


def test_null_in_data_is_named(tmp_path):
    p = _big_project(rows=2000)
    d = json.loads(dumps(p))
    d["dataset"]["inputs"][1234][5] = None
    path = tmp_path / "null.bpnet"
    path.write_text(json.dumps(d))
    with pytest.raises(FileFormatError, match=r"^dataset\.inputs\[1234\]\[5\]: expected a number, got null"):
        load_project(path)
