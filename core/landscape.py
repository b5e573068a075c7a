"""Loss landscapes: the training error E as a function of one or two weights, every other
parameter held where it is.

    E(w) = (1/N) Σ_n E_n(o_n(w))       (the data loss training reports, over the training rows;
                                         an L1/L2 penalty, if any, is not included)

A grid row holds weight B at one value and sweeps weight A over all its values, so the whole row is
one batched forward pass over an array of shape (columns, samples, neurons). Only the part of the
network a changed weight can reach is recomputed: neurons upstream of both weights keep the values
of one base pass, and a layer's net input is the base net input plus the change arriving from the
changed neurons (δnet_j = Σ_a δout_a · W_aj + Δw · out_src).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import numpy as np
from numpy.typing import NDArray

from .activations import get_activation
from .engine import Engine
from .losses import get_loss
from .network import Network

Array = NDArray[np.float64]


class WeightRef(NamedTuple):
    """One connection: source (layer, index) → target (layer, index)."""

    ls: int
    i: int
    ld: int
    j: int


@dataclass(frozen=True)
class Landscape:
    """E over a grid: ``errors[r, c]`` is E at weight A = ``a_values[c]``, B = ``b_values[r]``."""

    a: WeightRef
    b: WeightRef
    a_values: Array
    b_values: Array
    errors: Array
    a_now: float   # the weights' values when the grid was computed
    b_now: float
    e_now: float


@dataclass(frozen=True)
class Curve:
    """E over one weight's values, with the slope dE/dw at the current value."""

    a: WeightRef
    values: Array
    errors: Array
    w_now: float
    e_now: float
    slope: float


def check_weight(net: Network, ref: WeightRef) -> None:
    try:
        ok = net.has_connection(*ref)
    except (IndexError, KeyError):
        ok = False
    if not ok:
        raise ValueError(f"there is no connection {tuple(ref)} in this network")


def weight_range(w: float, half_width: float | None = None) -> tuple[float, float]:
    """A range that shows the valley around ``w``: ±max(2, 1.5|w|) unless given."""
    h = half_width if half_width is not None else max(2.0, 1.5 * abs(w))
    return w - h, w + h


