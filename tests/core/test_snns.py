"""SNNS import and export: the real SNNS example files in ../shared/snns/, their trained outputs
against the activations SNNS itself wrote into them, round trips bit for bit, and clear refusals
of what the engine cannot compute."""
import re
from pathlib import Path

import numpy as np
import pytest

from core.datasets import Dataset, Normalization
from core.engine import Engine
from core.export import ExportError, export
from core.network import Network
from core.project import Project
from core.snns import SnnsError, import_snns, parse_net, parse_pat, to_network
from tests.core.test_cli import cli

SHARED = Path(__file__).resolve().parents[3] / "shared" / "snns"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/snns")
NETS = [("xor", "xor"), ("xor_untrained", "xor"), ("encoder", "encoder"),
        ("encoder_untrained", "encoder"), ("letters_untrained", "letters")]
needs_files = pytest.mark.skipif(not SHARED.is_dir(), reason="the shared SNNS example files are not here")


def snns_acts(path: Path) -> dict[int, float]:
    """The 'act' column SNNS saved: every unit's activation for the last pattern it propagated.
    Read with a regex of its own, independent of the importer."""
    acts = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        m = re.match(r"^\s*(\d+)\s*\|[^|]*\|[^|]*\|\s*([-\d.]+)\s*\|", line)
        if m:
            acts[int(m.group(1))] = float(m.group(2))
    return acts


def weights_by_name(net: Network) -> dict[tuple[str, str], float]:
    return {(net.name_of(a, i), net.name_of(b, j)): w for a, i, b, j, w in net.connections()}


@needs_files
@pytest.mark.parametrize("name", ["xor", "encoder"])
def test_a_trained_snns_network_gives_the_activations_snns_saved(name):
    """SNNS saved each unit's activation for the pattern it last propagated (the input units'
    values say which); the imported network must compute the same, to SNNS's five decimals."""
    project, notes = import_snns(SHARED / f"{name}.net", SHARED / f"{name}.pat")
    assert notes == []
    net, acts = project.network, snns_acts(SHARED / f"{name}.net")
    x = np.array([[acts[int(nm[1:]) if nm.startswith("u") else k + 1] for k, nm in enumerate(net.layers[0].names)]])
    p = Engine(net).forward(x)
    number = 1 + net.n_inputs
    for li in range(1, len(net.layers)):
        for k in range(net.layers[li].size):
            assert abs(p.outs[li][0, k] - acts[number]) < 6e-6, (name, net.layers[li].names[k])
            number += 1


@needs_files
def test_trained_xor_from_snns_solves_xor():
    project, _ = import_snns(SHARED / "xor.net", SHARED / "xor.pat")
    out = Engine(project.network).predict(project.dataset.inputs())
    assert ((out >= 0.5) == (project.dataset.y >= 0.5)).all()
    net = project.network
    assert net.sizes == [2, 1, 1] and net.has_connection(0, 0, 2, 0)  # the input→output shortcuts
    assert net.layers[1].names == ["hidden"] and net.bias(1, 0) == -3.08885
    assert net.weight(1, 0, 2, 0) == 11.11523
    assert net.layers[2].positions == [(6 * 60.0, 0.0)]


@needs_files
@pytest.mark.parametrize("net_name,pat_name", NETS)
def test_import_export_import_keeps_every_number_bit_for_bit(net_name, pat_name, tmp_path):
    first, _ = import_snns(SHARED / f"{net_name}.net", SHARED / f"{pat_name}.pat")
    out = export(first, "snns", tmp_path / "again.net")
    assert out.with_suffix(".pat").is_file()
    second, _ = import_snns(out, out.with_suffix(".pat"))
    a, b = first.network, second.network
    assert a.sizes == b.sizes and [l.names for l in a.layers] == [l.names for l in b.layers]
    assert weights_by_name(a) == weights_by_name(b)  # == on floats: bit for bit
    for la, lb in zip(a.layers, b.layers):
        assert la.biases.tobytes() == lb.biases.tobytes()
        assert la.positions == lb.positions
        assert [la.activation_of(k) for k in range(la.size)] == [lb.activation_of(k) for k in range(lb.size)]
    assert first.dataset.x.tobytes() == second.dataset.x.tobytes()
    assert first.dataset.y.tobytes() == second.dataset.y.tobytes()


