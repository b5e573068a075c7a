"""Live training through the real main window: start/pause/resume/stop, stop within an epoch,
close while training, edits while training, divergence, the plot's epochs, the δ glow."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.on_screen import on_screen, show_tab
from app.training.controller import IDLE, PAUSED, RUNNING, params_equal
from core.datasets import Dataset
from core.network import Network
from core.optimizers import OptimizerSettings
from core.project import Project
from core.training import TrainConfig

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
XOR_Y = np.array([[0], [1], [1], [0.0]])


def xor_project(epochs: int = 200, lr: float = 0.5, **cfg) -> Project:
    net = Network.dense([2, 3, 1], seed=3)
    config = TrainConfig(optimizer=OptimizerSettings("sgd", lr), max_epochs=epochs, **cfg)
    return Project(net, config, Dataset(XOR_X, XOR_Y, task="classification", class_names=["0", "1"]))


def big_project(epochs: int = 100000) -> Project:
    """Slow epochs (many samples), so a run is reliably still going when the test acts."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    net = Network.dense([2, 16, 16, 1], activation="tanh", seed=1)
    cfg = TrainConfig(optimizer=OptimizerSettings("sgd", 0.05), batch_size=1, max_epochs=epochs)
    return Project(net, cfg, Dataset(x, y, task="classification"))


@pytest.fixture
def feature(window):
    return window.training


def load(window, project: Project):
    window.document.replace_project(project)
    return window.training


def wait_epochs(qtbot, controller, n: int, timeout=10000) -> None:
    """Until the run has reported ``n`` epochs; on a timeout the failure says where every thread
    was and what the controller and worker were doing (CI once waited 10 s for one epoch here)."""
    try:
        qtbot.waitUntil(lambda: controller.run_epochs >= n, timeout=timeout)
    except qtbot.TimeoutError:
        pytest.fail(f"no {n} epoch(s) reported in {timeout} ms\n" + training_state(controller))


def training_state(c) -> str:
    import sys
    import threading
    import traceback
    w, p = c._worker, c.priority
    lines = [f"controller: state={c.state} running={c.running} run_epochs={c.run_epochs} inbox={len(c._inbox)} "
             f"frame_timer={c._frame_timer.isActive()}/{c._frame_timer.interval()} ms "
             f"held={p.held} live_scale={p.live_scale} gui_duty={p.gui_duty:.2f}"]
    if w is not None:
        lines.append(f"worker: may_run={w._may_run.is_set()} parked={w._parked.is_set()} stop={w._stop.is_set()} "
                     f"done={w._done}")
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        lines.append(f"--- thread {names.get(ident, ident)}")
        lines += [s.rstrip() for s in traceback.format_stack(frame)[-8:]]
    return "\n".join(lines)


def wait_state(qtbot, controller, state, timeout=10000):
    qtbot.waitUntil(lambda: controller.state == state and not controller.running, timeout=timeout)


def test_start_runs_to_the_end_and_commits_one_undo_step(qtbot, window):
    f = load(window, xor_project(300))
    doc = window.document
    before = doc.network.get_parameters()
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        assert f.controller.start()
    assert f.controller.state == IDLE
    assert len(doc.project.history) == 300
    assert [h.epoch for h in doc.project.history] == list(range(1, 301))
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.text(0) == "Training, epochs 1\u2013300"
    assert not params_equal(before, doc.network.get_parameters())
    doc.undo()
    assert params_equal(before, doc.network.get_parameters())


