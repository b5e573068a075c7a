"""Every edit's undo and redo restore the document exactly (compared as saved file text)."""
from __future__ import annotations

import numpy as np
import pytest

from app.document import Document
from app.editor import Editor
from core.fileio import dumps
from core.network import Network
from core.project import HistoryEntry, Project


def make_doc(qapp, sizes=(2, 3, 2)):
    net = Network.dense(list(sizes), seed=3)
    doc = Document(Project(net))
    return doc, Editor(doc)


EDITS = {
    "set_weight": lambda e: e.set_weight(0, 1, 1, 2, 0.123456789),
    "set_bias": lambda e: e.set_bias(1, 0, -2.5),
    "rename": lambda e: e.rename(1, 1, "hidden_b"),
    "layer_activation": lambda e: e.set_activation(1, "tanh"),
    "neuron_activation": lambda e: e.set_activation(2, "relu", 1),
    "connect_skip": lambda e: e.connect(0, 0, 2, 1, 0.75),
    "disconnect": lambda e: e.disconnect([(0, 0, 1, 0)]),
    "disconnect_many": lambda e: e.disconnect([(0, 0, 1, 0), (1, 2, 2, 1)]),
    "connect_fully": lambda e: (e.disconnect([(0, 1, 1, 1)]), e.connect_fully(0, 1)),
    "disconnect_layers": lambda e: e.disconnect_layers(1, 2),
    "add_layer_after": lambda e: e.add_layer(2, 4, "relu"),
    "add_layer_before": lambda e: e.add_layer(1, 1),
    "remove_layer": lambda e: e.remove_layer(1),
    "add_neuron": lambda e: e.add_neuron(1),
    "add_neuron_input": lambda e: e.add_neuron(0, 0),
    "resize_layer_up": lambda e: e.resize_layer(1, 6),
    "resize_layer_down": lambda e: e.resize_layer(1, 1),
    "remove_neurons": lambda e: e.remove_neurons([(1, 0), (2, 1)]),
    "delete_mixed": lambda e: e.delete([(1, 2)], [(0, 0, 1, 0)], []),
    "move": lambda e: e.move({(1, 0): (None, (10.5, -3.25)), (0, 1): (None, (1.0, 2.0))}),
    "randomise": lambda e: e.randomise("xavier", 0.5, 7),
    "randomise_layer": lambda e: e.randomise("he", 0.5, 8, "zero", [2]),
    "set_all": lambda e: e.set_all(0.25),
    "set_all_layer": lambda e: e.set_all(-1.0, [1]),
    "loss": lambda e: e.set_loss("mse"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_undo_redo_restores_exactly(qapp, name):
    doc, editor = make_doc(qapp)
    before = dumps(doc.project)
    EDITS[name](editor)
    assert doc.undo_stack.count() >= 1, "the edit pushed no command"
    after = dumps(doc.project)
    assert after != before
    doc.network.validate()
    while doc.undo_stack.canUndo():
        doc.undo()
    assert dumps(doc.project) == before
    while doc.undo_stack.canRedo():
        doc.redo()
    assert dumps(doc.project) == after


def test_whole_sequence_undoes_and_redoes_exactly(qapp):
    doc, editor = make_doc(qapp)
    snapshots = [dumps(doc.project)]
    sequence = ["set_weight", "set_bias", "rename", "layer_activation", "neuron_activation",
                "connect_skip", "move", "add_neuron", "add_layer_after", "randomise",
                "set_all_layer", "disconnect", "delete_mixed", "add_layer_before", "remove_layer",
                "resize_layer_up", "loss"]
    for name in sequence:
        EDITS[name](editor)
        snapshots.append(dumps(doc.project))
    n = doc.undo_stack.count()
    assert n == len(sequence)
    for k in range(n, 0, -1):
        doc.undo()
    assert dumps(doc.project) == snapshots[0]
    for _ in range(n):
        doc.redo()
    assert dumps(doc.project) == snapshots[-1]


def test_refused_edits_push_nothing_and_say_why(qapp):
    doc, editor = make_doc(qapp)
    reasons = []
    editor.status_message.connect(reasons.append)
    assert not editor.connect(1, 0, 0, 0)  # into an input neuron
    assert not editor.connect(0, 1, 0, 1)  # an input onto itself
    assert not editor.connect(0, 0, 1, 0)  # duplicate
    assert not editor.remove_layer(0)
    assert not editor.set_bias(0, 0, 1.0)
    assert not editor.rename(1, 0, "i1")
    assert not editor.set_activation(1, "softmax")
    assert not editor.remove_neurons([(2, 0), (2, 1)])
    assert doc.undo_stack.count() == 0
    assert len(reasons) == 8
    assert "input neurons are set by the data" in reasons[0] and "no effect" in reasons[1] and "already" in reasons[2]


def test_recurrent_connections_are_undoable_edits(qapp):
    doc, editor = make_doc(qapp)
    before = dumps(doc.project)
    assert editor.connect(2, 0, 1, 0)  # backward
    assert editor.connect(1, 0, 1, 1)  # sideways
    assert editor.connect(1, 1, 1, 1)  # self
    assert doc.network.is_recurrent and '"recurrence"' in dumps(doc.project)
    for _ in range(3):
        doc.undo()
    assert dumps(doc.project) == before and not doc.network.is_recurrent


def test_signals_follow_edits(qapp, qtbot):
    doc, editor = make_doc(qapp)
    with qtbot.waitSignal(doc.parameters_changed):
        editor.set_weight(0, 0, 1, 0, 2.0)
    with qtbot.waitSignals([doc.parameters_changed, doc.neuron_changed]):
        editor.set_bias(1, 0, 1.0)
    with qtbot.waitSignal(doc.structure_changed):
        editor.add_neuron(1)
    with qtbot.waitSignal(doc.neuron_changed, check_params_cb=lambda l, i: (l, i) == (1, 1)):
        editor.rename(1, 1, "zz")
    with qtbot.waitSignal(doc.positions_changed):
        editor.move({(0, 0): (None, (5.0, 5.0))})


def test_about_to_edit_precedes_every_user_edit(qapp):
    doc, editor = make_doc(qapp)
    log = []
    doc.about_to_edit.connect(lambda: log.append(("about", doc.undo_stack.count())))
    editor.set_weight(0, 0, 1, 0, 2.0)
    assert log == [("about", 0)]
    doc.undo()
    doc.redo()
    assert len(log) == 3


def test_training_contract(qapp):
    doc, editor = make_doc(qapp)
    modified = []
    doc.modified_changed.connect(modified.append)
    w0, b0 = doc.network.get_parameters()
    w1 = {k: v + 1.0 for k, v in w0.items()}
    b1 = [b + 1.0 for b in b0]
    about = []
    doc.about_to_edit.connect(lambda: about.append(1))
    doc.show_parameters(w1, b1)  # live view: no undo entry, not modified
    assert doc.undo_stack.count() == 0 and not doc.modified
    assert np.allclose(doc.network.blocks[(0, 1)].weight, w1[(0, 1)])
    doc.set_parameters(w1, b1, "Training, epochs 1–500", before=(w0, b0))
    assert doc.undo_stack.count() == 1 and doc.modified and not about
    assert doc.undo_stack.undoText() == "Training, epochs 1–500"
    doc.undo()
    assert np.array_equal(doc.network.blocks[(0, 1)].weight, w0[(0, 1)])
    assert not doc.modified
    doc.append_history([HistoryEntry(1, 0.5), HistoryEntry(2, 0.4)])
    assert doc.modified and len(doc.project.history) == 2
    assert modified == [True, False, True]
    doc.mark_saved(doc.path or "x.bpnet")
    assert not doc.modified
    doc.clear_history()
    assert doc.modified and doc.project.history == []


def test_dataset_and_config_commands(qapp):
    from core.datasets import Dataset
    from core.training import TrainConfig
    doc, editor = make_doc(qapp)
    before = dumps(doc.project)
    doc.set_dataset(Dataset(np.zeros((3, 2)), np.ones((3, 2))), "Load data")
    doc.set_training_config(TrainConfig(max_epochs=7))
    after = dumps(doc.project)
    doc.undo()
    doc.undo()
    assert dumps(doc.project) == before
    doc.redo()
    doc.redo()
    assert dumps(doc.project) == after


def test_typing_into_one_field_merges_into_one_step(qapp):
    doc, editor = make_doc(qapp)
    editor.set_weight(0, 0, 1, 0, 1.0)
    editor.set_weight(0, 0, 1, 0, 2.0)
    editor.set_weight(0, 1, 1, 0, 3.0)
    assert doc.undo_stack.count() == 2


def test_cross_entropy_on_a_non_probability_output_is_refused_both_ways(qapp):
    doc, editor = make_doc(qapp)  # sigmoid output layer, half_sse
    reasons = []
    editor.status_message.connect(reasons.append)
    assert editor.set_activation(2, "linear")
    assert not editor.set_loss("cross_entropy")
    assert "output layer (layer 2) uses linear" in reasons[-1] and "softmax" in reasons[-1]
    assert editor.set_activation(2, "softmax") and editor.set_loss("cross_entropy")
    assert not editor.set_activation(2, "relu")
    assert not editor.set_activation(2, "tanh", 0)
    assert "output neuron o1 (layer 2) uses tanh" in reasons[-1]
    assert doc.network.loss == "cross_entropy" and doc.network.layers[2].activation == "softmax"
