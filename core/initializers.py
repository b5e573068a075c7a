"""Seeded weight initialisation.

- ``uniform``: U[−a, a] with a = ``scale`` (the textbooks' ±0.5 and ±1)
- ``xavier``:  U[−l, l], l = sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio 2010)
- ``he``:      N(0, 2 / fan_in)                             (He et al. 2015)
fan_in/fan_out count the connections actually drawn into/out of each neuron's layer.
Biases follow the same scheme (``bias_init="same"``) or start at 0 (``"zero"``).
Same seed, same numbers: one numpy Generator walks the blocks in sorted order.
"""
from __future__ import annotations

import numpy as np

from .network import Network

SCHEMES = {"uniform": "Uniform [−a, a]", "xavier": "Xavier/Glorot", "he": "He"}


def _draw(rng: np.random.Generator, scheme: str, shape: tuple[int, ...], fan_in: float,
          fan_out: float, scale: float) -> np.ndarray:
    if scheme == "uniform":
        return rng.uniform(-scale, scale, shape)
    if scheme == "xavier":
        lim = np.sqrt(6.0 / max(fan_in + fan_out, 1.0))
        return rng.uniform(-lim, lim, shape)
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1.0)), shape)
    raise ValueError(f"unknown initialisation {scheme!r} (known: {', '.join(SCHEMES)})")


def initialise(net: Network, scheme: str = "uniform", scale: float = 0.5, bias_init: str = "same",
               seed: int | None = 0, layers: list[int] | None = None) -> None:
    """Draw new weights (and biases) for the given layers' incoming connections (default: all)."""
    if bias_init not in ("same", "zero"):
        raise ValueError("bias initialisation is 'same' or 'zero'")
    rng = np.random.default_rng(seed)
    targets = set(range(1, len(net.layers)) if layers is None else layers)
    fan_in = {ld: sum(net.blocks[(a, b)].mask.sum(axis=0).mean() for (a, b) in net.blocks if b == ld)
              for ld in range(len(net.layers))}
    fan_out = {ls: sum(net.blocks[(a, b)].mask.sum(axis=1).mean() for (a, b) in net.blocks if a == ls)
               for ls in range(len(net.layers))}
    for (ls, ld) in sorted(net.blocks):
        if ld not in targets:
            continue
        blk = net.blocks[(ls, ld)]
        w = _draw(rng, scheme, blk.weight.shape, fan_in[ld], fan_out[ld] or 1.0, scale)
        blk.weight = np.where(blk.mask, w, 0.0)
    for li in sorted(targets):
        layer = net.layers[li]
        if bias_init == "zero":
            layer.biases = np.zeros(layer.size)
        else:
            layer.biases = _draw(rng, scheme, (layer.size,), fan_in[li], fan_out[li] or 1.0, scale)
