"""Canvas benchmark (prints figures; never a pass/fail test).

For a 784-128-10 network (101,632 connections) and a 2-8-8-1 one, in the real main window
(1280 × 800, offscreen raster engine), prints:
- open: load the file, rebuild the scene and paint the first frame at fit-to-window (aim < 1.5 s);
- frame at fit: repainting the canvas, unchanged and while panning (aim < 50 ms);
- frame zoomed in (×4 on the hidden layer): first frame after the zoom, then panning;
- recolour: all weights change (the live training view) until the next frame is painted.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.canvas [--frames N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.fileio import save_project  # noqa: E402
from core.network import Network  # noqa: E402
from core.project import Project  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def frame(window) -> float:
    """Paint the canvas once (what a screen update costs) and return the seconds it took."""
    viewport = window.view.viewport()
    t = time.perf_counter()
    viewport.grab()
    return time.perf_counter() - t


def pan_frames(window, n: int, step: int = 40) -> list[float]:
    bar = window.view.horizontalScrollBar()
    times = []
    for k in range(n):
        bar.setValue(bar.value() + (step if k % 2 == 0 else -step))
        QApplication.processEvents()
        times.append(frame(window))
    return times


def bench(window, sizes: list[int], frames: int, folder: Path) -> dict:
    net = Network.dense(sizes, seed=1)
    path = folder / f"{'-'.join(map(str, sizes))}.bpnet"
    save_project(Project(net), path)
    results = {"connections": net.num_connections}
    t = time.perf_counter()
    window.files.load(path)
    QApplication.processEvents()
    window.view.fit_to_window()
    window.view.viewport().grab()
    results["open"] = time.perf_counter() - t
    results["fit_static"] = statistics.median(frame(window) for _ in range(frames))
    results["fit_pan"] = statistics.median(pan_frames(window, frames))
    view = window.view
    hidden = window.scene.neurons[1][len(window.scene.neurons[1]) // 2].scenePos()
    view.set_zoom(view.zoom * 4)
    view.centerOn(hidden)
    QApplication.processEvents()
    results["zoom_first"] = frame(window)
    results["zoom_pan"] = statistics.median(pan_frames(window, frames))
    view.fit_to_window()
    QApplication.processEvents()
    frame(window)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(max(3, frames // 3)):
        w, b = window.document.network.get_parameters()
        w = {k: rng.uniform(-1, 1, v.shape) for k, v in w.items()}
        t = time.perf_counter()
        window.document.show_parameters(w, b)
        window.view.viewport().grab()
        times.append(time.perf_counter() - t)
    results["recolour"] = statistics.median(times)
    drawn = window.scene.batches_summary()
    results["drawn"] = f"{drawn[0]:,} of {drawn[1]:,} edges drawn" if drawn else "every edge drawn"
    return results


class CanvasOnly:
    """Document, scene and view alone, 1280 × 800: the canvas's own cost without other docks."""

    def __init__(self) -> None:
        from app.canvas.scene import NetworkScene
        from app.canvas.view import NetworkView
        from app.document import Document
        from app.editor import Editor
        from app.files import FileController
        self.document = Document()
        self.editor = Editor(self.document)
        self.scene = NetworkScene(self.document, self.editor)
        self.view = NetworkView(self.scene)
        self.view.resize(1280, 800)
        self.view.show()
        self.files = FileController(self.view, self.document)
        QApplication.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["BACKPROP_STUDIO_DATA_DIR"] = str(folder / "data")
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder / "settings"))
        app = QApplication.instance() or QApplication([])
        app.setOrganizationName("BackpropStudioBench")
        from app.main_window import MainWindow
        window = MainWindow()
        window.resize(1280, 800)
        window.show()
        QApplication.processEvents()
        canvas = CanvasOnly()
        print(f"platform {app.platformName()}, median of {args.frames} frames; canvas-only window "
              f"{canvas.view.viewport().width()} × {canvas.view.viewport().height()} px, main window canvas "
              f"{window.view.viewport().width()} × {window.view.viewport().height()} px")
        rows = [("784-128-10", [784, 128, 10]), ("2-8-8-1", [2, 8, 8, 1])]
        for name, sizes in rows:
            c = bench(canvas, sizes, args.frames, folder)
            r = bench(window, sizes, args.frames, folder)
            print(f"\n{name}: {r['connections']:,} connections ({r['drawn']})")
            print(f"  canvas only: open {ms(c['open'])}, frame at fit {ms(c['fit_static'])}, "
                  f"panning {ms(c['fit_pan'])}, zoomed first {ms(c['zoom_first'])}, "
                  f"recolour {ms(c['recolour'])}")
            print("  full main window (every dock, training's included):")
            print(f"  open (load + build + first frame) {ms(r['open'])}   aim < 1500 ms")
            print(f"  frame at fit, unchanged           {ms(r['fit_static'])}   aim < 50 ms")
            print(f"  frame at fit, panning             {ms(r['fit_pan'])}")
            print(f"  zoomed ×4: first frame            {ms(r['zoom_first'])}")
            print(f"  zoomed ×4: panning                {ms(r['zoom_pan'])}")
            print(f"  recolour after all weights change {ms(r['recolour'])}")
        window.files.maybe_save = lambda: True
        window.close()
        canvas.view.close()


if __name__ == "__main__":
    main()
