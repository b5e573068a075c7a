"""Finite-difference gradient check: the independent oracle for the engine's backward pass.

Central differences: ∂E/∂θ ≈ (E(θ + h) − E(θ − h)) / 2h on the batch-mean loss.
"""
from __future__ import annotations

import numpy as np

from .engine import Engine
from .network import Network


def numeric_gradients(net: Network, x, t, h: float = 1e-6) -> list[np.ndarray]:
    eng = Engine(net)
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    masks = eng.masks()

    def loss() -> float:
        return float(eng.pass_loss(eng.forward(x), t).mean())

    result = []
    for p, m in zip(eng.parameters(), masks):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            if m is not None and not m[idx]:
                continue
            old = p[idx]
            p[idx] = old + h
            up = loss()
            p[idx] = old - h
            down = loss()
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        result.append(g)
    return result


def analytic_gradients(net: Network, x, t) -> list[np.ndarray]:
    eng = Engine(net)
    return eng.gradients(eng.backward(eng.forward(np.asarray(x, float)), np.asarray(t, float)))


def max_relative_error(net: Network, x, t, h: float = 1e-6) -> float:
    """max |a − n| / max(1e-8, |a| + |n|) over all parameters."""
    worst = 0.0
    for a, n in zip(analytic_gradients(net, x, t), numeric_gradients(net, x, t, h)):
        if a.size:
            worst = max(worst, float((np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))).max()))
    return worst
