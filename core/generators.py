"""Seeded toy datasets: 2-D classification problems (xor, circles, two spirals, gaussians) and
1-D sine regression, each ``fn(n_samples, noise, seed) -> Dataset``.

Points lie in [-1, 1]² before noise (TensorFlow Playground's shapes, scaled). ``noise`` is the
standard deviation of Gaussian jitter added to every input coordinate (for sine: to the target).
Two-class targets are one 0/1 column, for a network with one sigmoid output.
Same arguments, same numbers: each call owns a numpy Generator seeded with ``seed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .datasets import Array, Dataset


@dataclass(frozen=True)
class Generator:
    name: str
    label: str
    description: str
    fn: Callable[[int, float, int], tuple[Array, Array]]
    n_samples: int = 200  # sensible defaults for a dialog
    noise: float = 0.05
    task: str = "classification"

    def __call__(self, n_samples: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
        n = self.n_samples if n_samples is None else int(n_samples)
        noise = self.noise if noise is None else float(noise)
        if n < 1:
            raise ValueError("a dataset needs at least one sample")
        if not (noise >= 0 and np.isfinite(noise)):
            raise ValueError("noise is a standard deviation: 0 or more")
        if seed < 0:
            raise ValueError("the seed is a whole number, 0 or more")
        x, y = self.fn(n, noise, seed)
        source = {"kind": "generated", "generator": self.name, "n_samples": n, "noise": noise, "seed": seed}
        if self.task == "classification":
            return Dataset(x, y, ["x", "y"], ["class"], "classification", ["0", "1"], source=source)
        return Dataset(x, y, ["x"], ["y"], "regression", source=source)


def _xor(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    # Keep points a little away from the axes so the four quadrants are separable before noise.
    p = rng.uniform(0.1, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
    y = (p[:, 0] * p[:, 1] < 0).astype(np.float64)[:, None]
    return p + rng.normal(0.0, noise, p.shape), y


def _circles(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.float64)
    # class 1: inside radius 0.5; class 0: a ring from 0.7 to 1.0 (the playground's gap)
    r = np.where(y == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    t = rng.uniform(0.0, 2 * np.pi, n)
    p = np.column_stack([r * np.cos(t), r * np.sin(t)])
    return p + rng.normal(0.0, noise, p.shape), y[:, None]


def _two_spirals(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.float64)
    s = rng.uniform(0.0, 1.0, n)
    # 1.75 turns each, the second spiral rotated by π (Lang & Witbrock's problem, playground shape)
    t = 1.75 * 2 * np.pi * s + np.pi * y
    p = np.column_stack([s * np.sin(t), s * np.cos(t)])
    return p + rng.normal(0.0, noise, p.shape), y[:, None]


def _gaussians(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.float64)
    centre = np.where(y[:, None] == 1, 0.5, -0.5) * np.ones((1, 2))
    p = centre + rng.normal(0.0, 0.25, (n, 2))
    return p + rng.normal(0.0, noise, p.shape), y[:, None]


def _sine(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, n))[:, None]
    return x, np.sin(x) + rng.normal(0.0, noise, x.shape)


GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("xor", "XOR", "points in four quadrants; class 1 where x and y have different signs",
                  _xor),
        Generator("circles", "Circles", "a disc (class 1) inside a ring (class 0)", _circles),
        Generator("two_spirals", "Two spirals", "two interleaved spirals, 1.75 turns each",
                  _two_spirals, n_samples=400, noise=0.02),
        Generator("gaussians", "Two Gaussians", "two Gaussian blobs (σ 0.25) around (−½, −½) and (½, ½)",
                  _gaussians, noise=0.0),
        Generator("sine", "Sine (regression)", "y = sin x + noise for x in [−π, π]", _sine,
                  n_samples=100, task="regression"),
    )
}


def generate(name: str, n_samples: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
    try:
        gen = GENERATORS[name]
    except KeyError:
        raise ValueError(f"unknown generator {name!r} (known: {', '.join(GENERATORS)})") from None
    return gen(n_samples, noise, seed)
