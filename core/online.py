"""Online (one sample at a time) training of tiny networks with plain Python floats.

For a 2-2-1 network numpy's fixed cost per call dominates: a forward, backward and update of one
sample is ~35 array calls of ~1 µs each, while the same arithmetic on floats is ~60 multiply-adds.
So this path writes the whole epoch for the network at hand as straight-line Python (every
neuron's net, output and δ and every parameter a local variable; the epoch's loss, right answers
and Σ|δ| summed on the way), compiles it once per run and calls it once per epoch. The source is
built from unit and slot indices and fixed templates only, never from text in a file. It computes
exactly the formulas of core/engine.py (same δ definitions, same update) and is checked against
it in tests; it is only chosen where it is faster (see ``eligible``).
"""
from __future__ import annotations

import math
from operator import sub

import numpy as np
from numpy.typing import NDArray

from .activations import LEAKY_SLOPE, SIGMOID_FLOOR
from .engine import Engine
from .network import Network
from .optimizers import Optimizer
from .slices import Slicer, spans

Array = NDArray[np.float64]
# Above this the array engine wins even one sample at a time. Measured with the generated epoch
# (samples/s, floats vs arrays, 3 epochs including the 1–12 ms compile, alternating, busy
# machine): 2-8-8-1 (105 parameters) 49,800 vs 21,900; 2-16-16-1 (337) 23,400 vs 17,400;
# 4-32-3 (259) 25,900 vs 19,100; 8-48-3 (579) 4,600 vs 6,700; 4-32-16-3 (739) 3,900 vs 8,000.
MAX_PARAMETERS = 400


