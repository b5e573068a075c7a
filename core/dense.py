"""Mini-batch and online epochs for layered networks, with every buffer allocated once per run.

Most drawn networks are chains: each layer is fed only by the one before it. For these the
engine's flat ``theta`` holds each layer's weights with its bias right after them, so the pair
is one (inputs + 1) × neurons matrix W⁺, and each layer's outputs are kept with a column of ones
after them (A⁺ = [out | 1]). Then

    net = A⁺ · W⁺          (the bias added inside the product)
    ∂E/∂W⁺ = A⁺ᵀ · δ        (the bias gradient Σ_rows δ is its last row)

which saves a bias addition and a bias-gradient product per layer and batch. Everything else is
the general engine's formulas (core/engine.py), computed with the same operations in place into
buffers made once per batch size: a batch of these networks is a few dozen numpy calls of about
a microsecond each, so allocation and Python overhead are what there is to save. ``np.dot`` is
used rather than ``@``: for these shapes it costs half as much per call (measured: 1.8 against
3.2 µs for (1×65)·(65×64), 4.3 against 13 µs for the outer product of one sample's gradient).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import NDArray

from .activations import SIGMOID_FLOOR, Activation
from .engine import FLAT_SCALE_MAX, Engine, Pass
from .optimizers import Optimizer

Array = NDArray[np.float64]
PERMUTE_WHOLE_BYTES = 8 * 2**20  # shuffle the whole data once per epoch up to this size (measured)


def _sigmoid(net: Array, out: Array) -> None:
    # the operations of core.activations._sigmoid, in the same order: the same bits
    np.negative(net, out=out)
    np.minimum(out, -SIGMOID_FLOOR, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(1.0, out, out=out)


def _softmax(net: Array, out: Array) -> None:
    # the steps of core.activations._softmax; the row sums as a product with a column of ones
    # (1.3 µs against 3.5 µs for 32×10: numpy's reduction along short rows is slow)
    if out.shape[0] == 1:  # one sample (online): whole-array reductions are the row's, and cheaper
        np.subtract(net, net.max(), out=out)
        np.exp(out, out=out)
        out /= out.sum()
        return
    np.subtract(net, np.maximum.reduce(net, axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.dot(out, _ones_column(out.shape[1]))


_ONES: dict[int, Array] = {}


def _ones_column(k: int) -> Array:
    col = _ONES.get(k)
    if col is None:
        col = _ONES[k] = np.ones((k, 1))
    return col


def _leaky(net: Array, out: Array) -> None:
    # max(z, 0.01 z) is where(z > 0, z, 0.01 z) for every z, NaN included
    np.multiply(net, 0.01, out=out)
    np.maximum(net, out, out=out)


FORWARD: dict[str, Callable[[Array, Array], object]] = {
    "sigmoid": _sigmoid,
    "tanh": lambda net, out: np.tanh(net, out=out),
    "relu": lambda net, out: np.maximum(net, 0.0, out=out),
    "leaky_relu": _leaky,
    "linear": lambda net, out: np.copyto(out, net),
    "softmax": _softmax,
}


def _slope_sigmoid(net: Array, out: Array, into: Array) -> Array:
    np.subtract(1.0, out, out=into)
    into *= out
    return into


def _slope_tanh(net: Array, out: Array, into: Array) -> Array:
    np.multiply(out, out, out=into)
    np.subtract(1.0, into, out=into)
    return into


def _slope_relu(net: Array, out: Array, into: Array) -> Array:
    return np.greater(net, 0.0, out=into)


# f'(net) of hidden layers, written into a buffer; None where the engine's own form is used
SLOPE: dict[str, Callable[[Array, Array, Array], Array] | None] = {
    "sigmoid": _slope_sigmoid, "tanh": _slope_tanh, "relu": _slope_relu, "leaky_relu": None, "linear": None,
}


def eligible(eng: Engine) -> bool:
    """A chain of layers, one activation per layer, every activation with an in-place form."""
    n = len(eng.sizes)
    if n < 2 or any(eng.incoming[j] != [j - 1] for j in range(1, n)):
        return False
    if any(len(eng.groups[j]) != 1 or eng.groups[j][0][0].name not in FORWARD for j in range(1, n)):
        return False
    return all(eng.groups[j][0][0].name in SLOPE for j in range(1, n - 1))


class DenseTrainer:
    """Runs the epochs of ``core.training`` for an eligible network (see ``eligible``)."""

    def __init__(self, eng: Engine, opt: Optimizer, x: Array, y: Array, batch: int, keep_nets: bool) -> None:
        self.eng, self.opt, self.keep_nets = eng, opt, keep_nets
        self.sizes = s = eng.sizes
        self.L = len(s) - 1
        self.acts: list[Activation] = [eng.groups[j][0][0] for j in range(len(s))[1:]]
        self.fwd = [FORWARD[a.name] for a in self.acts]
        self.slope = [SLOPE.get(a.name) for a in self.acts]  # None: the activation's own df
        self.W = [eng.theta[slice(eng.spans[("w", (j - 1, j))][0], eng.spans[("b", j)][1])].reshape(s[j - 1] + 1, s[j])
                  for j in range(1, len(s))]
        self.G = [eng.grad[slice(eng.spans[("w", (j - 1, j))][0], eng.spans[("b", j)][1])].reshape(s[j - 1] + 1, s[j])
                  for j in range(1, len(s))]
        self.back_W = [w[:-1].T for w in self.W]  # (neurons × inputs) views: the backward products
        self.masks = [None if eng.mask[(j - 1, j)] is None else
                      np.vstack([eng.mask[(j - 1, j)], np.ones((1, s[j]))]) for j in range(1, len(s))]
        self.flat_scale = eng.grad.size <= FLAT_SCALE_MAX
        self.x, self.y, self.n, self.batch = x, y, x.shape[0], batch
        self.whole = x.nbytes <= PERMUTE_WHOLE_BYTES
        self.xa = np.hstack([x, np.ones((self.n, 1))]) if self.whole else None
        self.perm = (np.empty_like(self.xa), np.empty_like(y)) if self.whole else None
        self._bufs: dict[int, tuple] = {}
        # with the loss taken from the output nets, the outputs are kept too (in visiting order),
        # so the epoch's accuracy needs no second softmax over all samples
        self.outputs = np.empty_like(y) if keep_nets else None
        self._plan: list[tuple] = []
        self._plan_key: tuple | None = None
        lr = opt.s.learning_rate if opt.folds_lr else 1.0
        self.lr = lr
        loss = eng.loss
        # δ of the output layer with the loss's own factor left for the final scale: half_sse
        # gives o − t, mse 2(o − t)/K (the engine's forms; rounding may differ in the last bit)
        self.out_form = "fused" if eng.fused else (
            "squared" if loss.name in ("half_sse", "mse") and not self.acts[-1].whole_layer else "general")
        self.out_factor = 2.0 / s[-1] if loss.name == "mse" else 1.0

    def _buffers(self, b: int) -> tuple:
        got = self._bufs.get(b)
        if got is None:
            s = self.sizes
            ones = [np.ones((b, s[l] + 1)) for l in range(self.L)]  # A⁺ of layers 0..L-1
            nets = [np.empty((b, s[j])) for j in range(1, len(s))]
            # outputs in contiguous rows: exp, tanh and the like run 30-45 % slower writing
            # into A⁺'s strided columns than a copy there costs (measured on 32×64)
            out = [np.empty((b, s[j])) for j in range(1, len(s))]
            tmp = [np.empty((b, s[j])) for j in range(1, len(s))]
            scaled = [np.empty((b, s[j])) for j in range(1, len(s))]
            got = self._bufs[b] = (ones, nets, out, tmp, scaled)
        return got

    def epoch(self, order: NDArray[np.intp] | None, heads: Array, deltas: list[Array]) -> None:
        """One pass in ``order``: outputs (or output nets) into ``heads`` and δ into ``deltas``
        (layer by layer, rows in visiting order), parameters updated after each batch."""
        if self.whole:
            if order is None:
                xa, y = self.xa, self.y
            else:
                xa = np.take(self.xa, order, axis=0, out=self.perm[0])
                y = np.take(self.y, order, axis=0, out=self.perm[1])
            for a0, t, bufs, into, head in self._batches(xa, y, heads, deltas):
                self._step(a0, t, bufs, into, head)
            return
        n, bs = self.n, self.batch
        for s in range(0, n, bs):  # gather each batch straight into its A⁺ buffer (the ones column stays)
            e = min(s + bs, n)
            bufs = self._buffers(e - s)
            a0 = bufs[0][0]
            rows = np.arange(s, e) if order is None else order[s:e]
            np.take(self.x, rows, axis=0, out=a0[:, :-1])
            self._step(a0, self.y[rows], bufs, [d[s:e] for d in deltas], self._heads(heads, s, e))

    def _batches(self, xa: Array, y: Array, heads: Array, deltas: list[Array]) -> list[tuple]:
        """Each batch's slices of the data, buffers, δ rows and head rows: the same arrays every
        epoch, so the slicing is done once per run (a microsecond per batch and array)."""
        key = (id(xa), id(y), id(heads), tuple(map(id, deltas)))
        if self._plan_key != key:
            n, bs = self.n, self.batch
            self._plan = [(xa[s:e], y[s:e], self._buffers(e - s), [d[s:e] for d in deltas], self._heads(heads, s, e))
                          for s, e in ((s, min(s + bs, n)) for s in range(0, n, bs))]
            self._plan_key = key
        return self._plan

    def _heads(self, heads: Array, s: int, e: int) -> tuple[Array, Array | None]:
        return heads[s:e], None if self.outputs is None else self.outputs[s:e]

    def _step(self, a0: Array, t: Array, bufs: tuple, into: list[Array], head: tuple[Array, Array | None]) -> None:
        ones, nets, out, tmp, scaled = bufs
        L, W = self.L, self.W
        acts = [a0] + ones[1:]
        for l in range(L):
            self.fwd[l](np.dot(acts[l], W[l], out=nets[l]), out[l])
            if l + 1 < L:
                np.copyto(acts[l + 1][:, :-1], out[l])
        if head[1] is None:
            np.copyto(head[0], out[-1])
        else:
            np.copyto(head[0], nets[-1])
            np.copyto(head[1], out[-1])
        # δ of the output layer, then back through the hidden layers (written where the epoch keeps them)
        d, o = into[L], out[-1]
        if self.out_form == "fused":
            np.subtract(o, t, out=d)
        elif self.out_form == "squared":
            np.subtract(o, t, out=d)
            if self.out_factor != 1.0:
                d *= self.out_factor
            self._times_slope(L - 1, nets[-1], o, d, tmp[-1])
        else:
            np.copyto(d, self.eng.output_delta(Pass([None] * L + [nets[-1]], [None] * L + [o]), t))
        for l in range(L - 1, 0, -1):
            dp = np.dot(into[l + 1], self.back_W[l], out=into[l])
            self._times_slope(l - 1, nets[l - 1], out[l - 1], dp, tmp[l - 1])
        # ∂E/∂W⁺ times η/batch (the batch mean, with η folded in for plain gradient descent)
        scale = self.lr / a0.shape[0]
        for l in range(L):
            dl = into[l + 1]
            if not self.flat_scale:
                dl = np.multiply(dl, scale, out=scaled[l])
            np.dot(acts[l].T, dl, out=self.G[l])
            if self.masks[l] is not None:
                self.G[l] *= self.masks[l]
        if self.flat_scale:
            self.eng.grad *= scale
        self.opt.step(self.eng.grad)

    def _times_slope(self, l: int, net: Array, out: Array, d: Array, buf: Array) -> None:
        """d ⊙= f'(net) of layer l + 1 (index into ``acts``)."""
        act = self.acts[l]
        if act.name == "linear":
            return
        form = self.slope[l]
        d *= form(net, out, buf) if form is not None else act.df(net, out)
