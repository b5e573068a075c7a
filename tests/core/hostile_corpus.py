"""The hostile-file corpus (issue 9): files a careless or malicious sender could hand a user. Each
must give one clear line (or, for a linked CSV that is gone, open with a problem line), never a
traceback, a hang or a machine out of memory.

Files that are ordinary bytes live in tests/core/data/hostile/ (written by
``python -m tests.core.hostile_corpus`` from the repo root). Files that are special (a FIFO, a
symlink loop, a folder, /dev/zero, a 300 MB sparse file) cannot be committed, and large ones should not: ``make_special``
creates them in a temporary folder. ``EXPECTED`` maps every name to what a reader must say; the
GUI's tests use the same table for its open path.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).parent / "data" / "hostile"
XOR = ROOT / "resources" / "examples" / "xor.bpnet"

# name -> the start of the message (after "PATH: " on the command line); "problem:" = the file
# opens, and Project.problems[0] starts with the rest.
EXPECTED = {
    "v1-size-1e9.bpnet": "layers[0].size: must be at most 100000, got 1000000000 (in a version 1 file)",
    "weight-5000-digits.bpnet": "connections[0].weight: number too large for a 64-bit float (5000 digits)",
    "version-5000-digits.bpnet": "version: expected an integer, got a number of 5000 digits",
    "block-to-layer-99.bpnet": "blocks[0].to_layer: there is no layer 99 (the network has 3)",
    "lone-surrogate-name.bpnet": "layers[1].neurons[0].name: contains a lone surrogate (\\ud800)",
    "max-epochs-1e30.bpnet": "training.max_epochs: expected an integer, got 1e+30",
    "max-epochs-10e30.bpnet": "training.max_epochs: must be at most 1000000000000, got 100000000000",
    "huge-seed.bpnet": "training.seed: must be at most 18446744073709551615, got 100000000000",
    "layers-too-wide.bpnet": "connections[0]: layers 0 and 1 have 8000 × 8000 possible connections",
    "linked-csv-missing.bpnet": "problem:data missing: cannot read gone.csv: no such file (linked from ",
    "history-epoch-float.bpnet": "history.epoch[1]: expected an integer, got 2.5",
    # special files (make_special)
    "fifo.bpnet": "a named pipe (FIFO), not a regular file",
    "loop.bpnet": "a symbolic link that loops (it never reaches a file)",
    "folder.bpnet": "a folder, not a file",
    "dev-zero.bpnet": "a device (character special file), not a regular file",
    "sparse-300mb.bpnet": "the file is 300 MB; Backprop Studio opens network files up to 200 MB",
}

SPECIAL = ("fifo.bpnet", "loop.bpnet", "folder.bpnet", "dev-zero.bpnet", "sparse-300mb.bpnet",
           "layers-too-wide.bpnet")


def _xor() -> dict:
    return json.loads(XOR.read_text())


def _neurons(prefix: str, n: int) -> list[dict]:
    return [{"name": f"{prefix}{k}", "bias": 0.0} for k in range(n)]


def write_static(out: Path = HOSTILE) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = XOR.read_text()

    def w(name: str, d: dict | None = None, raw: str | None = None) -> None:
        (out / name).write_text(raw if raw is not None else json.dumps(d, indent=1), encoding="utf-8")

    v1 = {"format": "backprop-studio-network", "version": 1, "loss": "half_sse",
          "layers": [{"size": 1000000000}, {"size": 1}]}
    w("v1-size-1e9.bpnet", v1)
    w("weight-5000-digits.bpnet", raw=re.sub(r'"weight": [-0-9.e]+', '"weight": ' + "9" * 5000, text, count=1))
    w("version-5000-digits.bpnet", raw=text.replace('"version": 3', '"version": ' + "7" * 5000, 1))
    d = _xor()
    d["blocks"] = [{"from_layer": 0, "to_layer": 99, "weights": [[0.1], [0.2]]}]
    w("block-to-layer-99.bpnet", d)
    d = _xor()
    d["layers"][1]["neurons"][0]["name"] = "h\ud800"
    (out / "lone-surrogate-name.bpnet").write_text(json.dumps(d, indent=1), encoding="utf-8")  # ascii escapes
    d = _xor()
    d["training"]["max_epochs"] = 1e30
    w("max-epochs-1e30.bpnet", d)
    d = _xor()
    d["training"]["max_epochs"] = 10**30
    w("max-epochs-10e30.bpnet", d)
    d = _xor()
    d["training"]["seed"] = 10**40
    w("huge-seed.bpnet", d)
    d = _xor()
    d["dataset"] = {"source": {"kind": "csv", "path": "gone.csv", "input_columns": [0, 1],
                               "target_columns": [2], "linked": True}}
    w("linked-csv-missing.bpnet", d)
    d = _xor()
    d["history"] = {"epoch": [1, 2.5, 3], "loss": [0.3, 0.2, 0.1]}
    w("history-epoch-float.bpnet", d)


def make_special(folder: Path) -> dict[str, Path]:
    """Create the special files in ``folder``; returns name -> path."""
    paths = {name: folder / name for name in SPECIAL}
    os.mkfifo(paths["fifo.bpnet"])
    os.symlink("loop.bpnet", paths["loop.bpnet"])
    paths["folder.bpnet"].mkdir()
    os.symlink("/dev/zero", paths["dev-zero.bpnet"])
    with open(paths["sparse-300mb.bpnet"], "wb") as f:
        f.truncate(300 * 2**20)  # sparse: no disk space, but its size says 300 MB
    # 500 KB of neuron names whose one connection would make a 64M-cell matrix
    d = {"format": "backprop-studio-network", "version": 3, "loss": "half_sse",
         "layers": [{"neurons": _neurons("a", 8000)}, {"activation": "sigmoid", "neurons": _neurons("b", 8000)}],
         "connections": [{"from": "a0", "to": "b0", "weight": 0.5}]}
    paths["layers-too-wide.bpnet"].write_text(json.dumps(d), encoding="utf-8")
    return paths


def all_files(tmp: Path) -> dict[str, Path]:
    files = {p.name: p for p in HOSTILE.glob("*.bpnet")}
    files.update(make_special(tmp))
    return files


if __name__ == "__main__":
    write_static()
