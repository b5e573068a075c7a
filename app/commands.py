"""Undoable edits. Each command's redo/undo calls Document methods only, never scene items.

Value edits store old and new values; structural edits that core can undo exactly (single
connections) store just what they need; other structural edits store network snapshots (before,
after), which restore the document exactly at a modest memory cost.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtGui import QUndoCommand

from core.network import Network

if TYPE_CHECKING:
    from .document import Document, Pos, Weights

MERGE_WEIGHT, MERGE_BIAS = 1001, 1002


class SetWeightCommand(QUndoCommand):
    def __init__(self, doc: "Document", ls: int, i: int, ld: int, j: int, value: float) -> None:
        net = doc.network
        super().__init__(f"Set weight {net.name_of(ls, i)} → {net.name_of(ld, j)} = {value:.6g}")
        self.doc, self.key = doc, (ls, i, ld, j)
        self.old, self.new = net.weight(ls, i, ld, j), float(value)

    def redo(self) -> None:
        self.doc.write_weight(*self.key, self.new)

    def undo(self) -> None:
        self.doc.write_weight(*self.key, self.old)

    def id(self) -> int:
        return MERGE_WEIGHT

    def mergeWith(self, other: QUndoCommand) -> bool:  # repeated typing into one field: one step
        if not isinstance(other, SetWeightCommand) or other.key != self.key:
            return False
        self.new = other.new
        self.setText(other.text())
        return True


class SetBiasCommand(QUndoCommand):
    def __init__(self, doc: "Document", layer: int, index: int, value: float) -> None:
        net = doc.network
        super().__init__(f"Set bias of {net.name_of(layer, index)} = {value:.6g}")
        self.doc, self.key = doc, (layer, index)
        self.old, self.new = net.bias(layer, index), float(value)

    def redo(self) -> None:
        self.doc.write_bias(*self.key, self.new)

    def undo(self) -> None:
        self.doc.write_bias(*self.key, self.old)

    def id(self) -> int:
        return MERGE_BIAS

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetBiasCommand) or other.key != self.key:
            return False
        self.new = other.new
        self.setText(other.text())
        return True


class SetParametersCommand(QUndoCommand):
    """Every weight and bias at once: randomise, set all, a training run. A run's epochs go with
    it: undone, they leave the history too, so the next run is numbered and plotted from there."""

    def __init__(self, doc: "Document", before: tuple["Weights", list[np.ndarray]],
                 after: tuple["Weights", list[np.ndarray]], text: str, history=()) -> None:
        super().__init__(text)
        self.doc, self.before, self.after = doc, before, after
        self.history = list(history)

    def redo(self) -> None:
        self.doc.write_parameters(*self.after)
        if self.history:
            self.doc.write_history(list(self.doc.project.history) + self.history)

    def undo(self) -> None:
        self.doc.write_parameters(*self.before)
        hist, n = list(self.doc.project.history), len(self.history)
        if n and hist[-n:] == self.history:  # unless the history was cleared or changed since
            self.doc.write_history(hist[:-n])


class RenameCommand(QUndoCommand):
    def __init__(self, doc: "Document", layer: int, index: int, name: str) -> None:
        self.old = doc.network.name_of(layer, index)
        super().__init__(f"Rename {self.old} to {name}")
        self.doc, self.key, self.new = doc, (layer, index), name

    def redo(self) -> None:
        self.doc.write_name(*self.key, self.new)

    def undo(self) -> None:
        self.doc.write_name(*self.key, self.old)


class SetActivationCommand(QUndoCommand):
    """A layer's activation (index None) or one neuron's override."""

    def __init__(self, doc: "Document", layer: int, activation: str, index: int | None = None) -> None:
        lay = doc.network.layers[layer]
        self.old = (lay.activation, list(lay.overrides))
        overrides = list(lay.overrides)
        if index is None:
            self.new = (activation, overrides)
            what = f"layer {layer}"
        else:
            overrides[index] = None if activation == lay.activation else activation
            self.new = (lay.activation, overrides)
            what = lay.names[index]
        super().__init__(f"Activation of {what}: {activation}")
        self.doc, self.layer = doc, layer

    def redo(self) -> None:
        self.doc.write_activation(self.layer, *self.new)

    def undo(self) -> None:
        self.doc.write_activation(self.layer, *self.old)


class MoveCommand(QUndoCommand):
    """Neurons moved on the canvas (one drag = one command); None = automatic layout."""

    def __init__(self, doc: "Document", moves: dict[tuple[int, int], tuple["Pos", "Pos"]],
                 text: str | None = None) -> None:
        n = len(moves)
        super().__init__(text or (f"Move {doc.network.name_of(*next(iter(moves)))}" if n == 1
                                  else f"Move {n} neurons"))
        self.doc = doc
        self.old = {k: v[0] for k, v in moves.items()}
        self.new = {k: v[1] for k, v in moves.items()}

    def redo(self) -> None:
        self.doc.write_positions(self.new)

    def undo(self) -> None:
        self.doc.write_positions(self.old)


class ConnectCommand(QUndoCommand):
    def __init__(self, doc: "Document", ls: int, i: int, ld: int, j: int, weight: float) -> None:
        net = doc.network
        super().__init__(f"Connect {net.name_of(ls, i)} → {net.name_of(ld, j)}")
        self.doc, self.key, self.weight = doc, (ls, i, ld, j), float(weight)
        self.block_existed = (ls, ld) in net.blocks

    def redo(self) -> None:
        self.doc.add_connection(*self.key, self.weight)

    def undo(self) -> None:
        self.doc.remove_connection(*self.key, drop_empty_block=not self.block_existed)


class DisconnectCommand(QUndoCommand):
    def __init__(self, doc: "Document", ls: int, i: int, ld: int, j: int) -> None:
        net = doc.network
        super().__init__(f"Disconnect {net.name_of(ls, i)} → {net.name_of(ld, j)}")
        self.doc, self.key, self.weight = doc, (ls, i, ld, j), net.weight(ls, i, ld, j)

    def redo(self) -> None:
        self.doc.remove_connection(*self.key, drop_empty_block=False)

    def undo(self) -> None:
        self.doc.add_connection(*self.key, self.weight)


class StructureCommand(QUndoCommand):
    """A structural edit applied by ``edit(network)`` once; undo/redo restore snapshots."""

    def __init__(self, doc: "Document", text: str, edit: Callable[[Network], None]) -> None:
        super().__init__(text)
        self.doc = doc
        self.before = copy.deepcopy(doc.network)
        after = copy.deepcopy(doc.network)
        edit(after)  # may raise ValueError: nothing has been pushed yet
        after.validate()
        self.after = after

    def redo(self) -> None:
        self.doc.write_network(self.after)

    def undo(self) -> None:
        self.doc.write_network(self.before)


class SetDatasetCommand(QUndoCommand):
    def __init__(self, doc: "Document", dataset: object, text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, doc.project.dataset, dataset

    def redo(self) -> None:
        self.doc.write_dataset(self.new)

    def undo(self) -> None:
        self.doc.write_dataset(self.old)


class SetTrainingConfigCommand(QUndoCommand):
    def __init__(self, doc: "Document", cfg: object, text: str) -> None:
        super().__init__(text)
        self.doc, self.old, self.new = doc, doc.project.training, cfg

    def redo(self) -> None:
        self.doc.write_training_config(self.new)

    def undo(self) -> None:
        self.doc.write_training_config(self.old)


class SetLossCommand(QUndoCommand):
    def __init__(self, doc: "Document", loss: str) -> None:
        super().__init__(f"Loss: {loss}")
        self.doc, self.old, self.new = doc, doc.network.loss, loss

    def redo(self) -> None:
        self.doc.write_loss(self.new)

    def undo(self) -> None:
        self.doc.write_loss(self.old)
