"""What training needs besides the weights to carry on exactly where it stopped: the optimiser's
state (momentum velocities; Adam's moments and update count) and the shuffle generator's state.

With it, n epochs, a save, a load and m more epochs give bit for bit the weights of n + m epochs
straight through. It applies only to the weights it was captured with (a SHA-256 of the
parameters, so any edit, undo or other file starts a fresh optimiser) and to the same optimiser;
the shuffle state applies only under the same seed. The moment vectors (and the hash) use the
file format's parameter order, whatever order the engine keeps them in: every weight block
(sorted by (from layer, to layer), row-major, absent connections included as 0), then the biases
of layers 1, 2, …
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .optimizers import Optimizer

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ResumeState:
    epoch: int  # the last epoch trained
    parameters_sha256: str  # of the parameters (little-endian float64, the order above) it belongs to
    optimizer: str
    step: int  # Adam's update count t (0 for the others)
    moments: tuple[Array, ...]  # () gradient descent, (v,) momentum, (m, v) Adam
    seed: int  # the seed the shuffle generator was started from
    shuffle: dict  # numpy PCG64 state: {"state": int, "inc": int, "has_uint32": int, "uinteger": int}


class ResumeSlot:
    """In and out of ``train``: holds the state to continue from, and afterwards the state after
    the last epoch that finished (None after a divergence: that run's moments are not finite)."""

    def __init__(self, state: ResumeState | None = None) -> None:
        self.state = state


def parameters_sha256(theta: Array) -> str:
    return hashlib.sha256(np.ascontiguousarray(theta, dtype="<f8").tobytes()).hexdigest()


def _moments(opt: Optimizer) -> list[Array]:
    return [a for a in (opt.state1, opt.state2) if a is not None]


def _in_order(a: Array, canonical: NDArray[np.intp] | None) -> Array:
    return a if canonical is None else a[canonical]


def capture(epoch: int, opt: Optimizer, rng: np.random.Generator, seed: int,
            canonical: NDArray[np.intp] | None = None) -> ResumeState:
    """``canonical`` picks the engine's theta into the order above (None: it is already). The
    recurrent engine's theta also holds zeros where no block was drawn; ``canonical`` skips them."""
    st = rng.bit_generator.state
    shuffle = {"state": int(st["state"]["state"]), "inc": int(st["state"]["inc"]),
               "has_uint32": int(st["has_uint32"]), "uinteger": int(st["uinteger"])}
    return ResumeState(epoch, parameters_sha256(_in_order(opt.theta, canonical)), opt.s.name, opt.t,
                       tuple(_in_order(m, canonical).copy() for m in _moments(opt)), seed, shuffle)


def restore(state: ResumeState | None, opt: Optimizer, rng: np.random.Generator, seed: int,
            canonical: NDArray[np.intp] | None = None) -> bool:
    """Put ``state`` into a fresh optimiser and generator where it applies; True if the optimiser
    state was restored."""
    if state is None or state.parameters_sha256 != parameters_sha256(_in_order(opt.theta, canonical)):
        return False
    if state.seed == seed:
        rng.bit_generator.state = {"bit_generator": "PCG64",
                                   "state": {"state": state.shuffle["state"], "inc": state.shuffle["inc"]},
                                   "has_uint32": state.shuffle["has_uint32"],
                                   "uinteger": state.shuffle["uinteger"]}
    mine = _moments(opt)
    if state.optimizer != opt.s.name or len(mine) != len(state.moments) or \
            any(_in_order(m, canonical).shape != s.shape for m, s in zip(mine, state.moments)):
        return False
    for m, s in zip(mine, state.moments):
        if canonical is None:
            m[...] = s
        else:
            m[canonical] = s
    opt.t = state.step
    return True
