"""Training as a generator: one immutable EpochReport per epoch, cooperative stop, no printing.

Update modes: ``batch_size=1`` is online (update after every training tuple, the textbook mode),
``batch_size=B`` mini-batch, ``batch_size=0`` full batch (one update per epoch).

An epoch's ``loss`` is the mean per-sample E measured during the epoch, each sample just before
the update it takes part in (as SNNS and most tutorials report it); in full-batch mode that is the
loss of the weights the epoch started with. ``mean_abs_delta`` is the mean |δ| per neuron over the
epoch's samples. Same seed, same data, same settings: the same reports, bit for bit.
"""
from __future__ import annotations

import math
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from .dense import PERMUTE_WHOLE_BYTES, DenseTrainer
from .dense import eligible as dense_eligible
from .engine import Engine
from .network import Network
from .online import OnlineTrainer
from .online import eligible as online_eligible
from .optimizers import Optimizer, OptimizerSettings
from .resume import ResumeSlot, capture, restore
from .slices import Slicer, batch_starts
from .threads import blas_limit, blas_threads, step_flops

Array = NDArray[np.float64]
MAX_EPOCHS = 10**12  # a run longer than any machine finishes; larger values are typing slips
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class TrainConfig:
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    batch_size: int = 1
    shuffle: bool = True
    seed: int = 0
    max_epochs: int = 1000
    target_loss: float | None = None
    stop_when_all_correct: bool = False
    min_weight_change: float | None = None
    report_weights: bool = False

    def __post_init__(self) -> None:
        if self.batch_size < 0:
            raise ValueError("the batch size is 0 (full batch), 1 (online) or more")
        if self.max_epochs < 0:
            raise ValueError("the number of epochs cannot be negative")
        for key, top in (("max_epochs", MAX_EPOCHS), ("seed", MAX_SEED), ("batch_size", MAX_EPOCHS)):
            v = getattr(self, key)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not 0 <= v <= top:
                raise ValueError(f"{key}: expected a whole number from 0 to {top:.3g}, got {v!r:.40}")


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    loss: float
    val_loss: float | None
    accuracy: float | None
    val_accuracy: float | None
    mean_abs_delta: tuple[Array, ...]  # per layer, per neuron; [0] (inputs) is all zeros
    max_weight_change: float
    weights: tuple[dict[tuple[int, int], Array], list[Array]] | None = None
    stop_reason: str | None = None  # set on the last report of a run
    diverged: bool = False
    relaxation: tuple[int, int] | None = None  # recurrent (settle): most iterations (forward, backward)


def is_classification(y: Array) -> bool:
    """Targets are 0/1 and, with several outputs, one-hot."""
    if y.size == 0 or not np.isin(y, (0.0, 1.0)).all():
        return False
    return y.shape[1] == 1 or bool((y.sum(axis=1) == 1).all())


def correct(out: Array, y: Array) -> NDArray[np.bool_]:
    if y.shape[1] == 1:
        return (out[:, 0] >= 0.5) == (y[:, 0] >= 0.5)
    return out.argmax(axis=1) == y.argmax(axis=1)


class EpochDeltas:
    """δ of every non-input neuron for every sample of an epoch, in one buffer laid out layer by
    layer (rows in visiting order): each layer's rows of a batch are contiguous, so the backward
    pass writes δ straight into them, and the per-epoch summary is a few array calls."""

    def __init__(self, sizes: list[int], n: int) -> None:
        self.n = n
        self.bounds = np.cumsum([0] + sizes[1:]).tolist()
        self.flat = np.empty(n * self.bounds[-1])
        # layers[j] (j >= 1) is layer j's (n, size) block; layers[0] is unused
        self.layers: list[Array] = [np.empty((n, 0))] + [
            self.flat[n * lo:n * hi].reshape(n, hi - lo) for lo, hi in zip(self.bounds, self.bounds[1:])]
        self._zeros_in = _frozen(np.zeros(sizes[0]))
        self._abs: Array | None = None  # |δ| and a row of ones, made at the first mean_abs
        self._ones: Array | None = None

    def _split(self, m: Array) -> tuple[Array, ...]:
        m /= self.n
        m.flags.writeable = False  # the per-layer views below inherit this
        return (self._zeros_in,) + tuple(m[lo:hi] for lo, hi in zip(self.bounds, self.bounds[1:]))

    def mean_abs_from(self, sums: list[float]) -> tuple[Array, ...]:
        """The same from Σ|δ| per neuron (all non-input neurons in layer order)."""
        return self._split(np.array(sums))

    def mean_abs(self) -> tuple[Array, ...]:
        """Mean |δ| per neuron, per layer; the input layer's entry is zeros (inputs have no δ).
        Column sums as products with a row of ones: numpy's reduction over the rows of a narrow
        block is slow (12.5 against 3.3 µs for 400×16; the whole summary of two spirals' epoch
        went from 55 to 16 µs), and |δ| goes into a buffer kept for the run."""
        if self._abs is None:
            self._abs, self._ones = np.empty_like(self.flat), np.ones(self.n)
        a = np.abs(self.flat, out=self._abs)
        n = self.n
        sums = np.empty(self.bounds[-1])
        for lo, hi in zip(self.bounds, self.bounds[1:]):
            np.dot(self._ones, a[n * lo:n * hi].reshape(n, hi - lo), out=sums[lo:hi])
        return self._split(sums)


