"""The recurrent example networks (see core/recurrence.py), built by build_examples.py."""
from __future__ import annotations

from itertools import combinations

import numpy as np

from core.datasets import Dataset
from core.network import Layer, Network
from core.optimizers import OptimizerSettings
from core.project import Project
from core.recurrence import Recurrence
from core.training import TrainConfig

PATTERNS = np.array([[1, 1, 1, 1, 0, 0, 0, 0],
                     [1, 0, 1, 0, 1, 0, 1, 0],
                     [0, 0, 1, 1, 1, 1, 0, 0]], dtype=np.float64)


def pattern_completion() -> Project:
    """Eight visible neurons, all joined sideways (no self-loops), each fed by its own input."""
    n = PATTERNS.shape[1]
    net = Network([Layer([f"x{k}" for k in range(1, n + 1)], "linear"),
                   Layer([f"v{k}" for k in range(1, n + 1)], "sigmoid")], loss="binary_cross_entropy",
                  recurrence=Recurrence("settle", threshold=1e-6, max_iterations=500))
    rng = np.random.default_rng(0)
    for k in range(n):
        net.connect(0, k, 1, k, 1.0)
        for j in range(n):
            if j != k:
                net.connect(1, k, 1, j, float(np.round(rng.uniform(-0.1, 0.1), 3)))
    xs, ys = [], []
    for p in PATTERNS:  # every copy with one or two pixels unknown (0); known pixels are ±1
        for hidden in [c for r in (1, 2) for c in combinations(range(n), r)]:
            x = 2 * p - 1
            x[list(hidden)] = 0.0
            xs.append(x)
            ys.append(p)
    data = Dataset(xs, ys, [f"x{k}" for k in range(1, n + 1)], [f"v{k}" for k in range(1, n + 1)])
    config = TrainConfig(OptimizerSettings("adam", 0.05), batch_size=12, shuffle=True, max_epochs=200)
    return Project(net, config, data, [], "Pattern completion (recurrent, Hopfield-like)",
                   "Eight neurons joined to each other in both directions (no self-loops), like a "
                   "Hopfield network, each also driven by one input pixel: +1 on, −1 off, 0 unknown. Three "
                   "8-pixel patterns are stored; every copy with one or two pixels unknown must settle to "
                   "the whole pattern. Each sample is relaxed until no neuron changes by more than 1e-6, "
                   "the error is relaxed backward the same way, and the weights follow the gradient at "
                   "the fixed point (recurrent backpropagation, Almeida 1987 and Pineda 1987).")


def self_loop_attractor() -> Project:
    """One tanh neuron with a self-loop learns a bistable switch: its sign follows the input's."""
    net = Network([Layer(["u"], "linear"), Layer(["x"], "tanh")], loss="half_sse",
                  recurrence=Recurrence("settle", threshold=1e-6, max_iterations=2000))
    net.connect(0, 0, 1, 0, 0.5)
    net.connect(1, 0, 1, 0, 0.5)
    u = np.array([-1.0, -0.5, -0.2, -0.05, 0.05, 0.2, 0.5, 1.0])
    data = Dataset(u[:, None], 0.9 * np.sign(u)[:, None], ["u"], ["x"])
    config = TrainConfig(OptimizerSettings("sgd", 0.3), batch_size=0, shuffle=False, max_epochs=300)
    return Project(net, config, data, [], "A self-loop learns an attractor",
                   "One tanh neuron x with a connection to itself: x ← tanh(w·x + v·u + b), relaxed to "
                   "its fixed point. The targets are +0.9 for any positive input u and −0.9 for any "
                   "negative one, however small, which a plain neuron cannot do: the self-loop weight w "
                   "has to grow past 1 so that x has two attractors, and the input only picks which one "
                   "x falls into. Watch w: the loss drops sharply when it crosses 1.")


SYMBOLS = ["b", "d", "g", "a", "i", "u"]
WORDS = {"b": "ba", "d": "dii", "g": "guuu"}  # Elman (1990): consonants random, vowels follow


def grammar_sequence(n_words: int = 60, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return "".join(WORDS["bdg"[k]] for k in rng.integers(0, 3, n_words))


def elman_grammar() -> Project:
    """Input: this symbol (one-hot); target: the next symbol. Hidden layer with context loops."""
    text = grammar_sequence()
    net = Network.dense([6, 8, 6], ["tanh", "sigmoid"], loss="binary_cross_entropy", init="xavier", seed=2)
    net.layers[0].names = [f"in_{s}" for s in SYMBOLS]
    net.layers[1].names = [f"h{k}" for k in range(1, 9)]
    net.layers[2].names = [f"next_{s}" for s in SYMBOLS]
    rng = np.random.default_rng(1)
    net.connect_fully(1, 1, np.round(rng.uniform(-0.3, 0.3, (8, 8)), 3))  # Elman's context units
    net.recurrence = Recurrence("sequence", bptt_steps=6)
    eye = np.eye(len(SYMBOLS))
    codes = [eye[SYMBOLS.index(c)] for c in text]
    data = Dataset(codes[:-1], codes[1:], [f"in_{s}" for s in SYMBOLS], [f"next_{s}" for s in SYMBOLS],
                   "classification", list(SYMBOLS))
    config = TrainConfig(OptimizerSettings("adam", 0.02), batch_size=1, shuffle=False, max_epochs=60)
    return Project(net, config, data, [], "Elman network: predict the next letter",
                   "Elman's (1990) letter task: a stream of the words ba, dii and guuu in random order, "
                   "one letter at a time; the network predicts the next letter. Which consonant comes "
                   "next is chance, but the vowels are not: after d come exactly two i's, after g three "
                   "u's, and then a consonant. The hidden layer is connected to itself, so each step sees "
                   "the previous step's hidden outputs (Elman's context units) and can count. The rows "
                   "are one sequence in order; training is backpropagation through time truncated to 6 "
                   "steps, with one update per 6 letters.")


def build() -> dict[str, Project]:
    return {"pattern-completion": pattern_completion(), "self-loop-attractor": self_loop_attractor(),
            "elman-grammar": elman_grammar()}
