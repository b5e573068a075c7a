"""Activation functions: an explicit registry of name -> Activation (value and derivative).

Derivatives are written in terms of the net input *and* the output, whichever is cheaper:
logistic' = out (1 - out), tanh' = 1 - out^2. ReLU's derivative at exactly 0 is defined as 0
(the subgradient most libraries use, PyTorch included); leaky ReLU uses slope 0.01 below 0 and
also takes the left slope (0.01) at exactly 0. Softmax is a whole-layer function and is only
allowed on the output layer; its backward pass is handled in the engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    name: str
    label: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]  # (net, out) -> d out / d net, elementwise
    whole_layer: bool = False  # softmax: output of one neuron depends on the whole layer
    # Plain-float versions for the online fast path (core/online.py); None = not available.
    scalar_f: Callable[[float], float] | None = None
    scalar_df: Callable[[float, float], float] | None = None


def _sigmoid(net: Array) -> Array:
    # 1 / (1 + e^-net) written as ½(1 + tanh(net/2)): the same function, never overflows, and
    # three vectorised calls instead of a sign split (online training is call-overhead bound).
    out = np.tanh(net * 0.5)
    out += 1.0
    out *= 0.5
    return out


def _softmax(net: Array) -> Array:
    z = net - net.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_df(net: Array, out: Array) -> Array:
    # Only the diagonal of the Jacobian; the engine uses the full form (see engine._output_delta).
    return out * (1.0 - out)


def _sigmoid_scalar(net: float) -> float:
    return 1.0 / (1.0 + math.exp(-net)) if net > -700.0 else 0.0


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Logistic sigmoid", _sigmoid, lambda net, out: out * (1.0 - out),
                   scalar_f=_sigmoid_scalar, scalar_df=lambda net, out: out * (1.0 - out)),
        Activation("tanh", "tanh", np.tanh, lambda net, out: 1.0 - out * out,
                   scalar_f=math.tanh, scalar_df=lambda net, out: 1.0 - out * out),
        Activation("relu", "ReLU", lambda net: np.maximum(net, 0.0),
                   lambda net, out: (net > 0).astype(np.float64),
                   scalar_f=lambda net: net if net > 0.0 else 0.0,
                   scalar_df=lambda net, out: 1.0 if net > 0.0 else 0.0),
        Activation("leaky_relu", "Leaky ReLU (0.01)",
                   lambda net: np.where(net > 0, net, LEAKY_SLOPE * net),
                   lambda net, out: np.where(net > 0, 1.0, LEAKY_SLOPE),
                   scalar_f=lambda net: net if net > 0.0 else LEAKY_SLOPE * net,
                   scalar_df=lambda net, out: 1.0 if net > 0.0 else LEAKY_SLOPE),
        Activation("linear", "Linear (identity)", lambda net: net.copy(),
                   lambda net, out: np.ones_like(net),
                   scalar_f=lambda net: net, scalar_df=lambda net, out: 1.0),
        Activation("softmax", "Softmax", _softmax, _softmax_df, whole_layer=True),
    )
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (known: {known})") from None