class _Sweeper:
    """The base pass and the plan for batched passes over configurations of two weights."""

    def __init__(self, net: Network, x: Array, y: Array, refs: Sequence[WeightRef]) -> None:
        for r in refs:
            check_weight(net, r)
        if len(x) == 0:
            raise ValueError("the network has no training rows to measure the error on")
        self.eng = Engine(net)
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        self.refs = list(refs)
        self.base = self.eng.forward(self.x)
        self.loss = get_loss(net.loss)
        self.acts = [[get_activation(layer.activation_of(k)) for k in range(layer.size)]
                     for layer in net.layers]
        self.now = [float(self.eng.W[(r.ls, r.ld)][r.i, r.j]) for r in refs]
        self.first = min(r.ld for r in refs)
        out_acts = self.acts[-1]
        self.softmax_ce = net.loss == "cross_entropy" and all(a.name == "softmax" for a in out_acts)
        self.last_net: Array | None = None
        one_hot = self.y.ndim == 2 and np.isin(self.y, (0.0, 1.0)).all() and (self.y.sum(axis=1) == 1).all()
        self.labels = self.y.argmax(axis=1) if one_hot else None
        self.affected = self._affected_columns()

    def _affected_columns(self) -> list[Array | None]:
        """Per layer, the neurons whose values depend on the swept weights (None: none do)."""
        n = len(self.eng.sizes)
        aff: list[set[int]] = [set() for _ in range(n)]
        for r in self.refs:
            aff[r.ld].add(r.j)
        for j in range(self.first, n):
            for a in self.eng.incoming[j]:
                if aff[a]:
                    w = self.eng.W[(a, j)]
                    m = self.eng.mask[(a, j)]
                    reach = (m if m is not None else np.ones_like(w))[sorted(aff[a])].any(axis=0)
                    aff[j].update(np.flatnonzero(reach).tolist())
            if aff[j] and any(act.whole_layer for act in self.acts[j]):
                aff[j] = set(range(self.eng.sizes[j]))
        return [np.array(sorted(s), dtype=np.intp) if s else None for s in aff]

    def errors(self, deltas: Sequence[Array]) -> Array:
        """E for C configurations: ``deltas[k][c]`` is the change of weight k in configuration c."""
        eng, base = self.eng, self.base
        d = [np.asarray(v, dtype=np.float64).reshape(-1) for v in deltas]
        c = max(len(v) for v in d)
        d = [np.broadcast_to(v, (c,)) for v in d]
        n_layers = len(eng.sizes)
        changed: list[Array | None] = [None] * n_layers  # (C, N, k) outputs of affected neurons
        for j in range(self.first, n_layers):
            cols = self.affected[j]
            if cols is None:
                continue
            # base + changes, started from the first change's product: copying the broadcast
            # base cost 4× an in-place add of it (measured 2.6 ms against 0.6 ms a row on digits)
            net = None
            for a in eng.incoming[j]:
                if changed[a] is not None:
                    src = self.affected[a]
                    diff = changed[a] - base.outs[a][:, src]
                    term = diff @ eng.W[(a, j)][np.ix_(src, cols)]
                    net = term if net is None else np.add(net, term, out=net)
            if net is None:
                net = np.empty((c, len(self.x), len(cols)))
                net[...] = base.nets[j][:, cols]
            else:
                net += base.nets[j][:, cols]
            for r, dv in zip(self.refs, d):
                if r.ld == j:
                    k = int(np.searchsorted(cols, r.j))
                    net[:, :, k] += dv[:, None] * self._column(changed, base, r.ls, r.i)
            if j == n_layers - 1 and self.softmax_ce:
                self.last_net, changed[j] = net, net
            else:
                changed[j] = self._activate(j, cols, net)
        last = n_layers - 1
        out = changed[last]
        if out is not None and self.softmax_ce:
            return _softmax_cross_entropy(self.last_net, self.y, self.labels)
        if out is None:
            e = self.loss.value(base.outs[last], self.y).mean()
            return np.full(c, float(e))
        if len(self.affected[last]) != eng.sizes[last]:
            full = np.broadcast_to(base.outs[last], (c,) + base.outs[last].shape).copy()
            full[:, :, self.affected[last]] = out
            out = full
        return self.loss.value(out, self.y[None]).mean(axis=1)

    def _column(self, changed, base, layer: int, index: int) -> Array:
        cols = self.affected[layer]
        if changed[layer] is not None and index in cols:
            return changed[layer][:, :, int(np.searchsorted(cols, index))]
        return base.outs[layer][None, :, index]

    def _activate(self, j: int, cols: Array, net: Array) -> Array:
        acts = [self.acts[j][k] for k in cols]
        if all(a is acts[0] for a in acts):
            return acts[0].f(net)
        out = np.empty_like(net)
        for act in {id(a): a for a in acts}.values():
            idx = [q for q, a in enumerate(acts) if a is act]
            out[:, :, idx] = act.f(net[:, :, idx])
        return out


def _softmax_cross_entropy(net: Array, t: Array, labels: NDArray[np.intp] | None) -> Array:
    """Mean cross-entropy of softmax(net) per configuration, from log-sum-exp (no division and
    no log per element), the engine's −Σ t ln o (log-sum-exp too) up to rounding. Row maxima
    are a loop over the few output columns and sums a product with a ones vector: numpy's
    reductions over a short last axis cost several times more (measured: the softmax was half of
    a digits grid's time). One-hot targets pick one column instead of weighting all of them.
    ``net`` is overwritten."""
    k = net.shape[-1]
    m = net[..., 0].copy()
    for q in range(1, k):
        np.maximum(m, net[..., q], out=m)
    net -= m[..., None]
    if labels is not None:
        picked = net[:, np.arange(net.shape[1]), labels]
        lse = np.log(np.exp(net, out=net) @ np.ones(k))
        lse -= picked
        return lse.mean(axis=1)
    lse = np.log(np.exp(net) @ np.ones(k))
    neg_log_p = lse[..., None] - net
    neg_log_p *= t
    return (neg_log_p @ np.ones(k)).mean(axis=1)


