"""Online (one sample at a time) training of tiny networks with plain Python floats.

For a 2-2-1 network numpy's fixed cost per call dominates: a forward, backward and update of one
sample is ~35 array calls of ~1 µs each, while the same arithmetic on floats is ~60 multiply-adds.
Measured in bench/engine.py, this path trains XOR online several times faster than the array
engine. It computes exactly the formulas of core/engine.py (same δ definitions, same update) and
is checked against it in tests; it is only chosen where it is faster (see ``eligible``).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .activations import get_activation
from .engine import Engine
from .network import Network
from .optimizers import Optimizer

Array = NDArray[np.float64]
# Above this the array engine wins even one sample at a time. Measured, 200 samples online
# (epochs/s, floats vs arrays): 2-2-1 1063 vs 121; 2-8-8-1 (105 parameters) 186 vs 90;
# 2-32-1 (129) 152 vs 153; 4-32-3 (259) 85 vs 129; 2-16-16-1 (337) 69 vs 88.
MAX_PARAMETERS = 128


def eligible(net: Network, eng: Engine, opt: Optimizer, batch_size: int, n_samples: int) -> bool:
    s = opt.s
    if batch_size != 1 and not (batch_size == 0 and n_samples == 1):
        return False
    if s.name not in ("sgd", "momentum") or s.l1 or s.l2 or net.parameter_count() > MAX_PARAMETERS:
        return False
    if eng.loss.scalar_grad is None:
        return False
    acts = {net.activation_of(li, k) for li in range(1, len(net.layers)) for k in range(net.layers[li].size)}
    return all(get_activation(a).scalar_f is not None for a in acts)


class OnlineTrainer:
    """Runs epochs one sample at a time on float lists mirroring the engine's arrays."""

    def __init__(self, net: Network, eng: Engine, opt: Optimizer) -> None:
        self.eng, self.opt = eng, opt
        sizes = eng.sizes
        self.offsets = np.cumsum([0] + sizes).tolist()
        self.n_units = self.offsets[-1]
        self.n_in = sizes[0]
        # slots: index into the engine's flat theta for each float in the working list
        self.slots: list[int] = []
        bounds = np.cumsum([0] + [p.size for p in eng.parameters()]).tolist()
        fwd: dict[int, list[tuple[int, int]]] = {u: [] for u in range(self.n_in, self.n_units)}
        for pi, (a, j) in enumerate(eng.keys):
            blk = net.blocks[(a, j)]
            for i, jj in zip(*np.nonzero(blk.mask)):
                fwd[self.offsets[j] + int(jj)].append((self.offsets[a] + int(i), len(self.slots)))
                self.slots.append(bounds[pi] + int(i) * sizes[j] + int(jj))
        self.units = []  # (unit, [(src unit, slot)], bias slot, f, df)
        nk = len(eng.keys)
        for j in range(1, len(sizes)):
            for k in range(sizes[j]):
                u = self.offsets[j] + k
                act = get_activation(net.activation_of(j, k))
                self.units.append((u, fwd[u], len(self.slots), act.scalar_f, act.scalar_df))
                self.slots.append(bounds[nk + j - 1] + k)
        self.n_out = sizes[-1]
        self.out_units = self.units[-self.n_out:]
        self.hidden_back = []  # reverse order: (unit, [(dst unit, slot)], df)
        outgoing: dict[int, list[tuple[int, int]]] = {u: [] for u in range(self.n_units)}
        for u, inc, _, _, _ in self.units:
            for src, slot in inc:
                outgoing[src].append((u, slot))
        for u, inc, _, _, df in reversed(self.units[:-self.n_out]):
            self.hidden_back.append((u, outgoing[u], df))
        self.weight_uses = [(slot, src, u) for u, inc, _, _, _ in self.units for src, slot in inc]
        # fixed biases: no bias update at all (the optimiser's zeroed gradient, on this path)
        self.bias_uses = [] if opt.fixed_biases else [(b, u) for u, _, b, _, _ in self.units]
        self.grad = None if eng.fused else eng.loss.scalar_grad
        self.velocity = [0.0] * len(self.slots)
        self.slot_index = np.array(self.slots, dtype=np.intp)

    def _load(self) -> list[float]:
        return self.eng.theta[self.slot_index].tolist()

    def _store(self, w: list[float]) -> None:
        self.eng.theta[self.slot_index] = w

    def epoch(self, x: Array, y: Array, order: NDArray[np.intp] | None, outs_epoch: Array,
              deltas_all: Array) -> None:
        """One epoch; outputs and δ (non-input neurons, layer by layer) land in visiting order."""
        w = self._load()
        s = self.opt.s
        lr, mom = s.learning_rate, (s.momentum if s.name == "momentum" else None)
        vel = self.velocity
        n_in, n_units, n_out, k_out = self.n_in, self.n_units, self.n_out, self.n_out
        units, out_units, hidden_back = self.units, self.out_units, self.hidden_back
        weight_uses, bias_uses, grad = self.weight_uses, self.bias_uses, self.grad
        xs, ys = x.tolist(), y.tolist()
        idx = range(len(xs)) if order is None else order.tolist()
        outs_rows, delta_rows = [], []
        net = [0.0] * n_units
        delta = [0.0] * n_units
        for r in idx:
            out = xs[r] + [0.0] * (n_units - n_in)
            for u, inc, b, f, _ in units:
                acc = 0.0
                for src, slot in inc:
                    acc += out[src] * w[slot]
                acc += w[b]
                net[u] = acc
                out[u] = f(acc)
            t = ys[r]
            for q, (u, _, _, _, df) in enumerate(out_units):
                o = out[u]
                delta[u] = (o - t[q]) if grad is None else grad(o, t[q], k_out) * df(net[u], o)
            for u, outs, df in hidden_back:
                acc = 0.0
                for dst, slot in outs:
                    acc += delta[dst] * w[slot]
                delta[u] = acc * df(net[u], out[u])
            if mom is None:
                for slot, src, u in weight_uses:
                    w[slot] -= lr * (out[src] * delta[u])
                for b, u in bias_uses:
                    w[b] -= lr * delta[u]
            else:
                for slot, src, u in weight_uses:
                    v = vel[slot] = mom * vel[slot] - lr * (out[src] * delta[u])
                    w[slot] += v
                for b, u in bias_uses:
                    v = vel[b] = mom * vel[b] - lr * delta[u]
                    w[b] += v
            outs_rows.append(out[n_units - n_out:])
            delta_rows.append(delta[n_in:])
        self._store(w)
        outs_epoch[...] = outs_rows
        deltas_all[...] = delta_rows
