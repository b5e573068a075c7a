"""The network document: layers of named neurons, biases, and weighted connections.

Connections between a pair of layers (earlier -> later, adjacent or skipping) are held as one
dense weight matrix plus a 0/1 mask per pair, so a drawn graph with missing links or skip
connections is already in the shape the engine computes with. Weights where the mask is 0 are 0.
Neurons are addressed by (layer index, neuron index); names are unique labels for people and files.
Connections and biases may carry labels of their own (w1…w8, b1, θ4, as a textbook names them),
keyed by neuron names so they follow inserts and removals; several biases may share a label.
``fixed_biases`` keeps every bias at its value during training (Mazur's worked example does).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from numpy.typing import NDArray

from .activations import get_activation
from .losses import output_problem
from .recurrence import Recurrence, is_recurrent_pair

Array = NDArray[np.float64]
Pos = tuple[float, float] | None


@dataclass
class Layer:
    """A layer: neuron names, biases (unused for the input layer), activation, overrides."""

    names: list[str]
    activation: str = "sigmoid"
    biases: Array = field(default_factory=lambda: np.zeros(0))
    overrides: list[str | None] = field(default_factory=list)  # per-neuron activation, None = layer's
    positions: list[Pos] = field(default_factory=list)  # canvas positions, None = automatic

    def __post_init__(self) -> None:
        n = len(self.names)
        self.biases = np.zeros(n) if len(self.biases) != n else np.asarray(self.biases, dtype=np.float64)
        if len(self.overrides) != n:
            self.overrides = [None] * n
        if len(self.positions) != n:
            self.positions = [None] * n

    @property
    def size(self) -> int:
        return len(self.names)

    def activation_of(self, index: int) -> str:
        return self.overrides[index] or self.activation


@dataclass
class Block:
    """Connections from layer ``src`` to layer ``dst``: weight[i, j] joins src neuron i to dst j."""

    weight: Array
    mask: NDArray[np.bool_]

    @classmethod
    def empty(cls, n_src: int, n_dst: int) -> "Block":
        return cls(np.zeros((n_src, n_dst)), np.zeros((n_src, n_dst), dtype=bool))

    @property
    def count(self) -> int:
        return int(self.mask.sum())


class Network:
    """Layers (input first, output last) and the blocks of connections between them."""

    def __init__(self, layers: list[Layer], blocks: dict[tuple[int, int], Block] | None = None,
                 loss: str = "half_sse", fixed_biases: bool = False,
                 recurrence: Recurrence | None = None) -> None:
        self.layers = layers
        self.blocks: dict[tuple[int, int], Block] = dict(blocks or {})
        self.loss = loss
        self.fixed_biases = fixed_biases
        self.connection_labels: dict[tuple[str, str], str] = {}  # (source, target) -> "w5"
        self.bias_labels: dict[str, str] = {}  # neuron -> "b1"
        self.recurrence = recurrence  # None: the defaults (see core/recurrence.py)

    # ----------------------------------------------------------------- construction
    @classmethod
    def dense(cls, sizes: list[int], activation: str | list[str] = "sigmoid",
              loss: str = "half_sse", fully_connected: bool = True,
              init: str = "uniform", scale: float = 0.5, bias_init: str = "same",
              seed: int | None = 0) -> "Network":
        """A layered network; ``activation`` is one name or one per non-input layer."""
        if len(sizes) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        if any(s < 1 for s in sizes):
            raise ValueError("every layer needs at least one neuron")
        acts = [activation] * (len(sizes) - 1) if isinstance(activation, str) else list(activation)
        if len(acts) != len(sizes) - 1:
            raise ValueError("give one activation per non-input layer")
        layers = [Layer(default_names(0, sizes[0], len(sizes), []), "linear")]
        for k, (n, act) in enumerate(zip(sizes[1:], acts), start=1):
            taken = [nm for layer in layers for nm in layer.names]
            layers.append(Layer(default_names(k, n, len(sizes), taken), act))
        net = cls(layers, loss=loss)
        if fully_connected:
            for k in range(len(sizes) - 1):
                net.connect_fully(k, k + 1)
        from .initializers import initialise
        initialise(net, init, scale=scale, bias_init=bias_init, seed=seed)
        return net

    def copy(self) -> "Network":
        return copy.deepcopy(self)

    # ----------------------------------------------------------------- queries
    @property
    def sizes(self) -> list[int]:
        return [layer.size for layer in self.layers]

    @property
    def n_inputs(self) -> int:
        return self.layers[0].size

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].size

    @property
    def num_connections(self) -> int:
        return sum(b.count for b in self.blocks.values())

    def names(self) -> list[str]:
        return [nm for layer in self.layers for nm in layer.names]

    def find(self, name: str) -> tuple[int, int]:
        for li, layer in enumerate(self.layers):
            if name in layer.names:
                return li, layer.names.index(name)
        raise KeyError(f"no neuron named {name}")

    def name_of(self, layer: int, index: int) -> str:
        return self.layers[layer].names[index]

    def connections(self) -> Iterator[tuple[int, int, int, int, float]]:
        """(src layer, src index, dst layer, dst index, weight) for every present connection."""
        for (ls, ld), b in sorted(self.blocks.items()):
            for i, j in zip(*np.nonzero(b.mask)):
                yield ls, int(i), ld, int(j), float(b.weight[i, j])

    def has_connection(self, ls: int, i: int, ld: int, j: int) -> bool:
        b = self.blocks.get((ls, ld))
        return bool(b is not None and b.mask[i, j])

    def weight(self, ls: int, i: int, ld: int, j: int) -> float:
        if not self.has_connection(ls, i, ld, j):
            raise KeyError(f"no connection {self.name_of(ls, i)} -> {self.name_of(ld, j)}")
        return float(self.blocks[(ls, ld)].weight[i, j])

    def bias(self, layer: int, index: int) -> float:
        return float(self.layers[layer].biases[index])

    def activation_of(self, layer: int, index: int) -> str:
        return self.layers[layer].activation_of(index)

    def connection_label(self, ls: int, i: int, ld: int, j: int) -> str | None:
        """The connection's own label (``w5``), or None when it has none."""
        return self.connection_labels.get((self.name_of(ls, i), self.name_of(ld, j)))

    def bias_label(self, layer: int, index: int) -> str | None:
        return self.bias_labels.get(self.name_of(layer, index))

    def set_connection_label(self, ls: int, i: int, ld: int, j: int, label: str | None) -> None:
        key = (self.name_of(ls, i), self.name_of(ld, j))
        self._set_label(self.connection_labels, key, label)

    def set_bias_label(self, layer: int, index: int, label: str | None) -> None:
        if layer == 0:
            raise ValueError("input neurons have no bias")
        self._set_label(self.bias_labels, self.name_of(layer, index), label)

    @staticmethod
    def _set_label(table: dict, key, label: str | None) -> None:
        label = (label or "").strip()
        if len(label) > 32:
            raise ValueError(f"{label[:20]!r}…: a label has at most 32 characters")
        if label:
            table[key] = label
        else:
            table.pop(key, None)

    def incoming(self, layer: int) -> list[int]:
        """Source layers with a block into ``layer`` (blocks may be empty)."""
        return sorted(ls for (ls, ld) in self.blocks if ld == layer)

    @property
    def is_recurrent(self) -> bool:
        """Some block runs backward, sideways or onto itself: core/recurrent.py computes it."""
        return any(is_recurrent_pair(a, b) for (a, b) in self.blocks)

    def recurrence_settings(self) -> Recurrence:
        return self.recurrence or Recurrence()

    def parameter_count(self) -> int:
        return self.num_connections + sum(layer.size for layer in self.layers[1:])

    # ----------------------------------------------------------------- edits
    def connect(self, ls: int, i: int, ld: int, j: int, weight: float = 0.0) -> None:
        self.check_connectable(ls, i, ld, j)
        b = self.blocks.get((ls, ld))
        if b is None:
            b = self.blocks[(ls, ld)] = Block.empty(self.layers[ls].size, self.layers[ld].size)
        b.mask[i, j] = True
        b.weight[i, j] = weight

    def check_connectable(self, ls: int, i: int, ld: int, j: int) -> None:
        """Raise ValueError with a user-facing reason if the connection may not be drawn."""
        if ld == 0:
            raise ValueError(f"input neurons are set by the data: a connection into "
                             f"{self.name_of(ld, j)} would have no effect")
        if self.has_connection(ls, i, ld, j):
            raise ValueError(f"{self.name_of(ls, i)} -> {self.name_of(ld, j)} is already connected")

    def disconnect(self, ls: int, i: int, ld: int, j: int) -> float:
        w = self.weight(ls, i, ld, j)
        b = self.blocks[(ls, ld)]
        b.mask[i, j] = False
        b.weight[i, j] = 0.0
        return w

    def connect_fully(self, ls: int, ld: int, weight: float | Array = 0.0) -> None:
        """Connect every neuron of ``ls`` to every neuron of ``ld``; existing weights are kept.
        ``ls >= ld`` makes recurrent connections (``ls == ld`` includes each neuron's self-loop)."""
        if ld == 0:
            raise ValueError("input neurons are set by the data: connections into layer 0 have no effect")
        b = self.blocks.get((ls, ld))
        if b is None:
            b = self.blocks[(ls, ld)] = Block.empty(self.layers[ls].size, self.layers[ld].size)
        new = ~b.mask
        b.weight[new] = np.broadcast_to(weight, b.weight.shape)[new]
        b.mask[:] = True

    def disconnect_layers(self, ls: int, ld: int) -> None:
        self.blocks.pop((ls, ld), None)

    def set_weight(self, ls: int, i: int, ld: int, j: int, value: float) -> None:
        if not self.has_connection(ls, i, ld, j):
            raise KeyError(f"no connection {self.name_of(ls, i)} -> {self.name_of(ld, j)}")
        self.blocks[(ls, ld)].weight[i, j] = float(value)

    def set_bias(self, layer: int, index: int, value: float) -> None:
        if layer == 0:
            raise ValueError("input neurons have no bias")
        self.layers[layer].biases[index] = float(value)

    def rename(self, layer: int, index: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a neuron needs a name")
        if any(c in name for c in " \t\n") or "->" in name:
            raise ValueError(f"{name!r}: names may not contain spaces or '->'")
        old = self.layers[layer].names[index]
        if name != old and name in self.names():
            raise ValueError(f"there is already a neuron named {name}")
        self.layers[layer].names[index] = name
        if old in self.bias_labels:
            self.bias_labels[name] = self.bias_labels.pop(old)
        self.connection_labels = {(name if a == old else a, name if b == old else b): v
                                  for (a, b), v in self.connection_labels.items()}

    def set_activation(self, layer: int, activation: str, index: int | None = None) -> None:
        """Set a layer's activation, or one neuron's override (None clears an override)."""
        if layer == 0:
            raise ValueError("input neurons pass their value on unchanged")
        if activation is not None:
            act = get_activation(activation)
            if act.whole_layer and (index is not None or layer != len(self.layers) - 1):
                raise ValueError("softmax applies to a whole output layer only")
        if index is None:
            self.layers[layer].activation = activation
        else:
            self.layers[layer].overrides[index] = None if activation == self.layers[layer].activation else activation

    def insert_layer(self, index: int, size: int, activation: str = "sigmoid",
                     names: list[str] | None = None) -> None:
        """Insert an empty, unconnected layer so it becomes layer ``index`` (1..len(layers)-1)."""
        if not 1 <= index <= len(self.layers) - 1:
            raise ValueError("a new layer goes between the input and the output layer")
        names = names or default_names(index, size, len(self.layers) + 1, self.names(), hidden=True)
        self.layers.insert(index, Layer(list(names), activation))
        self.blocks = {(a + (a >= index), b + (b >= index)): blk for (a, b), blk in self.blocks.items()}

    def remove_layer(self, index: int) -> tuple[Layer, dict[tuple[int, int], Block]]:
        """Remove a hidden layer and its connections; returns them (for undo)."""
        if not 1 <= index <= len(self.layers) - 2:
            raise ValueError("only hidden layers can be removed")
        layer = self.layers.pop(index)
        removed = {k: b for k, b in self.blocks.items() if index in k}
        self.blocks = {(a - (a > index), b - (b > index)): blk
                       for (a, b), blk in self.blocks.items() if index not in (a, b)}
        return layer, removed

    def restore_layer(self, index: int, layer: Layer, blocks: dict[tuple[int, int], Block]) -> None:
        """Undo of remove_layer: put the layer and its connections back exactly."""
        self.layers.insert(index, layer)
        self.blocks = {(a + (a >= index), b + (b >= index)): blk for (a, b), blk in self.blocks.items()}
        self.blocks.update(blocks)

    def insert_neuron(self, layer: int, index: int, name: str | None = None, bias: float = 0.0,
                      activation: str | None = None, pos: Pos = None) -> str:
        lay = self.layers[layer]
        name = name or next_free_name(prefix_for(layer, len(self.layers)), self.names())
        if name in self.names():
            raise ValueError(f"there is already a neuron named {name}")
        lay.names.insert(index, name)
        lay.biases = np.insert(lay.biases, index, bias)
        lay.overrides.insert(index, activation)
        lay.positions.insert(index, pos)
        for (a, b), blk in self.blocks.items():
            if a == layer:
                blk.weight = np.insert(blk.weight, index, 0.0, axis=0)
                blk.mask = np.insert(blk.mask, index, False, axis=0)
            if b == layer:
                blk.weight = np.insert(blk.weight, index, 0.0, axis=1)
                blk.mask = np.insert(blk.mask, index, False, axis=1)
        return name

    def remove_neuron(self, layer: int, index: int) -> dict:
        """Remove one neuron and its connections; returns what restore_neuron needs."""
        lay = self.layers[layer]
        if lay.size == 1:
            raise ValueError("a layer needs at least one neuron; remove the layer instead")
        saved = {"name": lay.names[index], "bias": float(lay.biases[index]),
                 "activation": lay.overrides[index], "pos": lay.positions[index], "rows": {}, "cols": {}}
        for key, blk in self.blocks.items():
            # both saved before either is deleted: a sideways block (layer -> layer) loses both
            if key[0] == layer:
                saved["rows"][key] = (blk.weight[index].copy(), blk.mask[index].copy())
            if key[1] == layer:
                saved["cols"][key] = (blk.weight[:, index].copy(), blk.mask[:, index].copy())
            if key[0] == layer:
                blk.weight = np.delete(blk.weight, index, axis=0)
                blk.mask = np.delete(blk.mask, index, axis=0)
            if key[1] == layer:
                blk.weight = np.delete(blk.weight, index, axis=1)
                blk.mask = np.delete(blk.mask, index, axis=1)
        del lay.names[index], lay.overrides[index], lay.positions[index]
        lay.biases = np.delete(lay.biases, index)
        return saved

    def restore_neuron(self, layer: int, index: int, saved: dict) -> None:
        self.insert_neuron(layer, index, saved["name"], saved["bias"], saved["activation"], saved["pos"])
        for key, (w, m) in saved["rows"].items():
            self.blocks[key].weight[index], self.blocks[key].mask[index] = w, m
        for key, (w, m) in saved["cols"].items():
            self.blocks[key].weight[:, index], self.blocks[key].mask[:, index] = w, m

    # ----------------------------------------------------------------- parameters as arrays
    def get_parameters(self) -> tuple[dict[tuple[int, int], Array], list[Array]]:
        """Copies of every block's weights and every layer's biases."""
        return ({k: b.weight.copy() for k, b in self.blocks.items()},
                [layer.biases.copy() for layer in self.layers])

    def set_parameters(self, weights: dict[tuple[int, int], Array], biases: list[Array]) -> None:
        for k, w in weights.items():
            blk = self.blocks[k]
            blk.weight = np.where(blk.mask, w, 0.0)
        for layer, b in zip(self.layers, biases):
            layer.biases = np.array(b, dtype=np.float64)

    def validate(self) -> None:
        """Raise ValueError naming the problem if the network cannot be computed."""
        if len(self.layers) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        seen: set[str] = set()
        for li, layer in enumerate(self.layers):
            if layer.size == 0:
                raise ValueError(f"layer {li} has no neurons")
            for nm in layer.names:
                if nm in seen:
                    raise ValueError(f"duplicate neuron name {nm}")
                seen.add(nm)
            for k in range(layer.size):
                act = get_activation(layer.activation_of(k)) if li else None
                if act is not None and act.whole_layer and li != len(self.layers) - 1:
                    raise ValueError(f"layer {li}: softmax applies to the output layer only")
        out = self.layers[-1]
        problem = output_problem(self.loss, [out.activation_of(k) for k in range(out.size)], out.names,
                                 len(self.layers) - 1)
        if problem:
            raise ValueError(problem)
        for (a, b), blk in self.blocks.items():
            if not (0 <= a < len(self.layers) and 0 < b < len(self.layers)):
                raise ValueError(f"connections from layer {a} to layer {b}: "
                                 f"{'input neurons are set by the data' if b == 0 else 'no such layer'}")
            if blk.weight.shape != (self.layers[a].size, self.layers[b].size):
                raise ValueError(f"block {a}->{b} has the wrong shape")
            if not np.all(np.isfinite(blk.weight)):
                raise ValueError(f"connections {a}->{b}: weights must be finite numbers")
        for li, layer in enumerate(self.layers):
            if not np.all(np.isfinite(layer.biases)):
                raise ValueError(f"layer {li}: biases must be finite numbers")


def prefix_for(layer: int, n_layers: int) -> str:
    return "i" if layer == 0 else "o" if layer == n_layers - 1 else "h"


def next_free_name(prefix: str, taken: list[str]) -> str:
    taken_set, k = set(taken), 1
    while f"{prefix}{k}" in taken_set:
        k += 1
    return f"{prefix}{k}"


def default_names(layer: int, size: int, n_layers: int, taken: list[str], hidden: bool = False) -> list[str]:
    """i1.., h1.. (numbering continues across hidden layers so names stay unique), o1.."""
    prefix = "h" if hidden else prefix_for(layer, n_layers)
    used, names, k = set(taken), [], 1
    while len(names) < size:
        if f"{prefix}{k}" not in used:
            names.append(f"{prefix}{k}")
        k += 1
    return names
