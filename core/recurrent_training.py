"""Training of recurrent networks, behind the same generator as static training
(``core.training.train`` hands a recurrent network here): the same TrainConfig, optimisers,
EpochReports, stop rules and divergence handling.

Settle mode: batches as in static training; each batch is relaxed forward, the error relaxed
backward, and the weights follow the gradient at the fixed point. A batch that does not settle
ends the run with a message (the weights are those of the last complete epoch).
Sequence mode: the training rows are one sequence in their order (never shuffled); the state
starts at zero each epoch and the weights are updated after every chunk of ``bptt_steps`` steps.
The report's ``relaxation`` holds the most iterations any batch needed (forward, backward).
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from . import bptt
from .network import Network
from .optimizers import Optimizer
from .recurrent import RecurrentEngine, not_settled_message
from .resume import ResumeSlot, capture, restore
from .slices import Slicer, batch_starts
from .training import EpochDeltas, EpochReport, TrainConfig, _stop_reason, correct, is_classification

Array = NDArray[np.float64]


def train_recurrent(net: Network, x: Array, y: Array, config: TrainConfig,
                    validation: tuple[Array, Array] | None, should_stop: Callable[[], bool] | None,
                    first_epoch: int, resume: ResumeSlot | None = None,
                    pulse: Callable[[], None] | None = None) -> Iterator[EpochReport]:
    eng = RecurrentEngine(net)
    slicer = None if pulse is None else Slicer(pulse)  # the hook inside long epochs (core/slices.py)
    theta = eng.theta
    opt = Optimizer(config.optimizer, theta, eng.weight_mask, eng.bias_index, net.fixed_biases)
    rng = np.random.default_rng(config.seed)
    if resume is not None:
        restore(resume.state, opt, rng, config.seed, eng.canonical)
    finished: int | None = first_epoch - 1
    n = x.shape[0]
    sequence = eng.settings.mode == "sequence"
    bs = eng.settings.bptt_steps if sequence else (n if config.batch_size == 0 else min(config.batch_size, n))
    classify = is_classification(y)
    outs = np.empty_like(y)
    deltas = EpochDeltas(eng.sizes, n)
    last_good = theta.copy()
    lr_fold = opt.s.learning_rate if opt.folds_lr else 1.0
    try:
        for epoch in range(first_epoch, first_epoch + config.max_epochs):
            order = rng.permutation(n) if config.shuffle and not sequence else None
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                if sequence:
                    problem, iters = _sequence_epoch(eng, opt, x, y, bs, lr_fold, outs, deltas, slicer), None
                else:
                    problem, iters = _settle_epoch(eng, opt, x, y, bs, order, lr_fold, outs, deltas, slicer)
                y_seen = y if order is None else y[order]
                loss = float(np.add.reduce(eng.loss_per_sample(outs, y_seen))) / n if problem is None else np.nan
                change = float(np.abs(theta - last_good).max()) if theta.size else 0.0
            if problem is not None or not (np.isfinite(loss) and np.isfinite(change)):
                theta[...] = last_good
                eng.write_back(net)
                finished = None
                reason = problem or (f"diverged at epoch {epoch}: loss became "
                                     f"{'inf' if np.isinf(loss) else 'NaN'}; try a smaller learning rate")
                yield EpochReport(epoch, loss, None, None, None, deltas.mean_abs(), change, None,
                                  f"epoch {epoch}: {reason}" if problem else reason, diverged=True)
                return
            last_good[...] = theta
            acc = np.count_nonzero(correct(outs, y_seen)) / n if classify else None
            val_loss = val_acc = None
            if validation is not None:
                try:
                    vo = eng.predict(validation[0])
                    val_loss = float(eng.loss_per_sample(vo, validation[1]).mean())
                    val_acc = float(correct(vo, validation[1]).mean()) if classify else None
                except ValueError:
                    pass  # a validation sample that does not settle: no validation figure this epoch
            reason = _stop_reason(config, epoch - first_epoch + 1, loss, acc, change, should_stop)
            weights = None
            if config.report_weights or reason:
                eng.write_back(net)
                if config.report_weights:
                    weights = eng.weights_report()
            finished = epoch
            yield EpochReport(epoch, loss, val_loss, acc, val_acc, deltas.mean_abs(), change, weights,
                              reason, relaxation=iters)
            if reason:
                return
    finally:
        eng.write_back(net)
        if resume is not None:
            resume.state = None if finished is None else capture(finished, opt, rng, config.seed, eng.canonical)


def _settle_epoch(eng: RecurrentEngine, opt: Optimizer, x: Array, y: Array, bs: int, order, lr_fold: float,
                  outs: Array, deltas: EpochDeltas,
                  slicer: Slicer | None = None) -> tuple[str | None, tuple[int, int]]:
    if order is not None:
        x, y = x[order], y[order]
    most = [0, 0]
    for s in batch_starts(slicer, x.shape[0], bs):
        xb, yb = x[s:s + bs], y[s:s + bs]
        fwd = eng.forward(xb)
        if not fwd.converged:
            return not_settled_message("forward", fwd, eng.settings), tuple(most)
        back = eng.backward(fwd, yb)
        if not back.converged:
            return not_settled_message("backward", back, eng.settings), tuple(most)
        most = [max(most[0], fwd.iterations), max(most[1], back.iterations)]
        outs[s:s + bs] = fwd.values[:, eng.out_slice]
        _store_deltas(eng, deltas, slice(s, s + bs), back.values)
        eng.gradients(fwd.values, back.values, lr_fold / xb.shape[0])
        opt.step(eng.grad)
    return None, tuple(most)


def _sequence_epoch(eng: RecurrentEngine, opt: Optimizer, x: Array, y: Array, k: int, lr_fold: float,
                    outs: Array, deltas: EpochDeltas, slicer: Slicer | None = None) -> str | None:
    state = np.zeros((1, eng.n))
    for s in batch_starts(slicer, x.shape[0], k):
        xs, ts = x[s:s + k, None, :], y[s:s + k, None, :]
        run = bptt.unroll(eng, xs, state)
        ds = bptt.backward(eng, run, ts)
        for q, (st, d) in enumerate(zip(run.states, ds)):
            outs[s + q] = st[0, eng.out_slice]
            _store_deltas(eng, deltas, slice(s + q, s + q + 1), d)
        bptt.gradients(eng, run, ds, lr_fold / len(xs))
        opt.step(eng.grad)
        state = run.states[-1]
    return None


def _store_deltas(eng: RecurrentEngine, deltas: EpochDeltas, rows: slice, values: Array) -> None:
    """δ of the non-input neurons (columns of ``values``, all neurons) into the epoch's per-layer blocks."""
    for j in range(1, len(eng.sizes)):
        deltas.layers[j][rows] = values[:, eng.offsets[j]:eng.offsets[j + 1]]
