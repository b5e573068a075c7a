"""The engine for recurrent networks: connections that run backward, sideways or onto a neuron.

All neurons share one state vector s (inputs first, then layer by layer) and one weight matrix
W[src, dst] (blocks of the drawn network placed at their neurons' offsets), so
net input u = s W + b. Input neurons are clamped to the data.

Settle (Almeida 1987, Pineda 1987: recurrent backpropagation), per sample:

    forward relaxation   s ← (1−λ) s + λ f(s W + b)          until max |Δs| < threshold
    backward relaxation  δ ← (1−λ) δ + λ (e + f′(u) ⊙ (δ Wᵀ))  until max |Δδ| < threshold
    gradient             ∂E/∂W[i, j] = s_i δ_j ,  ∂E/∂b_j = δ_j

with e = f′(u) ⊙ ∂E/∂s at the outputs (o − t when the loss is fused with the activation), so at
the fixed point δ = ∂E/∂u, the same δ as static backpropagation. Both relaxations converge when
the fixed point is stable (the spectral radius of f′(u) W is below 1); a network that does not
settle within the iteration limit gets a message, never a silently wrong gradient.

Sequence (Elman / Jordan), see ``core/bptt.py``: one time step is one pass in layer order, where
recurrent connections carry the previous step's outputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, get_activation
from .losses import get_loss
from .network import Network
from .recurrence import Recurrence, is_recurrent_pair

Array = NDArray[np.float64]


class NotSettledError(ValueError):
    """A relaxation reached its iteration limit (or overflowed) before it settled."""


@dataclass
class Relaxation:
    """One relaxation of a batch: the final values, the largest change per iteration, and (when
    recorded) every iteration's values, for the trace and the step-through."""

    values: Array  # settle forward: states s (batch, N); backward: δ (batch, N)
    changes: list[float]
    converged: bool
    history: list[Array] = field(default_factory=list)

    @property
    def iterations(self) -> int:
        return len(self.changes)


def not_settled_message(what: str, r: Relaxation, s: Recurrence) -> str:
    last = r.changes[-1] if r.changes else float("nan")
    if not np.isfinite(last):
        return f"the {what} relaxation overflowed: the network's feedback grows without bound; " \
               f"use smaller recurrent weights or a relaxation rate below 1"
    return (f"the network did not settle: after {r.iterations} iterations of the {what} relaxation "
            f"the largest change is {last:.3g} (threshold {s.threshold:g}); try a relaxation rate "
            f"below 1, smaller recurrent weights or more iterations")


