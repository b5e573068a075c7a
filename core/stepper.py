"""The classroom step-through: one training step of any network, stage by stage, as data.

A *step* is one update of the parameters. Its stages, in order:

    for each sample of the step's batch (one sample online, B for mini-batch, all for full batch):
        input                     the sample's inputs appear on the input layer
        forward, layer 1 … L      each neuron of that layer gets net and out
        error                     each output's error term and the sample's E
        backward, layer L … 1     each neuron's δ; each connection into the layer its ∂E/∂w
    update                        w ← w − η · (mean over the batch of ∂E/∂w), for every weight
                                  and (unless the network's biases are fixed) every bias

Every number comes from ``core.trace`` (one trace per sample, taken at the weights the step
started with); the update averages the traces' gradients (each sample's share is ∂E_s/∂w / B).
The stepper never changes the network it was given: a step's weights *after* the update are in
``Step.after``; whoever shows the step applies them. Steps already visited are kept, so stepping
back returns the very same objects (numbers are never recomputed).

Plain gradient descent is what the step-through shows, whatever optimiser the project trains with.

    st = Stepper(net, x, t, learning_rate=0.5, batch_size=1)
    for k in range(st.stage_count(0)):          # every stage of the first step, e.g. for a hand-out
        view = st.view_at(0, k)                 # StageView: what stage k shows, number by number
    st.forward(); st.back(); st.restart()       # → ← Home, returning StageViews
    st.step(0).after                            # the weights after the first update
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .network import Network
from .trace import Trace, trace

Weights = dict[tuple[int, int], np.ndarray]
Parameters = tuple[Weights, list[np.ndarray]]

STAGE_KINDS = ("input", "forward", "error", "backward", "update")
# A neuron is marked saturated when f'(net) is below this fraction of f's largest slope (σ′ ≤ ¼,
# tanh′ ≤ 1): its δ is tiny however wrong its output, so it learns slowly. For the logistic σ
# this is |net| > 4.4 (out within 1.2 % of 0 or 1); a ReLU with net ≤ 0 is marked too.
SATURATION = 0.05
_MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0}


@dataclass(frozen=True)
class Stage:
    """One keypress of the step-through."""

    kind: str  # one of STAGE_KINDS
    layer: int | None  # forward/backward: the layer this stage reaches; otherwise None
    position: int | None  # index of the sample within the step's batch; None for update
    sample: int | None  # row of the data (0-based); None for update

    def title(self, net_names: Sequence[Sequence[str]] | None = None) -> str:
        """A short heading: "Forward: layer 1 (h1, h2)", "Backward: layer 2", "Update"."""
        which = ""
        if self.layer is not None and net_names is not None:
            which = f" ({', '.join(net_names[self.layer])})"
        return {"input": "Input", "forward": f"Forward: layer {self.layer}{which}",
                "error": "Error", "backward": f"Backward: layer {self.layer}{which}",
                "update": "Update"}[self.kind]


@dataclass(frozen=True)
class ConnectionUpdate:
    """One weight's (or bias's) update: old value, mean gradient, each sample's share, new value."""

    old: float
    grad: float  # mean over the batch of ∂E_s/∂w
    shares: tuple[float, ...]  # ∂E_s/∂w / B per sample of the batch (they sum to ``grad``)
    delta: float  # the change: new − old (= −η·grad, or 0 for a fixed bias)
    new: float


@dataclass(frozen=True)
class NeuronView:
    """What a neuron shows at a stage; None = not shown (not reached yet)."""

    name: str
    layer: int
    index: int
    net: float | None
    out: float | None
    target: float | None  # outputs, from the error stage on
    error_term: float | None  # outputs, from the error stage on
    delta: float | None
    derivative: float | None  # f'(net), shown with δ
    saturated: bool  # f'(net) near 0 (see SATURATION); only judged once net is shown
    reached: bool  # False = its layer is not reached yet (drawn dimmed)
    bias: float | None  # the bias the canvas shows (new value once updated); None for inputs
    bias_label: str | None
    bias_update: ConnectionUpdate | None  # update stage only


@dataclass(frozen=True)
class ConnectionView:
    """What a connection shows at a stage."""

    source: str
    target: str
    label: str | None
    weight: float  # the weight the canvas shows (new value once updated)
    grad: float | None  # this sample's ∂E/∂w once the backward sweep reached its target
    update: ConnectionUpdate | None  # update stage only


@dataclass(frozen=True)
class StageView:
    """Every number a stage shows, for the canvas, the Explain panel, the table and the hand-out."""

    stage: Stage
    index: int  # 0-based index of the stage within its step
    count: int  # stages in the step
    step: int  # 0-based step number
    epoch: int  # 1-based epoch the step belongs to
    trace: Trace | None  # the sample's trace (None at the update stage of a batch of several)
    neurons: tuple[NeuronView, ...]
    connections: tuple[ConnectionView, ...]
    error: float | None  # this sample's E, from the error stage on
    batch_error: float | None  # update stage: mean E over the batch
    learning_rate: float
    fixed_biases: bool
    batch: tuple[int, ...]  # the data rows of this step

    def neuron(self, name: str) -> NeuronView:
        return next(n for n in self.neurons if n.name == name)

    def connection(self, source: str, target: str) -> ConnectionView:
        return next(c for c in self.connections if c.source == source and c.target == target)

    @property
    def counter(self) -> str:
        """"step 7 / 18": this stage's place in its step."""
        return f"step {self.index + 1} / {self.count}"


