"""How many BLAS threads training uses: chosen per run, not inherited (threadpoolctl).

OpenBLAS starts one thread per core and, for every product above a tiny size, splits it across
them. For the products of these networks that costs more than it gains, and on a busy machine it
collapses: a split product waits for its slowest thread, and a thread that has to share a core
with the GUI thread (or a browser) is slow. Measured on the 2-core development machine under
load (bench/blas_threads.py, 1 vs 2 threads, alternating, best of 5):

    (64×784)·(784×128), 13 MFLOP     1.3 ms vs 2.0 ms      (784-128-10, batch 64: its largest product)
    (784×64)·(64×128),  13 MFLOP     2.0 ms vs 8.2 ms
    (256×784)·(784×128), 51 MFLOP    8.6 ms vs 15 ms
    (1000×784)·(784×128), 200 MFLOP  24 ms vs 15 ms       (two threads first win here)

Issue 14 measured a whole epoch of 784-128-10: 2,300–4,800 samples/s with two threads against
45,000–64,000 with one. The rule: one thread per ``FLOPS_PER_THREAD`` of the step's largest
product, at least one, and never more than the cores left free (a GUI thread keeps one for itself).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

FLOPS_PER_THREAD = 100e6
_controller = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def blas_threads(largest_product_flops: float, reserved_cores: int = 0) -> int:
    free = max(1, available_cores() - reserved_cores)
    return max(1, min(free, int(largest_product_flops // FLOPS_PER_THREAD)))


def step_flops(sizes: list[tuple[int, int]], batch: int) -> float:
    """2·batch·a·b for the largest (a, b) weight block: its forward, backward and gradient
    products all cost that much."""
    return 2.0 * batch * max((a * b for a, b in sizes), default=0)


@contextmanager
def blas_limit(threads: int) -> Iterator[None]:
    """BLAS uses at most ``threads`` threads inside the block (process-wide while it lasts).
    Without threadpoolctl installed it changes nothing."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            yield
            return
        _controller = ThreadpoolController()  # ~10 ms once; each limit after costs ~10 µs
    with _controller.limit(limits=threads, user_api="blas"):
        yield