def _frozen(a: Array) -> Array:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def check_data(net: Network, x: Array, y: Array) -> tuple[Array, Array]:
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != net.n_inputs:
        raise ValueError(f"the data has {x.shape[-1] if x.ndim else 0} input columns; "
                         f"the network has {net.n_inputs} inputs")
    if y.ndim != 2 or y.shape[1] != net.n_outputs:
        raise ValueError(f"the data has {y.shape[-1] if y.ndim else 0} target columns; "
                         f"the network has {net.n_outputs} outputs")
    if x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ValueError("the data needs the same, non-zero number of inputs and targets")
    # A sum is finite exactly when no value is NaN/inf (barring overflow near 1e308, which the
    # element-wise check then settles) and costs no 8-bytes-per-value temporary array.
    if not (np.isfinite(x.sum()) and np.isfinite(y.sum())) and \
            not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("the data contains values that are not finite numbers")
    return x, y


def train(net: Network, x: Array, y: Array, config: TrainConfig,
          validation: tuple[Array, Array] | None = None,
          should_stop: Callable[[], bool] | None = None, first_epoch: int = 1,
          resume: ResumeSlot | None = None, reserve_cores: int = 0,
          pulse: Callable[[], None] | None = None) -> Iterator[EpochReport]:
    """Train ``net`` in place; yields one report per epoch. The network holds the latest finite
    weights whenever the generator is suspended, finished or closed. ``resume`` continues the
    optimiser and shuffle state it holds (where it applies, see core/resume.py) and afterwards
    holds the state after the last finished epoch. BLAS gets the threads core/threads.py chooses
    for this network and batch, leaving ``reserve_cores`` (the GUI thread's) alone. ``pulse`` is
    called about every millisecond of work inside an epoch (core/slices.py), never between epochs."""
    x, y = check_data(net, x, y)
    if validation is not None:
        validation = check_data(net, *validation)
    if net.is_recurrent:  # its own engine and loop; the static path below stays as it is
        from .recurrent_training import train_recurrent
        yield from train_recurrent(net, x, y, config, validation, should_stop, first_epoch, resume, pulse)
        return
    eng = Engine(net)
    theta = eng.theta
    opt = Optimizer(config.optimizer, theta, eng.weight_mask, eng.bias_index, net.fixed_biases)
    rng = np.random.default_rng(config.seed)
    if resume is not None:
        restore(resume.state, opt, rng, config.seed, eng.canonical)
    n = x.shape[0]
    bs = n if config.batch_size == 0 else min(config.batch_size, n)
    classify = is_classification(y)
    eng.expect_targets(y)
    # The output layer's outputs in visiting order, or its net inputs when the loss needs them.
    keep_nets = eng.keeps_output_nets
    heads = np.empty_like(y)
    deltas = EpochDeltas(eng.sizes, n)
    last_good = theta.copy()
    # the fastest path that computes this network: plain floats, the chain path, or the general one
    fast = OnlineTrainer(net, eng, opt) if online_eligible(net, eng, opt, config.batch_size, n) else None
    if fast is not None:
        fast.compile(x, y)
    dense = DenseTrainer(eng, opt, x, y, bs, keep_nets) if fast is None and dense_eligible(eng) else None
    perm_bufs = (np.empty_like(x), np.empty_like(y)) if config.shuffle and x.nbytes <= PERMUTE_WHOLE_BYTES \
        and fast is None and dense is None else None
    epoch = finished = first_epoch - 1
    watch = _Saturation()
    slicer = None if pulse is None else Slicer(pulse)
    limits = ExitStack()  # released in the finally below, however the generator ends
    limits.enter_context(blas_limit(blas_threads(step_flops([b.shape for b in eng.W.values()], bs),
                                                 reserve_cores)))
    try:
        for epoch in range(first_epoch, first_epoch + config.max_epochs):
            # Overflow on the way to divergence is expected and reported below, not warned about.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                order = rng.permutation(n) if config.shuffle else None
                if fast is not None:
                    loss_sum, change, right, abs_sums = fast.epoch(order, classify, slicer)
                    loss = loss_sum / n
                    mean_abs = deltas.mean_abs_from(abs_sums)
                else:
                    if dense is not None:
                        dense.epoch(order, heads, deltas.layers, slicer)
                    else:
                        _epoch(eng, opt, x, y, bs, order, heads, deltas.layers, perm_bufs, keep_nets, slicer)
                    loss, change, right = _summary(eng, heads, _seen(y, order, dense, perm_bufs), keep_nets,
                                                   classify, last_good, None if dense is None else dense.outputs)
                    mean_abs = deltas.mean_abs()
            broken = _diverged(epoch, loss, change, theta, mean_abs, watch)
            if broken:
                theta[...] = last_good
                eng.write_back(net)
                finished = None
                yield EpochReport(epoch, loss, None, None, None, mean_abs, change, None, broken, diverged=True)
                return
            if not watch.suspect:
                last_good[...] = theta
            acc_v = right / n if classify else None
            val_loss = val_acc = None
            if validation is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    vp = eng.forward(validation[0])
                val_loss = float(eng.pass_loss(vp, validation[1]).mean())
                val_acc = float(correct(vp.outs[-1], validation[1]).mean()) if classify else None
            reason = _stop_reason(config, epoch - first_epoch + 1, loss, acc_v, change, should_stop)
            weights = None
            if config.report_weights or reason:
                eng.write_back(net)
                if config.report_weights:
                    weights = ({k: _frozen(w) for k, w in eng.W.items()}, [_frozen(b) for b in eng.b])
            finished = epoch
            yield EpochReport(epoch, loss, val_loss, acc_v, val_acc,
                              mean_abs, change, weights, reason)
            if reason:
                return
    finally:
        limits.close()
        eng.write_back(net)
        if resume is not None:
            if fast is not None:
                fast.store_state()
            resume.state = None if finished is None else capture(finished, opt, rng, config.seed, eng.canonical)


