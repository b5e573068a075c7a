"""The headless command line: real processes, real files, one-line errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.fileio import load_project
from core.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env_extra=None):
    """The installed command's entry point (app.launch), as a user runs it, without a display."""
    import os
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "app.launch", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def example(name):
    return resource_path("examples", f"{name}.bpnet")


def test_trace_prints_the_textbook_numbers():
    r = cli("trace", example("textbook-2-2-2"))
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.split()[:2] == ["h1", "o1"])
    assert line.split() == ["h1", "o1", "0.4", "0.0821670406", "0.35891648"]
    assert "Error before: 0.298371109" in r.stdout


def test_trace_json_and_options():
    r = cli("trace", example("textbook-3-2-1"), "--json", "--lr", "0.9", "--sample", "1")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    w46 = next(w for w in data["weights"] if w["target"] == "o6" and w["source"].endswith("4"))
    assert round(w46["new"], 3) == -0.261
    assert data["learning_rate"] == 0.9


def test_predict_own_data_and_csv(tmp_path):
    r = cli("predict", example("xor"), "--json")
    rows = json.loads(r.stdout)
    assert [row["inputs"] for row in rows] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    csv = tmp_path / "in.csv"
    csv.write_text("a,b\n0.5,0.25\n1,1\n")
    r = cli("predict", example("xor"), "--data", csv)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 4  # header, rule, two samples


def test_train_writes_a_trained_network(tmp_path):
    out = tmp_path / "trained.bpnet"
    before = load_project(example("xor"))
    r = cli("train", example("xor"), "--epochs", "300", "--lr", "0.5", "--seed", "3", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "final loss" in r.stdout and "accuracy" in r.stdout and f"wrote {out}" in r.stdout
    after = load_project(out)
    assert len(after.history) == len(before.history) + 300
    assert after.history[-1].loss < after.history[len(before.history)].loss
    assert "epochs/s" in r.stderr  # the progress bar


@pytest.mark.parametrize("args,message", [
    (["train", "missing.bpnet"], "missing.bpnet: no such file"),
    (["train", "EXAMPLE", "--epochs", "abc"], "invalid int value"),
    (["trace", "EXAMPLE", "--sample", "99"], "--sample 99: the data has samples 1 to 4"),
    (["trace", "EXAMPLE", "--lr", "-1"], "the learning rate must be a positive number"),
    (["frobnicate"], "frobnicate: no such file or command"),
    (["EXAMPLE"], "no display to open the window on"),
])
def test_errors_are_one_line_without_traceback(args, message):
    r = cli(*[str(example("xor")) if a == "EXAMPLE" else a for a in args])
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_broken_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.bpnet"
    bad.write_text('{"format": "backprop-studio-network", "version": 2, "layers": [')
    r = cli("predict", bad)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
