"""The worked example: one sample forward, backward and through one gradient-descent update,
with every number a textbook page shows.

δ here is ∂E/∂net (the sign convention of most derivations, e.g. δ_o1 = (o1 − t1)·o1(1 − o1)).
Han & Kamber's "Err_j" is −δ_j. Each weight w moves by −η ∂E/∂w.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .engine import Engine
from .network import Network


@dataclass(frozen=True)
class NeuronTrace:
    name: str
    layer: int
    index: int
    activation: str
    net: float  # net input (for input neurons: the input value)
    out: float
    delta: float  # ∂E/∂net (input neurons: ∂E/∂x)
    bias: float | None  # None for input neurons
    bias_grad: float | None
    bias_new: float | None


@dataclass(frozen=True)
class WeightTrace:
    source: str
    target: str
    weight: float
    grad: float  # ∂E/∂w = out_source · δ_target
    new: float


@dataclass(frozen=True)
class Trace:
    sample: int
    inputs: tuple[float, ...]
    targets: tuple[float, ...]
    learning_rate: float
    loss: str
    error_before: float
    error_after: float
    neurons: tuple[NeuronTrace, ...]
    weights: tuple[WeightTrace, ...]

    def to_dict(self) -> dict:
        return asdict(self)

    def neuron(self, name: str) -> NeuronTrace:
        return next(n for n in self.neurons if n.name == name)

    def weight(self, source: str, target: str) -> WeightTrace:
        return next(w for w in self.weights if w.source == source and w.target == target)


def trace(net: Network, x, t, learning_rate: float, sample: int = 0) -> Trace:
    """Trace one sample (x, t) through ``net`` and one update with rate ``learning_rate``.
    ``net`` is not changed. A recurrent network gets a RecurrentTrace (core/recurrent_trace.py)."""
    if net.is_recurrent:
        from .recurrent_trace import recurrent_trace
        return recurrent_trace(net, x, t, learning_rate, sample)
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)
    t = np.asarray(t, dtype=np.float64).reshape(1, -1)
    eng = Engine(net)
    p = eng.backward(eng.forward(x), t)
    grads = eng.gradients(p)
    before = float(eng.loss_per_sample(p.outs[-1], t)[0])
    gw = dict(zip(eng.keys, grads))
    gb = [None] + grads[len(eng.keys):]
    new_w = {k: eng.W[k] - learning_rate * g for k, g in gw.items()}
    new_b = [None] + [eng.b[j] - learning_rate * gb[j] for j in range(1, len(eng.sizes))]
    neurons = []
    for li, layer in enumerate(net.layers):
        for k, name in enumerate(layer.names):
            has_bias = li > 0
            neurons.append(NeuronTrace(
                name, li, k, layer.activation_of(k) if has_bias else "input",
                float(p.nets[li][0, k]), float(p.outs[li][0, k]), float(p.deltas[li][0, k]),
                float(eng.b[li][k]) if has_bias else None,
                float(gb[li][k]) if has_bias else None,
                float(new_b[li][k]) if has_bias else None))
    weights = [WeightTrace(net.name_of(ls, i), net.name_of(ld, j), w, float(gw[(ls, ld)][i, j]),
                           float(new_w[(ls, ld)][i, j]))
               for ls, i, ld, j, w in net.connections()]
    for k in eng.keys:
        eng.W[k][...] = new_w[k]
    for j in range(1, len(eng.sizes)):
        eng.b[j][...] = new_b[j]
    after = float(eng.loss_per_sample(eng.forward(x).outs[-1], t)[0])
    return Trace(sample, tuple(x[0].tolist()), tuple(t[0].tolist()), float(learning_rate), net.loss,
                 before, after, tuple(neurons), tuple(weights))
