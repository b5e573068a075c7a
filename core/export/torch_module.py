"""The network as a self-contained, readable PyTorch file: an ``nn.Module`` with the drawn
structure (one weight matrix and 0/1 mask per pair of connected layers, so skip connections and
missing links stay exactly as drawn), per-neuron activations, the trained weights and biases, the
input normalisation inside the model, and ``train()`` with the network's loss, optimiser and
settings over its own data (embedded, or read from the CSV the network was trained on).

The file is generated text, not pickled tensors: a learner can read every number, and it imports
nothing but torch and the standard library. Floats are written with ``repr`` so they read back
bit for bit. Only this writer runs here; torch is needed when the written file runs.
"""
from __future__ import annotations

import pprint
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..project import Project
from . import ExportError, Exporter, register

# How each activation is written in the generated file (the engine's definitions: ReLU's slope at
# 0 is 0, leaky ReLU's is 0.01, softmax runs over the neurons it is given).
TORCH_ACTIVATIONS = {
    "sigmoid": "torch.sigmoid(net)",
    "tanh": "torch.tanh(net)",
    "relu": "torch.relu(net)",
    "leaky_relu": "nn.functional.leaky_relu(net, 0.01)",
    "linear": "net",
    "softmax": "torch.softmax(net, dim=1)",
}

# The per-sample error E in the generated file; ``o`` the outputs, ``z`` the output layer's net
# input, ``y`` the targets. Where the engine fuses (softmax + cross-entropy, sigmoid + binary
# cross-entropy: δ = o − t) the file computes E from ``z`` so autograd gives that same δ.
LOSS_CODE = {
    "half_sse": "0.5 * ((y - o) ** 2).sum(dim=1)",
    "mse": "((y - o) ** 2).mean(dim=1)",
    "cross_entropy": "-(y * torch.log(o.clamp_min(1e-12))).sum(dim=1)",
    "binary_cross_entropy": "-(y * torch.log(o.clamp(1e-12, 1 - 1e-12))\n"
                            "           + (1 - y) * torch.log((1 - o).clamp(1e-12, 1 - 1e-12))).sum(dim=1)",
}
FUSED_LOSS_CODE = {
    "cross_entropy": "-(y * torch.log_softmax(z, dim=1)).sum(dim=1)",
    "binary_cross_entropy": "nn.functional.binary_cross_entropy_with_logits(z, y, reduction=\"none\").sum(dim=1)",
}


def _lit(value: Any) -> str:
    """A Python literal that reads back exactly (floats by repr), wrapped for reading."""
    return pprint.pformat(value, width=100, compact=True, sort_dicts=False)


def _floats(a) -> list:
    return [[float(v) for v in row] for row in a] if getattr(a, "ndim", 1) == 2 else [float(v) for v in a]


def _network_section(project: Project) -> dict[str, str]:
    net = project.network
    groups: list[Any] = [None]
    for layer in net.layers[1:]:
        by_act: dict[str, list[int]] = {}
        for k in range(layer.size):
            by_act.setdefault(layer.activation_of(k), []).append(k)
        groups.append(by_act)
    weights = {k: _floats(b.weight * b.mask) for k, b in sorted(net.blocks.items())}
    masks = {k: None if b.mask.all() else b.mask.astype(int).tolist() for k, b in sorted(net.blocks.items())}
    biases = [None] + [_floats(layer.biases) for layer in net.layers[1:]]
    ds = project.dataset
    norm = None
    if ds is not None and ds.normalization is not None:
        n = ds.normalization
        norm = {"method": n.method, "offset": _floats(n.offset), "scale": _floats(n.scale)}
    return {"LAYER_NAMES": _lit([list(layer.names) for layer in net.layers]),
            "ACTIVATIONS": _lit(groups), "WEIGHTS": _lit(weights), "MASKS": _lit(masks),
            "BIASES": _lit(biases), "FIXED_BIASES": _lit(bool(net.fixed_biases)), "NORMALIZATION": _lit(norm)}


def _loss_code(project: Project) -> str:
    eng = Engine(project.network)
    return FUSED_LOSS_CODE[project.network.loss] if eng.fused else LOSS_CODE[project.network.loss]


def _data_section(project: Project, out_path: Path) -> str:
    ds = project.dataset
    if ds is None or len(ds) == 0:
        return "TRAIN_ROWS = None\nCSV = None\nDATA = None  # the network file held no data: load_data() cannot run\n"
    train_rows, _ = ds.split_indices()
    rows = None if len(train_rows) == len(ds) else [int(r) for r in train_rows]
    head = (f"# Rows of the data the app trains on (the rest is its validation split); None = all.\n"
            f"TRAIN_ROWS = {_lit(rows)}\n")
    if ds.source.get("kind") == "csv":
        src = ds.source
        path = Path(src["path"])
        csv_spec = {"path": path.as_posix(), "name": path.name, "input_columns": list(src["input_columns"]),
                    "target_columns": list(src["target_columns"]), "has_header": bool(src.get("has_header", True)),
                    "delimiter": src.get("delimiter", ","), "class_names": ds.class_names,
                    "n_outputs": int(ds.n_outputs)}
        return head + "DATA = None  # read from CSV below\nCSV = " + _lit(csv_spec) + "\n"
    return (head + "CSV = None\nDATA = " +
            _lit({"inputs": _floats(ds.x), "targets": _floats(ds.y)}) + "\n")


