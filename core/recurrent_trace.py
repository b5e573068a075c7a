"""The worked example of a recurrent network: the trace of core/trace.py (every neuron's net,
out and δ, every weight's ∂E/∂w, old and new value) plus each relaxation iteration.

Settle mode: ``forward`` holds every neuron's output after each iteration of the forward
relaxation, ``backward`` every neuron's δ after each iteration of the backward relaxation, each
with the largest change of that iteration. Sequence mode: ``forward`` holds the states after each
time step up to the traced sample, ``backward`` the δ of the last ``bptt_steps`` steps (latest
first) for the traced sample's error alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import bptt
from .network import Network
from .recurrent import NotSettledError, RecurrentEngine, not_settled_message
from .trace import NeuronTrace, Trace, WeightTrace, error_terms


@dataclass(frozen=True)
class RecurrentTrace(Trace):
    mode: str = "settle"
    threshold: float = 0.0
    rate: float = 1.0
    names: tuple[str, ...] = ()  # the neurons of the iteration rows, in order
    forward: tuple[tuple[float, ...], ...] = ()  # outputs after each iteration (or time step)
    forward_changes: tuple[float, ...] = ()
    backward: tuple[tuple[float, ...], ...] = ()  # δ after each iteration (or step back in time)
    backward_changes: tuple[float, ...] = ()


def recurrent_trace(net: Network, xs, ts, learning_rate: float, sample: int = 0) -> RecurrentTrace:
    """Trace the last row of ``xs``/``ts`` (settle mode uses only that row; sequence mode runs the
    rows before it as the earlier time steps). ``net`` is not changed."""
    eng = RecurrentEngine(net)
    xs = np.asarray(xs, dtype=np.float64).reshape(-1, eng.n_in)
    ts = np.asarray(ts, dtype=np.float64).reshape(len(xs), -1)
    x, t = xs[-1:], ts[-1:]
    st = eng.settings
    if st.mode == "settle":
        fwd = eng.forward(x, record=True)
        if not fwd.converged:
            raise NotSettledError(not_settled_message("forward", fwd, st))
        back = eng.backward(fwd, t, record=True)
        if not back.converged:
            raise NotSettledError(not_settled_message("backward", back, st))
        s, u, delta = fwd.values, eng.net_input(fwd.values), back.values
        g = eng.gradients(s, delta).copy()
        f_rows, f_changes = [h[0] for h in fwd.history[1:]], fwd.changes
        b_rows, b_changes = [h[0] for h in back.history[1:]], back.changes
        error_after = _after_settle
    else:
        states = bptt.run_sequence(eng, xs)[0]
        k = min(st.bptt_steps, len(xs))
        start = states[-k - 1:-k] if len(xs) > k else np.zeros((1, eng.n))
        run = bptt.unroll(eng, xs[-k:, None, :], start)
        deltas = bptt.backward(eng, run, ts[-k:, None, :], last_only=True)
        g = bptt.gradients(eng, run, deltas, 1.0).copy()
        s, u, delta = run.states[-1], run.nets[-1], deltas[-1]
        f_rows, f_changes = list(states), [float(np.abs(b - a).max()) for a, b in
                                           zip(np.vstack([np.zeros((1, eng.n)), states]), states)]
        b_rows = [d[0] for d in reversed(deltas)]
        b_changes = [float(np.abs(d).max()) for d in b_rows]
        error_after = _after_sequence(xs, start, k)
    before = float(eng.loss_per_sample(s[:, eng.out_slice], t)[0])
    neurons, weights = _tables(net, eng, s, u, delta, g, t, learning_rate)
    step = learning_rate * g
    if net.fixed_biases:
        step[eng.n * eng.n:] = 0.0
    eng.theta[...] -= step
    after = error_after(eng, x, t)
    return RecurrentTrace(sample, tuple(x[0].tolist()), tuple(t[0].tolist()), float(learning_rate), net.loss,
                          before, after, tuple(neurons), tuple(weights), net.fixed_biases,
                          mode=st.mode, threshold=st.threshold, rate=st.rate, names=tuple(net.names()),
                          forward=tuple(tuple(r.tolist()) for r in f_rows), forward_changes=tuple(map(float, f_changes)),
                          backward=tuple(tuple(r.tolist()) for r in b_rows), backward_changes=tuple(map(float, b_changes)))


def _after_settle(eng: RecurrentEngine, x, t) -> float:
    r = eng.forward(x)
    return float(eng.loss_per_sample(r.values[:, eng.out_slice], t)[0]) if r.converged else float("nan")


def _after_sequence(xs, start, k):
    def after(eng: RecurrentEngine, x, t) -> float:
        run = bptt.unroll(eng, xs[-k:, None, :], start)
        return float(eng.loss_per_sample(run.states[-1][:, eng.out_slice], t)[0])
    return after


def _tables(net: Network, eng: RecurrentEngine, s, u, delta, g, t, lr: float):
    n = eng.n
    gw, gb = g[:n * n].reshape(n, n), g[n * n:]
    keep = 0.0 if net.fixed_biases else lr
    o = eng.activate(u)
    f_prime = np.ones(n)
    f_prime[eng.n_in:] = eng.derivative(u, o)[0]
    d_out = (delta @ eng.Wf.T)[0]  # ∂E/∂out through the outgoing connections ...
    d_out[eng.out_slice] += eng.loss.grad(s[:, eng.out_slice], t)[0]  # ... and the error itself
    terms = error_terms(net.loss, s[0, eng.out_slice], t[0])
    last = len(net.layers) - 1
    neurons = []
    for li, layer in enumerate(net.layers):
        for k, name in enumerate(layer.names):
            c = eng.offsets[li] + k
            has_bias = li > 0
            b = float(eng.bf[c])
            neurons.append(NeuronTrace(name, li, k, layer.activation_of(k) if has_bias else "input",
                                       float(s[0, c] if li == 0 else u[0, c]), float(s[0, c]), float(delta[0, c]),
                                       b if has_bias else None, float(gb[c]) if has_bias else None,
                                       b - keep * float(gb[c]) if has_bias else None,
                                       float(d_out[c]), float(f_prime[c]),
                                       float(terms[k]) if li == last else None,
                                       net.bias_label(li, k) if has_bias else None))
    weights = []
    labels = net.connection_labels
    for ls, i, ld, j, w in net.connections():
        r, c = eng.offsets[ls] + i, eng.offsets[ld] + j
        src, dst = net.name_of(ls, i), net.name_of(ld, j)
        weights.append(WeightTrace(src, dst, w, float(gw[r, c]), w - lr * float(gw[r, c]), labels.get((src, dst))))
    return neurons, weights


def format_relaxation(tr: RecurrentTrace, fmt, table) -> str:
    """The iteration tables the CLI prints under the trace (``fmt``/``table`` are the CLI's)."""
    n_in = len(tr.inputs)
    names = list(tr.names[n_in:])
    if tr.mode == "settle":
        heads = (f"Forward relaxation: {len(tr.forward)} iterations of x ← (1−λ)x + λ f(Wx + b), "
                 f"λ = {tr.rate:g}, until the largest change < {tr.threshold:g}",
                 f"Backward relaxation of δ: {len(tr.backward)} iterations")
        label, change = "iteration", "max change"
    else:
        heads = (f"Time steps 1..{len(tr.forward)} (recurrent connections carry the previous step's outputs)",
                 f"Backpropagation through time: δ of the last {len(tr.backward)} steps for this sample's error")
        label, change = "step", "max |Δ|"
    f_rows = [[str(k + 1), *map(fmt, r[n_in:]), fmt(c)] for k, (r, c) in enumerate(zip(tr.forward, tr.forward_changes))]
    if tr.mode == "settle":
        b_rows = [[str(k + 1), *map(fmt, r[n_in:]), fmt(c)] for k, (r, c) in enumerate(zip(tr.backward, tr.backward_changes))]
    else:
        last = len(tr.forward)
        b_rows = [[str(last - k), *map(fmt, r[n_in:]), fmt(c)] for k, (r, c) in enumerate(zip(tr.backward, tr.backward_changes))]
    return "\n".join([heads[0], table([label, *names, change], f_rows), "",
                      heads[1], table([label, *[f"δ {nm}" for nm in names], "max |δ|" if tr.mode != "settle" else change],
                                      b_rows)])
