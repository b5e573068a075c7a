"""Every kind of resource (examples, datasets, schema, icons, the desktop files) is found from the
source tree and from inside a PyInstaller bundle, where resources/ sits under sys._MEIPASS."""
from __future__ import annotations

import shutil
import sys

import pytest

from core import resources
from core.resources import resource_path, resources_root

NEEDED = [("schema", "bpnet-3.schema.json"), ("datasets", "iris.csv"), ("datasets", "digits.csv"),
          ("icons", "backprop-studio.svg"), ("icons", "backprop-studio-256.png"),
          ("icons", "bpnet-document-48.png"), ("icons", "backprop-studio.ico"),
          ("icons", "backprop-studio.icns"), ("examples", "xor.bpnet")]


@pytest.mark.parametrize("parts", NEEDED)
def test_found_from_source(parts):
    assert resource_path(*parts).is_file()


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    """A copy of resources/ laid out as the spec lays it out, with sys._MEIPASS pointing at it."""
    shutil.copytree(resources_root(), tmp_path / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_found_inside_a_bundle(bundle):
    assert resources_root() == bundle / "resources"
    for parts in NEEDED:
        assert resource_path(*parts).is_file() and resource_path(*parts).is_relative_to(bundle)
    names = [e.name for e in resources.examples()]
    assert names[:2] == ["textbook-2-2-2", "textbook-3-2-1"] and "digits" in names
    assert all(e.path.is_relative_to(bundle) for e in resources.examples())


def test_a_bundle_without_resources_finds_nothing_rather_than_the_source_tree(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.examples() == []
    assert not resource_path("schema", "bpnet-3.schema.json").exists()

