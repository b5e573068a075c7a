"""Random recurrent networks for the recurrent engine's tests (backward, sideways and self links)."""
from __future__ import annotations

import numpy as np

from core.network import Network
from core.recurrence import Recurrence

ACTS = ["sigmoid", "tanh", "linear", "leaky_relu"]


def random_recurrent(seed: int, loss: str = "half_sse", out_act: str | None = None, mode: str = "settle",
                     sizes=(3, 4, 3, 2), scale: float = 0.35) -> Network:
    """Forward blocks with missing links and a skip, plus recurrent blocks: sideways with
    self-loops (1→1, 2→2), backward (3→1, 2→1) and the output onto itself (3→3)."""
    rng = np.random.default_rng(seed)
    net = Network.dense(list(sizes), "sigmoid", loss=loss, seed=seed)
    last = len(sizes) - 1
    net.connect_fully(0, 2)
    for a, b in ((1, 1), (2, 2), (last, 1), (2, 1), (last, last)):
        net.connect_fully(a, b)
    for (a, b), blk in net.blocks.items():
        blk.mask = rng.random(blk.mask.shape) > 0.25
        blk.weight = np.where(blk.mask, rng.normal(0, scale if a >= b else 0.8, blk.mask.shape), 0.0)
    for li in range(1, len(sizes)):
        net.layers[li].biases = rng.normal(0, 0.5, sizes[li])
        for k in range(sizes[li]):
            net.set_activation(li, str(rng.choice(ACTS)) if li < last or out_act is None else out_act, k)
    if mode == "settle":  # |f′| ≤ 1 for these activations, so ρ(|W|) < 1 makes the relaxation contract
        _contract(net, 0.8)
    net.recurrence = Recurrence(mode=mode, threshold=1e-14, max_iterations=5000)
    return net


def _contract(net: Network, rho: float) -> None:
    sizes = net.sizes
    off = np.cumsum([0] + sizes)
    n = off[-1]
    w = np.zeros((n, n))
    for (a, b), blk in net.blocks.items():
        w[off[a]:off[a + 1], off[b]:off[b + 1]] = np.abs(blk.weight)
    h = w[sizes[0]:, sizes[0]:]
    now = max(abs(np.linalg.eigvals(h)))
    if now > rho:
        for (a, b), blk in net.blocks.items():
            if a > 0:
                blk.weight *= rho / now