def eligible(net: Network, eng: Engine, opt: Optimizer, batch_size: int, n_samples: int) -> bool:
    s = opt.s
    if batch_size != 1 and not (batch_size == 0 and n_samples == 1):
        return False
    if s.name not in ("sgd", "momentum") or s.l1 or s.l2 or net.parameter_count() > MAX_PARAMETERS:
        return False
    if eng.loss.name not in GRAD_TEMPLATES and not (eng.loss.name == "binary_cross_entropy" and eng.fused):
        return False
    acts = {net.activation_of(li, k) for li in range(1, len(net.layers)) for k in range(net.layers[li].size)}
    return acts <= SCALAR_TEMPLATES.keys()


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
        # where each parameter array starts in theta (blocks by layer pair, then biases)
        bounds = [eng.spans[("w", k)][0] for k in eng.keys] + [eng.spans[("b", j)][0] for j in range(1, len(sizes))]
        fwd: dict[int, list[tuple[int, int]]] = {u: [] for u in range(self.n_in, self.n_units)}
        for pi, (a, j) in enumerate(eng.keys):
            blk = net.blocks[(a, j)]
            for i, jj in zip(*np.nonzero(blk.mask)):
                fwd[self.offsets[j] + int(jj)].append((self.offsets[a] + int(i), len(self.slots)))
                self.slots.append(bounds[pi] + int(i) * sizes[j] + int(jj))
        self.unit_specs = []  # (unit, [(src unit, slot)], bias slot, activation name)
        nk = len(eng.keys)
        for j in range(1, len(sizes)):
            for k in range(sizes[j]):
                u = self.offsets[j] + k
                self.unit_specs.append((u, fwd[u], len(self.slots), net.activation_of(j, k)))
                self.slots.append(bounds[nk + j - 1] + k)
        self.n_out = sizes[-1]
        self.back_specs = []  # hidden units in reverse order: (unit, [(dst unit, slot)], activation)
        outgoing: dict[int, list[tuple[int, int]]] = {u: [] for u in range(self.n_units)}
        for u, inc, _, _ in self.unit_specs:
            for src, slot in inc:
                outgoing[src].append((u, slot))
        for u, inc, _, name in reversed(self.unit_specs[:-self.n_out]):
            self.back_specs.append((u, outgoing[u], name))
        self.weight_uses = [(slot, src, u) for u, inc, _, _ in self.unit_specs for src, slot in inc]
        # fixed biases: no bias update at all (the optimiser's zeroed gradient, on this path)
        self.bias_uses = [] if opt.fixed_biases else [(b, u) for u, _, b, _ in self.unit_specs]
        self.slot_index = np.array(self.slots, dtype=np.intp)
        # Momentum's velocities live here as floats during a run (the optimiser may hold restored
        # ones); ``store_state`` hands them back so a saved run can resume exactly.
        v = opt.state1 if opt.s.name == "momentum" else None
        self.velocity = [0.0] * len(self.slots) if v is None else v[self.slot_index].tolist()

    def store_state(self) -> None:
        if self.opt.s.name == "momentum" and self.opt.state1 is not None:
            self.opt.state1[self.slot_index] = self.velocity

    def epoch(self, order: NDArray[np.intp] | None, classify: bool,
              slicer: Slicer | None = None) -> tuple[float, float, int, list[float]]:
        """One epoch over the data given to ``compile``: (sum of the samples' E, largest
        parameter change, samples classified right, Σ|δ| per non-input neuron in unit order).
        The engine's ``theta`` holds the new parameters afterwards. The samples run in the
        ``slicer``'s slices, each carrying on the last one's parameters and running sums."""
        old = self.eng.theta[self.slot_index].tolist()
        new, vel = old, self.velocity if self.momentum is not None else None
        idx = range(self.n_samples) if order is None else order.tolist()
        loss, right, ad = 0.0, 0, self.zero_sums
        for s, e in spans(slicer, self.n_samples):
            part = idx if e - s == self.n_samples else idx[s:e]
            new, vel, loss, right, ad = self._epoch(new, vel, self.xs, self.ys, part, self.lr, self.momentum,
                                                    classify, loss, right, ad)
        if vel is not None:
            self.velocity = vel
        self.eng.theta[self.slot_index] = new
        change = max(map(abs, map(sub, new, old)), default=0.0)
        return loss, change, right, ad

    def compile(self, x: Array, y: Array) -> None:
        """Generate the epoch function for this network and keep the data as float lists."""
        self.xs, self.ys, self.n_samples = x.tolist(), y.tolist(), len(x)
        self.zero_sums = [0.0] * len(self.unit_specs)
        s = self.opt.s
        self.lr, self.momentum = s.learning_rate, (s.momentum if s.name == "momentum" else None)
        ns = {"exp": math.exp, "tanh": math.tanh, "sp": _softplus, "argmax": _argmax}
        exec(compile(self._source(), "<core.online epoch>", "exec"), ns)  # noqa: S102 (see module doc)
        self._epoch = ns["epoch"]

    def _source(self) -> str:
        """Straight-line Python for one epoch: every neuron's net, output and δ and every
        parameter are local variables (o3, n3, d3, w7, v7). Built only from unit and slot
        indices and the fixed templates below: nothing from a file reaches the source."""
        n_slots, k_out = len(self.slots), self.n_out
        mom = self.momentum is not None
        loss_name = self.eng.loss.name
        ws = ", ".join(f"w{i}" for i in range(n_slots))
        vs = ", ".join(f"v{i}" for i in range(n_slots))
        units = [u for u, *_ in self.unit_specs]
        out = ["def epoch(W, V, xs, ys, idx, lr, mom, classify, loss, right, A):",
               f"    {ws}, = W" if n_slots else "    pass"]
        if mom:
            out.append(f"    {vs}, = V")
        out.append("    " + ", ".join(f"a{u}" for u in units) + ", = A")
        out.append("    for r in idx:")
        body = ["x = xs[r]", "t = ys[r]"]
        body += [f"o{u} = x[{u}]" for u in range(self.n_in)]
        for u, inc, b, name in self.unit_specs:
            terms = [f"o{src} * w{slot}" for src, slot in inc] + [f"w{b}"]
            f, _ = SCALAR_TEMPLATES[name]
            body.append(f"n{u} = " + " + ".join(terms))
            body.append(f"o{u} = " + f.format(n=f"n{u}", o=f"o{u}"))
        for q, (u, _, _, name) in enumerate(self.unit_specs[-k_out:]):
            if self.eng.fused:
                body.append(f"d{u} = o{u} - t[{q}]")
            else:
                _, df = SCALAR_TEMPLATES[name]
                g = GRAD_TEMPLATES[loss_name].format(o=f"o{u}", t=f"t[{q}]", K=k_out)
                body.append(f"d{u} = ({g}) * ({df.format(n=f'n{u}', o=f'o{u}')})")
        for u, outs, name in self.back_specs:
            _, df = SCALAR_TEMPLATES[name]
            acc = " + ".join(f"d{dst} * w{slot}" for dst, slot in outs) or "0.0"
            body.append(f"d{u} = ({acc}) * ({df.format(n=f'n{u}', o=f'o{u}')})")
        body += [f"a{u} += abs(d{u})" for u in units]
        outs_q = [(q, u) for q, (u, *_rest) in enumerate(self.unit_specs[-k_out:])]
        if loss_name == "binary_cross_entropy":
            body.append("loss += " + " + ".join(f"t[{q}] * sp(-n{u}) + (1.0 - t[{q}]) * sp(n{u})"
                                                for q, u in outs_q))
        else:
            body += [f"e{q} = t[{q}] - o{u}" for q, u in outs_q]
            sq = " + ".join(f"e{q} * e{q}" for q, _ in outs_q)
            body.append(f"loss += 0.5 * ({sq})" if loss_name == "half_sse" else f"loss += ({sq}) / {k_out}")
        body.append("if classify:")
        if k_out == 1:
            body.append(f"    right += (o{outs_q[0][1]} >= 0.5) == (t[0] >= 0.5)")
        else:
            body.append(f"    right += argmax(({', '.join(f'o{u}' for _, u in outs_q)},)) == argmax(t)")
        for slot, src, u in self.weight_uses:
            if mom:
                body += [f"v{slot} = mom * v{slot} - lr * (o{src} * d{u})", f"w{slot} += v{slot}"]
            else:
                body.append(f"w{slot} -= lr * (o{src} * d{u})")
        for b, u in self.bias_uses:
            if mom:
                body += [f"v{b} = mom * v{b} - lr * d{u}", f"w{b} += v{b}"]
            else:
                body.append(f"w{b} -= lr * d{u}")
        out += ["        " + line for line in body]
        out.append(f"    return [{ws}], {f'[{vs}]' if mom else 'None'}, loss, right, "
                   f"[{', '.join(f'a{u}' for u in units)}]")
        return "\n".join(out) + "\n"


