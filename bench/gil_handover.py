"""How the training thread should hand the GIL to the GUI thread: none, sleep(0) or a short sleep.

A Python worker thread (a stand-in for an epoch of plain-float steps) looks about every
millisecond whether the "GUI" thread ran since its last look (app/training/gui_awake.py's probe)
and, if so, hands the GIL over in the way under test. The GUI stand-in wakes every 10 ms and
runs a little Python, as a timer slot does. Reported per way, each in its own process, rounds
alternating: how late the 10 ms wake-ups came (p50, p99, worst) and the worker's throughput.

    python bench/gil_handover.py [--rounds 2] [--seconds 3]

Why sleep(0) fails (CPython's GIL, 3.2+): a waiting thread asks the holder to drop the GIL only
after a whole switch interval (5 ms) with no other switch; each time the worker drops and at once
re-takes it, the waiter's countdown starts again, and the waiter, still waking up, loses the
race. A sleep of tens of microseconds leaves it time to wake and take the GIL.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAYS = {"none": None, "sleep(0)": 0.0, "sleep(50 µs)": 50e-6, "sleep(200 µs)": 200e-6}


def measure(way: str, seconds: float) -> str:
    sys.path.insert(0, ROOT)
    import numpy as np

    from app.training.gui_awake import gui_ran_probe, quick_sleeps
    pause = WAYS[way]
    probe = gui_ran_probe()
    state = {"stop": False, "steps": 0, "handovers": 0}

    def worker() -> None:
        quick_sleeps()  # as the training thread does
        last, x, steps = time.perf_counter(), 0.0, 0
        while not state["stop"]:
            for i in range(300):  # about 10 µs of plain-float arithmetic
                x = x * 0.5 + i * 1.0000001
            steps += 1
            now = time.perf_counter()
            if now - last >= 0.001:
                last = now
                if pause is not None and (probe is None or probe()):
                    state["handovers"] += 1
                    time.sleep(pause)
        state["steps"] = steps

    t0 = time.perf_counter()
    thread = threading.Thread(target=worker)
    thread.start()
    late, prev = [], time.perf_counter()
    while prev - t0 < seconds:
        time.sleep(0.01)
        now = time.perf_counter()
        late.append((now - prev - 0.01) * 1000)
        prev = now
        sum(range(2000))  # a slot's bit of Python
    state["stop"] = True
    thread.join()
    wall = time.perf_counter() - t0
    a = np.array(late)
    return (f"{way:14} late p50 {np.median(a):5.2f} ms  p99 {np.percentile(a, 99):6.2f} ms  "
            f"worst {a.max():6.1f} ms   worker {state['steps'] / wall / 1000:5.1f} k steps/s  "
            f"hand-overs {state['handovers'] / wall:4.0f}/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--way", choices=list(WAYS), help=argparse.SUPPRESS)  # one measurement (child)
    args = ap.parse_args()
    if args.way:
        print(measure(args.way, args.seconds), flush=True)
        return
    for r in range(args.rounds):
        print(f"round {r + 1}", flush=True)
        for way in WAYS:
            subprocess.run([sys.executable, __file__, "--way", way, "--seconds", str(args.seconds)], check=True)


if __name__ == "__main__":
    main()
