"""Recovery files through the real window and real processes: one file per window, locked while
its window runs, offered only when its owner is gone (a process killed with SIGKILL), restored,
kept or discarded one by one; autosave failures shown and retried; autosave during a training
run, checked against a replay of the same run in core."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app import files as files_module
from app.training.controller import params_equal
from core.datasets import Dataset
from core.fileio import load_project, save_project
from core.network import Network
from core.optimizers import OptimizerSettings
from core.project import Project
from core.training import TrainConfig, train
from tests.app.helpers import answer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("gui_driver.py")


def recovery_files() -> list[Path]:
    folder = files_module.recovery_dir()
    return sorted(folder.glob("*.bpnet")) if folder.exists() else []


def long_run_project(epochs: int = 10_000_000) -> Project:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(64, 2))
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    net = Network.dense([2, 6, 1], activation="tanh", seed=5)
    cfg = TrainConfig(optimizer=OptimizerSettings("sgd", 0.05), batch_size=8, seed=7,
                      max_epochs=epochs)
    return Project(net, cfg, Dataset(x, y, task="classification"))


class Driver:
    """A real Backprop Studio process (tests/app/gui_driver.py) in this test's folders."""

    def __init__(self, mode: str, path: Path, autosave_seconds: float = 30.0) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                   BACKPROP_STUDIO_AUTOSAVE_SECONDS=str(autosave_seconds),
                   XDG_CONFIG_HOME=str(path.parent / "driver-config"))
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), mode, str(path)], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: list[tuple[float, str]] = []

    def read_until(self, predicate, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"the app process ended: {self.proc.stderr.read()[-2000:]}")
            self.lines.append((time.monotonic(), line.strip()))
            if predicate(line.strip()):
                return line.strip()
        raise AssertionError(f"timed out; last lines {self.lines[-3:]}")

    def kill(self) -> float:
        killed_at = time.monotonic()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.returncode == -signal.SIGKILL
        for line in self.proc.stdout:  # what it printed before it died, still in the pipe
            self.lines.append((time.monotonic(), line.strip()))
        self.proc.stdout.close()
        self.proc.stderr.close()
        return killed_at


def crashed_window(tmp_path: Path, name: str, bias: float = 4.25) -> Path:
    """A real app process that edited NAME.bpnet, autosaved and was killed: its recovery file."""
    path = tmp_path / f"{name}.bpnet"
    save_project(Project(Network.dense([2, 2, 1], seed=1)), path)
    before = set(recovery_files())
    driver = Driver("window", path)
    assert driver.read_until(lambda line: line in ("saved", "not saved")) == "saved"
    driver.kill()
    (new,) = set(recovery_files()) - before
    assert load_project(new).network.bias(1, 0) == bias
    return new


def test_each_window_has_its_own_recovery_file(make_window):
    w1, w2 = make_window(show=False), make_window(show=False)
    w1.editor.set_bias(1, 0, 1.5)
    w2.editor.set_bias(1, 0, 2.5)
    assert w1.files.autosave(wait=True) and w2.files.autosave(wait=True)
    p1, p2 = w1.files.recovery.path, w2.files.recovery.path
    assert p1 != p2 and set(recovery_files()) == {p1, p2}
    assert load_project(p1).network.bias(1, 0) == 1.5
    assert load_project(p2).network.bias(1, 0) == 2.5
    w1.files.maybe_save = lambda: True
    w1.close()
    assert recovery_files() == [p2], "closing a window removes its own file only"


def test_a_second_window_never_offers_or_deletes_a_live_windows_file(make_window, monkeypatch):
    w1 = make_window(show=False)
    w1.editor.set_bias(1, 1, 7.5)
    assert w1.files.autosave(wait=True)
    time.sleep(0.05)
    # A second window starts (same process: the lock's owner is alive). ask_recovery is not
    # answered here, so offering anything fails the test.
    w2 = make_window(show=False)
    w2.files.startup(None)
    w2.files.maybe_save = lambda: True
    w2.close()
    assert w1.files.recovery.path.exists()
    assert load_project(w1.files.recovery.path).network.bias(1, 1) == 7.5