def _softplus(z: float) -> float:
    return (z if z > 0.0 else 0.0) + math.log1p(math.exp(-abs(z)))


def _argmax(v) -> int:
    return max(range(len(v)), key=v.__getitem__)  # the first of equal maxima, as numpy's argmax


# f(n) and f'(n, o) as Python expressions: the formulas of core/activations.py, written out.
SCALAR_TEMPLATES = {
    "sigmoid": ("1.0 / (1.0 + exp(-{n} if {n} > %r else %r))" % (SIGMOID_FLOOR, -SIGMOID_FLOOR),
                "{o} * (1.0 - {o})"),
    "tanh": ("tanh({n})", "1.0 - {o} * {o}"),
    "relu": ("({n} if {n} > 0.0 else 0.0)", "(1.0 if {n} > 0.0 else 0.0)"),
    "leaky_relu": ("({n} if {n} > 0.0 else %r * {n})" % LEAKY_SLOPE, "(1.0 if {n} > 0.0 else %r)" % LEAKY_SLOPE),
    "linear": ("{n}", "1.0"),
}
# dE/do of the losses this path takes (binary cross-entropy only fused with sigmoid: δ = o − t).
GRAD_TEMPLATES = {"half_sse": "{o} - {t}", "mse": "2.0 * ({o} - {t}) / {K}"}
