"""The icon files in resources/icons/ are what packaging/make_icons.py makes from the SVGs today,
and Qt's own ico and icns readers (independent of our writers) read every size back."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader

from core.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("make_icons", ROOT / "packaging" / "make_icons.py")
make_icons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_icons)


def max_channel_difference(a: QImage, b: QImage) -> int:
    a, b = a.convertToFormat(QImage.Format_RGBA8888), b.convertToFormat(QImage.Format_RGBA8888)
    assert a.size() == b.size()
    pa, pb = bytes(a.constBits()), bytes(b.constBits())
    return max(abs(x - y) for x, y in zip(pa, pb))


@pytest.mark.parametrize("name", make_icons.SOURCES)
def test_committed_pngs_match_the_svg(qapp, tmp_path, name):
    make_icons.make_icons(tmp_path)
    for size in make_icons.PNG_SIZES:
        committed = QImage(str(resource_path("icons", f"{name}-{size}.png")))
        fresh = QImage(str(tmp_path / f"{name}-{size}.png"))
        assert committed.size() == QSize(size, size)
        assert max_channel_difference(committed, fresh) <= 2, \
            f"{name}-{size}.png is stale: run `make icons` after editing {name}.svg"


@pytest.mark.parametrize("name", make_icons.SOURCES)
def test_ico_reads_back_every_size(qapp, name):
    reader = QImageReader(str(resource_path("icons", f"{name}.ico")), b"ico")
    sizes = []
    for k in range(reader.imageCount()):
        reader.jumpToImage(k)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.append(image.width())
    assert sorted(sizes) == sorted(make_icons.ICO_SIZES)


@pytest.mark.parametrize("name", make_icons.SOURCES)
def test_icns_reads_back_every_size(qapp, name):
    reader = QImageReader(str(resource_path("icons", f"{name}.icns")), b"icns")
    assert reader.canRead(), reader.errorString()
    sizes = set()
    for k in range(reader.imageCount()):
        reader.jumpToImage(k)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.add(image.width())
    assert sizes == {size for _, size in make_icons.ICNS_TYPES}


def test_the_app_icon_offers_every_size(qapp):
    from app.main import ICON_SIZES, app_icon
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