def _seen(y: Array, order: NDArray[np.intp] | None, dense: DenseTrainer | None,
          perm_bufs: tuple[Array, Array] | None) -> Array:
    """The targets in visiting order: the epoch's own gathered copy where it made one (a second
    gather cost 165 µs of a digits epoch's 5.6 ms)."""
    if order is None:
        return y
    if dense is not None:
        return dense.perm[1] if dense.whole else y[order]
    return y[order] if perm_bufs is None else perm_bufs[1]


def _summary(eng: Engine, heads: Array, y_seen: Array, keep_nets: bool, classify: bool, last_good: Array,
             outputs: Array | None = None) -> tuple[float, float, int]:
    """(epoch loss, largest parameter change, samples classified right) of an array epoch;
    ``y_seen``: the targets in visiting order (as the outputs are); ``outputs``: the outputs
    when ``heads`` holds output nets, if the epoch kept them."""
    if keep_nets:
        outs = eng.output_of(heads) if outputs is None else outputs
        per_sample = eng.loss_per_sample(outs, y_seen, heads)
    else:
        outs = heads
        per_sample = eng.loss_per_sample(outs, y_seen)
    # add.reduce / n rather than .mean(): same sum, a third of the per-epoch cost
    loss = float(np.add.reduce(per_sample)) / len(y_seen)
    theta = eng.theta
    change = float(np.abs(theta - last_good).max()) if theta.size else 0.0
    return loss, change, int(np.count_nonzero(correct(outs, y_seen))) if classify else 0


HUGE_WEIGHT = 1e100  # finite, but no further step stays finite: divergence, not "last good" weights
SATURATION_EPOCHS = 10  # epochs in a row with every δ at 0 before a run counts as stuck