@needs_files
def test_letters_imports_every_link_and_pattern():
    project, notes = import_snns(SHARED / "letters_untrained.net", SHARED / "letters.pat")
    assert notes == ["the biases of 35 input units are not kept (SNNS does not use an input unit's bias)"]
    net = project.network
    assert net.sizes == [35, 10, 26] and net.num_connections == 610  # the header's count
    assert project.dataset.x.shape == (26, 35) and project.dataset.task == "classification"
    assert project.dataset.class_names == net.layers[-1].names


def random_network(seed: int) -> Network:
    rng = np.random.default_rng(seed)
    net = Network.dense([3, 4, 2, 2], "tanh", seed=seed)
    net.connect_fully(0, 2)
    net.connect_fully(1, 3)
    for blk in net.blocks.values():
        blk.weight = rng.normal(0, 1, blk.weight.shape)
        blk.mask = rng.random(blk.mask.shape) > 0.3
        blk.weight[~blk.mask] = 0.0
    for li in (1, 2, 3):
        net.layers[li].biases = rng.normal(0, 1, net.layers[li].size)
        for k in range(net.layers[li].size):
            net.set_activation(li, str(rng.choice(["sigmoid", "tanh", "linear"])), k)
    net.layers[2].biases[0] = 0.0  # a bias-free linear neuron maps to Act_Identity
    net.set_activation(2, "linear", 0)
    return net


@pytest.mark.parametrize("seed", range(4))
def test_app_networks_go_to_snns_and_back(seed, tmp_path):
    net = random_network(seed)
    x = np.random.default_rng(seed).normal(0, 2, (6, 3))
    project = Project(net, dataset=Dataset(x, np.zeros((6, 2))), title="random net")
    out = export(project, "snns", tmp_path / "r.net")
    back, _ = import_snns(out, out.with_suffix(".pat"))
    assert weights_by_name(back.network) == weights_by_name(net)
    np.testing.assert_allclose(Engine(back.network).predict(x), Engine(net).predict(x), rtol=0, atol=1e-12)


def test_normalisation_is_folded_into_the_first_weights(tmp_path):
    net = random_network(9)
    x = np.random.default_rng(9).normal(5, 3, (8, 3))
    ds = Dataset(x, np.zeros((8, 2)), normalization=Normalization.fit("zscore", x))
    out = export(Project(net, dataset=ds), "snns", tmp_path / "n.net")
    back, _ = import_snns(out, out.with_suffix(".pat"))
    assert back.dataset.x.tobytes() == x.tobytes()  # raw inputs in the .pat file
    np.testing.assert_allclose(Engine(back.network).predict(x), Engine(net).predict(ds.inputs()),
                               rtol=0, atol=1e-9)


def test_export_refuses_activations_snns_lacks_naming_the_neurons(tmp_path):
    net = Network.dense([2, 3, 2], ["relu", "softmax"], loss="cross_entropy")
    with pytest.raises(ExportError, match=r"relu on h1, h2, h3; softmax on o1, o2"):
        export(Project(net), "snns", tmp_path / "x.net")


XOR_NET = """SNNS network definition file V1.4-3D
generated at Mon Apr 25 15:58:28 1994

network name : xor
no. of units : 4
no. of connections : 5

learning function : Std_Backpropagation
update function   : Topological_Order

unit default section :

act      | bias     | st | subnet | layer | act func     | out func
---------|----------|----|--------|-------|--------------|-------------
 0.00000 |  0.00000 | h  |      0 |     1 | Act_Logistic | Out_Identity
---------|----------|----|--------|-------|--------------|-------------

unit definition section :

no. | typeName | unitName | act      | bias     | st | position | act func | out func | sites
----|----------|----------|----------|----------|----|----------|----------|----------|---------
  1 |          | in_1     |  1.00000 |  0.00000 | i  | 3,5,0    |||
  2 |          | in_2     |  1.00000 |  0.00000 | i  | 9,5,0    |||
  3 |          | hidden   |  0.04728 | -3.08885 | h  | 6,3,0    |||
  4 |          | result   |  0.10377 | -2.54932 | o  | 6,0,0    |||
----|----------|----------|----------|----------|----|----------|----------|----------|---------

connection definition section :

target | site    | source:weight
-------|---------|----------------------------------
     3 |         | 2:-4.83963, 1: 4.92521
     4 |         | 3:11.11523, 2: 4.53903, 1:-4.67122
-------|---------|----------------------------------
"""