def test_a_live_process_file_is_not_offered_then_is_after_kill_9(make_window, tmp_path, monkeypatch):
    path = tmp_path / "other.bpnet"
    save_project(Project(Network.dense([2, 2, 1], seed=1)), path)
    driver = Driver("window", path)
    try:
        assert driver.read_until(lambda line: line in ("saved", "not saved")) == "saved"
        (theirs,) = recovery_files()
        w = make_window(show=False)
        w.files.startup(None)  # no prompt expected: the other process is alive
        assert theirs.exists()
    finally:
        driver.kill()
    calls = []
    answer(monkeypatch, "ask_recovery", "restore", calls)
    w2 = make_window(show=False)
    w2.files.startup(None)
    assert len(calls) == 1 and "other.bpnet" in calls[0][0]
    assert w2.document.network.bias(1, 0) == 4.25
    assert w2.document.modified and w2.document.path == path
    # the restored file is now this window's own: still there until it is saved or closed
    assert w2.files.recovery.path == theirs and theirs.exists()
    w3 = make_window(show=False)
    w3.files.startup(None)  # w2 holds it now: not offered again
    assert len(calls) == 1
    w2.files.maybe_save = lambda: True
    w2.close()
    assert not theirs.exists()


def test_keep_and_discard_touch_only_the_file_answered(make_window, tmp_path, monkeypatch):
    first = crashed_window(tmp_path, "first")
    time.sleep(0.02)  # distinct autosave times: offered newest first
    second = crashed_window(tmp_path, "second")
    live = make_window(show=False)
    live.editor.set_bias(1, 0, 9.0)
    assert live.files.autosave(wait=True)
    replies = iter(["keep", "discard"])
    calls = []
    answer(monkeypatch, "ask_recovery", lambda *a: next(replies), calls)
    w = make_window(show=False)
    w.files.startup(None)
    assert [c[0].split(" ")[0] for c in calls] == ["second.bpnet", "first.bpnet"]
    assert second.exists() and not first.exists()
    assert live.files.recovery.path.exists()
    assert w.document.network.sizes == [2, 2, 2]  # nothing restored: the first-start example
    calls.clear()
    answer(monkeypatch, "ask_recovery", "keep", calls)
    w2 = make_window(show=False)
    w2.files.startup(None)
    assert [c[0].split(" ")[0] for c in calls] == ["second.bpnet"], "kept: offered again"
    assert second.exists()


def test_recovery_file_of_an_earlier_version_is_offered(make_window, monkeypatch):
    data = files_module.data_dir()
    data.mkdir(parents=True)
    save_project(Project(Network.dense([3, 1], seed=2)), data / "recovery.bpnet")
    answer(monkeypatch, "ask_recovery", "restore")
    w = make_window(show=False)
    w.files.startup(None)
    assert w.document.network.sizes == [3, 1] and w.document.modified
    assert not (data / "recovery.bpnet").exists()


def test_autosave_failure_is_shown_and_retried(make_window, qtbot):
    w = make_window()
    w.editor.set_bias(1, 0, 3.0)
    assert w.files.autosave_timer.isActive()
    folder = files_module.recovery_dir()
    shutil.rmtree(folder)
    folder.write_text("a file where the recovery folder should be")  # mkdir fails: a real OSError
    assert not w.files.autosave(wait=True)
    label = w.autosave_warning
    assert label.isVisible() and label.text().startswith("Autosave failed (")
    assert "trying again every 30 s" in label.text()
    assert w.files.autosave_timer.isActive(), "autosave keeps trying"
    folder.unlink()
    w.files.autosave_timer.setInterval(50)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    assert w.statusBar().currentMessage() == "Autosave works again"
    rec = w.files.recovery
    assert rec.path.exists() and (folder / f"{rec.id}.lock").exists()
    assert load_project(rec.path).network.bias(1, 0) == 3.0


def test_autosave_during_a_run_holds_a_consistent_state(make_window, qtbot):
    """The recovery file holds the weights at the last report and exactly the history up to it:
    replaying that many epochs of the same run in core gives the same weights, bit for bit."""
    w = make_window()
    project = long_run_project()
    w.document.replace_project(project)
    initial = project.network.copy()
    assert not w.document.modified
    ctrl = w.training.controller
    assert ctrl.start()
    assert w.files.autosave_timer.isActive(), "a run is autosaved although nothing is modified yet"
    qtbot.waitUntil(lambda: ctrl.run_epochs > 300, timeout=20000)
    qtbot.waitUntil(lambda: w.files.autosave(wait=True), timeout=5000)
    ctrl.stop(wait=True)
    saved = load_project(w.files.recovery.path)
    last = saved.history[-1].epoch
    assert saved.history.epochs == last >= 1 and saved.history[0].start == 1
    x, y, _ = project.dataset.arrays()
    for _ in train(initial, x, y, replace(project.training, max_epochs=last)):
        pass
    assert params_equal(saved.network.get_parameters(), initial.get_parameters())


