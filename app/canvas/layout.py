"""Where each neuron sits: its stored canvas position, or the automatic layout.

Automatic: layers left to right; a layer of up to GRID_THRESHOLD neurons is a centred column,
a larger one a centred square-ish grid (784 inputs become 28 × 28) with small neurons.
"""
from __future__ import annotations

import math

import numpy as np

from core.network import Network

from .. import style


def radius_for(size: int) -> float:
    return style.SMALL_RADIUS if size > style.GRID_THRESHOLD else style.RADIUS


def _auto_layer(size: int, x_left: float) -> tuple[np.ndarray, float]:
    """Automatic positions of one layer starting at x_left; returns (positions, right edge)."""
    if size <= style.GRID_THRESHOLD:
        ys = (np.arange(size) - (size - 1) / 2) * style.NEURON_GAP
        xs = np.full(size, x_left + style.RADIUS)
        return np.column_stack([xs, ys]), x_left + 2 * style.RADIUS
    cols = math.ceil(math.sqrt(size))
    rows = math.ceil(size / cols)
    k = np.arange(size)
    xs = x_left + (k % cols) * style.GRID_GAP
    ys = (k // cols - (rows - 1) / 2) * style.GRID_GAP
    return np.column_stack([xs, ys]).astype(float), x_left + (cols - 1) * style.GRID_GAP


def automatic_positions(net: Network) -> list[np.ndarray]:
    out, x = [], 0.0
    for layer in net.layers:
        pos, right = _auto_layer(layer.size, x)
        out.append(pos)
        x = right + style.LAYER_GAP
    return out


def positions(net: Network) -> list[np.ndarray]:
    """(n, 2) array of scene positions per layer: stored positions win over automatic ones."""
    auto = automatic_positions(net)
    for li, layer in enumerate(net.layers):
        for k, pos in enumerate(layer.positions):
            if pos is not None:
                auto[li][k] = pos
    return auto