def refusal(text: str) -> str:
    with pytest.raises(SnnsError) as e:
        to_network(parse_net(text))
    return str(e.value)


def test_the_inline_xor_parses():
    net, notes = to_network(parse_net(XOR_NET))
    assert net.sizes == [2, 1, 1] and net.num_connections == 5 and notes == []


def test_unsupported_functions_and_types_are_named_with_their_units():
    text = XOR_NET.replace("| h  | 6,3,0    |||", "| h  | 6,3,0    | Act_Signum ||") \
                  .replace("| o  | 6,0,0    |||", "| d  | 6,0,0    || Out_Clip_01 |")
    msg = refusal(text)
    assert "unit type 'd' (dual) on unit 4 (result)" in msg
    assert "activation function Act_Signum on unit 3 (hidden)" in msg
    assert "output function Out_Clip_01 on unit 4 (result)" in msg


def test_sites_are_refused_naming_the_units():
    text = XOR_NET.replace("     4 |         | 3:11", "     4 | excite  | 3:11")
    assert "sites on unit 4 (result)" in refusal(text)
    text = XOR_NET.replace("| h  | 6,3,0    |||", "| h  | 6,3,0    ||| excite, inhibit")
    assert "sites on unit 3 (hidden)" in refusal(text)


def test_a_self_link_imports_as_a_recurrent_network():
    text = XOR_NET.replace("2:-4.83963, 1: 4.92521", "2:-4.83963, 1: 4.92521, 3: 0.5")
    net, notes = to_network(parse_net(text))
    assert net.is_recurrent and net.recurrence.mode == "settle"
    assert weights_by_name(net)[("hidden", "hidden")] == 0.5
    assert notes == ["recurrent links (3 (hidden) -> 3 (hidden)): imported as a recurrent network that "
                     "settles each pattern to a fixed point (recurrent backpropagation)"]
    # SNNS's synchronous update of a settled network: hidden = σ(Σ w x + 0.5·hidden + bias)
    from core.recurrent import RecurrentEngine
    h = RecurrentEngine(net).forward(np.array([[1.0, 0.0]]))
    hid = h.values[0, 2]
    assert hid == pytest.approx(1 / (1 + np.exp(-(4.92521 + 0.5 * hid - 3.08885))), abs=1e-6)
    with pytest.raises(SnnsError, match="unit 3 has two links from unit 3"):
        to_network(parse_net(text.replace(", 3: 0.5", ", 3: 0.5, 3: 0.25")))


def test_a_cycle_through_two_hidden_units_is_recurrent():
    text = XOR_NET.replace("no. of units : 4", "no. of units : 5") \
        .replace("  4 |          | result   |  0.10377 | -2.54932 | o  | 6,0,0    |||",
                 "  4 |          | result   |  0.10377 | -2.54932 | o  | 6,0,0    |||\n"
                 "  5 |          | loop     |  0.0     |  0.0     | h  | 1,1,0    |||") \
        .replace("     3 |         | 2:-4.83963, 1: 4.92521",
                 "     3 |         | 2:-4.83963, 1: 4.92521, 5: 1.5\n     5 |         | 3: 2.0")
    net, notes = to_network(parse_net(text))
    assert "recurrent links (5 (loop) -> 3 (hidden))" in notes[0]
    assert net.find("loop")[0] == net.find("hidden")[0] + 1 and net.weight(*net.find("loop"), *net.find("hidden")) == 1.5


def test_recurrent_links_with_an_unsupported_function_are_refused():
    text = XOR_NET.replace("2:-4.83963, 1: 4.92521", "2:-4.83963, 1: 4.92521, 3: 0.5") \
        .replace("| h  | 6,3,0    |||", "| h  | 6,3,0    | Act_Signum ||")
    assert "activation function Act_Signum on unit 3 (hidden)" in refusal(text)


def test_jordan_elman_learning_function_imports_as_a_sequence_network():
    text = XOR_NET.replace("Std_Backpropagation", "JE_BP") \
        .replace("     3 |         | 2:-4.83963, 1: 4.92521", "     3 |         | 2:-4.83963, 1: 4.92521, 4: 0.3")
    net, notes = to_network(parse_net(text))
    assert net.recurrence.mode == "sequence" and "JE_BP" in notes[0] and net.weight(2, 0, 1, 0) == 0.3