def test_pause_resume_stop(qtbot, window):
    f = load(window, big_project())
    c, doc = f.controller, window.document
    assert c.start()
    assert c.state == RUNNING
    wait_epochs(qtbot, c, 2)
    c.pause()
    wait_state(qtbot, c, PAUSED)
    done = len(doc.project.history)
    assert done >= 2 and doc.undo_stack.count() == 1
    assert f.actions["resume"].isEnabled() and not f.actions["pause"].isEnabled()
    assert c.resume()
    assert c.state == RUNNING
    wait_epochs(qtbot, c, 1)
    c.stop()
    wait_state(qtbot, c, IDLE)
    hist = [h.epoch for h in doc.project.history]
    assert hist == list(range(1, len(hist) + 1)), "resume continues the epoch count"
    assert len(hist) > done
    assert doc.undo_stack.count() == 2
    assert doc.undo_stack.text(1).startswith(f"Training, epoch")


def test_stop_takes_effect_within_one_epoch(qtbot, window):
    f = load(window, big_project())
    c = f.controller
    assert c.start()
    wait_epochs(qtbot, c, 1)
    reported = c.run_log.last_epoch
    worker = c._worker
    c.stop(wait=True)
    assert not c.running and c.state == IDLE
    assert worker is not None
    last = window.document.project.history[-1].epoch
    # the worker may have been inside one more epoch (plus those not yet delivered when we asked)
    assert last <= reported + 1 + 25, (reported, last)
    assert window.document.project.history[-1].epoch == last


def test_pause_and_stop_say_at_once_that_they_wait_for_the_epoch(qtbot, window):
    f = load(window, big_project())
    c = f.controller
    said = []
    c.message.connect(said.append)
    for act, done in ((c.pause, "Paused at epoch"), (c.stop, "Stopped at epoch")):
        assert c.start() if act == c.pause else c.resume()
        wait_epochs(qtbot, c, 1)
        said.clear()
        act()
        assert said == [f"{'Pausing' if act == c.pause else 'Stopping'} at the end of this epoch\u2026"]
        assert c.running  # the epoch under way still runs
        qtbot.waitUntil(lambda: not c.running, timeout=10000)
        assert said[-1].startswith(done)


def test_close_while_training_stops_the_thread(qtbot, make_window):
    w = make_window()
    f = load(w, big_project())
    assert f.controller.start()
    wait_epochs(qtbot, f.controller, 1)
    w.files.maybe_save = lambda: True
    assert w.close()
    assert not f.controller.running
    assert len(w.document.project.history) >= 1
    # no QThread left running: checked by the conftest fixture as well


def test_edit_while_training_pauses_then_applies_the_edit(qtbot, window):
    f = load(window, big_project())
    c, doc = f.controller, window.document
    assert c.start()
    wait_epochs(qtbot, c, 1)
    from app.commands import SetBiasCommand
    doc.push(SetBiasCommand(doc, 1, 0, 3.25))
    assert not c.running and c.state == PAUSED
    assert doc.network.bias(1, 0) == 3.25
    texts = [doc.undo_stack.text(k) for k in range(doc.undo_stack.count())]
    assert texts[0].startswith("Training, epoch") and len(texts) == 2
    assert c.resume()
    wait_epochs(qtbot, c, 1)
    c.stop(wait=True)
    assert c.state == IDLE


def test_divergence_pauses_with_the_engines_message_and_finite_weights(qtbot, window):
    proj = xor_project(5000, lr=1e6)
    proj.network.loss = "half_sse"
    proj.network.layers[1].activation = "linear"
    proj.network.layers[2].activation = "linear"
    f = load(window, proj)
    messages = []
    f.controller.message.connect(messages.append)
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000) as sig:
        f.controller.start()
    result = sig.args[0]
    assert result.diverged
    assert f.controller.state == PAUSED
    assert any("diverged" in m for m in messages)
    w, b = window.document.network.get_parameters()
    assert all(np.isfinite(a).all() for a in w.values()) and all(np.isfinite(a).all() for a in b)
    assert np.isfinite([h.loss for h in window.document.project.history]).all()


