"""File → Export and File → Import (SNNS) through the window: the menus, the files written, the
imported network on the canvas, and the messages for what cannot be done."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from app import interop
from core.engine import Engine
from core.network import Network
from core.project import Project
from core.snns import import_snns

SHARED = Path("/work/shared/snns")
needs_files = pytest.mark.skipif(not SHARED.is_dir(), reason="the shared SNNS example files are not here")


def errors_into(monkeypatch, no_real_dialogs) -> list:
    shown = []
    monkeypatch.setattr(no_real_dialogs, "show_error", lambda parent, title, text: shown.append((title, text)))
    return shown


def paths(monkeypatch, name, *answers):
    replies = list(answers)
    asked = []

    def reply(parent, title, *rest):
        asked.append(title)
        return replies.pop(0)
    monkeypatch.setattr(interop, name, reply)
    return asked


def menu_texts(window) -> dict[str, list[str]]:
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    out = {}
    for act in file_menu.actions():
        out[act.text()] = [s.text() for s in act.menu().actions()] if act.menu() else []
    return out


def test_file_menu_offers_import_and_every_export_format(window):
    texts = menu_texts(window)
    assert "&Import SNNS Network…" in texts
    formats = texts["&Export"]
    assert formats[:4] == ["&PyTorch Module (.py)…", "&ONNX Model (.onnx)…",
                           "&SNNS Network and Patterns (.net, .pat)…", "Loss &History (.csv)…"]


def test_export_torch_writes_a_module_that_gives_the_documents_outputs(window, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    net = Network.dense([2, 3, 1], ["tanh", "sigmoid"], seed=4)
    window.document.replace_project(Project(net, title="tiny"))
    paths(monkeypatch, "get_export_path", str(tmp_path / "tiny"))
    assert window.interop.export_as("torch")
    out = tmp_path / "tiny.py"
    assert "run it with PyTorch" in window.statusBar().currentMessage()
    spec = importlib.util.spec_from_file_location("tiny_export", out)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    got = mod.build_model()(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, Engine(net).predict(x), rtol=0, atol=1e-9)


def test_a_missing_optional_package_is_named_with_how_to_install_it(window, tmp_path, monkeypatch,
                                                                     no_real_dialogs):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a))
    shown = errors_into(monkeypatch, no_real_dialogs)
    assert not window.interop.export_as("onnx")  # no file dialog opens first
    assert len(shown) == 1
    assert "needs the optional package onnx" in shown[0][1] and "pip install onnx" in shown[0][1]


def test_an_export_that_cannot_be_made_says_why_and_writes_nothing(window, tmp_path, monkeypatch,
                                                                   no_real_dialogs):
    window.document.replace_project(Project(Network.dense([2, 2, 2], ["relu", "softmax"], loss="cross_entropy")))
    shown = errors_into(monkeypatch, no_real_dialogs)
    paths(monkeypatch, "get_export_path", str(tmp_path / "n.net"))
    assert not window.interop.export_as("snns")
    assert "relu on h1, h2" in shown[0][1] and not (tmp_path / "n.net").exists()


@needs_files
def test_import_snns_asks_for_patterns_when_none_lie_beside_it(window, monkeypatch):
    asked = paths(monkeypatch, "get_import_path", str(SHARED / "xor_untrained.net"), str(SHARED / "xor.pat"))
    assert window.interop.import_snns()
    assert asked == ["Import SNNS network", "Patterns for xor_untrained.net (Cancel: none)"]
    doc = window.document
    assert doc.network.sizes == [2, 1, 1] and len(doc.project.dataset) == 4
    assert doc.modified and doc.path is None
    assert len(window.scene.edge_items) == 5
    expected, _ = import_snns(SHARED / "xor_untrained.net", SHARED / "xor.pat")
    assert doc.network.layers[2].positions == expected.network.layers[2].positions
    assert "Imported xor_untrained.net: 2-1-1 network, 4 patterns" in window.statusBar().currentMessage()


@needs_files
def test_import_takes_the_patterns_beside_the_network(window, monkeypatch):
    asked = paths(monkeypatch, "get_import_path", str(SHARED / "encoder.net"))
    assert window.interop.import_snns()
    assert asked == ["Import SNNS network"] and len(window.document.project.dataset) == 8


def test_a_refused_import_leaves_the_document_as_it_was(window, tmp_path, monkeypatch, no_real_dialogs):
    from tests.core.test_snns import XOR_NET
    bad = tmp_path / "loop.net"
    bad.write_text(XOR_NET.replace("| h  | 6,3,0    |||", "| h  | 6,3,0    | Act_Signum ||"))
    before = window.document.project
    shown = errors_into(monkeypatch, no_real_dialogs)
    assert not window.interop.import_snns(str(bad), patterns="")
    assert window.document.project is before
    assert shown[0][0] == "Cannot import" and "loop.net: cannot import: activation function Act_Signum" in shown[0][1]
