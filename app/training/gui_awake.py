"""Whether the GUI thread has been running lately, readable from the training thread.

The training worker hands the GIL over with a short sleep (app/training/worker.py's
HANDOVER_SECONDS) so that GUI work never waits a whole switch interval for it, but each such sleep
costs the worker about 0.1 ms, a tenth of its time at one a millisecond. Most of a run the GUI
thread sleeps between frames, and then the sleep buys nothing. The GUI thread's CPU clock tells the two apart without the GIL: if it
advanced since the worker last looked, the GUI thread ran (and may be waiting for the GIL now).
The event dispatcher's awake/aboutToBlock signals cannot: timers and input are dispatched after
aboutToBlock, with no signal until the next loop pass.
"""
from __future__ import annotations

import ctypes
import sys
import threading
import time
from typing import Callable

PR_SET_TIMERSLACK = 29  # linux/prctl.h


def gui_ran_probe() -> Callable[[], bool] | None:
    """Call in the GUI thread. Returns a function, callable from any thread, that is True if the
    GUI thread used CPU since its previous call; None where thread CPU clocks are not available."""
    try:
        clock = time.pthread_getcpuclockid(threading.get_ident())
        last = [time.clock_gettime_ns(clock)]
    except (AttributeError, OSError):  # Windows has no thread CPU clocks in the time module
        return None

    def ran() -> bool:
        now = time.clock_gettime_ns(clock)
        if now == last[0]:
            return False
        last[0] = now
        return True
    return ran


def quick_sleeps() -> bool:
    """Make short sleeps in the calling thread last about what they ask: the kernel's default
    timer slack adds 50 µs to each (measured here, 2,000 calls: sleep(0) 103 → 21 µs, a 50 µs
    sleep 167 → 96 µs), and Linux lets a thread lower it for itself. The training thread hands
    the GIL over with such sleeps a few hundred times a second. True if the slack was lowered
    (Linux), False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0) == 0  # 1 ns: as short as the kernel allows
    except (OSError, AttributeError):
        return False
