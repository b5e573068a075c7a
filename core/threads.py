"""How many BLAS threads training uses: chosen per run, not inherited (threadpoolctl).

OpenBLAS starts one thread per core and, for every product above a tiny size, splits it across
them. A split product waits for its slowest thread, and a thread that has to share a core with
the GUI thread (or a browser) is slow. bench/blas_threads.py, the products-only loop of
784-128-10 at batch 64 (five products a batch, 10,000 samples), samples/s:

                                      1 thread    2 threads
    quiet machine (2026-11-30)          84,974      121,660
    one core busy elsewhere             77,473       55,787
    while tests ran (3 runs)     73,000-85,000  24,000-41,000

and single products under load took up to 60 ms with two threads against 0.4 ms with one.
Issue 14 measured a whole epoch of 784-128-10: 2,300–4,800 samples/s with two threads against
45,000–64,000 with one. Two threads win only on an idle machine; one thread never collapses.

The rule: one thread per ``FLOPS_PER_THREAD`` of the step's largest product, at least one, and
never more than the cores left free (a GUI thread keeps one for itself). It is a function of the
network and batch only, never of timings: OpenBLAS's results differ in the last bits between one
and two threads for products of these sizes (checked: (64×785)·(785×128) and larger), so a count
chosen by measuring the load would break "same seed, same data, same settings: the same reports,
bit for bit".
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