@dataclass
class _Saturation:
    """Counts epochs in a row in which the loss is not 0 but every neuron's δ is (outputs pinned
    at their limits: the weights can no longer change). Weights of such epochs are not kept as
    good, so the run ends with those from before it saturated."""
    run: int = 0
    suspect: bool = False


def _diverged(epoch: int, loss: float, change: float, theta: Array, mean_delta: tuple[Array, ...],
              watch: _Saturation) -> str | None:
    if not (np.isfinite(loss) and np.isfinite(change)):
        what = "inf" if np.isinf(loss) else "NaN" if np.isnan(loss) else "not finite (weights)"
        return f"diverged at epoch {epoch}: loss became {what}; try a smaller learning rate"
    top = float(np.abs(theta).max()) if theta.size else 0.0
    if top > HUGE_WEIGHT:
        return f"diverged at epoch {epoch}: weights reached {top:.3g}; try a smaller learning rate"
    pinned = loss > 1e-9 and all(float(d.max(initial=0.0)) < 1e-12 for d in mean_delta[1:])
    watch.run = watch.run + 1 if pinned else 0
    watch.suspect = pinned
    if watch.run >= SATURATION_EPOCHS:
        return (f"diverged at epoch {epoch}: every neuron is saturated (weights up to {top:.3g}, loss stuck "
                f"at {loss:.6g}), so no weight can change; try a smaller learning rate")
    return None


def _epoch(eng: Engine, opt: Optimizer, x: Array, y: Array, bs: int, order: NDArray[np.intp] | None,
           heads: Array, deltas_epoch: list[Array], perm_bufs: tuple[Array, Array] | None,
           keep_nets: bool, slicer: Slicer | None = None) -> None:
    """One pass over the data in ``order``: forward, backward and an update per batch (the hot
    loop), in the ``slicer``'s slices. Outputs (or output nets) and δ are stored in visiting
    order, by slices (cheaper than scattering)."""
    lr = opt.s.learning_rate if opt.folds_lr else 1.0
    n = x.shape[0]
    gather = None
    if order is not None:
        if perm_bufs is not None:  # one gather per epoch, then contiguous batches
            x = np.take(x, order, axis=0, out=perm_bufs[0])
            y = np.take(y, order, axis=0, out=perm_bufs[1])
        else:  # data too large to copy whole: gather each batch into reused buffers
            gather = (np.empty((bs, x.shape[1])), np.empty((bs, y.shape[1])))
    for s in batch_starts(slicer, n, bs):
        e = s + bs
        if gather is not None and e <= n:
            sl = order[s:e]
            xb, yb = np.take(x, sl, axis=0, out=gather[0]), np.take(y, sl, axis=0, out=gather[1])
        elif gather is not None:
            xb, yb = x[order[s:]], y[order[s:]]
        else:
            xb, yb = x[s:e], y[s:e]
        p = eng.backward(eng.forward(xb), yb, input_delta=False, into=[d[s:e] for d in deltas_epoch])
        heads[s:e] = p.nets[-1] if keep_nets else p.outs[-1]
        eng.gradients(p, lr / xb.shape[0], reuse=True)
        opt.step(eng.grad)


def _stop_reason(c: TrainConfig, done: int, loss: float, acc: float | None, change: float,
                 should_stop: Callable[[], bool] | None) -> str | None:
    if c.target_loss is not None and loss <= c.target_loss:
        return f"loss {loss:.6g} reached the target {c.target_loss:g}"
    if c.stop_when_all_correct and acc == 1.0:
        return "every training example is classified correctly"
    if c.min_weight_change is not None and change < c.min_weight_change:
        return f"largest weight change {change:.3g} fell below {c.min_weight_change:g}"
    if should_stop is not None and should_stop():
        return "stopped by request"
    if done >= c.max_epochs:
        return f"reached {c.max_epochs} epochs"
    return None


def evaluate(net: Network, x: Array, y: Array) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of the network as it stands."""
    x, y = check_data(net, x, y)
    if net.is_recurrent:
        from .recurrent import RecurrentEngine
        rec = RecurrentEngine(net)
        out = rec.predict(x)
        loss = float(rec.loss_per_sample(out, y).mean())
        return loss, (float(correct(out, y).mean()) if is_classification(y) else None)
    eng = Engine(net)
    p = eng.forward(x)
    loss = float(eng.pass_loss(p, y).mean())
    return loss, (float(correct(p.outs[-1], y).mean()) if is_classification(y) else None)