def test_plot_holds_exactly_the_epochs_trained(qtbot, window):
    f = load(window, xor_project(3000))
    with qtbot.waitSignal(f.controller.run_ended, timeout=20000):
        f.controller.start()
    f.loss_plot.redraw()
    x, y = f.loss_plot.series("loss")
    assert f.loss_plot.epochs_shown() == len(window.document.project.history) == 3000
    assert list(x) == list(range(1, 3001))
    assert np.allclose(y, [h.loss for h in window.document.project.history])
    acc_x, _ = f.loss_plot.series("accuracy")
    assert len(acc_x) == 3000
    f.loss_plot.set_log(True)
    f.loss_plot.show_readout(10)
    assert f.loss_plot.readout.text().startswith("epoch 11")


def test_glow_follows_reports_and_sweeps_backward(qtbot, window):
    f = load(window, xor_project(50))
    f.glow.mode = "network"  # one scale for the whole network: glow = mean |δ| / legend's scale
    sent = []
    f.glow.glow_changed.connect(sent.append)
    before = window.document.network.get_parameters()
    seen_weights = []
    window.document.parameters_changed.connect(lambda: seen_weights.append(f.glow.sweeping))
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        f.controller.step()
    assert window.document.project.history[-1].epoch == 1
    # forward, backward sweep, then the weights change: not while the sweep is under way
    assert seen_weights and not any(seen_weights)
    assert not params_equal(before, window.document.network.get_parameters())
    qtbot.waitUntil(lambda: not f.glow.sweeping, timeout=5000)
    lit = [[bool(np.any(v > 0)) for v in values] for values in sent if values is not None]
    assert lit[0] == [False, False, True], "the output layer lights first"
    assert lit[-1] == [False, True, True], "then the hidden layer"
    # what is shown is the report's mean |δ| over the legend's scale, clipped to [0, 1]
    report = f.glow_last_report
    assert np.allclose(sent[-1][-1], np.clip(report.mean_abs_delta[-1] / f.glow.scale, 0, 1))
    assert f.glow.scale > 0 and f.legend.scale == f.glow.scale
    scene_glow = window.scene._glow
    assert scene_glow is not None and np.allclose(scene_glow[-1], sent[-1][-1])


def test_reset_weights_brings_back_the_opened_weights_and_step_is_undoable(qtbot, window):
    f = load(window, xor_project(50))
    doc = window.document
    before = doc.network.get_parameters()
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        f.actions["step"].trigger()
    assert doc.undo_stack.text(doc.undo_stack.count() - 1) == "Training, epoch 1"
    assert not params_equal(before, doc.network.get_parameters())
    f.actions["reset"].trigger()
    assert doc.undo_stack.text(doc.undo_stack.count() - 1) == "Reset weights"
    assert params_equal(before, doc.network.get_parameters())
    assert doc.project.history == []
    doc.undo()
    assert not params_equal(before, doc.network.get_parameters())
    doc.undo()
    assert params_equal(before, doc.network.get_parameters())


def test_reset_weights_after_saving_brings_back_the_saved_weights(qtbot, window, tmp_path):
    f = load(window, xor_project(50))
    doc = window.document
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        f.actions["step"].trigger()
    assert window.files._write(tmp_path / "x.bpnet")
    saved = doc.network.get_parameters()
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        f.actions["step"].trigger()
    f.actions["reset"].trigger()
    assert params_equal(saved, doc.network.get_parameters())
    assert [h.epoch for h in doc.project.history] == [1]


def test_glow_per_layer_lights_small_hidden_deltas(qtbot, window):
    from app.training.glow import glow_values
    out = glow_values([np.array([0.13, 0.04]), np.array([0.009, 0.0099])], "layer")
    assert out[0].max() == 1.0 and out[1].max() == 1.0
    net = glow_values([np.array([0.13, 0.04]), np.array([0.009, 0.0099])], "network")
    assert net[1].max() < 0.1
    log = glow_values([np.array([0.13]), np.array([0.0099]), np.array([1e-9])], "log")
    assert 0.5 < log[1][0] < 1.0 and log[2][0] == 0.0
    f = window.training
    f.legend.set_mode("layer")
    assert "per layer" in f.legend.end_labels()
    f.legend.set_mode("log")
    assert "log" in f.legend.end_labels()[1]


