"""Long epochs in slices of about a millisecond, with the caller's hook between slices.

A training thread shares the GIL with the window's thread. Between epochs it can hand the GIL
over or wait while the window paints, but an epoch of thousands of samples (3,000 online samples
of 2-16-16-1: 0.1-0.25 s) left the window only the interpreter's forced switches, one per 5 ms
switch interval for every Python call a paint makes: a 10 ms GUI timer ran up to 200 ms late
(p99 60-175 ms), and on a loaded CI machine the first epoch was not on screen after 10 s.
So the epoch's steps run in slices of about ``SLICE_SECONDS``, and ``hook`` runs between them.
Slicing never changes a number: the steps, their order and every running sum are the same.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

SLICE_SECONDS = 0.001
FIRST_SLICE = 4  # steps, until a slice has been timed


class Slicer:
    """Splits an epoch's ``n`` steps into spans that each take about SLICE_SECONDS, learning the
    steps per slice from the time the last slice took (the hook's own time not counted)."""

    def __init__(self, hook: Callable[[], None]) -> None:
        self.hook = hook
        self.per_slice = FIRST_SLICE

    def whole(self, n: int) -> bool:
        """True if an epoch of ``n`` steps is one slice: run it without spans (a generator costs
        XOR's four-sample epoch about a tenth of its time)."""
        return n <= self.per_slice

    def spans(self, n: int) -> Iterator[tuple[int, int]]:
        s, k = 0, self.per_slice
        while s < n:
            e = min(s + k, n)
            t0 = time.perf_counter()
            yield s, e
            spent = time.perf_counter() - t0
            if spent > 0.0:
                k = max(1, int((e - s) * SLICE_SECONDS / spent))
            s = e
            if s < n:
                self.hook()
        self.per_slice = k


def spans(slicer: Slicer | None, n: int) -> Iterator[tuple[int, int]] | tuple[tuple[int, int]]:
    """The spans of an epoch of ``n`` steps: one span when there is no slicer or one slice will do."""
    if slicer is None or slicer.whole(n):
        return ((0, n),)
    return slicer.spans(n)


def batch_starts(slicer: Slicer | None, n: int, bs: int) -> Iterator[int]:
    """The first row of each batch of an epoch of ``n`` rows in batches of ``bs``, in slices."""
    for first, stop in spans(slicer, -(-n // bs)):
        yield from range(first * bs, min(stop * bs, n), bs)
