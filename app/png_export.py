"""PNG exports, which need Qt to draw: the canvas, the loss plot and the loss landscape.

They join core's export registry from the app side (``register_qt_exporters``: the console
script calls it before handing a subcommand to core.cli, the window when it opens), so core never
imports Qt. Without a running application one is made on the offscreen platform: exporting
needs no display.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from core import landscape as L
from core.export import EXPORTERS, ExportError, Exporter, register
from core.project import Project

SCALE = 2.0  # canvas pixels per scene unit: sharp when printed or projected
LEGEND_HEIGHT = 110


def _app():
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a file is the output: never open a window
        app = QApplication(["backprop-studio"])
    return app


def _save(image, path: Path) -> None:
    if not image.save(str(path), "PNG"):
        raise ExportError(f"{path}: the PNG could not be written")


def write_canvas(project: Project, path: Path, options: dict[str, Any]) -> None:
    """The network as drawn on the canvas (desk theme, values as the canvas shows them), with
    the weight legend below it, on white."""
    _app()
    from PySide6.QtCore import QRect, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter

    from . import style
    from .canvas.scene import NetworkScene
    from .document import Document
    from .editor import Editor
    from .panels.legend import paint_legend

    doc = Document(project)
    scene = NetworkScene(doc, Editor(doc))
    scene.setBackgroundBrush(Qt.white)
    if options.get("values") in ("on", "off"):
        scene.set_values_mode(options["values"])
    src = scene.sceneRect()
    scale = float(options.get("scale", SCALE))
    w, h = int(src.width() * scale), int(src.height() * scale)
    legend = int((LEGEND_HEIGHT * style.text_scale / style.DESK_TEXT_SCALE + 10) * scale)
    image = QImage(max(w, int(340 * scale)), h + legend, QImage.Format_ARGB32)
    image.fill(Qt.white)
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing, True)
    p.setRenderHint(QPainter.TextAntialiasing, True)
    scene.render(p, QRectF(0, 0, w, h), src, Qt.KeepAspectRatio)
    p.scale(scale, scale)  # the legend at the drawing's scale, in its bottom-left corner
    paint_legend(p, QRect(0, 0, int(image.width() / scale), int(image.height() / scale)),
                 scene.max_abs, None)
    p.end()
    _save(image, path)


def write_loss(project: Project, path: Path, options: dict[str, Any]) -> None:
    """The loss plot as the window shows it, at 900×500."""
    if not project.history:
        raise ExportError("the network has no training history yet (train it first)")
    _app()
    from .training.loss_plot import LossPlot
    plot = LossPlot()
    plot.resize(900, 500)
    plot.set_history(project.history)
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()
    _save(plot.grab().toImage(), path)
    plot.deleteLater()


def parse_weights(project: Project, text: str | None) -> list[L.WeightRef]:
    """``"h1>o1,h2>o1"`` (source>target names) → connections; default: the network's only
    weight, else two weights into the output layer."""
    net = project.network
    if not text:
        conns = [L.WeightRef(ls, i, ld, j) for ls, i, ld, j, _ in net.connections()]
        if len(conns) == 1:
            return conns
        pair = L.default_pair(net)
        if pair is None:
            raise ExportError("the network has no connections to draw a landscape over")
        return list(pair)
    refs = []
    for part in text.split(","):
        src, sep, dst = part.strip().partition(">")
        if not sep:
            raise ExportError(f"--weights: {part!r} is not SOURCE>TARGET (e.g. h1>o1)")
        try:
            (ls, i), (ld, j) = net.find(src.strip()), net.find(dst.strip())
        except (KeyError, ValueError) as e:
            raise ExportError(f"--weights: {e}") from None
        if not net.has_connection(ls, i, ld, j):
            raise ExportError(f"--weights: there is no connection {src.strip()} → {dst.strip()}")
        refs.append(L.WeightRef(ls, i, ld, j))
    if not 1 <= len(refs) <= 2 or len(set(refs)) != len(refs):
        raise ExportError("--weights: name one connection (a curve) or two different ones (a map)")
    return refs


def render_landscape(project: Project, refs: list[L.WeightRef], size: int = 64,
                     path_points: list[tuple[float, ...]] | None = None,
                     width: int = 900, height: int = 700):
    """A QImage of the curve (one weight) or the map (two weights) at the current weights."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from .landscape import render
    try:
        x, y = L.training_rows(project)
        net = project.network
        ranges = [L.weight_range(net.weight(*r)) for r in refs]
        names = [f"w({net.name_of(r.ls, r.i)}→{net.name_of(r.ld, r.j)})" for r in refs]
        import numpy as np
        if len(refs) == 1:
            result = L.curve(net, x, y, refs[0], np.linspace(*ranges[0], 201))
        else:
            result = L.grid(net, x, y, refs[0], refs[1], np.linspace(*ranges[0], size),
                            np.linspace(*ranges[1], size))
    except ValueError as e:
        raise ExportError(str(e)) from None
    image = QImage(width, height, QImage.Format_ARGB32)
    p = QPainter(image)
    rect = QRectF(0, 0, width, height)
    if len(refs) == 1:
        render.paint_curve(p, rect, result, [v[0] for v in (path_points or [])], names[0], 16)
    else:
        render.paint_landscape(p, rect, result, [v[:2] for v in (path_points or [])], tuple(names), 16)
    p.end()
    return image


def write_landscape(project: Project, path: Path, options: dict[str, Any]) -> None:
    _app()
    refs = options.get("refs") or parse_weights(project, options.get("weights"))
    image = render_landscape(project, refs, int(options.get("size", 64)), options.get("trail"))
    _save(image, path)


def register_qt_exporters() -> None:
    """Idempotent: the window and the console script may both call it."""
    for e in (Exporter("png", ".png", "the canvas as an image, with the legend", write_canvas),
              Exporter("loss-png", ".png", "the loss plot as an image", write_loss),
              Exporter("landscape-png", ".png", "the loss landscape over one or two weights "
                       "(--weights SRC>DST[,SRC>DST])", write_landscape)):
        if e.name not in EXPORTERS:
            register(e)