def render(project: Project, out_path: Path) -> str:
    net = project.network
    net.validate()
    cfg, opt = project.training, project.training.optimizer
    sections = _network_section(project)
    optimizer = {"name": opt.name, "learning_rate": opt.learning_rate, "momentum": opt.momentum,
                 "beta1": opt.beta1, "beta2": opt.beta2, "epsilon": opt.epsilon, "l1": opt.l1, "l2": opt.l2}
    training = {"batch_size": cfg.batch_size, "shuffle": cfg.shuffle, "seed": cfg.seed, "epochs": cfg.max_epochs}
    acts = sorted({a for layer in range(1, len(net.layers)) for a in
                   (net.activation_of(layer, k) for k in range(net.layers[layer].size))})
    act_lines = "\n".join(f"    if name == {a!r}:\n        return {TORCH_ACTIVATIONS[a]}" for a in acts)
    title = project.title or out_path.stem
    return TEMPLATE.format(
        title=title.replace('"""', "'''"), sizes=" → ".join(map(str, net.sizes)),
        act_lines=act_lines, loss_name=net.loss, loss_code=_loss_code(project),
        optimizer=_lit(optimizer), training=_lit(training), data=_data_section(project, out_path),
        **sections)


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    try:
        text = render(project, path)
    except ValueError as e:
        raise ExportError(str(e)) from None
    path.write_text(text, encoding="utf-8")


register(Exporter("torch", ".py", "a PyTorch module with its weights, data and training loop", write))


