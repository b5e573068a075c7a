"""`train` on real processes (issue 9): options and the output checked before the first epoch
(item 5), saves through symlinks and after kill -9 (item 6), a bounded history file (item 7),
saturation and runaway weights reported (item 11), bad CSV cells named (item 11)."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from core.fileio import load_project

from .test_cli import ROOT, cli, example

XOR = example("xor")


# ------------------------------------------------------------------ item 5: validate first
@pytest.mark.parametrize("args, message", [
    (["--momentum", "-1"], "--momentum: must be at least 0, got -1.0"),
    (["--lr", "nan"], "--lr: expected a finite number, got NaN"),
    (["--lr", "inf"], "--lr: expected a finite number, got Infinity"),
    (["--lr", "0"], "--lr: must be greater than 0, got 0.0"),
    (["--momentum", "inf"], "--momentum: expected a finite number, got Infinity"),
    (["--epochs", str(10**13)], "--epochs: must be at most 1000000000000"),
    (["--seed", str(10**30)], "--seed: must be at most 18446744073709551615"),
    (["--batch", "-2"], "--batch: must be at least 0, got -2"),
])
def test_bad_option_is_refused_before_training(tmp_path, args, message):
    out = tmp_path / "out.bpnet"
    r = cli("train", XOR, "--epochs", "100000000", *args, "-o", out) if "--epochs" not in args else \
        cli("train", XOR, *args, "-o", out)
    assert r.returncode == 1 and r.stderr.startswith(f"error: {message}"), r.stderr
    assert r.stderr.count("\n") == 1 and "epochs/s" not in r.stderr  # one line, and no epoch ran
    assert not out.exists()


@pytest.mark.parametrize("where, message", [
    ("folder", "cannot write: a folder, not a file"),
    ("missing", "cannot write: no such file"),
    ("under-a-file", "cannot write: a folder on the way is a file"),
])
def test_bad_output_is_refused_before_training(tmp_path, where, message):
    out = {"folder": tmp_path, "missing": tmp_path / "no" / "out.bpnet",
           "under-a-file": XOR / "out.bpnet"}[where]
    started = time.monotonic()
    r = cli("train", XOR, "--epochs", "100000000", "-o", out)  # hours of training if it started
    assert r.returncode == 1 and f"error: {out}: {message}" == r.stderr.strip(), r.stderr
    assert time.monotonic() - started < 60 and "epochs/s" not in r.stderr


def test_bad_output_device_is_refused(tmp_path):
    r = cli("train", XOR, "--epochs", "100000000", "-o", "/dev/null")
    assert r.returncode == 1 and "not a regular file" in r.stderr and "epochs/s" not in r.stderr


# ------------------------------------------------------------------ item 6: symlinks, kill -9
def test_save_to_a_symlink_writes_through(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "net.bpnet"
    target.write_bytes(XOR.read_bytes())
    link = tmp_path / "link.bpnet"
    link.symlink_to(target)
    r = cli("train", link, "--epochs", "30", "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(load_project(target).history) == 30
    assert sorted(p.name for p in real.iterdir()) == ["net.bpnet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.bpnet", "real"]


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def _big_net(tmp_path):
    """A network whose save takes a noticeable time, so kill -9 lands mid-save."""
    from core.datasets import Dataset
    from core.fileio import save_project
    from core.network import Network
    from core.project import Project
    rng = np.random.default_rng(0)
    net = Network.dense([100, 300, 300, 2], seed=1)
    path = tmp_path / "big.bpnet"
    save_project(Project(net, dataset=Dataset(rng.random((3000, 100)), rng.random((3000, 2)))), path)
    return path


def test_kill_9_during_save_leaves_old_file_and_named_temporaries_that_are_cleaned(tmp_path):
    src = _big_net(tmp_path)
    out = tmp_path / "out.bpnet"
    out.write_bytes(src.read_bytes())
    before = out.read_bytes()
    stale = tmp_path / f".out.bpnet.tmp-{_dead_pid()}"
    stale.write_text("left by a killed save")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    leftovers = set()
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0):
        p = subprocess.Popen([sys.executable, "-m", "app.launch", "train", str(src), "--epochs", "1",
                              "-o", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert out.read_bytes() == before or load_project(out).history  # old, or a complete new file
        before = out.read_bytes()
        leftovers |= {n for n in os.listdir(tmp_path) if n.startswith(".out.bpnet.tmp-")}
    for name in leftovers - {stale.name}:
        assert name.split("tmp-")[1].isdigit()  # named for the process that wrote it
    r = cli("train", src, "--epochs", "1", "-o", out)
    assert r.returncode == 0, r.stderr
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []  # stale ones are gone
    assert len(load_project(out).history) >= 1


# ------------------------------------------------------------------ item 7: bounded history
def test_long_run_writes_a_bounded_history(tmp_path):
    out = tmp_path / "long.bpnet"
    r = cli("train", XOR, "--epochs", "40000", "-o", out)
    assert r.returncode == 0, r.stderr
    d = json.loads(out.read_text())
    h = d["history"]
    assert 10_000 <= len(h["epoch"]) <= 12_000 and h["epoch"][-1] == 40_000  # recent epochs in full
    s = h["summary"]
    assert s["first_epoch"][0] == 1 and s["last_epoch"][-1] + 1 == h["epoch"][0]
    assert sum(s["count"]) + len(h["epoch"]) == 40_000
    assert all(lo <= m <= hi for lo, m, hi in zip(s["loss_min"], s["loss"], s["loss_max"]))
    assert out.stat().st_size < 1_500_000
    p = load_project(out)
    assert p.history.epochs == 40_000 and p.history[-1].epoch == 40_000
    r = cli("train", out, "--epochs", "10", "-o", out)  # and training continues from it
    assert r.returncode == 0 and load_project(out).history.epochs == 40_010, r.stderr


# ------------------------------------------------------------------ item 11: bad numbers
def test_saturation_is_divergence(tmp_path):
    out = tmp_path / "sat.bpnet"
    r = cli("train", XOR, "--lr", "1e6", "--epochs", "2000", "-o", out)
    assert r.returncode == 3, r.stderr
    assert "every neuron is saturated" in r.stderr and "try a smaller learning rate" in r.stderr
    p = load_project(out)  # the weights from before it saturated
    assert p.history[-1].epoch < 2000 and p.history[-1].loss > 0.2


def test_runaway_weights_are_not_kept_as_good(tmp_path):
    out = tmp_path / "mom.bpnet"
    r = cli("train", XOR, "--momentum", "1.5", "--epochs", "5000", "-o", out)
    assert r.returncode == 3 and "diverged at epoch" in r.stderr, r.stderr
    w = np.concatenate([b.weight.ravel() for b in load_project(out).network.blocks.values()])
    assert np.abs(w).max() < 1e100


@pytest.mark.parametrize("cell, message", [
    ("1e309", "row 3, column 2 (x2): the number 1e309 is too large"),
    ("NaN", "row 3, column 2 (x2): expected a number, got 'NaN'"),
    ("x", "row 3, column 2 (x2): expected a number, got 'x'"),
    ("inf", "row 3, column 2 (x2): expected a number, got 'inf'"),
])
def test_bad_csv_cell_is_named(tmp_path, cell, message):
    csv = tmp_path / "in.csv"
    csv.write_text(f"x1,x2\n0,0\n1,{cell}\n")
    r = cli("predict", XOR, "--data", csv)
    assert r.returncode == 1 and r.stderr.startswith(f"error: {csv}: {message}"), r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_data_option_opens_only_regular_files(tmp_path, special):
    path = {"/dev/zero": "/dev/zero", "fifo": tmp_path / "f.csv", "folder": tmp_path}[special]
    if special == "fifo":
        os.mkfifo(path)
    r = cli("predict", XOR, "--data", path)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert ("device" if special == "/dev/zero" else "named pipe" if special == "fifo" else "a folder") in r.stderr
