"""The Qt-drawn exports through the real command line, without a display: the PNG files are
loaded back and looked at pixel by pixel where a number can be checked."""
import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.fileio import load_project
from tests.core.test_cli import cli, example


def load(path) -> QImage:
    img = QImage(str(path))
    assert not img.isNull(), f"{path} is not a PNG Qt can read"
    return img


def colours(img: QImage) -> set[tuple[int, int, int]]:
    ptr = img.convertToFormat(QImage.Format_RGB888)
    a = np.frombuffer(ptr.constBits(), np.uint8, ptr.sizeInBytes()).reshape(ptr.height(), ptr.bytesPerLine())
    rgb = a[:, :ptr.width() * 3].reshape(ptr.height(), ptr.width(), 3)
    return {tuple(int(v) for v in c) for c in np.unique(rgb.reshape(-1, 3), axis=0)}


def test_canvas_png_without_a_display(tmp_path):
    out = tmp_path / "net.png"
    r = cli("export", example("textbook-2-2-2"), "--to", "png", "-o", out)
    assert r.returncode == 0, r.stderr
    img = load(out)
    assert img.width() >= 1000 and img.height() >= 500  # two pixels per canvas unit
    seen = colours(img)
    assert (255, 255, 255) in seen  # white paper
    assert (0x1f, 0x5f, 0xb4) in seen  # positive weights drawn in their colour


def test_landscape_png_default_and_named_weights(tmp_path):
    out = tmp_path / "land.png"
    r = cli("export", example("xor"), "--to", "landscape-png", "-o", out)
    assert r.returncode == 0, r.stderr
    assert load(out).width() == 900
    r = cli("export", example("one-weight"), "--to", "landscape-png", "--weights", "x>y", "-o", out)
    assert r.returncode == 0, r.stderr
    r = cli("export", example("xor"), "--to", "landscape-png", "--weights", "o1>h1", "-o", out)
    assert r.returncode == 1 and "no connection o1 → h1" in r.stderr


def test_loss_png_needs_a_history_and_draws_one(tmp_path):
    r = cli("export", example("xor"), "--to", "loss-png", "-o", tmp_path / "l.png")
    assert r.returncode == 1 and "no training history" in r.stderr
    trained = tmp_path / "t.bpnet"
    assert cli("train", example("xor"), "--epochs", "30", "-o", trained).returncode == 0
    r = cli("export", trained, "--to", "loss-png", "-o", tmp_path / "l.png")
    assert r.returncode == 0, r.stderr
    assert load(tmp_path / "l.png").width() == 900


def test_core_alone_lists_no_qt_formats():
    """core's registry holds what core can write; the PNGs join only from the app side."""
    import subprocess
    import sys
    code = "import core.export as e, sys; print(sorted(e.EXPORTERS)); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split("\n")
    assert "png" not in out[0] and out[1] == "False"
