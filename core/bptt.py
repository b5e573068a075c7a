"""Sequence mode of a recurrent network (Elman / Jordan): time steps and truncated
backpropagation through time.

At time step t, layer by layer in order,

    u_t = s_t W_ff + s_{t−1} W_rec + b ,   s_t = f(u_t)      (inputs: s_t = x_t)

where W_ff holds the forward connections and W_rec the recurrent ones (backward, sideways, self):
a hidden layer's self-connections give Elman's context units, output → hidden gives Jordan's.
Backward, for the steps of one chunk of k steps (later steps first, later layers first):

    δ_t = e_t + f′(u_t) ⊙ (δ_t W_ffᵀ + δ_{t+1} W_recᵀ)        (δ_{k} = 0: the truncation)
    ∂E/∂W_ff = Σ_t s_tᵀ δ_t ,  ∂E/∂W_rec = Σ_t s_{t−1}ᵀ δ_t ,  ∂E/∂b = Σ_t δ_t

The state s_{t−1} entering a chunk is carried from the previous chunk but not differentiated
through (truncated BPTT with k₁ = k₂ = k: one update per chunk, as in Williams & Peng 1990).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .recurrent import RecurrentEngine

Array = NDArray[np.float64]


@dataclass
class Unrolled:
    """A chunk's forward pass: the state before it, then each step's states and net inputs."""

    start: Array  # (batch, N)
    states: list[Array]
    nets: list[Array]


def step(eng: RecurrentEngine, x: Array, prev: Array) -> tuple[Array, Array]:
    """One time step from the previous state ``prev``: (states, net inputs), both (batch, N)."""
    w_ff = eng.Wf * eng.ff_mask
    carried = prev @ (eng.Wf * eng.rec_mask) + eng.bf
    return _step(eng, x, carried, w_ff)


def _step(eng: RecurrentEngine, x: Array, carried: Array, w_ff: Array) -> tuple[Array, Array]:
    s = np.zeros((x.shape[0], eng.n))
    s[:, :eng.n_in] = x
    u = carried.copy()
    for j in range(1, len(eng.sizes)):
        lo, hi = eng.offsets[j], eng.offsets[j + 1]
        u[:, lo:hi] += s[:, :lo] @ w_ff[:lo, lo:hi]
        s[:, lo:hi] = eng.activate(u, eng.layer_groups[j])
    return s, u


def unroll(eng: RecurrentEngine, xs: Array, start: Array) -> Unrolled:
    """Forward through the steps ``xs`` (steps, batch, n_in) from state ``start``."""
    w_ff = eng.Wf * eng.ff_mask
    w_rec = eng.Wf * eng.rec_mask
    prev, states, nets = start, [], []
    for x in xs:
        s, u = _step(eng, x, prev @ w_rec + eng.bf, w_ff)
        states.append(s)
        nets.append(u)
        prev = s
    return Unrolled(start, states, nets)


def backward(eng: RecurrentEngine, run: Unrolled, ts: Array, last_only: bool = False) -> list[Array]:
    """δ_t (batch, N; input columns ∂E/∂x_t) of every step, truncated at the chunk's start.
    ``last_only``: only the last step's error (the trace of one sample through time)."""
    w_ff = eng.Wf * eng.ff_mask
    w_rec = eng.Wf * eng.rec_mask
    deltas: list[Array] = [None] * len(run.states)  # type: ignore[list-item]
    after = np.zeros((run.start.shape[0], eng.n))  # δ_{t+1} W_recᵀ
    n_in = eng.n_in
    for t in range(len(run.states) - 1, -1, -1):
        s, u = run.states[t], run.nets[t]
        e, d = eng.output_error(s, u, ts[t], s[:, n_in:])
        if last_only and t < len(run.states) - 1:
            e[...] = 0.0
        delta = np.zeros_like(s)
        for j in range(len(eng.sizes) - 1, 0, -1):
            lo, hi = eng.offsets[j], eng.offsets[j + 1]
            back = after[:, lo:hi] + delta[:, hi:] @ w_ff[lo:hi, hi:].T
            delta[:, lo:hi] = e[:, lo - n_in:hi - n_in] + d[:, lo - n_in:hi - n_in] * back
        delta[:, :n_in] = delta[:, n_in:] @ w_ff[:n_in, n_in:].T
        deltas[t] = delta
        after = delta @ w_rec.T
    return deltas


def gradients(eng: RecurrentEngine, run: Unrolled, deltas: list[Array], scale: float) -> Array:
    """∂E/∂theta of the chunk's summed error times ``scale`` into ``eng.grad``."""
    g_ff = np.zeros((eng.n, eng.n))
    g_rec = np.zeros((eng.n, eng.n))
    gb = np.zeros(eng.n)
    prev = run.start
    for s, delta in zip(run.states, deltas):
        dh = delta.copy()
        dh[:, :eng.n_in] = 0.0
        g_ff += s.T @ dh
        g_rec += prev.T @ dh
        gb += dh.sum(axis=0)
        prev = s
    eng.gW[...] = (g_ff * eng.ff_mask + g_rec * eng.rec_mask) * scale
    eng.gb[...] = gb * scale
    return eng.grad


def run_sequence(eng: RecurrentEngine, x: Array, start: Array | None = None) -> tuple[Array, Array]:
    """Run one sequence (rows of ``x`` are time steps) from ``start`` (default: all zeros):
    (states per step (steps, N), net inputs per step)."""
    start = np.zeros((1, eng.n)) if start is None else start.reshape(1, eng.n)
    run = unroll(eng, x.reshape(len(x), 1, eng.n_in), start)
    return np.concatenate(run.states), np.concatenate(run.nets)
