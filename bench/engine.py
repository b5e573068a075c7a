"""Engine speed against PyTorch CPU (a benchmark, never a test).

    python -m bench.engine [--quick] [--rounds R] [--only NAME] [--no-busy]
    python -m bench.engine --baseline DIR [--only NAME]    # core of DIR (another checkout) vs this

Core and torch run in **separate processes**, driven in turn (never at the same time), so
torch's OpenMP threads, which keep spinning for a while after each op, cannot take the cores
numpy's BLAS needs, and neither side inherits the other's thread settings. Torch runs each
workload at 1 and at 2 threads and counts at its better one. Every figure is a best of
``--runs`` timed runs after a warm-up; several rounds alternate the processes, and each round's
ratio is printed as well as the ratio of the best rates, because this machine is shared and its
speed drifts by 2x within seconds.

The 784-wide workload also runs against a loop doing only the five matrix products of each
training step (the ceiling for any numpy engine, same BLAS threads as core), and with a busy
neighbour: a third process keeping one core busy, to see whether each side holds its quiet rate.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Workload:
    name: str
    unit: str  # epochs/s or samples/s
    sizes: tuple[int, ...]
    acts: tuple[str, ...]
    loss: str
    data: str
    batch: int
    epochs: int


WORKLOADS = [
    Workload("XOR 2-2-1 online", "epochs/s", (2, 2, 1), ("sigmoid", "sigmoid"), "mse", "xor", 1, 3000),
    Workload("two spirals 2-16-16-1 tanh, batch 32", "epochs/s", (2, 16, 16, 1), ("tanh", "tanh", "sigmoid"),
             "mse", "spirals", 32, 200),
    Workload("digits 64-64-10 softmax CE, batch 32", "epochs/s", (64, 64, 10), ("sigmoid", "softmax"),
             "cross_entropy", "digits", 32, 20),
    Workload("digits 64-64-10 softmax CE, online", "samples/s", (64, 64, 10), ("sigmoid", "softmax"),
             "cross_entropy", "digits", 1, 1),
    Workload("784-128-10 ReLU softmax, batch 64", "samples/s", (784, 128, 10), ("relu", "softmax"),
             "cross_entropy", "mnist_like", 64, 1),
]
BY_NAME = {w.name: w for w in WORKLOADS}
BIG = WORKLOADS[-1].name


# ------------------------------------------------------------------ data (same in every process)
def dataset(kind: str) -> tuple[np.ndarray, np.ndarray]:
    if kind == "xor":
        return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([[0], [1], [1], [0]], float)
    if kind == "spirals":
        rng = np.random.default_rng(0)
        n = 400
        t = np.sqrt(rng.uniform(0, 1, n // 2)) * 3 * np.pi
        a = np.c_[t * np.cos(t), t * np.sin(t)] / 10
        return np.r_[a, -a] + rng.normal(0, 0.05, (n, 2)), np.r_[np.zeros(n // 2), np.ones(n // 2)][:, None]
    if kind == "digits":
        from core.resources import resource_path
        raw = np.loadtxt(resource_path("datasets", "digits.csv"), delimiter=",", skiprows=1)
        return raw[:, :64] / 16.0, np.eye(10)[raw[:, 64].astype(int)]
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (10000, 784)), np.eye(10)[rng.integers(0, 10, 10000)]


def samples_per_unit(w: Workload, n: int) -> int:
    return n * w.epochs if w.unit == "samples/s" else w.epochs


# ------------------------------------------------------------------ the timed bodies
def core_seconds(w: Workload, x, y, epochs: int) -> float:
    from core.network import Network
    from core.optimizers import OptimizerSettings
    from core.training import TrainConfig, train
    net = Network.dense(list(w.sizes), list(w.acts), loss=w.loss, init="xavier", seed=0)
    cfg = TrainConfig(OptimizerSettings("sgd", 0.1), batch_size=w.batch, shuffle=True, max_epochs=epochs)
    t = time.perf_counter()
    for _ in train(net, x, y, cfg):
        pass
    return time.perf_counter() - t


def torch_seconds(w: Workload, x, y, epochs: int) -> float:
    import torch
    from torch import nn
    table = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    mods: list = []
    for k in range(len(w.sizes) - 1):
        mods.append(nn.Linear(w.sizes[k], w.sizes[k + 1]).double())
        if w.acts[k] != "softmax":
            mods.append(table[w.acts[k]]())
    model = nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    lossf = nn.CrossEntropyLoss() if w.loss == "cross_entropy" else nn.MSELoss()
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y.argmax(axis=1)) if w.loss == "cross_entropy" else torch.from_numpy(y)
    n = len(x)
    gen = torch.Generator().manual_seed(0)
    t = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for xb, yb in zip(xt[perm].split(w.batch), yt[perm].split(w.batch)):
            opt.zero_grad(set_to_none=True)
            lossf(model(xb), yb).backward()
            opt.step()
    return time.perf_counter() - t


def matmul_seconds(w: Workload, x, y, epochs: int) -> float:
    """Only the five matrix products of forward, backward and gradients of each batch, at the
    BLAS thread count core's training would choose."""
    from core.threads import blas_limit, blas_threads, step_flops
    rng = np.random.default_rng(0)
    W = [rng.normal(0, 0.05, (a, b)) for a, b in zip(w.sizes[:-1], w.sizes[1:])]
    n = len(x)
    with blas_limit(blas_threads(step_flops([m.shape for m in W], w.batch))):
        t = time.perf_counter()
        for _ in range(epochs):
            for s in range(0, n, w.batch):
                xb = x[s:s + w.batch]
                h = xb @ W[0]
                o = h @ W[1]
                d_h = o @ W[1].T
                _ = h.T @ o
                _ = xb.T @ d_h
        return time.perf_counter() - t