@pytest.mark.parametrize("interval", [1.0])
def test_kill_9_mid_run_loses_at_most_the_autosave_interval(make_window, tmp_path, monkeypatch,
                                                           interval):
    path = tmp_path / "long.bpnet"
    project = long_run_project()
    save_project(project, path)
    driver = Driver("train", path, autosave_seconds=interval)
    try:
        driver.read_until(lambda line: line.startswith("epoch ") and int(line.split()[1]) > 2000)
        time.sleep(3 * interval)  # several autosaves while the run goes on
        driver.read_until(lambda line: line.startswith("epoch "))
    finally:
        killed_at = driver.kill()
    (rec,) = recovery_files()
    saved = load_project(rec)
    last = saved.history[-1].epoch
    # what the run had reached one interval before the kill (plus one more for a busy machine's
    # scheduler: the timer, the writer thread and the training thread share two cores)
    # (times as the app printed them: the same monotonic clock as killed_at)
    printed = [(float(line.split()[2]), int(line.split()[1])) for _, line in driver.lines
               if line.startswith("epoch ")]
    reached = [epoch for t, epoch in printed if t <= killed_at - 2 * interval]
    assert reached and last >= reached[-1], (last, reached[-1])
    unsaved = [t for t, epoch in printed if epoch > last]
    print(f"kill -9 lost {killed_at - unsaved[0] if unsaved else 0:.2f} s of training "
          f"(interval {interval} s)")
    answer(monkeypatch, "ask_recovery", "restore")
    w = make_window(show=False)
    w.files.startup(None)
    doc = w.document
    assert doc.path == path and doc.modified
    assert doc.project.history == saved.history and doc.project.history.epochs == last
    assert params_equal(doc.network.get_parameters(), saved.network.get_parameters())
    x, y, _ = project.dataset.arrays()
    net = project.network.copy()
    for _ in train(net, x, y, replace(project.training, max_epochs=last)):
        pass
    assert params_equal(doc.network.get_parameters(), net.get_parameters())
    # and training carries on from the restored state
    ctrl = w.training.controller
    assert ctrl.next_epoch() == last + 1


def test_save_during_a_run_writes_weights_and_history_that_belong_together(make_window, qtbot,
                                                                          tmp_path, monkeypatch):
    w = make_window()
    project = long_run_project()
    w.document.replace_project(project)
    initial = project.network.copy()
    ctrl = w.training.controller
    assert ctrl.start()
    qtbot.waitUntil(lambda: ctrl._last_weights is not None and ctrl.run_epochs > 200,
                    timeout=20000)
    answer(monkeypatch, "get_save_path", str(tmp_path / "mid-run.bpnet"))
    assert w.files.save_as()
    ctrl.stop(wait=True)
    saved = load_project(tmp_path / "mid-run.bpnet")
    last = saved.history[-1].epoch
    assert saved.history.epochs == last >= 1
    x, y, _ = project.dataset.arrays()
    for _ in train(initial, x, y, replace(project.training, max_epochs=last)):
        pass
    assert params_equal(saved.network.get_parameters(), initial.get_parameters())


def test_a_damaged_recovery_file_is_kept_aside_not_lost(make_window, monkeypatch):
    folder = files_module.recovery_dir()
    folder.mkdir(parents=True)
    (folder / "0123.bpnet").write_text('{"format": "backprop-studio", "version": 3, "layers": [')
    errors = []
    answer(monkeypatch, "ask_recovery", "restore")
    answer(monkeypatch, "show_error", None, errors)
    w = make_window(show=False)
    w.files.startup(None)
    assert len(errors) == 1 and "0123.bpnet.damaged" in errors[0][1]
    assert (folder / "0123.bpnet.damaged").exists() and not (folder / "0123.bpnet").exists()
    assert w.document.network.sizes == [2, 2, 2]  # the start went on: the first-start example
    w2 = make_window(show=False)
    w2.files.startup(None)  # not offered again (ask_recovery would be called)
    assert len(errors) == 1
