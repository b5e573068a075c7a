"""Optimisers that update parameter arrays in place from their gradients.

    gradient descent:  w ← w − η g
    momentum:          v ← μ v − η g ;  w ← w + v
    Adam:              m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g² ;
                       w ← w − η m̂ / (√v̂ + ε)   (m̂, v̂ bias-corrected)
Weight decay adds λ₂ w (L2) and λ₁ sign(w) (L1) to the gradient of weights, never of biases.
Masked (absent) connections have zero gradient and zero weight, so they stay absent.
With ``fixed_biases`` the biases' gradient is zeroed before every step, so no optimiser moves them.
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
    """Holds the per-parameter state (velocities, moments) for one training run. Works on the
    engine's flat parameter vector, in whatever order the engine lays it out: ``weight_mask``
    (same length) is 1 for every weight that exists and 0 for absent weights and for biases, and
    ``bias_index`` lists where the biases are."""

    def __init__(self, settings: OptimizerSettings, theta: Array, weight_mask: Array,
                 bias_index: NDArray[np.intp], fixed_biases: bool = False) -> None:
        self.s = settings
        self.fixed_biases = fixed_biases
        self.theta = theta
        self.weight_mask = weight_mask
        self.bias_index = bias_index
        self.t = 0
        # Plain gradient descent lets the engine fold η into the gradient (one pass fewer).
        self.folds_lr = settings.name == "sgd" and not (settings.l1 or settings.l2)
        self.state1 = np.zeros_like(theta) if settings.name != "sgd" else None
        self.state2 = np.zeros_like(theta) if settings.name == "adam" else None

    def _decay(self, grad: Array) -> None:
        s, w = self.s, self.theta
        if s.l2:
            grad += s.l2 * w * self.weight_mask
        if s.l1:
            grad += s.l1 * np.sign(w) * self.weight_mask

    def step(self, grad: Array) -> None:
        """Update ``theta`` in place from ``grad`` (same layout; ``grad`` is overwritten)."""
        s, p = self.s, self.theta
        if self.fixed_biases:
            grad[self.bias_index] = 0.0
        if self.folds_lr:
            p -= grad
            return
        if s.l1 or s.l2:
            self._decay(grad)
        lr = s.learning_rate
        if s.name == "sgd":
            grad *= lr
            p -= grad
        elif s.name == "momentum":
            v = self.state1
            v *= s.momentum
            grad *= lr
            v -= grad
            p += v
        else:
            self.t += 1
            c1 = 1.0 - s.beta1 ** self.t
            c2 = 1.0 - s.beta2 ** self.t
            m, v = self.state1, self.state2
            m *= s.beta1
            m += (1.0 - s.beta1) * grad
            v *= s.beta2
            v += (1.0 - s.beta2) * (grad * grad)
            p -= (lr * np.sqrt(c2) / c1) * m / (np.sqrt(v) + s.epsilon * np.sqrt(c2))
