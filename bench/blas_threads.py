"""BLAS threads against product size: the measurements behind core/threads.py (a benchmark,
never a test).

    python -m bench.blas_threads [--busy] [--repeat N]

For each product shape, the time of one product with 1 and with 2 BLAS threads (alternating,
best of ``--repeat``), and the training-shaped loop of 784-128-10 at batch 64 (its five products
per batch over 10,000 samples). ``--busy`` runs everything again while another process keeps one
core busy, as a browser or the GUI thread would.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

SHAPES = [  # (rows, inner, cols): the forward and gradient products of 784-128-10 at several batches
    (64, 785, 128), (785, 64, 128), (256, 785, 128), (785, 256, 128), (1000, 785, 128), (2000, 785, 256),
]


def product_seconds(m: int, k: int, n: int, threads: int, repeat: int) -> float:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(m, k)), rng.normal(size=(k, n))
    out = np.empty((m, n))
    with threadpool_limits(threads, "blas"):
        np.dot(a, b, out=out)
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            for _ in range(5):
                np.dot(a, b, out=out)
            best = min(best, (time.perf_counter() - t) / 5)
    return best


def loop_rate(threads: int, repeat: int) -> float:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (10000, 784))
    w1, w2 = rng.normal(0, 0.05, (784, 128)), rng.normal(0, 0.05, (128, 10))
    best = 0.0
    with threadpool_limits(threads, "blas"):
        for _ in range(repeat):
            t = time.perf_counter()
            for s in range(0, 10000, 64):
                xb = x[s:s + 64]
                h = xb @ w1
                o = h @ w2
                d_h = o @ w2.T
                _ = h.T @ o
                _ = xb.T @ d_h
            best = max(best, 10000 / (time.perf_counter() - t))
    return best


def report(repeat: int) -> None:
    print(f"{'product':>22s} {'MFLOP':>7s} {'1 thread':>10s} {'2 threads':>10s}")
    for m, k, n in SHAPES:
        one = min(product_seconds(m, k, n, 1, repeat), product_seconds(m, k, n, 1, repeat))
        two = min(product_seconds(m, k, n, 2, repeat), product_seconds(m, k, n, 2, repeat))
        print(f"({m}x{k})·({k}x{n}) {2 * m * k * n / 1e6:7.1f} {one * 1e3:8.2f}ms {two * 1e3:8.2f}ms")
    rates = {th: max(loop_rate(th, repeat) for _ in range(2)) for th in (1, 2)}
    print(f"784-128-10 batch 64, its products only: {rates[1]:,.0f} samples/s with 1 thread, "
          f"{rates[2]:,.0f} with 2")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--busy", action="store_true", help="also measure with one core kept busy")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    print(f"numpy {np.__version__}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print("quiet:")
    report(a.repeat)
    if a.busy:
        spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            time.sleep(0.3)
            print("one core busy elsewhere:")
            report(a.repeat)
        finally:
            spin.kill()
            spin.wait()


if __name__ == "__main__":
    main()
