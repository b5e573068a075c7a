"""Where each neuron sits on the canvas: the Qt-free geometry of core.layout, shared with the
SVG export so paper and screen agree."""
from __future__ import annotations

from core.layout import automatic_positions, positions, radius_for

__all__ = ["automatic_positions", "positions", "radius_for"]
