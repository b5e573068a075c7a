"""The chain path's batch step, written out for one network and compiled once per run.

``DenseTrainer`` (core/dense.py) runs a batch as a few dozen numpy calls of about a microsecond
each; around them, a generic step spends as long again in Python: loops over layers, lookups of
buffers and activation forms, the choice of δ form. Here the step is generated as straight-line
source for the network at hand (its layers unrolled, each activation and slope written inline,
every buffer an argument), and the epoch loop over a run's prepared batches is generated with it.
Measured on two spirals (2-16-16-1 tanh, batch 32): an epoch's batches took 504-557 µs against
623-711 µs for the generic step. The operations and their order are exactly the generic step's
(the same bits), as core/online.py does for plain floats.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .activations import SIGMOID_FLOOR

# out = f(net), in place; {n}: the net buffer, {o}: the output buffer. The sigmoid is
# core.activations._sigmoid's operations in the same order (the same bits); the leaky ReLU's
# max(z, 0.01 z) is where(z > 0, z, 0.01 z) for every z, NaN included.
FORWARD_SRC = {
    "sigmoid": ["neg({n}, out={o})", "minimum({o}, FLOOR, out={o})", "exp({o}, out={o})", "{o} += 1.0",
                "divide(1.0, {o}, out={o})"],
    "tanh": ["tanh({n}, out={o})"],
    "relu": ["maximum({n}, 0.0, out={o})"],
    "leaky_relu": ["multiply({n}, 0.01, out={o})", "maximum({n}, {o}, out={o})"],
    "linear": ["copyto({o}, {n})"],
    "softmax": ["softmax({n}, {o})"],
}
# Online (one row): the softmax of core.dense._softmax's one-row branch, written inline with the
# reductions called as ufuncs (net.max() and out.sum() are these, behind a Python wrapper each):
# 0.7 µs of its 5 µs on a 1×10 row, the same bits.
ONE_ROW_SOFTMAX = ["subtract({n}, MAX({n}, None), out={o})", "exp({o}, out={o})",
                   "divide({o}, SUM({o}, None), out={o})"]
# d ⊙= f'(net) into the scratch buffer {b}; None: the activation's own df (called). A hidden
# layer's activation must be one of these (the softmax has no element-wise slope).
SLOPE_SRC = {
    "sigmoid": ["subtract(1.0, {o}, out={b})", "{b} *= {o}", "{d} *= {b}"],
    "tanh": ["multiply({o}, {o}, out={b})", "subtract(1.0, {b}, out={b})", "{d} *= {b}"],
    "relu": ["greater({n}, 0.0, out={b})", "{d} *= {b}"],
    "linear": [],
    "leaky_relu": None,
}


def batch_names(L: int) -> list[str]:
    """The step's arguments, one batch's buffers (see ``DenseTrainer.prepared``)."""
    names = ["a0", "t", "scale"]
    names += [f"a{l}" for l in range(1, L)] + [f"a{l}v" for l in range(1, L)]  # A⁺ and its out columns
    names += [f"a{l}T" for l in range(L)]
    names += [f"n{l}" for l in range(L)] + [f"o{l}" for l in range(L)] + [f"b{l}" for l in range(L)]
    names += [f"s{l}" for l in range(L)] + [f"d{l}" for l in range(1, L + 1)] + ["head", "head_out"]
    return names


def source(tr) -> str:
    """The step of DenseTrainer ``tr`` as a function ``step(<batch_names>)`` and ``epoch(batches)``."""
    L, acts = tr.L, [a.name for a in tr.acts]
    body: list[str] = []
    for l in range(L):
        body.append(f"dot({'a0' if l == 0 else f'a{l}'}, W{l}, out=n{l})")
        forward = ONE_ROW_SOFTMAX if acts[l] == "softmax" and tr.batch == 1 else FORWARD_SRC[acts[l]]
        body += [s.format(n=f"n{l}", o=f"o{l}") for s in forward]
        if l + 1 < L:
            body.append(f"copyto(a{l + 1}v, o{l})")
    last = L - 1
    if tr.keep_nets:
        body += [f"copyto(head, n{last})", f"copyto(head_out, o{last})"]
    else:
        body.append(f"copyto(head, o{last})")
    d_out = f"d{L}"
    if tr.out_form == "fused":
        body.append(f"subtract(o{last}, t, out={d_out})")
    elif tr.out_form == "squared":
        body.append(f"subtract(o{last}, t, out={d_out})")
        if tr.out_factor != 1.0:
            body.append(f"{d_out} *= OUT_FACTOR")
        body += _slope(acts, last, d_out)
    else:
        body.append(f"copyto({d_out}, general_delta(n{last}, o{last}, t))")
    for l in range(L - 1, 0, -1):
        body.append(f"dot(d{l + 1}, B{l}, out=d{l})")
        body += _slope(acts, l - 1, f"d{l}")
    for l in range(L):
        dl = f"d{l + 1}"
        if not tr.flat_scale:
            body.append(f"multiply({dl}, scale, out=s{l})")
            dl = f"s{l}"
        body.append(f"dot(a{l}T, {dl}, out=G{l})")
        if tr.masks[l] is not None:
            body.append(f"multiply(G{l}, M{l}, out=G{l})")  # names bound outside: no augmented assignment
    if tr.flat_scale:
        body.append("multiply(grad, scale, out=grad)")
    if tr.opt.folds_lr and not tr.opt.fixed_biases:
        body.append("subtract(theta, grad, out=theta)")  # Optimizer.step's whole work here
    else:
        body.append("opt_step(grad)")
    args = ", ".join(batch_names(L))
    lines = [f"def step({args}):"] + ["    " + s for s in body]
    lines += ["", "def epoch(batches):", "    for b in batches:", "        step(*b)"]
    return "\n".join(lines) + "\n"


def _slope(acts: list[str], l: int, d: str) -> list[str]:
    """d ⊙= f'(net) of the layer at index l (into ``acts``)."""
    form = SLOPE_SRC.get(acts[l])
    if form is None:
        return [f"{d} *= DF{l}(n{l}, o{l})"]
    return [s.format(n=f"n{l}", o=f"o{l}", b=f"b{l}", d=d) for s in form]


