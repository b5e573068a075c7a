"""Turns what the user asked for into commands on the document, or a one-line reason why not.

Views (canvas, inspector, panels, menus) call these methods; none of them edits the model.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.activations import get_activation
from core.initializers import initialise
from core.losses import output_problem
from core.network import Network

from . import commands as cmd
from .document import Document, Pos

Conn = tuple[int, int, int, int]


class Editor(QObject):
    status_message = Signal(str)  # a reason an edit was refused, or what just happened

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self._rng = np.random.default_rng()

    @property
    def net(self) -> Network:
        return self.doc.network

    def _refuse(self, reason: str) -> bool:
        self.status_message.emit(reason)
        return False

    def _push_structure(self, text: str, edit) -> bool:
        try:
            command = cmd.StructureCommand(self.doc, text, edit)
        except (ValueError, KeyError) as exc:
            return self._refuse(str(exc).strip("'\""))
        self.doc.push(command)
        return True

    def _small_weight(self) -> float:
        return float(np.round(self._rng.uniform(-0.5, 0.5), 2))

    # ----------------------------------------------------------------- values
    def set_weight(self, ls: int, i: int, ld: int, j: int, value: float) -> bool:
        if not np.isfinite(value):
            return self._refuse("a weight must be a finite number")
        if self.net.weight(ls, i, ld, j) == value:
            return False
        self.doc.push(cmd.SetWeightCommand(self.doc, ls, i, ld, j, value))
        return True

    def set_bias(self, layer: int, index: int, value: float) -> bool:
        if layer == 0:
            return self._refuse("input neurons have no bias")
        if not np.isfinite(value):
            return self._refuse("a bias must be a finite number")
        if self.net.bias(layer, index) == value:
            return False
        self.doc.push(cmd.SetBiasCommand(self.doc, layer, index, value))
        return True

    def rename(self, layer: int, index: int, name: str) -> bool:
        name = name.strip()
        if name == self.net.name_of(layer, index):
            return False
        try:
            self.net.copy().rename(layer, index, name)
        except ValueError as exc:
            return self._refuse(str(exc))
        self.doc.push(cmd.RenameCommand(self.doc, layer, index, name))
        return True

    def set_activation(self, layer: int, activation: str, index: int | None = None) -> bool:
        trial = self.net.copy()
        try:
            trial.set_activation(layer, activation, index)
            trial.validate()
        except ValueError as exc:
            return self._refuse(str(exc))
        current = self.net.layers[layer]
        if index is None and current.activation == activation:
            return False
        if index is not None and current.activation_of(index) == activation:
            return False
        self.doc.push(cmd.SetActivationCommand(self.doc, layer, activation, index))
        return True

    def set_loss(self, loss: str) -> bool:
        if loss == self.net.loss:
            return False
        out = self.net.layers[-1]
        problem = output_problem(loss, [out.activation_of(k) for k in range(out.size)], out.names,
                                 len(self.net.layers) - 1)
        if problem:
            return self._refuse(problem)
        self.doc.push(cmd.SetLossCommand(self.doc, loss))
        return True

    def randomise(self, scheme: str = "uniform", scale: float = 0.5, seed: int | None = None,
                  bias_init: str = "same", layers: list[int] | None = None) -> bool:
        trial = self.net.copy()
        try:
            initialise(trial, scheme, scale=scale, bias_init=bias_init, seed=seed, layers=layers)
        except ValueError as exc:
            return self._refuse(str(exc))
        where = "the network" if layers is None else ", ".join(f"layer {k}" for k in layers)
        self.doc.set_parameters(*trial.get_parameters(),
                                f"Randomise {where} ({scheme}, seed {seed})")
        return True

    def set_all(self, value: float, layers: list[int] | None = None, weights: bool = True,
                biases: bool = True) -> bool:
        """Every weight into, and every bias of, the given layers (default all) becomes ``value``."""
        if not np.isfinite(value):
            return self._refuse("the value must be a finite number")
        targets = set(range(1, len(self.net.layers)) if layers is None else layers) - {0}
        w, b = self.net.get_parameters()
        if weights:
            for (ls, ld), blk in self.net.blocks.items():
                if ld in targets:
                    w[(ls, ld)] = np.where(blk.mask, value, 0.0)
        if biases:
            for li in targets:
                b[li] = np.full_like(b[li], value)
        where = "the network" if layers is None else ", ".join(f"layer {k}" for k in sorted(targets))
        self.doc.set_parameters(w, b, f"Set all values in {where} to {value:g}")
        return True

    # ----------------------------------------------------------------- connections
    def connect(self, ls: int, i: int, ld: int, j: int, weight: float | None = None) -> bool:
        try:
            self.net.check_connectable(ls, i, ld, j)
        except ValueError as exc:
            return self._refuse(f"Not connected: {exc}")
        w = self._small_weight() if weight is None else weight
        self.doc.push(cmd.ConnectCommand(self.doc, ls, i, ld, j, w))
        return True

    def disconnect(self, connections: list[Conn]) -> bool:
        connections = [c for c in connections if self.net.has_connection(*c)]
        if not connections:
            return False
        if len(connections) == 1:
            self.doc.push(cmd.DisconnectCommand(self.doc, *connections[0]))
            return True

        def edit(net: Network) -> None:
            for c in connections:
                net.disconnect(*c)
        return self._push_structure(f"Delete {len(connections)} connections", edit)

    def set_recurrence(self, settings) -> bool:
        """How a recurrent network settles or steps (core.recurrence.Recurrence), undoable."""
        return self._push_structure("Recurrence settings", lambda net: setattr(net, "recurrence", settings))

    def connect_fully(self, ls: int, ld: int) -> bool:
        if ls >= ld:
            return self._refuse("connections go forward: from an earlier layer to a later one")
        blk = self.net.blocks.get((ls, ld))
        if blk is not None and blk.mask.all():
            return self._refuse(f"layers {ls} and {ld} are already fully connected")
        shape = (self.net.layers[ls].size, self.net.layers[ld].size)
        fresh = np.round(self._rng.uniform(-0.5, 0.5, shape), 2)
        return self._push_structure(f"Connect layer {ls} fully to layer {ld}",
                                    lambda net: net.connect_fully(ls, ld, fresh))

    def disconnect_layers(self, ls: int, ld: int) -> bool:
        blk = self.net.blocks.get((ls, ld))
        if blk is None or blk.count == 0:
            return self._refuse(f"layers {ls} and {ld} are not connected")
        return self._push_structure(f"Disconnect layer {ls} from layer {ld}",
                                    lambda net: net.disconnect_layers(ls, ld))

    # ----------------------------------------------------------------- layers and neurons
    def add_layer(self, index: int, size: int, activation: str = "sigmoid",
                  connect: bool = True) -> bool:
        """Insert a layer so it becomes layer ``index``; chained in between its neighbours."""
        if size < 1:
            return self._refuse("a layer needs at least one neuron")
        if not 1 <= index <= len(self.net.layers) - 1:
            return self._refuse("a new layer goes between the input and the output layer")
        prev, nxt = self.net.layers[index - 1].size, self.net.layers[index].size
        w_in = np.round(self._rng.uniform(-0.5, 0.5, (prev, size)), 2)
        w_out = np.round(self._rng.uniform(-0.5, 0.5, (size, nxt)), 2)
        biases = np.round(self._rng.uniform(-0.5, 0.5, size), 2)

        def edit_keep(net: Network) -> None:
            net.insert_layer(index, size, activation)
            net.layers[index].biases = biases.copy()
            if connect:
                net.disconnect_layers(index - 1, index + 1)
                net.connect_fully(index - 1, index, w_in)
                net.connect_fully(index, index + 1, w_out)
        return self._push_structure(f"Add layer {index} ({size} neurons)", edit_keep)

    def remove_layer(self, index: int) -> bool:
        if not 1 <= index <= len(self.net.layers) - 2:
            return self._refuse("only hidden layers can be removed (a network keeps its input "
                                "and output layers)")

        def edit(net: Network) -> None:
            had_chain = (index - 1, index) in net.blocks and (index, index + 1) in net.blocks
            net.remove_layer(index)
            if had_chain and (index - 1, index) not in net.blocks:
                n_src, n_dst = net.layers[index - 1].size, net.layers[index].size
                net.connect_fully(index - 1, index,
                                  np.round(self._rng.uniform(-0.5, 0.5, (n_src, n_dst)), 2))
        return self._push_structure(f"Remove layer {index}", edit)

    def add_neuron(self, layer: int, index: int | None = None) -> bool:
        lay = self.net.layers[layer]
        index = lay.size if index is None else index

        def edit(net: Network) -> None:
            full = [k for k, b in net.blocks.items() if layer in k and b.mask.all()]
            net.insert_neuron(layer, index)
            for (a, b) in full:
                blk = net.blocks[(a, b)]
                fresh = np.round(self._rng.uniform(-0.5, 0.5, blk.weight.shape), 2)
                if a == layer:
                    blk.mask[index, :], blk.weight[index, :] = True, fresh[index, :]
                else:
                    blk.mask[:, index], blk.weight[:, index] = True, fresh[:, index]
            if layer > 0:
                net.layers[layer].biases[index] = self._small_weight()
        return self._push_structure(f"Add a neuron to layer {layer}", edit)

    def resize_layer(self, layer: int, size: int) -> bool:
        """Add neurons at the end of a layer, or remove its last ones, to reach ``size``."""
        current = self.net.layers[layer].size
        if size < 1:
            return self._refuse("a layer needs at least one neuron")
        if size == current:
            return False
        if size < current:
            return self.remove_neurons([(layer, k) for k in range(size, current)])
        full = [k for k, b in self.net.blocks.items() if layer in k and b.mask.all()]
        fresh = {k: np.round(self._rng.uniform(-0.5, 0.5, (size - current) * (
            self.net.layers[k[1] if k[0] == layer else k[0]].size)), 2) for k in full}
        biases = np.round(self._rng.uniform(-0.5, 0.5, size - current), 2)

        def edit(net: Network) -> None:
            for n in range(current, size):
                net.insert_neuron(layer, n)
                if layer > 0:
                    net.layers[layer].biases[n] = biases[n - current]
            for (a, b), values in fresh.items():
                blk = net.blocks[(a, b)]
                if a == layer:
                    blk.weight[current:, :] = values.reshape(size - current, -1)
                    blk.mask[current:, :] = True
                else:
                    blk.weight[:, current:] = values.reshape(-1, size - current)
                    blk.mask[:, current:] = True
        return self._push_structure(f"Layer {layer}: {size} neurons", edit)

    def remove_neurons(self, neurons: list[tuple[int, int]]) -> bool:
        return self.delete(neurons, [], [])

    def delete(self, neurons: list[tuple[int, int]], connections: list[Conn],
               layers: list[int]) -> bool:
        """Delete a selection: connections, then neurons (highest index first), then layers."""
        if not (neurons or connections or layers):
            return False
        if connections and not neurons and not layers:
            return self.disconnect(connections)
        layers = sorted(set(layers), reverse=True)
        neurons = sorted({n for n in neurons if n[0] not in layers}, reverse=True)
        for li, n_removed in _count_by_layer(neurons).items():
            if n_removed >= self.net.layers[li].size:
                return self._refuse(f"layer {li} would have no neurons left; "
                                    "remove the layer instead")
        names = [self.net.name_of(*n) for n in neurons]

        def edit(net: Network) -> None:
            for c in connections:
                if net.has_connection(*c) and c[0] not in layers and c[2] not in layers:
                    net.disconnect(*c)
            for li, k in neurons:
                net.remove_neuron(li, k)
            for li in layers:
                if not 1 <= li <= len(net.layers) - 2:
                    raise ValueError("only hidden layers can be removed")
                net.remove_layer(li)
        parts = []
        if layers:
            parts.append(f"{len(layers)} layer{'s' * (len(layers) > 1)}")
        if neurons:
            parts.append(", ".join(names) if len(names) <= 3 else f"{len(names)} neurons")
        if connections:
            parts.append(f"{len(connections)} connection{'s' * (len(connections) > 1)}")
        return self._push_structure("Delete " + ", ".join(parts), edit)

    # ----------------------------------------------------------------- canvas positions
    def move(self, moves: dict[tuple[int, int], tuple[Pos, Pos]]) -> bool:
        moves = {k: v for k, v in moves.items() if v[0] != v[1]}
        if not moves:
            return False
        self.doc.push(cmd.MoveCommand(self.doc, moves))
        return True

    def auto_layout(self) -> bool:
        moves = {(li, k): (pos, None) for li, layer in enumerate(self.net.layers)
                 for k, pos in enumerate(layer.positions) if pos is not None}
        if not moves:
            return self._refuse("the network already has the automatic layout")
        self.doc.push(cmd.MoveCommand(self.doc, moves, "Automatic layout"))
        return True


def _count_by_layer(neurons: list[tuple[int, int]]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for li, _ in neurons:
        counts[li] = counts.get(li, 0) + 1
    return counts


def activation_names() -> list[str]:
    from core.activations import ACTIVATIONS
    return list(ACTIVATIONS)


def activation_label(name: str) -> str:
    return get_activation(name).label