BODIES = {"core": core_seconds, "torch": torch_seconds, "matmul": matmul_seconds}


# ------------------------------------------------------------------ worker process
def serve(kind: str) -> None:
    """Read one JSON request per line, answer with the best seconds of its timed runs."""
    if kind == "torch":
        import torch
        torch.manual_seed(0)
    cache: dict[str, tuple] = {}
    for line in sys.stdin:
        req = json.loads(line)
        w = BY_NAME[req["workload"]]
        if w.data not in cache:
            cache[w.data] = dataset(w.data)
        x, y = cache[w.data]
        if kind == "torch":
            torch.set_num_threads(req["threads"])
        epochs = max(1, int(w.epochs * req["scale"]))
        BODIES[kind](w, x, y, max(1, epochs // 5))  # warm-up
        best = min(BODIES[kind](w, x, y, epochs) for _ in range(req["runs"]))
        print(json.dumps({"seconds": best, "epochs": epochs, "n": len(x)}), flush=True)


class Worker:
    def __init__(self, kind: str, root: str = ROOT) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = root  # the checkout at ``root`` is imported, not the installed one
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.engine", "--serve", kind], cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def rate(self, w: Workload, threads: int = 1, scale: float = 1.0, runs: int = 2) -> float:
        self.proc.stdin.write(json.dumps({"workload": w.name, "threads": threads, "scale": scale,
                                          "runs": runs}) + "\n")
        self.proc.stdin.flush()
        r = json.loads(self.proc.stdout.readline())
        time.sleep(0.3)  # let the other side's spinning threads (OpenMP) go to sleep first
        units = r["n"] * r["epochs"] if w.unit == "samples/s" else r["epochs"]
        return units / r["seconds"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


class BusyNeighbour:
    """Another program keeping one core busy (a pure-Python spin loop in its own process)."""

    def __enter__(self) -> "BusyNeighbour":
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()


# ------------------------------------------------------------------ the run
def compare(baseline: str, chosen: list[Workload], scale: float, rounds: int, runs: int) -> None:
    """Before/after of an engine change in one run: two core processes, alternating."""
    old, new = Worker("core", os.path.abspath(baseline)), Worker("core")
    print(f"core of {baseline} (before) against {ROOT} (after); {rounds} rounds, best of {runs}; "
          f"load average {os.getloadavg()[0]:.1f}")
    try:
        for w in chosen:
            ratios, b_old, b_new = [], 0.0, 0.0
            for r in range(rounds):
                pair = [(old, "o"), (new, "n")] if r % 2 == 0 else [(new, "n"), (old, "o")]
                got = {tag: wk.rate(w, scale=scale, runs=runs) for wk, tag in pair}
                ratios.append(got["n"] / got["o"])
                b_old, b_new = max(b_old, got["o"]), max(b_new, got["n"])
            print(f"{w.name:40s} before {b_old:10,.0f}  after {b_new:10,.0f}  {b_new / b_old:5.2f}x  "
                  f"[{' '.join(f'{x:.2f}' for x in ratios)}]  {w.unit}", flush=True)
    finally:
        old.close()
        new.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="fewer epochs and rounds (a smoke run)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=2, help="timed runs per measurement (best counts)")
    ap.add_argument("--scale", type=float, default=1.0, help="epochs per measurement, times this")
    ap.add_argument("--only", action="append", help="workloads whose name contains this")
    ap.add_argument("--no-busy", action="store_true", help="skip the busy-neighbour case")
    ap.add_argument("--baseline", help="another checkout: compare its core with this one's, alternating")
    a = ap.parse_args()
    if a.serve:
        serve(a.serve)
        return
    scale, rounds = (0.2, 1) if a.quick else (a.scale, a.rounds)
    chosen = [w for w in WORKLOADS if not a.only or any(s in w.name for s in a.only)]
    if a.baseline:
        compare(a.baseline, chosen, scale, rounds, a.runs)
        return
    core, torch_w = Worker("core"), Worker("torch")
    import numpy
    print(f"numpy {numpy.__version__}; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f}; {rounds} rounds, best of {a.runs} runs each; separate processes")
    best: dict[str, dict[str, float]] = {w.name: {} for w in chosen}
    torch_threads: dict[str, int] = {}
    print(f"{'workload':40s} {'core':>10s} {'torch':>10s} {'thr':>3s} {'ratio':>6s}  per round   unit")
    try:
        for w in chosen:  # each workload's rounds in a row, so its line prints as soon as it is done
            per_round = []
            for r in range(rounds):
                order = ["core", "torch"] if r % 2 == 0 else ["torch", "core"]
                got: dict[str, float] = {}
                for side in order:
                    if side == "core":
                        got["core"] = core.rate(w, scale=scale, runs=a.runs)
                    else:
                        got["torch1"] = torch_w.rate(w, 1, scale, a.runs)
                        got["torch2"] = torch_w.rate(w, 2, scale, a.runs)
                for k, v in got.items():
                    best[w.name][k] = max(best[w.name].get(k, 0.0), v)
                per_round.append(got["core"] / max(got["torch1"], got["torch2"]))
            b = best[w.name]
            th = 1 if b["torch1"] >= b["torch2"] else 2
            torch_threads[w.name] = th
            tb = b[f"torch{th}"]
            rounds_txt = " ".join(f"{x:.2f}" for x in per_round)
            print(f"{w.name:40s} {b['core']:10,.0f} {tb:10,.0f} {th:3d} {b['core'] / tb:5.2f}x  [{rounds_txt}]  {w.unit}",
                  flush=True)
        if BIG in best:
            big = BY_NAME[BIG]
            mm_worker = Worker("matmul")
            try:
                fractions, mm_rates = [], []
                for _ in range(rounds):
                    mm_rates.append(mm_worker.rate(big, scale=scale, runs=a.runs))
                    fractions.append(core.rate(big, scale=scale, runs=a.runs) / mm_rates[-1])
            finally:
                mm_worker.close()
            print(f"784-128-10: core reaches {max(fractions):.0%} of a loop doing only its matrix products "
                  f"(per round: {' '.join(f'{f:.0%}' for f in fractions)}; matmul-only {max(mm_rates):,.0f} samples/s)")
            if not a.no_busy:
                th = torch_threads[BIG]
                quiet_c, quiet_t, busy_c, busy_t = [], [], [], []
                for _ in range(rounds):
                    quiet_c.append(core.rate(big, scale=scale, runs=a.runs))
                    quiet_t.append(torch_w.rate(big, th, scale, a.runs))
                    with BusyNeighbour():
                        busy_c.append(core.rate(big, scale=scale, runs=a.runs))
                        busy_t.append(torch_w.rate(big, th, scale, a.runs))
                print(f"784-128-10 with one core busy elsewhere: core {max(busy_c):,.0f} samples/s = "
                      f"{max(busy_c) / max(quiet_c):.2f} of its quiet rate; torch ({th} thr) {max(busy_t):,.0f} = "
                      f"{max(busy_t) / max(quiet_t):.2f} of its; core/torch busy {max(busy_c) / max(busy_t):.2f}x "
                      f"(per round core busy/quiet: "
                      f"{' '.join(f'{b / q:.2f}' for b, q in zip(busy_c, quiet_c))})")
    finally:
        core.close()
        torch_w.close()


if __name__ == "__main__":
    main()
