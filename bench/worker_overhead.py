"""The training worker's own cost per epoch, counted in instructions (prints figures; no test).

Timings on this class of machine swing by ±30 % between runs of the same code, more than the
few per cent the worker's loop adds to an epoch, so this counts instructions instead: valgrind's
cachegrind runs XOR online headless (core's ``train`` in a plain loop) and through
``TrainingWorker.run`` (no window; the GUI thread's probe says it never ran), each for two run
lengths in its own process; the difference per epoch between the lengths removes start-up. The
worker's clock-based steps (a delivery every BATCH_SECONDS, a look at the GUI every
YIELD_SECONDS) are stretched by valgrind's slowdown, measured first, so they come as often per
epoch as they do at full speed. Needs valgrind (Debian: ``apt-get install valgrind``).

    python bench/worker_overhead.py [--epochs 1000 5000]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# deterministic counts: one BLAS thread (idle OpenBLAS threads spin), one hash seed
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "QT_QPA_PLATFORM": "offscreen"}


def run(kind: str, epochs: int, stretch: float) -> float:
    """Seconds the training took (this process is the one valgrind may be running)."""
    sys.path.insert(0, ROOT)
    import gc
    from dataclasses import replace

    from core.fileio import load_project
    from core.resources import resource_path
    from core.training import train
    gc.disable()  # the app collects on the GUI thread only (app/gui_gc.py)
    project = load_project(resource_path("examples", "xor.bpnet"))
    x, y, val = project.dataset.arrays()
    t0 = time.perf_counter()
    if kind == "headless":
        cfg = replace(project.training, max_epochs=epochs, report_weights=False)
        for _ in train(project.network.copy(), x, y, cfg, val):
            pass
    else:
        from app.training import worker
        worker.BATCH_SECONDS *= stretch
        worker.YIELD_SECONDS *= stretch
        w = worker.TrainingWorker(project.network, x, y, val, replace(project.training, max_epochs=epochs),
                                  gui_awake=lambda: False)
        w.run()
    return time.perf_counter() - t0


def instructions(kind: str, epochs: int, stretch: float) -> int:
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, __file__, "--child", kind, str(epochs), str(stretch)],
                         capture_output=True, text=True, env=ENV, check=True).stderr
    return int(re.search(r"I\s+refs:\s+([\d,]+)", out).group(1).replace(",", ""))


def child_seconds(kind: str, epochs: int, under_valgrind: bool) -> float:
    cmd = [sys.executable, __file__, "--child", kind, str(epochs), "1"]
    if under_valgrind:
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=True).stdout
    return float(out.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, nargs=2, default=(1000, 5000))
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, epochs, stretch = args.child
        print(run(kind, int(epochs), float(stretch)))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    short, long = args.epochs
    stretch = child_seconds("headless", long, True) / child_seconds("headless", long, False)
    print(f"valgrind's slowdown here: {stretch:.1f}x (the worker's clocks are stretched by it)")
    per_epoch = {}
    for kind in ("headless", "worker"):
        n = instructions(kind, long, stretch) - instructions(kind, short, stretch)
        per_epoch[kind] = n / (long - short)
        print(f"{kind:9} {per_epoch[kind]:>10,.0f} instructions per XOR epoch", flush=True)
    extra = per_epoch["worker"] / per_epoch["headless"] - 1
    print(f"the worker adds {extra:.1%} to an epoch's instructions")


if __name__ == "__main__":
    main()
