"""Time from launch to the main window on screen, for the frozen app against running from source:
    python packaging/measure_startup.py [--runs N] -- COMMAND... [-- COMMAND...]
Needs an X display (e.g. Xvfb) and xdotool. Each run gets its own settings, data and
single-instance name, so runs neither share state nor hand files to each other; the window counts
as shown when xdotool finds it mapped (polled every 10 ms). Commands run in interleaved rounds; prints the median and range per command.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def window_visible(pid: int) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid),
                            "--name", "Backprop Studio"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def one_run(command: list[str], timeout: float = 60.0) -> float:
    with tempfile.TemporaryDirectory(prefix="backprop-startup-") as tmp:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_DATA_HOME": f"{tmp}/data",
               "XDG_STATE_HOME": f"{tmp}/state", "XDG_CACHE_HOME": f"{tmp}/cache",
               "BACKPROP_STUDIO_INSTANCE": f"backprop-startup-{os.getpid()}-{time.monotonic_ns()}"}
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not window_visible(proc.pid):
                if proc.poll() is not None or time.perf_counter() - started > timeout:
                    raise RuntimeError(f"{' '.join(command)}: no window (exit {proc.returncode})")
                time.sleep(0.01)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> int:
    args = sys.argv[1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    split = args.index("--") if "--" in args else len(args)
    options = parser.parse_args(args[:split])
    commands, current = [], []
    for a in args[split + 1:] + ["--"]:
        if a == "--":
            if current:
                commands.append(current)
            current = []
        else:
            current.append(a)
    for command in commands:
        one_run(command)  # warm the disk cache, as a second start would be
    # Interleaved rounds, so a busy spell on the machine falls on every command alike.
    rounds = [[one_run(command) for command in commands] for _ in range(options.runs)]
    for k, command in enumerate(commands):
        times = [r[k] for r in rounds]
        print(f"{statistics.median(times):6.2f} s median ({min(times):.2f}–{max(times):.2f}, "
              f"{options.runs} runs): {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