@dataclass(frozen=True)
class Step:
    """One update: the batch, one trace per sample, and the parameters before and after."""

    number: int
    epoch: int
    batch: tuple[int, ...]
    traces: tuple[Trace, ...]
    before: Parameters
    after: Parameters
    weight_updates: dict[tuple[str, str], ConnectionUpdate]
    bias_updates: dict[str, ConnectionUpdate]


def saturated(activation: str, derivative: float) -> bool:
    top = _MAX_SLOPE.get(activation)
    return top is not None and derivative <= SATURATION * top


class Stepper:
    """Walks the stages of successive steps over ``x``/``t`` (rows are samples).

    ``batch_size`` is 1 (online), B (mini-batches of B, in data order) or 0 (the whole data).
    ``first`` is the data row to start at (its batch's first row for B > 1). Samples are taken in
    data order and wrap round (the next epoch) after the last one.
    """

    def __init__(self, net: Network, x, t, learning_rate: float, batch_size: int = 1,
                 first: int = 0) -> None:
        net.validate()
        self.x = np.asarray(x, dtype=np.float64).reshape(-1, net.n_inputs)
        self.t = np.asarray(t, dtype=np.float64).reshape(-1, net.n_outputs)
        if len(self.x) == 0 or len(self.x) != len(self.t):
            raise ValueError("the step-through needs the same, non-zero number of inputs and targets")
        if not (learning_rate > 0 and np.isfinite(learning_rate)):
            raise ValueError("the learning rate must be a positive number")
        n = len(self.x)
        self.learning_rate = float(learning_rate)
        self.batch_size = n if batch_size == 0 else min(int(batch_size), n)
        if self.batch_size < 1:
            raise ValueError("the batch size is 0 (full batch), 1 (online) or more")
        self._net = net.copy()  # the stepper's own copy; parameters are set per step
        self.names = [list(layer.names) for layer in self._net.layers]
        self._first_batch = (min(max(first, 0), n - 1) // self.batch_size)
        self._start = self._net.get_parameters()
        self._steps: list[Step] = []
        self.step_index = 0
        self.stage_index = 0

    # ----------------------------------------------------------------- structure
    @property
    def n_batches(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def stages(self, batch_len: int) -> list[Stage]:
        """The stages of a step whose batch has ``batch_len`` samples (rows filled in by step)."""
        return self._stages(tuple(range(batch_len)))

    def _stages(self, batch: tuple[int, ...]) -> list[Stage]:
        last = len(self.names) - 1
        out: list[Stage] = []
        for pos, row in enumerate(batch):
            out.append(Stage("input", None, pos, row))
            out += [Stage("forward", j, pos, row) for j in range(1, last + 1)]
            out.append(Stage("error", None, pos, row))
            out += [Stage("backward", j, pos, row) for j in range(last, 0, -1)]
        out.append(Stage("update", None, None, None))
        return out

    def step(self, number: int) -> Step:
        """Step ``number`` (0-based), computed on first use from the step before it."""
        while len(self._steps) <= number:
            self._steps.append(self._compute(len(self._steps)))
        return self._steps[number]

    def _batch_rows(self, number: int) -> tuple[int, ...]:
        k = (self._first_batch + number) % self.n_batches
        lo = k * self.batch_size
        return tuple(range(lo, min(lo + self.batch_size, len(self.x))))

    def _compute(self, number: int) -> Step:
        before = self._start if number == 0 else self._steps[number - 1].after
        self._net.set_parameters(*before)
        rows = self._batch_rows(number)
        traces = tuple(trace(self._net, self.x[r], self.t[r], self.learning_rate, sample=r + 1)
                       for r in rows)  # 1-based, as `trace --sample`
        epoch = (self._first_batch + number) // self.n_batches + 1
        weights = {k: w.copy() for k, w in before[0].items()}
        biases = [b.copy() for b in before[1]]
        w_up: dict[tuple[str, str], ConnectionUpdate] = {}
        b_up: dict[str, ConnectionUpdate] = {}
        m = len(rows)
        lr = self.learning_rate
        where = {name: (li, k) for li, names in enumerate(self.names) for k, name in enumerate(names)}
        for k, wt in enumerate(traces[0].weights):
            grads = [tr.weights[k].grad for tr in traces]
            g = _mean(grads)
            w = wt.weight
            new = w - lr * g
            (ls, i), (ld, j) = where[wt.source], where[wt.target]
            weights[(ls, ld)][i, j] = new
            w_up[(wt.source, wt.target)] = ConnectionUpdate(w, g, tuple(x / m for x in grads), new - w, new)
        for n_idx, nt in enumerate(traces[0].neurons):
            if nt.layer == 0:
                continue
            grads = [tr.neurons[n_idx].bias_grad for tr in traces]
            g = _mean(grads)
            new = nt.bias if self._net.fixed_biases else nt.bias - lr * g
            biases[nt.layer][nt.index] = new
            b_up[nt.name] = ConnectionUpdate(nt.bias, g, tuple(x / m for x in grads), new - nt.bias, new)
        return Step(number, epoch, rows, traces, before, (weights, biases), w_up, b_up)

    # ----------------------------------------------------------------- moving
    def stage_count(self, step: int | None = None) -> int:
        return len(self._stages(self.step(self.step_index if step is None else step).batch))

    def forward(self) -> StageView:
        """→ / Space: the next stage (after the update, the next step's first stage)."""
        if self.stage_index + 1 < self.stage_count():
            self.stage_index += 1
        else:
            self.step_index += 1
            self.stage_index = 0
        return self.view()

    def back(self) -> StageView:
        """←: the previous stage, exactly as it was; at the very first stage nothing changes."""
        if self.stage_index > 0:
            self.stage_index -= 1
        elif self.step_index > 0:
            self.step_index -= 1
            self.stage_index = self.stage_count() - 1
        return self.view()

    def restart(self) -> StageView:
        """Home: the first stage of the current step (the weights as before the step)."""
        self.stage_index = 0
        return self.view()

    def go(self, step: int, stage: int) -> StageView:
        if step < 0 or not 0 <= stage < self.stage_count(step):
            raise IndexError(f"no stage {stage} in step {step}")
        self.step_index, self.stage_index = step, stage
        return self.view()

    @property
    def at_start(self) -> bool:
        return self.step_index == 0 and self.stage_index == 0

    def shown_parameters(self) -> Parameters:
        """The parameters the network holds at the current stage: the step's 'before', or its
        'after' at the update stage (only then do weights change)."""
        s = self.step(self.step_index)
        return s.after if self.stage().kind == "update" else s.before

    def stage(self) -> Stage:
        return self._stages(self.step(self.step_index).batch)[self.stage_index]

    # ----------------------------------------------------------------- what a stage shows
    def view(self) -> StageView:
        """What the current stage shows."""
        return self.view_at(self.step_index, self.stage_index)

    def view_at(self, step: int, stage: int) -> StageView:
        """What stage ``stage`` of step ``step`` shows, without moving there."""
        s = self.step(step)
        stages = self._stages(s.batch)
        st = stages[stage]
        last = len(self.names) - 1
        update = st.kind == "update"
        tr = s.traces[-1 if update else st.position]
        per_sample = not update or len(s.traces) == 1
        if st.kind == "input":
            reached_to, delta_from = 0, None
        elif st.kind == "forward":
            reached_to, delta_from = st.layer, None
        elif st.kind == "error":
            reached_to, delta_from = last, None
        elif st.kind == "backward":
            reached_to, delta_from = last, st.layer
        else:
            reached_to, delta_from = last, 1
        error_shown = st.kind in ("error", "backward") or (update and per_sample)
        neurons = []
        for nt in tr.neurons:
            reached = nt.layer <= reached_to
            show = reached and per_sample
            has_delta = delta_from is not None and nt.layer >= max(delta_from, 1)
            upd = s.bias_updates.get(nt.name) if update else None
            is_out = nt.layer == last
            neurons.append(NeuronView(
                nt.name, nt.layer, nt.index,
                nt.net if show else None, nt.out if show else None,
                tr.targets[nt.index] if is_out and error_shown else None,
                nt.error_term if is_out and error_shown else None,
                (nt.delta if per_sample else upd.grad) if has_delta else None,
                nt.derivative if has_delta and per_sample else None,
                show and nt.layer > 0 and saturated(nt.activation, nt.derivative),
                reached,
                None if nt.layer == 0 else (upd.new if upd else nt.bias),
                nt.bias_label, upd))
        grad_from = delta_from if delta_from is not None else len(self.names)
        layer_of = {nt.name: nt.layer for nt in tr.neurons}
        connections = []
        for wt in tr.weights:
            upd = s.weight_updates[(wt.source, wt.target)] if update else None
            target_layer = layer_of[wt.target]
            grad = None
            if target_layer >= grad_from:
                grad = wt.grad if per_sample else upd.grad
            connections.append(ConnectionView(wt.source, wt.target, wt.label,
                                              upd.new if upd else wt.weight, grad, upd))
        batch_error = _mean([t.error_before for t in s.traces]) if update else None
        return StageView(st, stage, len(stages), s.number, s.epoch,
                         tr if per_sample else None, tuple(neurons), tuple(connections),
                         tr.error_before if error_shown else None, batch_error,
                         self.learning_rate, self._net.fixed_biases, s.batch)


def _mean(values: Sequence[float]) -> float:
    """Σ values / n, summed in batch order (one sample: the value itself, bit for bit)."""
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


__all__ = ["Stepper", "Step", "Stage", "StageView", "NeuronView", "ConnectionView", "ConnectionUpdate",
           "STAGE_KINDS", "SATURATION", "saturated"]