class RecurrentEngine:
    """Compiled from a Network; parameters live in one flat ``theta`` = [W (N×N), b (N)] so the
    optimisers of core/optimizers.py update them unchanged (absent links are masked)."""

    def __init__(self, net: Network) -> None:
        net.validate()
        self.settings = net.recurrence_settings()
        self.sizes = net.sizes
        self.offsets = np.cumsum([0] + self.sizes).tolist()
        n = self.n = self.offsets[-1]
        self.n_in = self.sizes[0]
        self.out_slice = slice(self.offsets[-2], n)
        self.keys = sorted(net.blocks)
        self.theta = np.zeros(n * n + n)
        self.grad = np.zeros_like(self.theta)
        self.Wf = self.theta[:n * n].reshape(n, n)
        self.bf = self.theta[n * n:]
        self.gW = self.grad[:n * n].reshape(n, n)
        self.gb = self.grad[n * n:]
        mask = np.zeros((n, n), dtype=bool)
        rec = np.zeros((n, n), dtype=bool)
        self.W: dict[tuple[int, int], Array] = {}
        for (a, b) in self.keys:
            rows, cols = self._span(a), self._span(b)
            blk = net.blocks[(a, b)]
            self.Wf[rows, cols] = np.where(blk.mask, blk.weight, 0.0)
            mask[rows, cols] = blk.mask
            rec[rows, cols] = is_recurrent_pair(a, b)
            self.W[(a, b)] = self.Wf[rows, cols]
        self.mask = mask.astype(np.float64)
        self.theta_mask = self.mask.ravel().copy()
        # the optimiser's view of theta: which values are existing weights, which are biases
        self.weight_mask = np.concatenate([self.theta_mask, np.zeros(n)])
        self.bias_index = np.arange(n * n, n * n + n, dtype=np.intp)
        self.rec_mask = (rec & mask).astype(np.float64)
        self.ff_mask = (~rec & mask).astype(np.float64)
        self.b: list[Array] = [np.zeros(self.n_in)] + [self.bf[self._span(j)] for j in range(1, len(self.sizes))]
        for layer, b in zip(net.layers[1:], self.b[1:]):
            b[...] = layer.biases
        self._input_biases = net.layers[0].biases.copy()
        # theta in the file format's parameter order (saved optimiser state, core/resume.py):
        # each drawn block by layer pair, then the biases of layers 1, 2, …
        flat = np.arange(n * n).reshape(n, n)
        self.canonical = np.concatenate(
            [flat[self._span(a), self._span(b)].ravel() for (a, b) in self.keys]
            + [n * n + np.arange(n)[self._span(j)] for j in range(1, len(self.sizes))]).astype(np.intp)
        names = [net.activation_of(li, k) for li in range(1, len(self.sizes)) for k in range(self.sizes[li])]
        if any(get_activation(a).whole_layer for a in names):
            raise ValueError("softmax cannot be used in a recurrent network (its outputs depend on "
                             "the whole layer); use sigmoid outputs")
        self.groups = _groups(names, self.n_in)
        self.layer_groups = [[]] + [_groups(names[lo - self.n_in:hi - self.n_in], lo)
                                    for lo, hi in zip(self.offsets[1:-1], self.offsets[2:])]
        self.loss = get_loss(net.loss)
        out_acts = set(names[self.offsets[-2] - self.n_in:])
        self.fused = len(out_acts) == 1 and self.loss.fused_with == next(iter(out_acts))

    def _span(self, layer: int) -> slice:
        return slice(self.offsets[layer], self.offsets[layer + 1])

    # ----------------------------------------------------------------- parameters
    def write_back(self, net: Network) -> None:
        net.set_parameters({k: w.copy() for k, w in self.W.items()},
                           [self._input_biases.copy()] + [b.copy() for b in self.b[1:]])

    def weights_report(self) -> tuple[dict[tuple[int, int], Array], list[Array]]:
        return {k: w.copy() for k, w in self.W.items()}, [b.copy() for b in self.b]

    # ----------------------------------------------------------------- activations
    def activate(self, u: Array, groups=None) -> Array:
        """f of the non-input columns of ``u`` (batch, N), as a (batch, N − n_in) array; with
        ``groups`` (one layer's, see ``layer_groups``) only that layer's columns."""
        groups = self.groups if groups is None else groups
        if len(groups) == 1:  # one activation over a contiguous span: no scatter
            act, idx, span = groups[0]
            return act.f(u[:, span])
        out = np.empty((u.shape[0], sum(len(idx) for _, idx, _ in groups)))
        base = min(int(idx[0]) for _, idx, _ in groups)
        for act, idx, _ in groups:
            out[:, idx - base] = act.f(u[:, idx])
        return out

    def derivative(self, u: Array, o: Array) -> Array:
        """f′ of the non-input columns, given their net input ``u`` (batch, N) and output ``o``."""
        if len(self.groups) == 1:
            act, _, span = self.groups[0]
            return act.df(u[:, span], o)
        d = np.empty_like(o)
        for act, idx, _ in self.groups:
            d[:, idx - self.n_in] = act.df(u[:, idx], o[:, idx - self.n_in])
        return d

    def net_input(self, s: Array) -> Array:
        return s @ self.Wf + self.bf

    # ----------------------------------------------------------------- settle mode
    def forward(self, x: Array, record: bool = False) -> Relaxation:
        """Relax the states of a batch of inputs ``x`` to their fixed point (see module doc)."""
        st = self.settings
        s = np.zeros((x.shape[0], self.n))
        s[:, :self.n_in] = x
        h = s[:, self.n_in:]
        changes: list[float] = []
        history = [s.copy()] if record else []
        converged = False
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(st.max_iterations):
                new = self.activate(self.net_input(s))
                if st.rate != 1.0:
                    new = h + st.rate * (new - h)
                change = float(np.abs(new - h).max()) if new.size else 0.0
                h[...] = new
                changes.append(change)
                if record:
                    history.append(s.copy())
                if not np.isfinite(change):
                    break
                if change < st.threshold:
                    converged = True
                    break
        return Relaxation(s, changes, converged, history)

    def output_error(self, s: Array, u: Array, t: Array, o: Array | None = None) -> tuple[Array, Array]:
        """(e, f′(u)) over the non-input columns: e = ∂E/∂u through the outputs' own activation.
        ``o`` = f(u) when the caller has it (a time step's states are exactly f(u))."""
        o = self.activate(u) if o is None else o
        d = self.derivative(u, o)
        e = np.zeros_like(o)
        out = s[:, self.out_slice]
        cols = slice(self.offsets[-2] - self.n_in, None)
        e[:, cols] = out - t if self.fused else self.loss.grad(out, t) * d[:, cols]
        return e, d

    def backward(self, fwd: Relaxation, t: Array, record: bool = False) -> Relaxation:
        """Relax δ = ∂E/∂u at the forward fixed point; the input columns get ∂E/∂x."""
        st = self.settings
        s = fwd.values
        e, d = self.output_error(s, self.net_input(s), t)
        w_hh = self.Wf[self.n_in:, self.n_in:]
        delta = np.zeros_like(s)
        dh = delta[:, self.n_in:]
        changes: list[float] = []
        history = [delta.copy()] if record else []
        converged = False
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(st.max_iterations):
                new = e + d * (dh @ w_hh.T)
                if st.rate != 1.0:
                    new = dh + st.rate * (new - dh)
                change = float(np.abs(new - dh).max()) if new.size else 0.0
                dh[...] = new
                changes.append(change)
                if record:
                    delta[:, :self.n_in] = dh @ self.Wf[:self.n_in, self.n_in:].T
                    history.append(delta.copy())
                if not np.isfinite(change):
                    break
                if change < st.threshold:
                    converged = True
                    break
        delta[:, :self.n_in] = dh @ self.Wf[:self.n_in, self.n_in:].T
        return Relaxation(delta, changes, converged, history)

    def gradients(self, s: Array, delta: Array, scale: float | None = None) -> Array:
        """∂E/∂theta times ``scale`` (default 1/batch) into ``self.grad`` (flat, like theta)."""
        if scale is None:
            scale = 1.0 / s.shape[0]
        sd = delta * scale
        sd[:, :self.n_in] = 0.0
        np.matmul(s.T, sd, out=self.gW)
        self.gW *= self.mask
        self.gb[...] = sd.sum(axis=0)
        return self.grad

    def loss_per_sample(self, out: Array, t: Array) -> Array:
        return self.loss.value(out, t)

    def settle(self, x: Array) -> Array:
        """Outputs at the fixed point; raises NotSettledError if the network does not settle."""
        r = self.forward(np.asarray(x, dtype=np.float64).reshape(-1, self.n_in))
        if not r.converged:
            raise NotSettledError(not_settled_message("forward", r, self.settings))
        return r.values[:, self.out_slice]

    def predict(self, x: Array) -> Array:
        x = np.asarray(x, dtype=np.float64).reshape(-1, self.n_in)
        if self.settings.mode == "sequence":
            from .bptt import run_sequence
            return run_sequence(self, x)[0][:, self.out_slice]
        return self.settle(x)


