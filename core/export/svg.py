"""The network drawn as SVG for print: the canvas's layout, names, weights and biases written on
it (small networks, or ``values="on"``) with their labels where the file names them (w5 = 0.4,
as the tutorials write them), and the weight legend. Written with the standard library
only, so it works headless and without Qt.

Print-friendly: white paper, dark text, colour is the weight's sign (blue #1F5FB4 positive, brown
#B35806 negative: ColorBrewer PuOr, apart for the common colour-vision deficiencies and still
apart in greyscale by the dashes on negative weights) and width is |w|.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from .. import layout
from ..network import Network
from ..project import Project
from . import ExportError, Exporter, register

POSITIVE, NEGATIVE, ZERO, TEXT, BORDER = "#1f5fb4", "#b35806", "#767676", "#1a1a1a", "#333333"
FILL = {"input": "#e8f0e0", "hidden": "#ffffff", "output": "#fdebd3"}
MIN_WIDTH, MAX_WIDTH = 0.6, 6.0
MAX_EDGES = 5000  # larger networks: the strongest ones, the legend says how many
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _colour(w: float) -> str:
    return POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO


def _width(w: float, max_abs: float) -> float:
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(1.0, abs(w) / max_abs) if max_abs > 0 else MIN_WIDTH


def _dash(w: float) -> str:
    return ' stroke-dasharray="7 4"' if w < 0 else ' stroke-dasharray="2 3"' if w == 0 else ""


def _text(x: float, y: float, s: str, size: float, *, bold: bool = False, anchor: str = "middle",
          fill: str = TEXT, cls: str = "") -> str:
    weight = ' font-weight="bold"' if bold else ""
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"'
            f' dominant-baseline="central" fill="{fill}"{weight}{c}>{escape(s)}</text>')


def render(net: Network, *, values: str = "auto", title: str = "") -> str:
    """The SVG document as text. ``values``: "auto" (small networks), "on" or "off"."""
    net.validate()
    pos = layout.positions(net)
    show = values == "on" or (values == "auto" and layout.values_fit(net))
    conns = list(net.connections())
    max_abs = max((abs(w) for *_, w in conns), default=0.0) or 1.0
    drawn = conns
    if len(conns) > MAX_EDGES:
        drawn = sorted(conns, key=lambda c: -abs(c[4]))[:MAX_EDGES]
    allxy = np.vstack(pos)
    r_max = max(layout.radius_for(layer.size) for layer in net.layers)
    left, top = allxy[:, 0].min() - r_max - 110, allxy[:, 1].min() - r_max - 60
    right, bottom = allxy[:, 0].max() + r_max + 110, allxy[:, 1].max() + r_max + 40
    legend_h = 110 if len(drawn) == len(conns) else 130
    width, height = max(right - left, 380.0), bottom - top + legend_h + (30 if title else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="{left:.1f} {top - (30 if title else 0):.1f} {width:.1f} '
           f'{height:.1f}" font-family="{FONT}">',
           f'<title>{escape(title or "Network")}</title>',
           f'<rect x="{left:.1f}" y="{top - (30 if title else 0):.1f}" width="{width:.1f}" '
           f'height="{height:.1f}" fill="#ffffff"/>']
    if title:
        out.append(_text(left + 20, top - 12, title, 18, bold=True, anchor="start", cls="title"))
    out.append('<g class="connections" stroke-linecap="round">')
    for ls, i, ld, j, w in drawn:
        (x1, y1), (x2, y2) = pos[ls][i], pos[ld][j]
        out.append(f'<line class="weight" data-from="{escape(net.name_of(ls, i))}" '
                   f'data-to="{escape(net.name_of(ld, j))}" data-weight="{w!r}" x1="{x1:.1f}" '
                   f'y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{_colour(w)}" '
                   f'stroke-width="{_width(w, max_abs):.2f}"{_dash(w)}/>')
    out.append('</g>')
    if show:
        out.append('<g class="weight-values">')
        for ls, i, ld, j, w in drawn:
            t = 0.3 + 0.4 * (j / max(1, net.layers[ld].size - 1))  # labelled boxes clear the circles
            (x1, y1), (x2, y2) = pos[ls][i], pos[ld][j]
            cx, cy = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            label = net.connection_label(ls, i, ld, j)
            s = f"{label} = {layout.format_value(w)}" if label else layout.format_value(w)
            half = 3.6 * len(s) + 5
            out.append(f'<rect x="{cx - half:.1f}" y="{cy - 9:.1f}" width="{2 * half:.1f}" height="18" '
                       f'rx="4" fill="#ffffff" stroke="{_colour(w)}" stroke-width="0.8"/>')
            out.append(_text(cx, cy, s, 12, fill=TEXT, cls="value"))
        out.append('</g>')
    out.append(_neurons(net, pos, show))
    out.append(_legend(left + 20, bottom + 10, max_abs, len(drawn), len(conns)))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def _neurons(net: Network, pos: list[np.ndarray], show: bool) -> str:
    out = ['<g class="neurons">']
    n = len(net.layers)
    for li, layer in enumerate(net.layers):
        r = layout.radius_for(layer.size)
        kind = "input" if li == 0 else "output" if li == n - 1 else "hidden"
        xy = pos[li]
        out.append(_text(float(xy[:, 0].mean()), float(xy[:, 1].min()) - r - 26,
                         layout.layer_title(net, li), 14, bold=True, cls="layer-title"))
        for k, name in enumerate(layer.names):
            x, y = xy[k]
            out.append(f'<circle class="neuron" data-name="{escape(name)}" cx="{x:.1f}" cy="{y:.1f}" '
                       f'r="{r:g}" fill="{FILL[kind]}" stroke="{BORDER}" stroke-width="1.5"/>')
            if r >= layout.RADIUS:
                out.append(_text(x, y, name, 14, bold=True, cls="name"))
                if show and li > 0:
                    b_name = net.bias_label(li, k) or "b"
                    out.append(_text(x, y + r + 12, f"{b_name} = {layout.format_value(float(layer.biases[k]))}",
                                     12, cls="value"))
    out.append('</g>')
    return "\n".join(out)


def _legend(x: float, y: float, max_abs: float, drawn: int, total: int) -> str:
    out = ['<g class="legend">',
           f'<rect x="{x:.1f}" y="{y:.1f}" width="330" height="{96 if drawn == total else 116}" '
           f'rx="6" fill="#ffffff" stroke="#999999"/>',
           _text(x + 10, y + 16, "Weights: colour = sign, width = |w|", 13, bold=True, anchor="start")]
    rows = [("positive", max_abs), ("negative", -max_abs), ("near zero", 0.15 * max_abs)]
    for k, (label, w) in enumerate(rows):
        yy = y + 38 + 20 * k
        out.append(f'<line x1="{x + 12:.1f}" y1="{yy:.1f}" x2="{x + 62:.1f}" y2="{yy:.1f}" '
                   f'stroke="{_colour(w)}" stroke-width="{_width(w, max_abs):.2f}"{_dash(w)}/>')
        out.append(_text(x + 72, yy, f"{label}  (w = {layout.format_value(w)})", 12, anchor="start"))
    if drawn != total:
        out.append(_text(x + 10, y + 100, f"strongest {drawn:,} of {total:,} connections drawn",
                         12, anchor="start"))
    out.append('</g>')
    return "\n".join(out)


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    values = options.get("values", "auto")
    if values not in ("auto", "on", "off"):
        raise ExportError(f"values must be auto, on or off, not {values!r}")
    text = render(project.network, values=values, title=project.title)
    path.write_text(text, encoding="utf-8")


register(Exporter("svg", ".svg", "the network drawn for print, with names, values and legend", write))