TEMPLATE = '''"""{title}: a {sizes} network from Backprop Studio, as a PyTorch module.

Everything the network is lives in this file: its structure, trained weights and biases, input
normalisation, loss ({loss_name}), optimiser and training settings, and its data.

    import this_file as m
    model = m.build_model()         # the trained network; give it raw inputs
    x, y = m.load_data()            # inputs and targets, float64 tensors
    model(x)                        # the outputs Backprop Studio's predict prints
    m.train(model, x, y, epochs=5)  # train on exactly as Backprop Studio would

Running the file trains for the saved number of epochs and prints the loss.
"""
from __future__ import annotations

import csv
from pathlib import Path

import torch
from torch import nn

DTYPE = torch.float64

# Neuron names per layer, input layer first.
LAYER_NAMES = {LAYER_NAMES}

# Per non-input layer: activation -> the neurons (indices in the layer) that use it.
ACTIVATIONS = {ACTIVATIONS}

# WEIGHTS[(a, b)][i][j] joins neuron i of layer a to neuron j of layer b (b may skip layers).
WEIGHTS = {WEIGHTS}

# 1 where a connection exists, 0 where it was never drawn (None: every link exists). Missing
# links are multiplied away, so their weights and gradients stay exactly 0.
MASKS = {MASKS}

# Biases per layer (the input layer has none).
BIASES = {BIASES}

# True: the biases stay as they are (a textbook network drawn with fixed thresholds); training
# moves the weights only.
FIXED_BIASES = {FIXED_BIASES}

# Inputs enter the network as (x - offset) / scale; None: raw.
NORMALIZATION = {NORMALIZATION}

# How the network trains: the per-sample error E is averaged over each batch.
OPTIMIZER = {optimizer}
# batch_size 1 = one update per sample (online), 0 = one per epoch (full batch).
TRAINING = {training}

{data}

def activate(name: str, net: torch.Tensor) -> torch.Tensor:
{act_lines}
    raise ValueError(f"unknown activation {{name}}")


class Network(nn.Module):
    """Layers of neurons; every layer's net input is its bias plus the products of the outputs of
    each earlier layer that feeds it with that connection's (masked) weight matrix."""

    def __init__(self) -> None:
        super().__init__()
        self.sources = {{}}  # layer b -> the layers a that feed it
        self.weights = nn.ParameterDict()
        for (a, b), w in WEIGHTS.items():
            self.weights[f"{{a}}_{{b}}"] = nn.Parameter(torch.tensor(w, dtype=DTYPE))
            mask = MASKS[(a, b)]
            self.register_buffer(f"mask_{{a}}_{{b}}", torch.tensor(mask, dtype=DTYPE) if mask is not None
                                 else torch.ones(len(w), len(w[0]), dtype=DTYPE))
            self.sources.setdefault(b, []).append(a)
        self.biases = nn.ParameterList([nn.Parameter(torch.tensor(b, dtype=DTYPE), requires_grad=not FIXED_BIASES)
                                        for b in BIASES[1:]])
        offset = NORMALIZATION["offset"] if NORMALIZATION else [0.0] * len(LAYER_NAMES[0])
        scale = NORMALIZATION["scale"] if NORMALIZATION else [1.0] * len(LAYER_NAMES[0])
        self.register_buffer("input_offset", torch.tensor(offset, dtype=DTYPE))
        self.register_buffer("input_scale", torch.tensor(scale, dtype=DTYPE))

    def weight(self, a: int, b: int) -> torch.Tensor:
        """The weights from layer a to layer b, missing links as 0."""
        return self.weights[f"{{a}}_{{b}}"] * getattr(self, f"mask_{{a}}_{{b}}")

    def layers(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """(net inputs, outputs) of every layer for a batch of raw inputs (rows are samples)."""
        x = (x - self.input_offset) / self.input_scale
        nets, outs = [x], [x]
        for b in range(1, len(LAYER_NAMES)):
            net = self.biases[b - 1].expand(x.shape[0], -1)
            for a in self.sources.get(b, []):
                net = net + outs[a] @ self.weight(a, b)
            groups = ACTIVATIONS[b]
            if len(groups) == 1:
                out = activate(next(iter(groups)), net)
            else:  # neurons of one layer with different activations
                out = torch.empty_like(net)
                for name, index in groups.items():
                    out[:, index] = activate(name, net[:, index])
            nets.append(net)
            outs.append(out)
        return nets, outs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)[1][-1]


def build_model() -> Network:
    """The network with its trained weights, in float64."""
    return Network()


def error(model: Network, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The per-sample error E ({loss_name}), one value per row."""
    nets, outs = model.layers(x)
    z, o = nets[-1], outs[-1]
    return {loss_code}


def _read_csv() -> tuple[torch.Tensor, torch.Tensor]:
    here = Path(__file__).resolve().parent
    path = next((p for p in (Path(CSV["path"]), here / CSV["name"]) if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(f"{{CSV['name']}}: put the CSV file next to this one")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f, delimiter=CSV["delimiter"]) if any(c.strip() for c in r)]
    rows = rows[1:] if CSV["has_header"] else rows
    x = [[float(r[c]) for c in CSV["input_columns"]] for r in rows]
    if CSV["class_names"] is None:
        y = [[float(r[c]) for c in CSV["target_columns"]] for r in rows]
    else:  # a class label column, one-hot encoded (one 0/1 column for two classes and one output)
        names = CSV["class_names"]
        labels = [names.index(r[CSV["target_columns"][0]].strip()) for r in rows]
        y = [[float(k)] if CSV["n_outputs"] == 1 else [float(k == j) for j in range(len(names))]
             for k in labels]
    return torch.tensor(x, dtype=DTYPE), torch.tensor(y, dtype=DTYPE)


def load_data() -> tuple[torch.Tensor, torch.Tensor]:
    """Every sample's raw inputs and targets as float64 tensors (rows are samples)."""
    if CSV is not None:
        return _read_csv()
    if DATA is None:
        raise ValueError("this network was exported without data")
    return torch.tensor(DATA["inputs"], dtype=DTYPE), torch.tensor(DATA["targets"], dtype=DTYPE)


def train(model: Network, x: torch.Tensor, y: torch.Tensor, epochs: int = TRAINING["epochs"],
          shuffle: bool = TRAINING["shuffle"], seed: int = TRAINING["seed"]) -> list[float]:
    """Train in place as Backprop Studio does; returns each epoch's mean error, measured on each
    batch just before its update. Shuffling draws from torch's generator, so with shuffling on the
    order differs from the app's (with it off, the weights match the app's)."""
    if TRAIN_ROWS is not None:
        x, y = x[TRAIN_ROWS], y[TRAIN_ROWS]
    s = OPTIMIZER
    weights = list(model.weights.values())
    biases = [] if FIXED_BIASES else list(model.biases)
    if s["name"] == "adam":
        opt = torch.optim.Adam(weights + biases, lr=s["learning_rate"], betas=(s["beta1"], s["beta2"]),
                               eps=s["epsilon"])
    else:
        opt = torch.optim.SGD(weights + biases, lr=s["learning_rate"],
                              momentum=s["momentum"] if s["name"] == "momentum" else 0.0)
    masks = [getattr(model, f"mask_{{key}}") for key in model.weights.keys()]
    n = x.shape[0]
    size = n if TRAINING["batch_size"] == 0 else min(TRAINING["batch_size"], n)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        total = 0.0
        for start in range(0, n, size):
            rows = order[start:start + size]
            opt.zero_grad()
            e = error(model, x[rows], y[rows])
            e.mean().backward()
            if s["l1"] or s["l2"]:  # weight decay on weights, never biases, never missing links
                with torch.no_grad():
                    for w, m in zip(weights, masks):
                        w.grad += (s["l2"] * w + s["l1"] * torch.sign(w)) * m
            opt.step()
            total += float(e.detach().sum())
        losses.append(total / n)
    return losses


if __name__ == "__main__":
    model = build_model()
    x, y = load_data()
    epochs = TRAINING["epochs"]
    losses = train(model, x, y, epochs)
    for k, loss in enumerate(losses, start=1):
        if k == 1 or k == epochs or k % max(1, epochs // 10) == 0:
            print(f"epoch {{k}}: loss {{loss:.6g}}")
    with torch.no_grad():
        print(model(x))
'''