def test_links_into_inputs_and_out_of_outputs_are_refused():
    text = XOR_NET.replace("-------|---------|----------------------------------\n\"\"\"", "") \
        .replace("     4 |         | 3:11.11523", "     1 |         | 4: 1.0\n     4 |         | 3:11.11523")
    msg = refusal(text)
    assert "links into input unit 1 (in_1)" in msg
    assert "links out of output unit 4 (result) (outputs must be the last layer)" in msg


def test_bad_files_say_what_is_wrong(tmp_path):
    with pytest.raises(SnnsError, match="not an SNNS network file"):
        parse_net("hello\n")
    with pytest.raises(SnnsError, match="expected source:weight, got '1 4.9'"):
        parse_net(XOR_NET.replace("1: 4.92521", "1 4.9"))
    with pytest.raises(SnnsError, match="bias: expected a number, got 'x'"):
        parse_net(XOR_NET.replace("-3.08885", "x"))
    pat = "SNNS pattern definition file V3.2\nNo. of patterns : 2\nNo. of input units : 2\nNo. of output units : 1\n1 0 1\n0 1\n"
    with pytest.raises(SnnsError, match=r"expected 2 patterns .* found 5 numbers"):
        parse_pat(pat)
    x, y = parse_pat(pat + "0\n")
    assert x.tolist() == [[1, 0], [0, 1]] and y.tolist() == [[1], [0]]
    net_path, pat_path = tmp_path / "x.net", tmp_path / "x.pat"
    net_path.write_text(XOR_NET)
    pat_path.write_text(pat.replace("input units : 2", "input units : 3") + "0 1 0\n")
    with pytest.raises(SnnsError, match=r"x.pat: .*3 inputs and 1 outputs; the network has 2 input"):
        import_snns(net_path, pat_path)


def test_identity_units_ignore_their_bias_as_snns_does():
    text = XOR_NET.replace("| o  | 6,0,0    |||", "| o  | 6,0,0    | Act_Identity ||")
    net, notes = to_network(parse_net(text))
    assert net.bias(2, 0) == 0.0 and net.activation_of(2, 0) == "linear"
    assert notes == ["unit 4 (result): Act_Identity ignores its bias -2.54932; imported with bias 0"]


@needs_files
def test_cli_import_writes_a_network_file(tmp_path):
    out = tmp_path / "xor.bpnet"
    r = cli("import", SHARED / "xor.net", "-o", out)  # xor.pat beside it is picked up
    assert r.returncode == 0, r.stderr
    assert "2-1-1 network, 5 connections, 4 patterns from xor.pat" in r.stdout
    r = cli("predict", out, "--json")
    assert r.returncode == 0


def test_cli_import_errors_are_one_line(tmp_path):
    bad = tmp_path / "rec.net"
    bad.write_text(XOR_NET.replace("| h  | 6,3,0    |||", "| h  | 6,3,0    | Act_Signum ||"))
    r = cli("import", bad, "-o", tmp_path / "o.bpnet")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "rec.net: cannot import: activation function" in r.stderr
    assert not (tmp_path / "o.bpnet").exists()
    r = cli("import", tmp_path / "missing.net")
    assert r.returncode == 1 and "no such file" in r.stderr


def test_two_dimensional_v1_4_files_read_their_positions():
    text = XOR_NET.replace("V1.4-3D", "V1.4").replace("| 3,5,0    |", "| 3,5      |").replace("| 6,0,0    |", "| 6, 0     |")
    net, _ = to_network(parse_net(text))
    assert net.layers[0].positions[0] == (180.0, 300.0) and net.layers[2].positions == [(360.0, 0.0)]


def test_cli_import_names_what_is_not_a_regular_file(tmp_path):
    """A folder or a named pipe is named as such; reading a FIFO would block forever."""
    import os
    folder = tmp_path / "folder.net"
    folder.mkdir()
    r = cli("import", folder, "-o", tmp_path / "o.bpnet")
    assert r.returncode == 1 and "folder.net: a folder, not a file" in r.stderr
    net = tmp_path / "x.net"
    net.write_text(XOR_NET)
    fifo = tmp_path / "x.pat"  # the default patterns file beside it
    os.mkfifo(fifo)
    r = cli("import", net, "-o", tmp_path / "o.bpnet")
    assert r.returncode == 1 and "x.pat: a named pipe (FIFO)" in r.stderr
    assert not (tmp_path / "o.bpnet").exists()