def _undispatched(f: Callable) -> Callable:
    """The C function behind a numpy function, without its ``__array_function__`` dispatch:
    the step passes only ndarrays, and the dispatch costs 0.24 µs of np.dot's 1.0 µs on a
    one-sample (1×65)·(65×64) (0.2 of copyto's 0.44), several times a batch. Where numpy has no
    ``_implementation`` the function itself serves."""
    return getattr(f, "_implementation", f)


def compile_step(tr, softmax: Callable, general_delta: Callable) -> tuple[Callable, Callable]:
    """(step, epoch) for DenseTrainer ``tr``; its parameter views and buffers are bound in."""
    ns: dict = {"dot": _undispatched(np.dot), "copyto": _undispatched(np.copyto), "neg": np.negative, "minimum": np.minimum,
                "maximum": np.maximum, "exp": np.exp, "divide": np.divide, "tanh": np.tanh,
                "multiply": np.multiply, "subtract": np.subtract, "greater": np.greater,
                "FLOOR": -SIGMOID_FLOOR, "softmax": softmax, "general_delta": general_delta,
                "OUT_FACTOR": tr.out_factor, "grad": tr.eng.grad, "opt_step": tr.opt.step,
                "theta": tr.opt.theta, "MAX": np.maximum.reduce, "SUM": np.add.reduce}
    for l in range(tr.L):
        ns[f"W{l}"], ns[f"G{l}"], ns[f"B{l}"] = tr.W[l], tr.G[l], tr.back_W[l]
        ns[f"M{l}"] = tr.masks[l]
        ns[f"DF{l}"] = tr.acts[l].df
    exec(compile(source(tr), "<core.dense step>", "exec"), ns)  # noqa: S102 (our own source, above)
    return ns["step"], ns["epoch"]
