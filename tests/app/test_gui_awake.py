"""The GUI-thread CPU probe the training worker uses to decide whether to hand over the GIL."""
import threading
import time

import pytest

from app.training.gui_awake import gui_ran_probe


def test_probe_tells_a_sleeping_thread_from_a_running_one():
    made, go, done = threading.Event(), threading.Event(), threading.Event()
    probe = []

    def watched() -> None:
        probe.append(gui_ran_probe())
        made.set()
        go.wait()
        end = time.thread_time() + 0.02  # 20 ms of this thread's own CPU
        while time.thread_time() < end:
            pass
        done.wait()

    t = threading.Thread(target=watched)
    t.start()
    try:
        made.wait()
        ran = probe[0]
        if ran is None:
            pytest.skip("no thread CPU clocks here")
        # Until it blocks in go.wait() (under load it may still be on its way) its clock moves.
        ran()
        deadline = time.monotonic() + 5.0
        while True:
            time.sleep(0.02)
            if not ran():
                break
            assert time.monotonic() < deadline, "the probe never saw the blocked thread stand still"
        time.sleep(0.05)
        assert ran() is False  # blocked in go.wait(): no CPU used
        go.set()
        time.sleep(0.1)
        assert ran() is True
    finally:  # a failed check must not leave the thread waiting (pytest would wait at exit)
        go.set()
        done.set()
        t.join()


def test_quick_sleeps_lowers_only_the_calling_threads_timer_slack():
    import ctypes
    import sys

    from app.training.gui_awake import quick_sleeps
    if not sys.platform.startswith("linux"):
        assert quick_sleeps() is False
        return
    libc = ctypes.CDLL(None)
    get_slack = lambda: libc.prctl(30, 0, 0, 0, 0)  # noqa: E731 (PR_GET_TIMERSLACK)
    main_before = get_slack()
    seen = []

    def worker() -> None:
        seen.append(get_slack())
        seen.append(quick_sleeps())
        seen.append(get_slack())
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [main_before, True, 1]
    assert get_slack() == main_before > 1
