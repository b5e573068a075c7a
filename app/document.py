"""The document: the one Project being edited, its undo stack, file path and modified state.

Every edit is a QUndoCommand (app/commands.py) pushed through ``Document.push``; commands call the
``write_*``/``restore_*`` methods below, which change the model and emit the change signals the
views follow. Nothing else writes to the model (``show_parameters`` is the one non-undoable live
view used while training runs).
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.network import Block, Network
from core.project import HistoryEntry, Project

Weights = dict[tuple[int, int], np.ndarray]
Pos = tuple[float, float] | None


class Document(QObject):
    structure_changed = Signal()  # layers/neurons/connections added or removed, or a new project
    parameters_changed = Signal()  # weight/bias values changed
    neuron_changed = Signal(int, int)  # name/activation/bias of one neuron
    positions_changed = Signal()  # canvas positions of neurons changed
    project_replaced = Signal()  # new/open
    dataset_changed = Signal()
    training_config_changed = Signal()
    history_changed = Signal()
    about_to_edit = Signal()  # emitted before any user edit (the training controller pauses)
    modified_changed = Signal(bool)
    path_changed = Signal()

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project or Project(Network.dense([2, 2, 1]))
        self.undo_stack = QUndoStack(self)
        self.path: Path | None = None
        self._dirty = False  # changes outside the undo stack (training history)
        self._was_modified = False
        self._in_about_to_edit = False
        self.undo_stack.cleanChanged.connect(self._update_modified)

    # ----------------------------------------------------------------- state
    @property
    def network(self) -> Network:
        return self.project.network

    @property
    def modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def _update_modified(self, *_: object) -> None:
        now = self.modified
        if now != self._was_modified:
            self._was_modified = now
            self.modified_changed.emit(now)

    def display_name(self) -> str:
        if self.path is not None:
            return self.path.name
        return self.project.title or "Untitled"

    # ----------------------------------------------------------------- pushing edits
    def emit_about_to_edit(self) -> None:
        """Tell listeners (training) an edit follows; re-entrant calls are swallowed."""
        if self._in_about_to_edit:
            return
        self._in_about_to_edit = True
        try:
            self.about_to_edit.emit()
        finally:
            self._in_about_to_edit = False

    def push(self, command: QUndoCommand, *, user_edit: bool = True) -> None:
        if user_edit:
            self.emit_about_to_edit()
        self.undo_stack.push(command)

    def undo(self) -> None:
        if self.undo_stack.canUndo():
            self.emit_about_to_edit()
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.undo_stack.canRedo():
            self.emit_about_to_edit()
            self.undo_stack.redo()

    def set_index(self, index: int) -> None:
        """Jump in the undo history (the History view)."""
        if index != self.undo_stack.index():
            self.emit_about_to_edit()
            self.undo_stack.setIndex(index)

    # ----------------------------------------------------------------- API for training
    def set_parameters(self, weights: Weights, biases: list[np.ndarray], text: str, *,
                       before: tuple[Weights, list[np.ndarray]] | None = None,
                       history: list[HistoryEntry] = ()) -> None:
        """One undoable step setting every weight and bias (e.g. "Training, epochs 1–500"), with
        the epochs that led there (``history``), which undo takes back out of the history."""
        from .commands import SetParametersCommand
        if before is None:
            before = self.network.get_parameters()
        after = ({k: np.array(w, dtype=np.float64) for k, w in weights.items()},
                 [np.array(b, dtype=np.float64) for b in biases])
        self.push(SetParametersCommand(self, before, after, text, history), user_edit=False)

    def show_parameters(self, weights: Weights, biases: list[np.ndarray]) -> None:
        """Live view: write values into the model without an undo entry or modified mark."""
        self.network.set_parameters(weights, biases)
        self.parameters_changed.emit()

    def set_dataset(self, dataset: object, text: str = "Change data set") -> None:
        from .commands import SetDatasetCommand
        self.push(SetDatasetCommand(self, dataset, text))

    def set_training_config(self, cfg: object, text: str = "Change training settings") -> None:
        from .commands import SetTrainingConfigCommand
        self.push(SetTrainingConfigCommand(self, cfg, text))

    def append_history(self, entries: list[HistoryEntry]) -> None:
        self.project.history.extend(entries)
        self._dirty = True
        self._update_modified()
        self.history_changed.emit()

    def clear_history(self) -> None:
        if self.project.history:
            self.project.history.clear()
            self._dirty = True
            self._update_modified()
        self.history_changed.emit()

    # ----------------------------------------------------------------- whole project
    def replace_project(self, project: Project, path: Path | None = None, *,
                        modified: bool = False) -> None:
        """New/Open: a fresh project with an empty undo history."""
        self.emit_about_to_edit()
        self.project = project
        self.path = Path(path) if path is not None else None
        self.undo_stack.clear()
        self._dirty = modified
        self._update_modified()
        self.project_replaced.emit()
        self.structure_changed.emit()
        self.dataset_changed.emit()
        self.training_config_changed.emit()
        self.history_changed.emit()
        self.path_changed.emit()

    def mark_saved(self, path: Path) -> None:
        self.path = Path(path)
        self.undo_stack.setClean()
        self._dirty = False
        self._update_modified()
        self.path_changed.emit()

    # ----------------------------------------------------------------- called by commands
    def write_weight(self, ls: int, i: int, ld: int, j: int, value: float) -> None:
        self.network.set_weight(ls, i, ld, j, value)
        self.parameters_changed.emit()

    def write_bias(self, layer: int, index: int, value: float) -> None:
        self.network.set_bias(layer, index, value)
        self.parameters_changed.emit()
        self.neuron_changed.emit(layer, index)

    def write_history(self, entries: list[HistoryEntry]) -> None:
        """A run's epochs, added or taken back with its undo step (the undo stack, not a dirty
        flag, says whether the file changed)."""
        history = self.project.history  # core's bounded History: no slice assignment
        history.clear()
        history.extend(entries)
        self.history_changed.emit()

    def write_parameters(self, weights: Weights, biases: list[np.ndarray]) -> None:
        self.network.set_parameters({k: w.copy() for k, w in weights.items()},
                                    [b.copy() for b in biases])
        self.parameters_changed.emit()

    def write_name(self, layer: int, index: int, name: str) -> None:
        self.network.rename(layer, index, name)
        self.neuron_changed.emit(layer, index)

    def write_activation(self, layer: int, activation: str, overrides: list[str | None]) -> None:
        """Set a layer's activation and its per-neuron overrides exactly."""
        lay = self.network.layers[layer]
        lay.activation = activation
        lay.overrides = list(overrides)
        for k in range(lay.size):
            self.neuron_changed.emit(layer, k)

    def write_positions(self, positions: dict[tuple[int, int], Pos]) -> None:
        for (layer, index), pos in positions.items():
            self.network.layers[layer].positions[index] = None if pos is None else (float(pos[0]), float(pos[1]))
        self.positions_changed.emit()

    def add_connection(self, ls: int, i: int, ld: int, j: int, weight: float) -> None:
        self.network.connect(ls, i, ld, j, weight)
        self.structure_changed.emit()

    def remove_connection(self, ls: int, i: int, ld: int, j: int, drop_empty_block: bool) -> None:
        self.network.disconnect(ls, i, ld, j)
        if drop_empty_block and self.network.blocks[(ls, ld)].count == 0:
            self.network.disconnect_layers(ls, ld)
        self.structure_changed.emit()

    def write_network(self, net: Network) -> None:
        """Replace the network's contents (same object) with a copy of ``net``."""
        net = copy.deepcopy(net)
        target = self.network
        target.layers, target.blocks, target.loss = net.layers, net.blocks, net.loss
        target.recurrence = net.recurrence
        self.structure_changed.emit()

    def write_loss(self, loss: str) -> None:
        self.network.loss = loss
        self.training_config_changed.emit()

    def write_dataset(self, dataset: object) -> None:
        self.project.dataset = dataset
        self.dataset_changed.emit()

    def write_training_config(self, cfg: object) -> None:
        self.project.training = cfg
        self.training_config_changed.emit()

    def write_meta(self, title: str, description: str) -> None:
        self.project.title, self.project.description = title, description
        self.path_changed.emit()


def copy_block(block: Block | None) -> Block | None:
    return None if block is None else Block(block.weight.copy(), block.mask.copy())
