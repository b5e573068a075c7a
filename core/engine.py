"""The compiled engine: forward and backward passes over a Network's blocks as matrix products.

Notation (per sample; rows of a batch are samples):
    net_j = b_j + Σ_{a→j} out_a · W_aj          out_j = f_j(net_j)
    δ_j   = ∂E/∂net_j
    output layer:  δ = (∂E/∂out) ⊙ f'(net)   (softmax: δ = s ⊙ (g − Σ g s), the exact
                   Jacobian-vector product over the neurons the softmax spans: with per-neuron
                   overrides, each activation group of the layer gets its own form);
                   cross-entropies, from G = ∂E/∂ln o (core/losses.py):
                   sigmoid δ = G ⊙ (1 − o),  softmax δ = G − s Σ G;
                   so δ = o − t for sigmoid with binary cross-entropy, and δ = s Σt − t for
                   softmax with cross-entropy (= s − t when each target row sums to 1)
    hidden layer:  δ_a = f'_a(net_a) ⊙ Σ_{a→j} δ_j · W_ajᵀ   (sums over every layer a feeds:
                   skip connections add their share)
    ∂E/∂W_aj = out_aᵀ · δ_j / n        ∂E/∂b_j = Σ_rows δ_j / n    (mean over the batch)
Missing connections are masked: their weight and gradient stay exactly 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, get_activation
from .losses import get_loss
from .network import Network

Array = NDArray[np.float64]
# Up to this many parameters, gradients scale the flat gradient once instead of δ per layer.
FLAT_SCALE_MAX = 8192


@dataclass
class Pass:
    """One forward (and optionally backward) pass: per-layer arrays, rows are samples."""

    nets: list[Array]
    outs: list[Array]
    deltas: list[Array] | None = None


class Engine:
    """Parameters copied out of a Network, in the shapes the passes need."""

    def __init__(self, net: Network) -> None:
        net.validate()
        if net.is_recurrent:
            raise ValueError("this network has recurrent connections (backward, sideways or onto a "
                             "neuron), which the feed-forward engine cannot compute; core/recurrent.py does")
        self.sizes = net.sizes
        n = len(self.sizes)
        self.keys: list[tuple[int, int]] = sorted(net.blocks)
        # Every parameter lives in one flat vector ``theta`` and the blocks and bias vectors are
        # views into it: an update, a copy or a finiteness check of all parameters is one array
        # call, whatever the number of layers. Layer by layer, each layer's incoming blocks come
        # first and its bias right after them, so a layer fed only by the one before it has its
        # weights and bias as one (inputs + 1) x neurons matrix (core/dense.py folds the bias into
        # the product with it). ``canonical`` reorders theta into the documented order of saved
        # optimiser state (core/resume.py): every block by layer pair, then the biases.
        parts: list[tuple[str, object, tuple[int, ...]]] = []
        for j in range(1, n):
            parts += [("w", (a, j), net.blocks[(a, j)].weight.shape) for a in sorted(a for a, b in net.blocks if b == j)]
            parts.append(("b", j, (self.sizes[j],)))
        bounds = np.cumsum([0] + [int(np.prod(sh)) for _, _, sh in parts]).tolist()
        self.theta = np.zeros(bounds[-1])
        self.grad = np.zeros(bounds[-1])
        span = {(kind, key): (lo, hi) for (kind, key, _), lo, hi in zip(parts, bounds, bounds[1:])}
        shape = {(kind, key): sh for kind, key, sh in parts}
        order = [("w", k) for k in self.keys] + [("b", j) for j in range(1, n)]
        self.canonical = np.concatenate([np.arange(*span[o]) for o in order]).astype(np.intp) \
            if order else np.zeros(0, np.intp)
        views = [self.theta[slice(*span[o])].reshape(shape[o]) for o in order]
        gviews = [self.grad[slice(*span[o])].reshape(shape[o]) for o in order]
        self.spans = span
        self.W: dict[tuple[int, int], Array] = dict(zip(self.keys, views))
        for k in self.keys:
            self.W[k][...] = np.where(net.blocks[k].mask, net.blocks[k].weight, 0.0)
        self.mask: dict[tuple[int, int], Array | None] = {
            k: None if net.blocks[k].mask.all() else net.blocks[k].mask.astype(np.float64) for k in self.keys}
        # 1 for every weight that exists, 0 for absent weights and for biases (decay, resume)
        self.weight_mask = np.zeros(bounds[-1])
        for k in self.keys:
            self.weight_mask[slice(*span[("w", k)])] = net.blocks[k].mask.ravel()
        self.bias_index = np.concatenate([np.arange(*span[("b", j)]) for j in range(1, n)]).astype(np.intp) \
            if n > 1 else np.zeros(0, np.intp)
        self.b: list[Array] = [np.zeros(self.sizes[0])] + views[len(self.keys):]
        for layer, b in zip(net.layers[1:], self.b[1:]):
            b[...] = layer.biases
        self._grad_views = gviews
        self._bias_rows = [g.reshape(1, -1) for g in gviews[len(self.keys):]]
        self._ones_row = np.ones((1, 1))
        self.incoming = [[a for (a, b) in self.keys if b == j] for j in range(n)]
        self.outgoing = [[b for (a, b) in self.keys if a == j] for j in range(n)]
        self.groups: list[list[tuple[Activation, NDArray[np.intp] | None]]] = [[]]
        for layer in net.layers[1:]:
            names = [layer.activation_of(k) for k in range(layer.size)]
            uniq = sorted(set(names))
            if len(uniq) == 1:
                self.groups.append([(get_activation(uniq[0]), None)])
            else:
                self.groups.append([(get_activation(u), np.array([k for k, nm in enumerate(names) if nm == u]))
                                    for u in uniq])
        self.loss = get_loss(net.loss)
        out_groups = self.groups[-1]
        self._mask_list = [self.mask[k] for k in self.keys]
        self._zeros_in = np.zeros((1, self.sizes[0]))
        self._compile_plan()
        # δ = o − t: always exact for sigmoid with binary cross-entropy; for softmax with
        # cross-entropy only when every target row sums to 1 (``expect_targets`` checks the data).
        fusable = len(out_groups) == 1 and out_groups[0][1] is None and \
            self.loss.fused_with == out_groups[0][0].name
        self._fused_always = fusable and not out_groups[0][0].whole_layer
        self._fused_if_rows_sum_to_one = fusable and out_groups[0][0].whole_layer
        self.fused = self._fused_always
        self._log_loss = self.loss.needs_probabilities and all(a.probability for a, _ in out_groups)

    def expect_targets(self, t: Array) -> None:
        """Every target the passes will see is a row of ``t``: use δ = o − t if that is exact."""
        self.fused = self._fused_always or (self._fused_if_rows_sum_to_one and t.size > 0 and
                                            bool(np.all(np.abs(t.sum(axis=1) - 1.0) <= 1e-12)))

    def _compile_plan(self) -> None:
        """Lists of (layer, [(source, W)], bias, activation) so the passes do no dict look-ups.
        The arrays are the live parameter arrays: optimisers update them in place."""
        single = [g[0][0] if len(g) == 1 else None for g in self.groups]
        n = len(self.sizes)
        self._plan = [(j, [(a, self.W[(a, j)]) for a in self.incoming[j]], self.b[j], single[j])
                      for j in range(1, n)]
        self._back_plan = [(a, [(j, self.W[(a, j)]) for j in self.outgoing[a]], single[a])
                           for a in range(n - 2, -1, -1)]

    # ----------------------------------------------------------------- parameters
    def parameters(self) -> list[Array]:
        """Weight blocks (sorted by layer pair) then biases of layers 1..n-1; arrays are live."""
        return [self.W[k] for k in self.keys] + self.b[1:]

    def masks(self) -> list[Array | None]:
        return [self.mask[k] for k in self.keys] + [None] * (len(self.sizes) - 1)

    def write_back(self, net: Network) -> None:
        net.set_parameters({k: w.copy() for k, w in self.W.items()}, [b.copy() for b in self.b])

    # ----------------------------------------------------------------- passes
    def _activate(self, j: int, net: Array) -> Array:
        groups = self.groups[j]
        if len(groups) == 1:
            return groups[0][0].f(net)
        out = np.empty_like(net)
        for act, idx in groups:
            out[:, idx] = act.f(net[:, idx])
        return out

    def _derivative(self, j: int, net: Array, out: Array) -> Array:
        groups = self.groups[j]
        if len(groups) == 1:
            return groups[0][0].df(net, out)
        d = np.empty_like(net)
        for act, idx in groups:
            d[:, idx] = act.df(net[:, idx], out[:, idx])
        return d

    @property
    def keeps_output_nets(self) -> bool:
        """Training records the output layer's net inputs (not its outputs) when the loss is
        computed from log-probabilities; ``output_of`` turns them into outputs once per epoch."""
        return self._log_loss

    def output_of(self, net: Array) -> Array:
        return self._activate(len(self.sizes) - 1, net)

    def forward(self, x: Array) -> Pass:
        outs: list[Array] = [x]
        nets: list[Array] = [x]
        for j, inc, b, single in self._plan:
            if inc:
                a, w = inc[0]
                net = outs[a] @ w
                for a, w in inc[1:]:
                    net += outs[a] @ w
                net += b
            else:
                net = np.broadcast_to(b, (x.shape[0], b.shape[0])).copy()
            nets.append(net)
            outs.append(single.f(net) if single is not None else self._activate(j, net))
        return Pass(nets, outs)

    def output_delta(self, p: Pass, t: Array) -> Array:
        out, net = p.outs[-1], p.nets[-1]
        if self.fused:
            return out - t
        # ∂E/∂o for the squared errors, or G = ∂E/∂ln o for the cross-entropies (then per group:
        # the losses are sums over outputs, so a group's G needs only its own columns).
        log = self.loss.needs_probabilities
        g = None if log else self.loss.grad(out, t)  # type: ignore[misc]
        groups = self.groups[-1]
        if len(groups) == 1:
            return self._group_delta(groups[0][0], net, out, t if log else g, log)
        d = np.empty_like(out)
        for act, idx in groups:
            d[:, idx] = self._group_delta(act, net[:, idx], out[:, idx], (t if log else g)[:, idx], log)
        return d

    def _group_delta(self, act: Activation, net: Array, out: Array, tg: Array, log: bool) -> Array:
        """δ of the output neurons sharing one activation (the softmax spans only its own group).
        ``tg`` is the targets when ``log`` (cross-entropies), else ∂E/∂o."""
        if log:
            lp, lq = act.log_prob(net)  # type: ignore[misc]  (output_problem refuses the rest)
            g = self.loss.log_grad(lp, lq, tg)  # type: ignore[misc]
            if act.whole_layer:
                return g - out * g.sum(axis=1, keepdims=True)
            return g * np.exp(lq)
        if act.whole_layer:
            return out * (tg - (tg * out).sum(axis=1, keepdims=True))
        return tg * act.df(net, out)

    def backward(self, p: Pass, t: Array, input_delta: bool = True, into: list[Array] | None = None) -> Pass:
        """Fill ``p.deltas`` (δ = ∂E/∂net per sample). The input layer's entry is ∂E/∂x, or zeros
        when ``input_delta`` is False (training skips that product: no weight depends on it).
        ``into`` (one C-contiguous array per layer, [0] unused) receives δ directly: training
        keeps every δ of an epoch, and writing them where they are kept saves a copy per layer."""
        n = len(self.sizes)
        deltas: list[Array] = [None] * n  # type: ignore[list-item]
        if into is not None and self.fused:
            deltas[-1] = np.subtract(p.outs[-1], t, out=into[-1])
        else:
            deltas[-1] = self.output_delta(p, t)
            if into is not None:
                into[-1][...] = deltas[-1]
                deltas[-1] = into[-1]
        for a, outs, single in self._back_plan:
            if a == 0 and not input_delta:
                deltas[0] = self._zeros_in
                continue
            if not outs:
                deltas[a] = np.zeros_like(p.outs[a]) if into is None or not a else \
                    np.multiply(into[a], 0.0, out=into[a])
                continue
            j, wt = outs[0]
            back = deltas[j] @ wt.T if into is None or not a else np.matmul(deltas[j], wt.T, out=into[a])
            for j, wt in outs[1:]:
                back += deltas[j] @ wt.T
            if a:
                back *= single.df(p.nets[a], p.outs[a]) if single is not None else \
                    self._derivative(a, p.nets[a], p.outs[a])
            deltas[a] = back
        p.deltas = deltas
        return p

    def gradients(self, p: Pass, scale: float | None = None, reuse: bool = False) -> list[Array]:
        """∂E/∂(parameters) times ``scale`` (default 1/batch: the batch mean), in the order of
        ``parameters()``. Scaling δ first costs a batch-sized product, not a weight-sized one;
        for small networks one pass over the whole flat gradient is cheaper than a call per layer.
        ``reuse`` writes them into ``self.grad`` (flat, laid out like ``theta``; valid until the
        next call): fresh weight-sized arrays every step cost page faults on large networks, and
        the optimiser then updates all parameters in one call."""
        assert p.deltas is not None
        if scale is None:
            scale = 1.0 / p.outs[0].shape[0]
        flat = reuse and self.grad.size <= FLAT_SCALE_MAX
        scaled = p.deltas if flat else [None] + [d * scale for d in p.deltas[1:]]
        grads = []
        gv = self._grad_views
        for q, ((a, j), m) in enumerate(zip(self.keys, self._mask_list)):
            g = np.matmul(p.outs[a].T, scaled[j], out=gv[q]) if reuse else p.outs[a].T @ scaled[j]
            if m is not None:
                g *= m
            grads.append(g)
        # Column sums as a product with a row of ones: for small batches a BLAS call costs less
        # than numpy's generic reduction (measured: 1.3 µs against 3–4 µs for 32×16).
        ones = self._ones(p.outs[0].shape[0])
        for j in range(1, len(self.sizes)):
            if reuse:
                grads.append(np.matmul(ones, scaled[j], out=self._bias_rows[j - 1])[0])
            else:
                grads.append((ones @ scaled[j])[0])
        if flat and scale != 1.0:
            self.grad *= scale
        return grads

    def _ones(self, n: int) -> Array:
        if self._ones_row.shape[1] != n:
            self._ones_row = np.ones((1, n))
        return self._ones_row

    def loss_per_sample(self, out: Array, t: Array, net: Array | None = None) -> Array:
        """E per sample. Give the output layer's net input too: the cross-entropies are then
        computed from log-probabilities (exact where an output has rounded to 0 or 1)."""
        if net is None or not self._log_loss:
            return self.loss.value(out, t)
        groups = self.groups[-1]
        if len(groups) == 1:
            return self.loss.log_value(*groups[0][0].log_prob(net, self.loss.uses_complement), t)  # type: ignore[misc]
        e = np.zeros(out.shape[0])
        for act, idx in groups:
            e += self.loss.log_value(*act.log_prob(net[:, idx], self.loss.uses_complement), t[:, idx])  # type: ignore[misc]
        return e

    def pass_loss(self, p: Pass, t: Array) -> Array:
        return self.loss_per_sample(p.outs[-1], t, p.nets[-1])

    def predict(self, x: Array) -> Array:
        return self.forward(np.asarray(x, dtype=np.float64).reshape(-1, self.sizes[0])).outs[-1]
