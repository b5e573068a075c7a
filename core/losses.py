"""Loss functions: an explicit registry of name -> Loss.

Every loss is a per-sample error E(o, t); a batch's loss is the mean of its samples' E, so the
learning rate means the same thing online and in batches.

- ``half_sse``  E = Σ_k ½ (t_k − o_k)²        (the textbooks' E_total; dE/do = o − t)
- ``mse``       E = (1/K) Σ_k (t_k − o_k)²    (dE/do = 2 (o − t) / K)
- ``cross_entropy``         E = −Σ_k t_k ln o_k             (with softmax: δ = o − t)
- ``binary_cross_entropy``  E = −Σ_k [t ln o + (1−t) ln(1−o)] (with sigmoid: δ = o − t)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
_EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    label: str
    value: Callable[[Array, Array], Array]  # (out, target) -> E per sample, shape (n,)
    grad: Callable[[Array, Array], Array]  # (out, target) -> dE/d out, shape (n, K)
    fused_with: str | None = None  # activation for which δ = o − t exactly
    # dE/do for one output as plain floats (o, t, number of outputs), for core/online.py.
    scalar_grad: Callable[[float, float, int], float] | None = None


def _ce(o: Array, t: Array) -> Array:
    return -(t * np.log(np.clip(o, _EPS, None))).sum(axis=-1)


def _bce(o: Array, t: Array) -> Array:
    oc = np.clip(o, _EPS, 1.0 - _EPS)
    return -(t * np.log(oc) + (1.0 - t) * np.log(1.0 - oc)).sum(axis=-1)


def _bce_grad(o: Array, t: Array) -> Array:
    oc = np.clip(o, _EPS, 1.0 - _EPS)
    return (oc - t) / (oc * (1.0 - oc))


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("half_sse", "E = Σ ½ (t − o)²", lambda o, t: 0.5 * ((t - o) ** 2).sum(axis=-1),
             lambda o, t: o - t, scalar_grad=lambda o, t, k: o - t),
        Loss("mse", "Mean squared error", lambda o, t: ((t - o) ** 2).mean(axis=-1),
             lambda o, t: 2.0 * (o - t) / o.shape[-1], scalar_grad=lambda o, t, k: 2.0 * (o - t) / k),
        Loss("cross_entropy", "Cross-entropy (softmax)", _ce,
             lambda o, t: -t / np.clip(o, _EPS, None), fused_with="softmax"),
        Loss("binary_cross_entropy", "Binary cross-entropy (sigmoid)", _bce, _bce_grad,
             fused_with="sigmoid", scalar_grad=lambda o, t, k: float(_bce_grad(np.array(o), np.array(t)))),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r} (known: {', '.join(LOSSES)})") from None
