"""The worked example: one sample forward, backward and through one gradient-descent update,
with every number a textbook page shows.

The update is always plain gradient descent, w ← w − η ∂E/∂w (the textbooks' step), whatever
optimiser the network trains with: ``Trace.update`` says so wherever a trace is shown.

δ here is ∂E/∂net (the sign convention of most derivations, e.g. δ_o1 = (o1 − t1)·o1(1 − o1)).
Han & Kamber's "Err_j" is −δ_j. Each weight w moves by −η ∂E/∂w; with the network's
``fixed_biases`` set, biases keep their value (their gradient is still shown).

Besides δ each neuron carries the two factors of the chain rule: ``dE_dout`` = ∂E/∂out (outputs:
the loss's derivative; hidden: Σ_j w·δ_j over every neuron it feeds) and ``derivative`` = f'(net)
(softmax: the diagonal o(1 − o); its δ uses the whole layer). Outputs also carry ``error_term``,
their share of E (E = Σ error terms).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .engine import Engine
from .network import Network


PLAIN_STEP = "plain gradient descent, w ← w − η ∂E/∂w"


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
    dE_dout: float = 0.0  # ∂E/∂out
    derivative: float = 1.0  # f'(net); input neurons 1
    error_term: float | None = None  # output neurons: this output's share of E
    bias_label: str | None = None  # the bias's own label (b1), if it has one


@dataclass(frozen=True)
class WeightTrace:
    source: str
    target: str
    weight: float
    grad: float  # ∂E/∂w = out_source · δ_target
    new: float
    label: str | None = None  # the connection's own label (w5), if it has one


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
    fixed_biases: bool = False
    update: str = PLAIN_STEP

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
    before = float(eng.pass_loss(p, t)[0])
    gw = dict(zip(eng.keys, grads))
    gb = [None] + grads[len(eng.keys):]
    new_w = {k: eng.W[k] - learning_rate * g for k, g in gw.items()}
    keep = 0.0 if net.fixed_biases else learning_rate
    new_b = [None] + [eng.b[j] - keep * gb[j] for j in range(1, len(eng.sizes))]
    d_out, f_prime = _chain_factors(eng, p, t)
    terms = error_terms(net.loss, p.outs[-1][0], t[0])
    last = len(net.layers) - 1
    neurons = []
    for li, layer in enumerate(net.layers):
        for k, name in enumerate(layer.names):
            has_bias = li > 0
            neurons.append(NeuronTrace(
                name, li, k, layer.activation_of(k) if has_bias else "input",
                float(p.nets[li][0, k]), float(p.outs[li][0, k]), float(p.deltas[li][0, k]),
                float(eng.b[li][k]) if has_bias else None,
                float(gb[li][k]) if has_bias else None,
                float(new_b[li][k]) if has_bias else None,
                float(d_out[li][k]), float(f_prime[li][k]),
                float(terms[k]) if li == last else None,
                net.bias_label(li, k) if has_bias else None))
    weights = _weight_traces(net, gw, new_w)
    for k in eng.keys:
        eng.W[k][...] = new_w[k]
    for j in range(1, len(eng.sizes)):
        eng.b[j][...] = new_b[j]
    after = float(eng.pass_loss(eng.forward(x), t)[0])
    return Trace(sample, tuple(x[0].tolist()), tuple(t[0].tolist()), float(learning_rate), net.loss,
                 before, after, tuple(neurons), tuple(weights), net.fixed_biases)


def _weight_traces(net: Network, gw: dict, new_w: dict) -> list[WeightTrace]:
    """One WeightTrace per connection, in ``net.connections()`` order, block by block: a
    64-32-10 network has 2,368 of them, and element-wise indexing cost 40 ms a trace."""
    labels = net.connection_labels
    out = []
    for (ls, ld), blk in sorted(net.blocks.items()):
        rows, cols = np.nonzero(blk.mask)
        src, dst = net.layers[ls].names, net.layers[ld].names
        for i, j, w, g, n in zip(rows.tolist(), cols.tolist(), blk.weight[rows, cols].tolist(),
                                 gw[(ls, ld)][rows, cols].tolist(), new_w[(ls, ld)][rows, cols].tolist()):
            out.append(WeightTrace(src[i], dst[j], w, g, n, labels.get((src[i], dst[j]))))
    return out


def _chain_factors(eng: Engine, p, t) -> tuple[list, list]:
    """Per layer, for the one sample: ∂E/∂out and f'(net) (input layer: ∂E/∂x and 1)."""
    n = len(eng.sizes)
    d_out: list = [None] * n
    f_prime: list = [None] * n
    d_out[-1] = eng.loss.grad(p.outs[-1], t)[0]
    for a in range(n - 1):
        back = np.zeros(eng.sizes[a])
        for j in eng.outgoing[a]:
            back += p.deltas[j][0] @ eng.W[(a, j)].T
        d_out[a] = back
    f_prime[0] = np.ones(eng.sizes[0])
    for j in range(1, n):
        f_prime[j] = eng._derivative(j, p.nets[j], p.outs[j])[0]
    return d_out, f_prime


# Each output's share of E, per loss (E is their sum; checked against the loss in tests).
_TERMS = {
    "half_sse": lambda o, t: 0.5 * (t - o) ** 2,
    "mse": lambda o, t: (t - o) ** 2 / o.shape[-1],
    "cross_entropy": lambda o, t: -t * np.log(np.clip(o, 1e-12, None)),
    "binary_cross_entropy": lambda o, t: -(t * np.log(np.clip(o, 1e-12, 1 - 1e-12))
                                           + (1 - t) * np.log(1 - np.clip(o, 1e-12, 1 - 1e-12))),
}


def error_terms(loss: str, out, target) -> np.ndarray:
    """This sample's error term per output, for ``loss`` (their sum is the sample's E)."""
    return _TERMS[loss](np.asarray(out, dtype=np.float64), np.asarray(target, dtype=np.float64))
