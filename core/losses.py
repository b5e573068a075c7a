"""Loss functions: an explicit registry of name -> Loss.

Every loss is a per-sample error E(o, t); a batch's loss is the mean of its samples' E, so the
learning rate means the same thing online and in batches.

- ``half_sse``  E = Σ_k ½ (t_k − o_k)²        (the textbooks' E_total; dE/do = o − t)
- ``mse``       E = (1/K) Σ_k (t_k − o_k)²    (dE/do = 2 (o − t) / K)
- ``cross_entropy``         E = −Σ_k t_k ln o_k
- ``binary_cross_entropy``  E = −Σ_k [t_k ln o_k + (1 − t_k) ln(1 − o_k)]

The two cross-entropies are defined on probabilities only: every output neuron must be sigmoid
or softmax (``output_problem`` says why not, naming the layer). They are computed from the
log-probabilities the activation gives from the net input (log-sum-exp, log-sigmoid), never by
clamping an output, and their gradient is taken with respect to ln o:
    G_k = ∂E/∂ln o_k      cross-entropy: G = −t      binary: G = −t + (1 − t) o/(1 − o)
(ln(1 − o) is a function of ln o). The engine turns G into δ = ∂E/∂net per activation group.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from .activations import get_activation

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Loss:
    name: str
    label: str
    value: Callable[[Array, Array], Array]  # (out, target) -> E per sample, shape (n,)
    # (out, target) -> dE/d out, shape (n, K); the engine takes the cross-entropies' δ from their
    # log forms instead (exact where o is 0 or 1), so for them this is for display (trace) only.
    grad: Callable[[Array, Array], Array]
    fused_with: str | None = None  # activation for which δ = o − t (softmax: when rows sum to 1)
    # dE/do for one output as plain floats (o, t, number of outputs), for core/online.py.
    scalar_grad: Callable[[float, float, int], float] | None = None
    # (ln o, ln(1 − o), t) -> E per sample, and -> G = ∂E/∂ln o; set for the cross-entropies.
    log_value: Callable[[Array, Array, Array], Array] | None = None
    log_grad: Callable[[Array, Array, Array], Array] | None = None
    # whether those use ln(1 − o) (binary cross-entropy); cross-entropy does not, and skipping it
    # saves more than half the per-epoch loss of a softmax layer (4.2 of 7.3 ms for 10,000×10)
    uses_complement: bool = False

    @property
    def needs_probabilities(self) -> bool:
        return self.log_value is not None


def _times(coef: Array, log: Array) -> Array:
    """coef · log with 0 · (±∞) = 0 (a target of 0 costs nothing, even where o is exactly 0)."""
    with np.errstate(invalid="ignore"):
        return np.where(coef != 0.0, coef * log, 0.0)


def _ce_log(lp: Array, lq: Array, t: Array) -> Array:
    return -_times(t, lp).sum(axis=-1)


def _bce_log(lp: Array, lq: Array, t: Array) -> Array:
    return -(_times(t, lp) + _times(1.0 - t, lq)).sum(axis=-1)


def _bce_log_grad(lp: Array, lq: Array, t: Array) -> Array:
    with np.errstate(over="ignore", invalid="ignore"):  # o = 1 exactly: o/(1 − o) = ∞
        return _times(1.0 - t, np.exp(lp - lq)) - t


def _ce_grad(o: Array, t: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t != 0.0, -t / o, 0.0)


def _bce_grad(o: Array, t: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (o - t) / (o * (1.0 - o))


def _log(o: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.log(o)


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("half_sse", "E = Σ ½ (t − o)²", lambda o, t: 0.5 * ((t - o) ** 2).sum(axis=-1),
             lambda o, t: o - t, scalar_grad=lambda o, t, k: o - t),
        Loss("mse", "Mean squared error", lambda o, t: ((t - o) ** 2).mean(axis=-1),
             lambda o, t: 2.0 * (o - t) / o.shape[-1], scalar_grad=lambda o, t, k: 2.0 * (o - t) / k),
        Loss("cross_entropy", "Cross-entropy (softmax)", lambda o, t: _ce_log(_log(o), None, t), _ce_grad,
             fused_with="softmax", log_value=_ce_log, log_grad=lambda lp, lq, t: -t),
        Loss("binary_cross_entropy", "Binary cross-entropy (sigmoid)",
             lambda o, t: _bce_log(_log(o), _log(1.0 - o), t), _bce_grad, fused_with="sigmoid",
             log_value=_bce_log, log_grad=_bce_log_grad, uses_complement=True),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r} (known: {', '.join(LOSSES)})") from None


def output_problem(loss: str, activations: Sequence[str], names: Sequence[str], layer: int) -> str | None:
    """Why ``loss`` cannot be used on an output layer whose neurons have these activations, or
    None. The cross-entropies take the logarithm of each output: only probabilities qualify."""
    lo = get_loss(loss)
    if not lo.needs_probabilities:
        return None
    bad = [(nm, a) for nm, a in zip(names, activations) if not get_activation(a).probability]
    if not bad:
        return None
    nm, act = bad[0]
    who = f"the output layer (layer {layer})" if len(bad) == len(names) else f"output neuron {nm} (layer {layer})"
    return (f"{lo.label.split(' (')[0].lower()} needs probabilities, but {who} uses {act}; "
            f"use softmax (one class per sample) or sigmoid (independent yes/no outputs), "
            f"or a squared-error loss")