def grid(net: Network, x: Array, y: Array, a: WeightRef, b: WeightRef,
         a_values: Array, b_values: Array,
         should_stop: Callable[[], bool] = lambda: False,
         progress: Callable[[int, int], None] | None = None,
         pulse: Callable[[], None] | None = None) -> Landscape | None:
    """E over ``a_values`` × ``b_values``; one batched pass per row. None if stopped early.
    ``pulse`` runs between rows (a thread computing this beside a window lets it have the GIL
    there, see app/training/courtesy.py); it never changes a number."""
    if tuple(a) == tuple(b):
        raise ValueError("choose two different weights")
    sw = _Sweeper(net, x, y, [a, b])
    av, bv = np.asarray(a_values, dtype=np.float64), np.asarray(b_values, dtype=np.float64)
    errors = np.empty((len(bv), len(av)))
    da = av - sw.now[0]
    for r, bval in enumerate(bv):
        if should_stop():
            return None
        errors[r] = sw.errors([da, np.array([bval - sw.now[1]])])
        if progress is not None:
            progress(r + 1, len(bv))
        if pulse is not None:
            pulse()
    e_now = float(sw.errors([np.zeros(1), np.zeros(1)])[0])
    return Landscape(a, b, av, bv, errors, sw.now[0], sw.now[1], e_now)


def curve(net: Network, x: Array, y: Array, a: WeightRef, values: Array) -> Curve:
    """E over one weight's ``values`` (one batched pass) and the gradient at its current value."""
    sw = _Sweeper(net, x, y, [a])
    v = np.asarray(values, dtype=np.float64)
    errors = sw.errors([v - sw.now[0]])
    return Curve(a, v, errors, sw.now[0], float(sw.errors([np.zeros(1)])[0]), slope(net, x, y, a))


def slope(net: Network, x: Array, y: Array, a: WeightRef) -> float:
    """dE/dw for one weight, from the engine's backward pass (the gradient training uses)."""
    check_weight(net, a)
    eng = Engine(net)
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    grads = dict(zip(eng.keys, eng.gradients(eng.backward(eng.forward(xa), ya))))
    return float(grads[(a.ls, a.ld)][a.i, a.j])


def training_rows(project) -> tuple[Array, Array]:
    """The rows training measures its loss on (inputs normalised as the network sees them)."""
    if project.dataset is None or len(project.dataset) == 0:
        raise ValueError("the network has no data: a landscape needs the error over examples")
    x, y, _ = project.dataset.arrays()
    return x, y


def default_pair(net: Network) -> tuple[WeightRef, WeightRef] | None:
    """Two weights to start with: the first two connections into the last layer, else any two."""
    conns = [WeightRef(ls, i, ld, j) for ls, i, ld, j, _ in net.connections()]
    if len(conns) < 2:
        return None
    last = [c for c in conns if c.ld == len(net.layers) - 1]
    return (last[0], last[1]) if len(last) >= 2 else (conns[0], conns[1])


def contour_levels(errors: Array, count: int = 10) -> Array:
    """``count`` levels evenly spaced in log E between the grid's smallest and largest error
    (valleys are where a landscape's detail is; linear levels crowd the walls)."""
    finite = errors[np.isfinite(errors) & (errors > 0)]
    if finite.size == 0:
        return np.array([])
    lo, hi = np.log10(finite.min()), np.log10(finite.max())
    if hi - lo < 1e-12:
        return np.array([])
    return 10 ** np.linspace(lo, hi, count + 2)[1:-1]


def contour_segments(errors: Array, level: float) -> Array:
    """Marching squares: line segments where the grid crosses ``level``, shape (k, 2, 2) as
    (segment, end, (column, row)) in fractional grid indices. Saddle cells take one of the two
    pairings; at grid resolution the difference is invisible."""
    z = np.asarray(errors, dtype=np.float64) - level
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]  # corners: tl, tr, br, bl
    rows, cols = np.indices(a.shape)
    def cross(p, q, p_xy, q_xy):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(p / (p - q), 0.0, 1.0)
        return (p_xy[0] + t * (q_xy[0] - p_xy[0]), p_xy[1] + t * (q_xy[1] - p_xy[1]))
    tl, tr, br, bl = (cols, rows), (cols + 1, rows), (cols + 1, rows + 1), (cols, rows + 1)
    edges = [cross(a, b, tl, tr), cross(b, c, tr, br), cross(d, c, bl, br), cross(a, d, tl, bl)]
    signs = [(a > 0) != (b > 0), (b > 0) != (c > 0), (d > 0) != (c > 0), (a > 0) != (d > 0)]
    segs = []
    crossed = np.stack(signs)  # (4, r, c)
    count = crossed.sum(axis=0)
    for r, cc in zip(*np.nonzero(count >= 2)):
        pts = [(edges[e][0][r, cc], edges[e][1][r, cc]) for e in range(4) if crossed[e, r, cc]]
        segs.append((pts[0], pts[1]))
        if len(pts) == 4:
            segs.append((pts[2], pts[3]))
    return np.array(segs, dtype=np.float64).reshape(-1, 2, 2)
