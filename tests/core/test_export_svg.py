"""The `export --to svg` drawing, through the real command line, parsed back as XML."""
import xml.etree.ElementTree as ET

from core.export.svg import MAX_EDGES, NEGATIVE, POSITIVE, render
from core.fileio import load_project
from core.network import Network
from tests.core.test_cli import cli, example

NS = {"s": "http://www.w3.org/2000/svg"}


def test_textbook_svg_has_every_name_weight_bias_and_the_legend(tmp_path):
    out = tmp_path / "net.svg"
    r = cli("export", example("textbook-2-2-2"), "--to", "svg", "-o", out)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    net = load_project(example("textbook-2-2-2")).network
    names = [t.text for t in root.iterfind(".//s:text[@class='name']", NS)]
    assert sorted(names) == sorted(net.names())
    lines = {(ln.get("data-from"), ln.get("data-to")): ln for ln in root.iterfind(".//s:line[@class='weight']", NS)}
    assert len(lines) == net.num_connections
    for ls, i, ld, j, w in net.connections():
        ln = lines[(net.name_of(ls, i), net.name_of(ld, j))]
        assert float(ln.get("data-weight")) == w
        assert ln.get("stroke") == (POSITIVE if w > 0 else NEGATIVE)
    values = [t.text for t in root.iterfind(".//s:text[@class='value']", NS)]
    for k, w in enumerate(("0.15", "0.2", "0.25", "0.3", "0.4", "0.45", "0.5", "0.55")):
        assert f"w{k + 1} = {w}" in values  # the tutorial's labels, as the file names them
    assert values.count("b1 = 0.35") == 2 and values.count("b2 = 0.6") == 2
    legend = " ".join(t.text for t in root.iterfind(".//s:g[@class='legend']/s:text", NS))
    assert "colour = sign" in legend and "negative" in legend
    assert root.find("s:rect", NS).get("fill") == "#ffffff"  # white paper


def test_negative_weights_are_dashed_and_large_networks_name_what_is_left_out():
    net = Network.dense([2, 1], "sigmoid", seed=0)
    net.set_weight(0, 0, 1, 0, -1.5)
    root = ET.fromstring(render(net))
    neg = next(ln for ln in root.iterfind(".//s:line[@class='weight']", NS) if float(ln.get("data-weight")) < 0)
    assert neg.get("stroke-dasharray") and neg.get("stroke") == NEGATIVE
    big = Network.dense([100, 60, 10], "sigmoid", seed=0)
    root = ET.fromstring(render(big))
    assert len(root.findall(".//s:line[@class='weight']", NS)) == MAX_EDGES
    assert f"of {big.num_connections:,}" in ET.tostring(root, encoding="unicode")
    assert not root.findall(".//s:text[@class='value']", NS)  # too many values to write


def test_bad_values_option_is_one_line(tmp_path):
    from core.export import ExportError, export
    import pytest
    with pytest.raises(ExportError, match="values must be"):
        export(load_project(example("xor")), "svg", tmp_path / "x.svg", values="maybe")
