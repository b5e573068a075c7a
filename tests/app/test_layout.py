"""The window fits a classroom projector, and a big network opens quickly enough to be usable."""
from app.on_screen import on_screen, show_tab
from core.fileio import save_project
from core.network import Network
from core.project import Project


def test_window_fits_a_1280x720_projector(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint


def test_probe_for_784_inputs_builds_no_input_fields(window, tmp_path, qtbot):
    import numpy as np
    from core.datasets import Dataset
    net = Network.dense([784, 16, 10], ["relu", "softmax"], loss="cross_entropy", init="he")
    rng = np.random.default_rng(0)
    ds = Dataset(rng.uniform(0, 1, (5, 784)), np.eye(10)[rng.integers(0, 10, 5)], task="classification")
    path = tmp_path / "wide.bpnet"
    save_project(Project(net, dataset=ds), path)
    assert window.files.load(path)
    probe = window.training.probe
    assert probe.inputs == [] and probe.sample.value() == 1
    assert probe.sample.text() == "1"  # it read "no data" at its lowest value, sample 1
    from core.engine import Engine
    out = Engine(net).predict(ds.x[:1])[0]
    show_tab(window.training.docks["probe"])
    qtbot.waitUntil(lambda: on_screen(probe))  # its tab current: a probe behind another tab waits
    probe.refresh()
    assert probe.output_values() == [float(f"{v:.6g}") for v in out]


def test_hovering_a_hidden_neuron_on_the_canvas_shows_its_map(window):
    assert window.files.open_example("xor")
    dmap = window.training.decision_map
    hidden = window.scene.neurons[1][1]
    window.scene.item_hovered(hidden)
    assert dmap.shown_neuron == (1, 1)
    window.scene.item_hovered(None)
    assert dmap.shown_neuron is None
    window.scene.item_hovered(window.scene.neurons[2][0])  # the output neuron: the output map
    assert dmap.shown_neuron is None
