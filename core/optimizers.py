"""Optimisers that update parameter arrays in place from their gradients.

    gradient descent:  w ← w − η g
    momentum:          v ← μ v − η g ;  w ← w + v
    Adam:              m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g² ;
                       w ← w − η m̂ / (√v̂ + ε)   (m̂, v̂ bias-corrected)
Weight decay adds λ₂ w (L2) and λ₁ sign(w) (L1) to the gradient of weights, never of biases.
Masked (absent) connections have zero gradient and zero weight, so they stay absent.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

OPTIMIZERS = {"sgd": "Gradient descent", "momentum": "Momentum", "adam": "Adam"}


@dataclass(frozen=True)
class OptimizerSettings:
    name: str = "sgd"
    learning_rate: float = 0.5
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {self.name!r} (known: {', '.join(OPTIMIZERS)})")
        if not (self.learning_rate > 0 and np.isfinite(self.learning_rate)):
            raise ValueError("the learning rate must be a positive number")


class Optimizer:
    """Holds the per-parameter state (velocities, moments) for one training run."""

    def __init__(self, settings: OptimizerSettings, params: list[Array], n_weights: int,
                 masks: list[Array | None]) -> None:
        self.s = settings
        self.params = params
        self.n_weights = n_weights  # the first n_weights params are weight blocks
        self.masks = masks
        self.t = 0
        # Plain gradient descent lets the engine fold η into the gradient (one pass fewer).
        self.folds_lr = settings.name == "sgd" and not (settings.l1 or settings.l2)
        self.state1 = [np.zeros_like(p) for p in params] if settings.name != "sgd" else []
        self.state2 = [np.zeros_like(p) for p in params] if settings.name == "adam" else []

    def _decay(self, grads: list[Array]) -> None:
        s = self.s
        for k in range(self.n_weights):
            w = self.params[k]
            if s.l2:
                grads[k] += s.l2 * w
            if s.l1:
                grads[k] += s.l1 * np.sign(w)
            m = self.masks[k]
            if m is not None:
                grads[k] *= m

    def step(self, grads: list[Array]) -> None:
        s = self.s
        if s.l1 or s.l2:
            self._decay(grads)
        lr = s.learning_rate
        if self.folds_lr:
            for p, g in zip(self.params, grads):
                p -= g
        elif s.name == "sgd":
            for p, g in zip(self.params, grads):
                g *= lr
                p -= g
        elif s.name == "momentum":
            for p, g, v in zip(self.params, grads, self.state1):
                v *= s.momentum
                g *= lr
                v -= g
                p += v
        else:
            self.t += 1
            c1 = 1.0 - s.beta1 ** self.t
            c2 = 1.0 - s.beta2 ** self.t
            step = lr * np.sqrt(c2) / c1
            for p, g, m, v in zip(self.params, grads, self.state1, self.state2):
                m *= s.beta1
                m += (1.0 - s.beta1) * g
                v *= s.beta2
                v += (1.0 - s.beta2) * (g * g)
                p -= step * m / (np.sqrt(v) + s.epsilon * np.sqrt(c2))
