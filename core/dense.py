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
a microsecond each, so allocation and Python overhead are what there is to save (the step itself
is generated per network, core/dense_codegen.py). ``np.dot`` is
used rather than ``@``: for these shapes it costs half as much per call (measured: 1.8 against
3.2 µs for (1×65)·(65×64), 4.3 against 13 µs for the outer product of one sample's gradient).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .activations import Activation
from .dense_codegen import FORWARD_SRC, SLOPE_SRC, compile_step
from .engine import FLAT_SCALE_MAX, Engine, Pass
from .optimizers import Optimizer
from .slices import Slicer, batch_starts

Array = NDArray[np.float64]
PERMUTE_WHOLE_BYTES = 8 * 2**20  # shuffle the whole data once per epoch up to this size (measured)


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


def eligible(eng: Engine) -> bool:
    """A chain of layers, one activation per layer, every activation with an in-place form."""
    n = len(eng.sizes)
    if n < 2 or any(eng.incoming[j] != [j - 1] for j in range(1, n)):
        return False
    if any(len(eng.groups[j]) != 1 or eng.groups[j][0][0].name not in FORWARD_SRC for j in range(1, n)):
        return False
    return all(eng.groups[j][0][0].name in SLOPE_SRC for j in range(1, n - 1))


class DenseTrainer:
    """Runs the epochs of ``core.training`` for an eligible network (see ``eligible``)."""

    def __init__(self, eng: Engine, opt: Optimizer, x: Array, y: Array, batch: int, keep_nets: bool) -> None:
        self.eng, self.opt, self.keep_nets = eng, opt, keep_nets
        self.sizes = s = eng.sizes
        self.L = len(s) - 1
        self.acts: list[Activation] = [eng.groups[j][0][0] for j in range(len(s))[1:]]
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
        self._step, self._epoch = compile_step(self, _softmax, self.general_delta)

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

    def general_delta(self, net: Array, out: Array, t: Array) -> Array:
        """The engine's own output δ (losses and activations without a form here)."""
        L = self.L
        return self.eng.output_delta(Pass([None] * L + [net], [None] * L + [out]), t)

    def epoch(self, order: NDArray[np.intp] | None, heads: Array, deltas: list[Array],
              slicer: Slicer | None = None) -> None:
        """One pass in ``order``: outputs (or output nets) into ``heads`` and δ into ``deltas``
        (layer by layer, rows in visiting order), parameters updated after each batch; the
        batches run in the ``slicer``'s slices (see core/slices.py)."""
        if self.whole:
            if order is None:
                xa, y = self.xa, self.y
            else:
                xa = np.take(self.xa, order, axis=0, out=self.perm[0])
                y = np.take(self.y, order, axis=0, out=self.perm[1])
            plan = self._batches(xa, y, heads, deltas)
            if slicer is None or slicer.whole(len(plan)):
                self._epoch(plan)
            else:
                for s, e in slicer.spans(len(plan)):
                    self._epoch(plan[s:e])
            return
        n, bs = self.n, self.batch
        for s in batch_starts(slicer, n, bs):  # gather each batch straight into its A⁺ buffer (the ones column stays)
            e = min(s + bs, n)
            bufs = self._buffers(e - s)
            a0 = bufs[0][0]
            rows = np.arange(s, e) if order is None else order[s:e]
            np.take(self.x, rows, axis=0, out=a0[:, :-1])
            self._step(*self._args(a0, self.y[rows], bufs, [d[s:e] for d in deltas], self._heads(heads, s, e)))

    def _batches(self, xa: Array, y: Array, heads: Array, deltas: list[Array]) -> list[tuple]:
        """Each batch's arguments of the step (data slices, buffers, δ rows, head rows): the same
        arrays every epoch, so they are gathered once per run (a microsecond per batch and array)."""
        key = (id(xa), id(y), id(heads), tuple(map(id, deltas)))
        if self._plan_key != key:
            n, bs = self.n, self.batch
            self._plan = [self._args(xa[s:e], y[s:e], self._buffers(e - s), [d[s:e] for d in deltas],
                                     self._heads(heads, s, e))
                          for s, e in ((s, min(s + bs, n)) for s in range(0, n, bs))]
            self._plan_key = key
        return self._plan

    def _heads(self, heads: Array, s: int, e: int) -> tuple[Array, Array | None]:
        return heads[s:e], None if self.outputs is None else self.outputs[s:e]

    def _args(self, a0: Array, t: Array, bufs: tuple, into: list[Array], head: tuple[Array, Array | None]) -> tuple:
        """The step's arguments in the order of ``dense_codegen.batch_names``."""
        ones, nets, out, tmp, scaled = bufs
        L = self.L
        acts = [a0] + ones[1:L]
        return (a0, t, self.lr / a0.shape[0], *ones[1:L], *(a[:, :-1] for a in ones[1:L]),
                *(a.T for a in acts), *nets, *out, *tmp, *scaled, *into[1:L + 1], head[0], head[1])
