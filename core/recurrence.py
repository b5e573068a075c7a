"""How a recurrent network computes: its relaxation (fixed-point) or sequence (time-step) settings.

A network is recurrent when at least one connection runs backward (to an earlier layer), sideways
(within a layer) or from a neuron to itself. Such a network is computed by ``core/recurrent.py``
in one of two modes:

- ``settle`` (Almeida–Pineda recurrent backpropagation): each sample is relaxed to a fixed point,
  x ← (1−λ) x + λ f(W x + b + input), until the largest change is below ``threshold`` or
  ``max_iterations`` is reached; the error is then relaxed backward the same way.
- ``sequence`` (Elman / Jordan style): the samples are the time steps of one sequence, in order;
  a backward, sideways or self connection carries the previous time step's output. Training is
  backpropagation through time, truncated to ``bptt_steps`` steps.
"""
from __future__ import annotations

from dataclasses import dataclass

MODES = {"settle": "Settle to a fixed point (recurrent backpropagation)",
         "sequence": "Time steps of a sequence (backpropagation through time)"}


@dataclass(frozen=True)
class Recurrence:
    mode: str = "settle"
    threshold: float = 1e-6  # settle: stop when the largest change of any output is below this
    max_iterations: int = 500
    rate: float = 1.0  # λ, the relaxation rate; below 1 damps oscillation
    bptt_steps: int = 8  # sequence: time steps per truncated backpropagation (and per update)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown recurrence mode {self.mode!r} (known: {', '.join(MODES)})")
        if not self.threshold > 0:
            raise ValueError("the relaxation threshold must be a positive number")
        if self.max_iterations < 1:
            raise ValueError("the relaxation needs at least one iteration")
        if not 0 < self.rate <= 1:
            raise ValueError("the relaxation rate λ lies in (0, 1]")
        if self.bptt_steps < 1:
            raise ValueError("backpropagation through time needs at least one step")


def is_recurrent_pair(src_layer: int, dst_layer: int) -> bool:
    """A block from ``src_layer`` to ``dst_layer`` runs backward, sideways or onto itself."""
    return src_layer >= dst_layer
