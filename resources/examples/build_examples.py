"""Rebuilds the example .bpnet files in this folder: `python resources/examples/build_examples.py`.

The files are the product; this script records how each was made (weights, data, settings) so
they can be regenerated after a format change. tests/core/test_examples.py checks the results.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from core.csv_import import read_csv  # noqa: E402
from core.datasets import Dataset  # noqa: E402
from core.fileio import save_project  # noqa: E402
from core.generators import generate  # noqa: E402
from core.network import Layer, Network  # noqa: E402
from core.optimizers import OptimizerSettings  # noqa: E402
from core.project import Project  # noqa: E402
from core.training import TrainConfig  # noqa: E402
from resources.examples import recurrent_examples  # noqa: E402


def named(names: list[list[str]], activations: list[str], loss: str) -> Network:
    layers = [Layer(list(names[0]), "linear")]
    layers += [Layer(list(n), a) for n, a in zip(names[1:], activations)]
    return Network(layers, loss=loss)


def wire(net: Network, weights: dict[tuple[str, str], float], biases: dict[str, float]) -> Network:
    for (a, b), w in weights.items():
        net.connect(*net.find(a), *net.find(b), weight=w)
    for name, v in biases.items():
        net.set_bias(*net.find(name), v)
    return net


def label(net: Network, connections: dict[tuple[str, str], str], biases: dict[str, str]) -> Network:
    """Name connections and biases as the tutorial does (w5, b1, θ4)."""
    for (a, b), text in connections.items():
        net.set_connection_label(*net.find(a), *net.find(b), text)
    for name, text in biases.items():
        net.set_bias_label(*net.find(name), text)
    return net


def cfg(name: str = "sgd", lr: float = 0.5, batch: int = 1, epochs: int = 1000, seed: int = 0,
        shuffle: bool = True, **kw) -> TrainConfig:
    return TrainConfig(OptimizerSettings(name, lr, **kw), batch_size=batch, shuffle=shuffle, seed=seed,
                       max_epochs=epochs)


def textbook_222() -> Project:
    net = wire(named([["i1", "i2"], ["h1", "h2"], ["o1", "o2"]], ["sigmoid", "sigmoid"], "half_sse"),
               {("i1", "h1"): 0.15, ("i2", "h1"): 0.20, ("i1", "h2"): 0.25, ("i2", "h2"): 0.30,
                ("h1", "o1"): 0.40, ("h2", "o1"): 0.45, ("h1", "o2"): 0.50, ("h2", "o2"): 0.55},
               {"h1": 0.35, "h2": 0.35, "o1": 0.60, "o2": 0.60})
    label(net, {("i1", "h1"): "w1", ("i2", "h1"): "w2", ("i1", "h2"): "w3", ("i2", "h2"): "w4",
                ("h1", "o1"): "w5", ("h2", "o1"): "w6", ("h1", "o2"): "w7", ("h2", "o2"): "w8"},
          {"h1": "b1", "h2": "b1", "o1": "b2", "o2": "b2"})
    net.fixed_biases = True  # Mazur updates the weights only
    data = Dataset([[0.05, 0.10]], [[0.01, 0.99]], ["i1", "i2"], ["o1", "o2"])
    return Project(net, cfg("sgd", 0.5, 1, 10000, shuffle=False), data, [],
                   "Worked example: 2-2-2 network, one training pair",
                   "Matt Mazur's \"A Step by Step Backpropagation Example\" (2015): inputs 0.05 and 0.10, "
                   "targets 0.01 and 0.99, logistic neurons, E = Σ ½ (target − output)², learning rate 0.5, "
                   "one update per example. The first forward pass gives E_total = 0.298371109 and one "
                   "step gives w5 = 0.35891648. Like Mazur, this network keeps its biases b1 and b2 fixed "
                   "(Train ▸ Keep biases fixed), so its weights after any number of steps are his.",
                   display_digits=9)


def textbook_321() -> Project:
    net = wire(named([["x1", "x2", "x3"], ["h4", "h5"], ["o6"]], ["sigmoid", "sigmoid"], "half_sse"),
               {("x1", "h4"): 0.2, ("x1", "h5"): -0.3, ("x2", "h4"): 0.4, ("x2", "h5"): 0.1,
                ("x3", "h4"): -0.5, ("x3", "h5"): 0.2, ("h4", "o6"): -0.3, ("h5", "o6"): -0.2},
               {"h4": -0.4, "h5": 0.2, "o6": 0.1})
    label(net, {(a, b): f"w{a[-1]}{b[-1]}" for a in ("x1", "x2", "x3") for b in ("h4", "h5")}
          | {("h4", "o6"): "w46", ("h5", "o6"): "w56"}, {"h4": "θ4", "h5": "θ5", "o6": "θ6"})
    data = Dataset([[1.0, 0.0, 1.0]], [[1.0]], ["x1", "x2", "x3"], ["o6"])
    return Project(net, cfg("sgd", 0.9, 1, 1000, shuffle=False), data, [],
                   "Worked example: 3-2-1 network (Han & Kamber)",
                   "The backpropagation example of Han, Kamber & Pei, \"Data Mining: Concepts and "
                   "Techniques\" (section 9.2): units numbered 1 to 6, training tuple X = (1, 0, 1) "
                   "with class label 1, logistic units, learning rate 0.9. Weights w_ij join unit i to "
                   "unit j, biases are θ4 = −0.4, θ5 = 0.2, θ6 = 0.1. After one update the book gives "
                   "w46 = −0.261, w56 = −0.138 and θ6 = 0.218. (The book's Err_j equals −δ_j here: "
                   "the engine uses E = ½ (T − O)².)", display_digits=3)


def one_weight() -> Project:
    net = wire(named([["x"], ["y"]], ["linear"], "half_sse"), {("x", "y"): 3.0}, {"y": 0.0})
    data = Dataset([[0.0], [1.0], [2.0]], [[0.0], [2.0], [4.0]], ["x"], ["y"])
    return Project(net, cfg("sgd", 0.1, 0, 300, shuffle=False), data, [],
                   "One weight: y = W·x",
                   "The smallest network: one linear neuron y = W·x, starting at W = 3, fitted to "
                   "(0, 0), (1, 2), (2, 4), so W should become 2. Every neuron in this program has a "
                   "bias; here it starts at 0 and the data pulls it back to 0, so read it as absent. "
                   "Full-batch gradient descent, learning rate 0.1: watch the loss curve fall as W "
                   "slides from 3 to 2.")


def xor() -> Project:
    net = Network.dense([2, 2, 1], "sigmoid", "half_sse", init="uniform", scale=1.0, seed=3)
    data = Dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], ["a", "b"], ["a xor b"],
                   "classification", ["0", "1"])
    return Project(net, cfg("momentum", 0.5, 1, 2000, momentum=0.9), data, [],
                   "XOR with a 2-2-1 network",
                   "The problem a single-layer perceptron cannot solve (Minsky & Papert 1969): output 1 "
                   "when exactly one input is 1. Two logistic hidden neurons are enough; from these "
                   "starting weights (uniform in ±1, seed 3) online gradient descent with momentum 0.9 "
                   "solves it in a few hundred epochs. Other seeds can get stuck in a local minimum: "
                   "try re-initialising to see one.")


def xor_shortcut() -> Project:
    net = named([["in_1", "in_2"], ["hidden"], ["result"]], ["sigmoid", "sigmoid"], "half_sse")
    wire(net, {("in_1", "hidden"): 0.49629, ("in_2", "hidden"): 0.77465, ("in_1", "result"): -0.64018,
               ("in_2", "result"): -0.80468, ("hidden", "result"): 0.07288},
         {"hidden": 0.18108, "result": -0.95604})
    data = Dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], ["in_1", "in_2"], ["result"],
                   "classification", ["0", "1"])
    return Project(net, cfg("momentum", 0.5, 1, 2000, momentum=0.9), data, [],
                   "XOR with one hidden neuron and shortcuts (SNNS)",
                   "SNNS's xor example: a 2-1-1 network whose inputs also connect straight to the "
                   "output (shortcut connections), so one hidden neuron suffices. Starting weights and "
                   "biases are those of SNNS's xor_untrained.net (University of Stuttgart, 1994). SNNS "
                   "trains it with Quickprop; here online gradient descent with momentum 0.9.")


def generated(name: str, sizes: list[int], acts: list[str], loss: str, config: TrainConfig, title: str,
              description: str, n: int | None = None, noise: float | None = None, init: str = "xavier",
              seed: int = 1) -> Project:
    net = Network.dense(sizes, acts, loss, init=init, bias_init="zero", seed=seed)
    return Project(net, config, generate(name, n, noise, seed=0), [], title, description)


def encoder() -> Project:
    net = Network.dense([8, 3, 8], "sigmoid", "half_sse", init="uniform", scale=1.0, seed=0)
    data = Dataset(np.eye(8), np.eye(8), [f"i{k}" for k in range(1, 9)], [f"o{k}" for k in range(1, 9)])
    return Project(net, cfg("momentum", 0.5, 1, 3000, momentum=0.9), data, [],
                   "8-3-8 encoder",
                   "Eight one-hot patterns must pass through three hidden neurons and come out unchanged "
                   "(Rumelhart, Hinton & Williams 1986; SNNS's encoder example). The network has to "
                   "invent a three-bit code: after training, look at the hidden outputs for each pattern.")


def iris() -> Project:
    ds = read_csv(HERE.parent / "datasets" / "iris.csv", target_columns=["species"],
                  task="classification", normalization="zscore", validation_fraction=0.2, seed=0)
    ds.source = {"kind": "embedded", "reference": "resources/datasets/iris.csv (Fisher 1936, UCI)"}
    net = Network.dense([4, 8, 3], ["tanh", "softmax"], "cross_entropy", init="xavier", bias_init="zero",
                        seed=0)
    for layer, names in zip(net.layers, [ds.input_names, ["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"],
                                         ds.class_names]):
        layer.names = [n.replace(" ", "_") for n in names]
    return Project(net, cfg("adam", 0.01, 8, 300), ds, [],
                   "Iris flowers (4-8-3, softmax)",
                   "Fisher's iris data (1936): 150 flowers, four measurements in cm, three species. "
                   "Inputs are z-scored with statistics of the training rows; 20 % of the rows are held "
                   "out for validation. Softmax output with cross-entropy loss, Adam, mini-batches of 8.")


def digits() -> Project:
    ds = read_csv(HERE.parent / "datasets" / "digits.csv", target_columns=["digit"], task="classification",
                  normalization="minmax", validation_fraction=0.2, seed=0)
    ds.source = {"kind": "embedded",
                 "reference": "resources/datasets/digits.csv (UCI optical recognition of handwritten "
                              "digits, test set)"}
    net = Network.dense([64, 32, 10], ["tanh", "softmax"], "cross_entropy", init="xavier",
                        bias_init="zero", seed=0)
    net.layers[0].names = list(ds.input_names)
    net.layers[2].names = [f"digit_{c}" for c in ds.class_names]
    return Project(net, cfg("adam", 0.005, 32, 100), ds, [],
                   "Handwritten digits (8×8 pixels, 64-32-10)",
                   "1,797 handwritten digits from the UCI optical-recognition data (Alpaydin & Kaynak "
                   "1998): each is an 8×8 grid of counts 0–16 (input r0c0 is the top-left cell). "
                   "Inputs scaled to [0, 1], 20 % held out for validation, softmax over the ten digits, "
                   "Adam with mini-batches of 32. Expect about 95 % validation accuracy within 50 epochs.")


def build() -> dict[str, Project]:
    return {
        "textbook-2-2-2": textbook_222(),
        "textbook-3-2-1": textbook_321(),
        "one-weight": one_weight(),
        "xor": xor(),
        "xor-shortcut": xor_shortcut(),
        "gaussians": generated(
            "gaussians", [2, 2, 1], ["tanh", "sigmoid"], "binary_cross_entropy", cfg("sgd", 0.1, 10, 300),
            "Two Gaussian blobs", "Two overlapping clouds of points (σ = 0.25) around (−½, −½) and "
            "(½, ½): nearly a straight line separates them. A tiny network, mini-batches of 10."),
        "circles": generated(
            "circles", [2, 6, 1], ["tanh", "sigmoid"], "binary_cross_entropy", cfg("adam", 0.03, 10, 300),
            "Circles: a disc inside a ring", "Class 1 lies inside radius 0.5, class 0 on a ring from "
            "0.7 to 1.0. No straight line separates them; six tanh hidden neurons draw a closed "
            "boundary. Adam, learning rate 0.03, mini-batches of 10."),
        "two-spirals": generated(
            "two_spirals", [2, 16, 16, 1], ["tanh", "tanh", "sigmoid"], "binary_cross_entropy",
            cfg("adam", 0.01, 16, 1500), "Two spirals",
            "Two interleaved spirals (Lang & Witbrock 1988), a classic hard problem for "
            "backpropagation. Two hidden layers of 16 tanh neurons, Adam; it takes a thousand or "
            "so epochs to untangle them completely."),
        "sine": generated(
            "sine", [1, 10, 1], ["tanh", "linear"], "mse", cfg("adam", 0.02, 10, 500),
            "Sine curve (regression)", "Fit y = sin x on [−π, π] from 100 noisy samples (noise σ 0.05) "
            "with ten tanh hidden neurons and a linear output; mean squared error, Adam."),
        "encoder-8-3-8": encoder(),
        "iris": iris(),
        "digits": digits(),
        **recurrent_examples.build(),
    }


if __name__ == "__main__":
    for name, project in build().items():
        save_project(project, HERE / f"{name}.bpnet")
        print(f"wrote {name}.bpnet")
