"""Engine speed against PyTorch CPU, measured in one run (a benchmark, never a test).

    python -m bench.engine [--quick]

Prints each workload's rate for core and for torch and the ratio core/torch. For the 784-wide
network it also times a loop that does only the matrix products of one training step, the
ceiling for any numpy engine. Rates are best-of-3 short runs so a noisy neighbour hurts less.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from core.network import Network
from core.optimizers import OptimizerSettings
from core.training import TrainConfig, train


def _best(fn, repeats: int = 3) -> float:
    return min(fn() for _ in range(repeats))


def core_seconds(sizes, acts, loss, x, y, batch, epochs, lr=0.1, shuffle=True) -> float:
    net = Network.dense(sizes, acts, loss=loss, init="xavier", seed=0)
    cfg = TrainConfig(OptimizerSettings("sgd", lr), batch_size=batch, shuffle=shuffle, max_epochs=epochs)
    t = time.perf_counter()
    for _ in train(net, x, y, cfg):
        pass
    return time.perf_counter() - t


def torch_seconds(sizes, acts, loss, x, y, batch, epochs, lr=0.1) -> float:
    import torch
    from torch import nn
    mods: list[nn.Module] = []
    table = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    for k in range(len(sizes) - 1):
        mods.append(nn.Linear(sizes[k], sizes[k + 1]).double())
        if acts[k] != "softmax":
            mods.append(table[acts[k]]())
    model = nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lossf = nn.CrossEntropyLoss() if loss == "cross_entropy" else nn.MSELoss()
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y.argmax(axis=1)) if loss == "cross_entropy" else torch.from_numpy(y)
    n = len(x)
    bs = n if batch == 0 else batch
    gen = torch.Generator().manual_seed(0)
    t = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, bs):
            idx = perm[s:s + bs]
            opt.zero_grad(set_to_none=True)
            out = lossf(model(xt[idx]), yt[idx])
            out.backward()
            opt.step()
    return time.perf_counter() - t


def matmul_only_seconds(sizes, x, batch, epochs) -> float:
    """Only the matrix products of forward + backward + gradient for each batch."""
    rng = np.random.default_rng(0)
    W = [rng.normal(0, 0.05, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    n = len(x)
    t = time.perf_counter()
    for _ in range(epochs):
        for s in range(0, n, batch):
            xb = x[s:s + batch]
            h = xb @ W[0]
            o = h @ W[1]
            d_h = o @ W[1].T
            _ = h.T @ o
            _ = xb.T @ d_h
    return time.perf_counter() - t


def spirals(n=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0, 1, n // 2)) * 3 * np.pi
    a = np.c_[t * np.cos(t), t * np.sin(t)] / 10
    x = np.r_[a, -a] + rng.normal(0, 0.05, (n, 2))
    y = np.r_[np.zeros(n // 2), np.ones(n // 2)][:, None]
    return x, y


def digits_like(n=1797, seed=0):
    """Same shape as the 8×8 digits set; the values do not change the cost of a step."""
    try:
        from core.resources import resource_path
        raw = np.loadtxt(resource_path("datasets", "digits.csv"), delimiter=",", skiprows=1)
        x, labels = raw[:, :64] / 16.0, raw[:, 64].astype(int)
    except Exception:  # the bundled CSV is optional for a speed measurement
        rng = np.random.default_rng(seed)
        x, labels = rng.uniform(0, 1, (n, 64)), rng.integers(0, 10, n)
    return x, np.eye(10)[labels]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run)")
    q = ap.parse_args().quick
    import torch
    torch.manual_seed(0)
    xor_x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    xor_y = np.array([[0], [1], [1], [0]], float)
    sx, sy = spirals()
    dx, dy = digits_like()
    rng = np.random.default_rng(0)
    mx = rng.uniform(0, 1, (10000, 784))
    my = np.eye(10)[rng.integers(0, 10, 10000)]
    f = 0.2 if q else 1.0
    rows = [
        # name, unit, sizes, acts, loss, x, y, batch, epochs, samples per unit
        ("XOR 2-2-1 online SGD", "epochs/s", [2, 2, 1], ["sigmoid"] * 2, "mse", xor_x, xor_y, 1, int(3000 * f), 1),
        ("two spirals 2-16-16-1 tanh, batch 32", "epochs/s", [2, 16, 16, 1], ["tanh", "tanh", "sigmoid"],
         "mse", sx, sy, 32, int(200 * f), 1),
        ("digits 64-64-10 softmax CE, batch 32", "epochs/s", [64, 64, 10], ["sigmoid", "softmax"],
         "cross_entropy", dx, dy, 32, int(20 * f), 1),
        ("digits 64-64-10 softmax CE, online", "samples/s", [64, 64, 10], ["sigmoid", "softmax"],
         "cross_entropy", dx, dy, 1, 1, len(dx)),
        ("784-128-10 ReLU softmax, batch 64", "samples/s", [784, 128, 10], ["relu", "softmax"],
         "cross_entropy", mx, my, 64, 1, len(mx)),
    ]
    print(f"numpy {np.__version__}, torch {torch.__version__} (threads {torch.get_num_threads()})")
    print(f"{'workload':42s} {'core':>12s} {'torch':>12s} {'ratio':>7s}  unit")
    for name, unit, sizes, acts, loss, x, y, batch, epochs, per in rows:
        c = _best(lambda: core_seconds(sizes, acts, loss, x, y, batch, epochs))
        t = _best(lambda: torch_seconds(sizes, acts, loss, x, y, batch, epochs))
        rc, rt = epochs * per / c, epochs * per / t
        print(f"{name:42s} {rc:12,.0f} {rt:12,.0f} {rc / rt:6.2f}x  {unit}", flush=True)
    # Interleaved, best of 5 each: this machine's speed drifts by 2x over seconds.
    mm = c = c_ns = float("inf")
    for _ in range(5):
        mm = min(mm, matmul_only_seconds([784, 128, 10], mx, 64, 1))
        c = min(c, core_seconds([784, 128, 10], ["relu", "softmax"], "cross_entropy", mx, my, 64, 1))
        c_ns = min(c_ns, core_seconds([784, 128, 10], ["relu", "softmax"], "cross_entropy", mx, my, 64, 1,
                                      shuffle=False))
    print(f"784-128-10: core reaches {mm / c:.0%} of a loop doing only its matrix products "
          f"({mm / c_ns:.0%} without shuffling; matmul-only {len(mx) / mm:,.0f} samples/s)")


if __name__ == "__main__":
    main()
