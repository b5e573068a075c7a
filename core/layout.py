"""Where each neuron sits, in canvas units, without Qt: its stored position or the automatic
layout. The canvas (app/canvas/layout.py) and the SVG export (core/export/svg.py) both use it,
so a drawing on paper matches the screen.

Automatic: layers left to right; a layer of up to GRID_THRESHOLD neurons is a centred column,
a larger one a centred square-ish grid (784 inputs become 28 × 28) with small neurons.
"""
from __future__ import annotations

import math

import numpy as np

from .network import Network

RADIUS = 22.0  # neuron radius on small networks
SMALL_RADIUS = 7.0  # neurons of large layers drawn in a grid
LAYER_GAP = 230.0  # horizontal distance between layers
NEURON_GAP = 90.0  # vertical distance between neurons of a column layer
GRID_GAP = 20.0  # distance between neurons of a large layer's grid
GRID_THRESHOLD = 40  # layers with more neurons are drawn as a grid
AUTO_VALUES_CONNECTIONS, AUTO_VALUES_NEURONS = 64, 32  # values written on small networks only


def radius_for(size: int) -> float:
    return SMALL_RADIUS if size > GRID_THRESHOLD else RADIUS


def _auto_layer(size: int, x_left: float) -> tuple[np.ndarray, float]:
    """Automatic positions of one layer starting at x_left; returns (positions, right edge)."""
    if size <= GRID_THRESHOLD:
        ys = (np.arange(size) - (size - 1) / 2) * NEURON_GAP
        xs = np.full(size, x_left + RADIUS)
        return np.column_stack([xs, ys]), x_left + 2 * RADIUS
    cols = math.ceil(math.sqrt(size))
    rows = math.ceil(size / cols)
    k = np.arange(size)
    xs = x_left + (k % cols) * GRID_GAP
    ys = (k // cols - (rows - 1) / 2) * GRID_GAP
    return np.column_stack([xs, ys]).astype(float), x_left + (cols - 1) * GRID_GAP


def automatic_positions(net: Network) -> list[np.ndarray]:
    out, x = [], 0.0
    for layer in net.layers:
        pos, right = _auto_layer(layer.size, x)
        out.append(pos)
        x = right + LAYER_GAP
    return out


def positions(net: Network) -> list[np.ndarray]:
    """(n, 2) array of positions per layer: stored positions win over automatic ones."""
    auto = automatic_positions(net)
    for li, layer in enumerate(net.layers):
        for k, pos in enumerate(layer.positions):
            if pos is not None:
                auto[li][k] = pos
    return auto


def values_fit(net: Network) -> bool:
    """Whether a drawing of the whole network has room for every value."""
    return net.num_connections <= AUTO_VALUES_CONNECTIONS and sum(net.sizes) <= AUTO_VALUES_NEURONS


def layer_title(net: Network, li: int) -> str:
    layer = net.layers[li]
    if li == 0:
        return f"Input · {layer.size}"
    kind = "Output" if li == len(net.layers) - 1 else f"Hidden {li}"
    return f"{kind} · {layer.size} · {layer.activation.replace('_', ' ')}"


def format_value(v: float) -> str:
    """Short text written on a drawing (the Inspector shows six decimals)."""
    if v == 0:
        return "0"
    if abs(v) >= 1000 or abs(v) < 0.001:
        return f"{v:.2e}"
    return f"{v:.3f}".rstrip("0").rstrip(".")
