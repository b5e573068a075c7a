"""Renders the SVG icons in resources/icons/ to the PNG sizes desktops want, a Windows ICO and a
macOS ICNS, next to the SVGs:  python packaging/make_icons.py [OUT_DIR]

Qt's QSvgRenderer does the rendering (offscreen), not Pillow: Pillow cannot read SVG at all (it
would need cairosvg and the cairo C library on top), while Qt is already the app's dependency and
is what draws the window icon at run time, so the files match what the app shows. ICO and ICNS
both store PNG images as they are, so they are written here with `struct`; Qt's own ico and icns
image plugins read them back in the tests.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SOURCES = ("backprop-studio", "bpnet-document")
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types that hold PNG data, with their pixel size (the @2x types are 2x their name).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))


def render_png(svg: Path, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon holding each PNG unchanged (Windows Vista and later read PNG entries)."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    header, directory, images = struct.pack("<HHH", 0, 1, len(sizes)), b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        images += data
    return header + directory + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon: big-endian 'icns' length, then (type, length, PNG) elements."""
    body = b"".join(kind.encode() + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out: Path = ICONS) -> list[Path]:
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SOURCES:
        svg = ICONS / f"{name}.svg"
        sizes = set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
        pngs = {size: render_png(svg, size) for size in sorted(sizes)}
        files = {f"{name}-{size}.png": pngs[size] for size in PNG_SIZES}
        files[f"{name}.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
        files[f"{name}.icns"] = icns_bytes(pngs)
        for filename, data in files.items():
            (out / filename).write_bytes(data)
            written.append(out / filename)
    return written


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in make_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else ICONS):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