def _groups(names: list[str], base: int) -> list[tuple[Activation, NDArray[np.intp], slice]]:
    """(activation, absolute column indexes, their span) for each activation among ``names``
    (columns from ``base``); the span is only used when there is one group."""
    return [(get_activation(u), base + np.array([k for k, nm in enumerate(names) if nm == u], dtype=np.intp),
             slice(base, base + len(names))) for u in sorted(set(names))]


def layer_pass(net: Network, x: Array):
    """What a view of one pass shows (core.engine.Pass: net inputs and outputs per layer) for a
    recurrent network: the fixed point (settle), or the first time step from rest (sequence).
    Raises NotSettledError (a ValueError) when the network does not settle."""
    from .engine import Pass
    eng = RecurrentEngine(net)
    x = np.asarray(x, dtype=np.float64).reshape(-1, eng.n_in)
    if eng.settings.mode == "sequence":
        from .bptt import step
        s, u = step(eng, x, np.zeros((x.shape[0], eng.n)))
    else:
        r = eng.forward(x)
        if not r.converged:
            raise NotSettledError(not_settled_message("forward", r, eng.settings))
        s, u = r.values, eng.net_input(r.values)
    spans = [slice(lo, hi) for lo, hi in zip(eng.offsets, eng.offsets[1:])]
    return Pass([x] + [u[:, sp] for sp in spans[1:]], [s[:, sp] for sp in spans])
