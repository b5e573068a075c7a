"""The headless self-test the frozen app runs (`--smoke-test FILE OUT`) works from source too, and
fails with one line when something is wrong, in a real process as packaging/smoke_test.sh runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.fileio import load_project
from core.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def run_smoke(tmp_path, source: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BACKPROP_STUDIO_LOG_DIR": str(tmp_path / "logs")}
    return subprocess.run([sys.executable, "-m", "app.launch", "--smoke-test", str(source), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_smoke_test_trains_saves_and_reopens(tmp_path):
    out = tmp_path / "trained.bpnet"
    result = run_smoke(tmp_path, resource_path("examples", "xor.bpnet"), out)
    assert result.returncode == 0, result.stderr
    assert "smoke test passed" in result.stdout
    before = len(load_project(resource_path("examples", "xor.bpnet")).history)
    assert len(load_project(out).history) == before + 5
    assert "smoke test passed" in (tmp_path / "logs" / "backprop-studio.log").read_text()


def test_smoke_test_fails_in_one_line_on_a_network_without_data(tmp_path):
    data = json.loads(resource_path("examples", "xor.bpnet").read_text(encoding="utf-8"))
    data.pop("dataset", None)
    source = tmp_path / "no-data.bpnet"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = run_smoke(tmp_path, source, tmp_path / "out.bpnet")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[0] == \
        "smoke test failed: no-data.bpnet has no data set to train on"