def test_slow_speed_paces_epochs(qtbot, window):
    f = load(window, xor_project(4))
    f.panel.set_slow(20.0)
    import time
    t0 = time.perf_counter()
    with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
        f.controller.start()
    assert time.perf_counter() - t0 >= 3 / 20.0
    assert len(window.document.project.history) == 4


def test_map_click_adds_and_removes_points_through_undo(qtbot, window):
    f = load(window, xor_project(10))
    doc = window.document
    f.docks["map"].show()
    show_tab(f.docks["map"])
    qtbot.waitUntil(lambda: on_screen(f.decision_map))
    f.decision_map.refresh()
    assert f.decision_map.last_pass is not None
    f.decision_map.add_point(0.5, 0.5, 1)
    assert len(doc.project.dataset) == 5 and doc.project.dataset.y[-1, 0] == 1.0
    f.decision_map.remove_point(0)
    assert len(doc.project.dataset) == 4
    doc.undo()
    doc.undo()
    assert len(doc.project.dataset) == 4 and np.array_equal(doc.project.dataset.x, XOR_X)


def test_probe_shows_the_engines_outputs(qtbot, window):
    from core.engine import Engine
    f = load(window, xor_project(10))
    f.docks["probe"].show()
    show_tab(f.docks["probe"])
    qtbot.waitUntil(lambda: on_screen(f.probe))
    f.probe.set_inputs([1.0, 0.0])
    expected = Engine(window.document.network).forward(np.array([[1.0, 0.0]])).outs[-1][0, 0]
    assert f.probe.output_values()[0] == pytest.approx(expected, rel=1e-5)


def test_settings_go_through_the_undo_stack(qtbot, window):
    f = load(window, xor_project(10))
    doc = window.document
    f.panel.lr_spin.setValue(0.25)
    assert doc.project.training.optimizer.learning_rate == 0.25
    f.panel.mode_combo.setCurrentIndex(f.panel.mode_combo.findData("full"))
    assert doc.project.training.batch_size == 0
    doc.undo()
    doc.undo()
    assert doc.project.training.optimizer.learning_rate == 0.5
    assert f.panel.lr_spin.value() == 0.5


@pytest.mark.parametrize("opt", [OptimizerSettings("momentum", 0.3, momentum=0.9), OptimizerSettings("adam", 0.05)])
def test_stepping_equals_one_run_straight_through(qtbot, window, opt):
    """Four single-epoch runs carry momentum/Adam state and the shuffle order from run to run."""
    project = xor_project(4, batch_size=2)
    project.training = replace(project.training, optimizer=opt, shuffle=True, seed=3)
    straight = project.network.copy()
    from core.training import train
    list(train(straight, XOR_X, XOR_Y, project.training))
    f = load(window, project)
    for _ in range(4):
        with qtbot.waitSignal(f.controller.run_ended, timeout=10000):
            assert f.controller.step()
    doc = window.document
    assert [h.epoch for h in doc.project.history] == [1, 2, 3, 4]
    assert params_equal(doc.network.get_parameters(), straight.get_parameters())
    assert doc.project.resume is not None and doc.project.resume.epoch == 4


def test_the_loss_box_refuses_cross_entropy_on_linear_outputs(qtbot, window):
    f = load(window, xor_project(10))
    doc = window.document
    window.editor.set_activation(2, "linear")
    said = []
    f.controller.message.connect(said.append)
    combo = f.panel.loss_combo
    combo.setCurrentIndex(combo.findData("cross_entropy"))
    assert doc.network.loss == "half_sse" and combo.currentData() == "half_sse"
    assert "output layer (layer 2) uses linear" in said[-1]
    combo.setCurrentIndex(combo.findData("mse"))
    assert doc.network.loss == "mse"
