"""Broken files: each gives one clear FileFormatError naming the place, and nothing else escapes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import fileio
from core.fileio import FileFormatError, load_project, loads

BROKEN = Path(__file__).parent / "data" / "broken"
XOR = Path(__file__).resolve().parents[2] / "resources" / "examples" / "xor.bpnet"

EXPECTED = {
    "truncated.bpnet": "the file is damaged or cut short: invalid JSON on line 32",
    "empty.bpnet": "the file is empty",
    "not-json.bpnet": "not a Backprop Studio network file: it is not JSON text",
    "other-json.bpnet": 'not a Backprop Studio network file: it has no "format": "backprop-studio-network"',
    "json-list.bpnet": "not a Backprop Studio network file: the JSON holds a list, not an object",
    "wrong-format.bpnet": 'format: this is a "keras-model" file, not a Backprop Studio network file',
    "newer-version.bpnet": "this file was made by a newer Backprop Studio (format version 7); "
                           "this one reads up to version 3",
    "version-string.bpnet": 'version: expected an integer, got "2"',
    "weight-string.bpnet": 'connections[3].weight: expected a number, got "abc"',
    "weight-nan.bpnet": "connections[2].weight: expected a finite number, got NaN",
    "bias-infinity.bpnet": "layers[1].neurons[0].bias: expected a finite number, got -Infinity",
    "unknown-neuron.bpnet": "connections[4]: connection h3 -> o1: no neuron named h3",
    "duplicate-name.bpnet": 'layers[1].neurons[1].name: duplicate neuron name "h1" (also layers[1].neurons[0])',
    "backward-connection.bpnet": "connections[6]: connection o1 -> h1 goes backward (layer 2 to layer 1)",
    "same-layer-connection.bpnet": "connections[6]: connection h1 -> h2 joins two neurons of the same layer",
    "duplicate-connection.bpnet": "connections[6]: connection i1 -> h1 is also listed at connections[0]",
    "unknown-activation.bpnet": 'layers[1].activation: unknown activation "swish" (known: sigmoid,',
    "unknown-loss.bpnet": 'loss: unknown loss "hinge"',
    "softmax-hidden.bpnet": "layers[1].activation: softmax applies to the output layer only",
    "missing-layers.bpnet": 'missing key "layers"',
    "one-layer.bpnet": "layers: needs at least 2 items, got 1",
    "typo-key.bpnet": 'layers[1].neurons[0]: unknown key "bais" (did you mean "bias"?)',
    "data-width.bpnet": "dataset.inputs[2]: has 3 values; the network has 2 inputs",
    "data-rows-mismatch.bpnet": "dataset.targets: has 3 rows; dataset.inputs has 4",
    "target-width.bpnet": "dataset.targets[0]: has 2 values; the network has 1 output",
    "learning-rate-negative.bpnet": "training.optimizer.learning_rate: must be greater than 0, got -0.5",
    "unknown-optimizer.bpnet": 'training.optimizer.name: unknown optimiser "lbfgs"',
    "history-length.bpnet": "history.loss: has 2 entries; history.epoch has 3",
    "block-shape.bpnet": "blocks[0].weights: has 3 rows; layer 0 has 2 neurons",
    "block-backward.bpnet": "blocks[0]: connections from layer 2 to layer 1 go backward",
    "latin1.bpnet": "not a Backprop Studio network file: not UTF-8 text (byte 0xfc on line 4)",
    "bit-flipped.bpnet": "the file is damaged or cut short: invalid JSON on line 8",
}


def test_corpus_is_complete():
    assert sorted(p.name for p in BROKEN.glob("*.bpnet")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_its_message(name):
    with pytest.raises(FileFormatError) as info:
        load_project(BROKEN / name)
    message = str(info.value)
    assert message.startswith(EXPECTED[name]), message
    assert "\n" not in message and len(message) < 300


def test_error_is_a_value_error_with_place_and_problem():
    with pytest.raises(ValueError) as info:
        load_project(BROKEN / "weight-string.bpnet")
    assert info.value.where == "connections[3].weight"
    assert info.value.problem == 'expected a number, got "abc"'


def test_file_size_limit(tmp_path, monkeypatch):
    big = tmp_path / "big.bpnet"
    big.write_text(XOR.read_text())
    monkeypatch.setattr(fileio, "MAX_FILE_BYTES", 1000)
    with pytest.raises(FileFormatError, match=r"^the file is 0 MB; Backprop Studio opens network files up to 0 MB"):
        load_project(big)


def test_huge_integer_and_deep_nesting():
    d = json.loads(XOR.read_text())
    d["connections"][0]["weight"] = 10 ** 400
    with pytest.raises(FileFormatError, match=r"^connections\[0\]\.weight: number too large"):
        loads(json.dumps(d))
    with pytest.raises(FileFormatError, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_project(tmp_path / "nothing.bpnet")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_damage_gives_file_format_error_or_a_valid_project(data):
    """Flip, delete or insert bytes anywhere: the loader never fails with anything else."""
    raw = bytearray(XOR.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if op == "flip":
            raw[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "delete":
            del raw[pos]
        else:
            raw.insert(pos, data.draw(st.sampled_from(b'{}[],:"0-.eE\\ntfa\xff')))
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return  # load_project's decoding is covered by latin1.bpnet
    try:
        project = loads(text)
    except FileFormatError as e:
        assert str(e) and "\n" not in str(e)
    else:
        project.network.validate()


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=20))
def test_replacing_any_value_gives_file_format_error(value):
    """Put an arbitrary JSON value at a random place of a valid document."""
    base = json.loads(XOR.read_text())
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + [k])
                walk(v, path + [k])
        elif isinstance(node, list):
            for k, v in enumerate(node[:3]):
                paths.append(path + [k])
                walk(v, path + [k])

    walk(base, [])
    for path in paths[:: max(1, len(paths) // 25)]:
        d = json.loads(XOR.read_text())
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        try:
            fileio.project_from_dict(d)
        except FileFormatError:
            pass
