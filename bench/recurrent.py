"""Recurrent training speed against static training of the same network, measured in one run
(a benchmark, never a test).

    python -m bench.recurrent

For each size it trains the feed-forward network, then the same network with sideways
connections in its hidden layer (settle mode: forward and backward relaxation per batch, and
sequence mode: BPTT), and prints epochs/s and the ratio recurrent/static. Static networks never
enter core/recurrent.py (training dispatches on Network.is_recurrent), so their rate is the
static engine's own; a settle-mode epoch costs roughly (forward + backward iterations) static
epochs.
"""
from __future__ import annotations

import time

import numpy as np

from core.network import Network
from core.optimizers import OptimizerSettings
from core.recurrence import Recurrence
from core.training import TrainConfig, train


def _rate(net: Network, x, y, batch: int, epochs: int) -> tuple[float, tuple[int, int] | None]:
    best, last = float("inf"), None
    for _ in range(3):
        n = net.copy()
        t = time.perf_counter()
        for last in train(n, x, y, TrainConfig(OptimizerSettings("sgd", 0.1), batch_size=batch, max_epochs=epochs)):
            pass
        best = min(best, time.perf_counter() - t)
    return epochs / best, last.relaxation


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'network':>14} {'batch':>5} {'static ep/s':>12} {'settle ep/s':>12} {'iters f/b':>10} "
          f"{'ratio':>6} {'sequence ep/s':>14} {'ratio':>6}")
    for sizes, batch, n, epochs in (([2, 4, 1], 1, 4, 300), ([4, 16, 3], 10, 100, 100), ([10, 64, 4], 32, 500, 20)):
        x = rng.normal(0, 1, (n, sizes[0]))
        y = rng.random((n, sizes[-1]))
        static = Network.dense(sizes, "tanh", seed=0)
        rec = static.copy()
        rec.connect_fully(1, 1, rng.uniform(-0.3, 0.3, (sizes[1], sizes[1])) / np.sqrt(sizes[1]))
        seq = rec.copy()
        seq.recurrence = Recurrence("sequence", bptt_steps=8)
        s, _ = _rate(static, x, y, batch, epochs)
        r, iters = _rate(rec, x, y, batch, epochs)
        q, _ = _rate(seq, x, y, batch, epochs)
        name = "-".join(map(str, sizes))
        print(f"{name:>14} {batch:>5} {s:>12.1f} {r:>12.1f} {str(iters):>10} {r / s:>6.3f} {q:>14.1f} {q / s:>6.3f}")


if __name__ == "__main__":
    main()
