"""The step-through hand-out (`export --to html --sample K`) through the real command line: its
numbers are read back from the page and compared with `trace --json` for the same sample."""
import json
from html.parser import HTMLParser

import pytest

from tests.core.test_cli import cli, example


class Numbers(HTMLParser):
    """Collects (kind, name, field) -> exact value from data-* attributes, and the headings."""

    def __init__(self):
        super().__init__()
        self.values, self.headings, self._in_h2, self.stages = {}, [], False, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-value" in a:
            self.values[(a["data-kind"], a.get("data-name"), a["data-field"])] = float(a["data-value"])
        if tag == "h2":
            self._in_h2 = True
            self.headings.append("")
        if tag == "section" and a.get("class") == "stage":
            self.stages += 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.headings[-1] += data


def handout(tmp_path, name, sample):
    out = tmp_path / f"{name}-{sample}.html"
    r = cli("export", example(name), "--to", "html", "--sample", str(sample), "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    p = Numbers()
    p.feed(text)
    return text, p


@pytest.mark.parametrize("name,sample", [("textbook-2-2-2", 1), ("textbook-3-2-1", 1), ("xor", 3),
                                         ("iris", 17)])
def test_handout_numbers_equal_trace_json(tmp_path, name, sample):
    text, p = handout(tmp_path, name, sample)
    r = cli("trace", example(name), "--sample", str(sample), "--json")
    assert r.returncode == 0, r.stderr
    tr = json.loads(r.stdout)
    for n in tr["neurons"]:
        for field in ("net", "out", "delta", "bias", "bias_grad", "bias_new"):
            if n[field] is not None:
                assert p.values[("neuron", n["name"], field)] == n[field], (n["name"], field)
    for w in tr["weights"]:
        key = f"{w['source']}>{w['target']}"
        for field, tfield in (("weight", "weight"), ("grad", "grad"), ("new", "new")):
            assert p.values[("weight", key, tfield)] == w[field], (key, field)
    assert p.values[("error", None, "before")] == tr["error_before"]
    assert p.values[("error", None, "after")] == tr["error_after"]
    for x, name_ in zip(tr["inputs"], [k[1] for k in p.values if k[0] == "input"]):
        assert p.values[("input", name_, "value")] == x


def test_textbook_handout_shows_every_stage_with_its_formulas(tmp_path):
    text, p = handout(tmp_path, "textbook-2-2-2", 1)
    assert [h.split(" (")[0] for h in p.headings[:7]] == [
        "Input", "Forward: layer 1", "Forward: layer 2", "Error", "Backward: layer 2",
        "Backward: layer 1", "Update"]
    assert "(step 7 / 7)" in p.headings[6]
    # Mazur's printed numbers, as the Explain panel shows them
    for s in ("0.3775", "0.593269992"[:8], "0.298371", "0.0821670", "0.358916"):
        assert s in text, s
    assert "<svg" in text and "@page" in text and "break-inside: avoid" in text
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")  # self-contained


def test_sample_out_of_range_is_one_line(tmp_path):
    r = cli("export", example("xor"), "--to", "html", "--sample", "9", "-o", tmp_path / "x.html")
    assert r.returncode == 1 and "samples 1 to 4" in r.stderr
