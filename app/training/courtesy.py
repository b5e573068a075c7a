"""How a background thread other than the training worker shares the GIL with the window.

The Landscape panel computes its loss grid on a thread of its own, and during a run that thread
is a third one wanting the GIL. It never gave it up on its own, so each Python call of a repaint
waited up to a switch interval (5 ms) for it: measured with the Landscape on screen during a
two-spirals run (bench/gui_training.py), a 10 ms GUI timer was late by p99 34-53 ms, against
15-20 ms without it. Between slices of its work (rows of a grid) such a thread therefore does
what the worker does between epochs: it waits while the GUI thread runs a block with the worker
held (GuiPriority.block, a frame's paint), and otherwise hands the GIL over if the GUI thread
ran since it last looked.
"""
from __future__ import annotations

import threading
from typing import Callable

from .gui_awake import gui_ran_probe, quick_sleeps
from .worker import HOLD_LIMIT, hand_over


class Courtesy:
    """Made on the GUI thread (it reads that thread's CPU clock); ``pulse`` is called on the
    background thread between slices of its work."""

    def __init__(self, gui_free: threading.Event | None = None) -> None:
        self._gui_free = gui_free
        self._gui_ran: Callable[[], bool] | None = gui_ran_probe()
        self._slack_set = False

    def pulse(self) -> None:
        if not self._slack_set:  # on the background thread: its hand-overs sleep what they ask
            self._slack_set = True
            quick_sleeps()
        if self._gui_free is not None and not self._gui_free.is_set():
            self._gui_free.wait(HOLD_LIMIT)
            if self._gui_ran is not None:  # what the GUI ran meanwhile was what this waited for
                self._gui_ran()
        else:
            hand_over(self._gui_ran)
