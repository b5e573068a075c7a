"""Loss-landscape grid speed, measured in one run (a benchmark, never a test).

    python -m bench.landscape

A 64×64 grid of E over two weights of the digits example (64-32-10, tanh, softmax), computed as
core.landscape does it (one batched pass per row, only what the weights reach), against the plain
way: one full engine forward pass per grid point. Prints both times (best of 3) and their ratio;
the goal is a grid under 2 s.
"""
from __future__ import annotations

import os
import time

import numpy as np

from core.engine import Engine
from core.fileio import load_project
from core.landscape import WeightRef, grid, training_rows, weight_range
from core.resources import resource_path

N = 64
PAIRS = {
    "input→hidden × hidden→output": (WeightRef(0, 20, 1, 3), WeightRef(1, 3, 2, 5)),
    "hidden→output × hidden→output": (WeightRef(1, 0, 2, 1), WeightRef(1, 7, 2, 1)),
}


def _best(fn, repeats: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time of the process (the second is what a busy machine
    cannot inflate: on a shared 2-core box the wall time swung 4× with the load)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def per_point_seconds(net, x, y, a, b, av, bv) -> float:
    """The plain way on a 8×8 corner of the grid, scaled to 64×64."""
    eng = Engine(net)
    wa, wb = eng.W[(a.ls, a.ld)], eng.W[(b.ls, b.ld)]
    t = time.perf_counter()
    for vb in bv[:8]:
        wb[b.i, b.j] = vb
        for va in av[:8]:
            wa[a.i, a.j] = va
            eng.loss_per_sample(eng.forward(x).outs[-1], y).mean()
    return (time.perf_counter() - t) * (len(av) * len(bv)) / 64


def main() -> None:
    project = load_project(resource_path("examples", "digits.bpnet"))
    net = project.network
    x, y = training_rows(project)
    print(f"digits: {'-'.join(map(str, net.sizes))}, {len(x)} training rows, {N}×{N} grid")
    for label, (a, b) in PAIRS.items():
        av = np.linspace(*weight_range(net.weight(*a)), N)
        bv = np.linspace(*weight_range(net.weight(*b)), N)
        t_grid, cpu_grid = _best(lambda: grid(net, x, y, a, b, av, bv))
        t_plain = per_point_seconds(net, x, y, a, b, av, bv)
        print(f"{label:32s} grid {t_grid:6.3f} s (cpu {cpu_grid:5.3f} s)   one pass per point "
              f"{t_plain:6.2f} s   ratio {t_plain / t_grid:5.1f}×   goal < 2 s: "
              f"{'met' if t_grid < 2 else 'MISSED'}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
