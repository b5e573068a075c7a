"""Reading older .bpnet versions: each ``migrate_N_to_N+1`` turns a checked version-N document
into a version-N+1 document, so a reader only ever builds from the current shape.

Policy (docs/file-format.md): the version changes whenever a current reader would misread or
refuse a file; old versions are read forever; files are always written in the newest version.

Version 1 (Backprop Studio 0.0.x) addressed neurons by position and kept weights in a flat list:

    {"format": "backprop-studio-network", "version": 1, "name": "...", "notes": "...",
     "loss": "half_sse",
     "layers": [{"size": 2, "activation": "sigmoid", "names": ["i1", "i2"], "biases": [0, 0]}, ...],
     "weights": [[src_layer, src_index, dst_layer, dst_index, weight], ...],
     "positions": {"i1": [x, y], ...},
     "training": {"learning_rate": 0.5, "momentum": 0.0, "epochs": 1000, "batch_size": 1, "seed": 0},
     "data": {"inputs": [[...], ...], "targets": [[...], ...]}}
"""
from __future__ import annotations

from typing import Any, Callable

from .format_spec import (ACTIVATION, Arr, Field, FileFormatError, Int, Nullable, Numbers, Num, Obj,
                          Str, FORMAT_NAME, describe)
from .losses import LOSSES
from .network import default_names

MAX_V1_NEURONS = 100_000  # per layer; a version-1 file declares sizes before listing anything

V1_LAYER = Obj({
    "size": Field(Int(minimum=1, maximum=MAX_V1_NEURONS), required=True),
    "activation": Field(Nullable(ACTIVATION), default=None),
    "names": Field(Nullable(Arr(Str(min_length=1))), default=None),
    "biases": Field(Nullable(Numbers()), default=None),
})

V1_FILE = Obj({
    "format": Field(Str(), required=True),
    "version": Field(Int(), required=True),
    "name": Field(Str(), default=""),
    "notes": Field(Str(), default=""),
    "loss": Field(Str(enum=list(LOSSES), what="loss"), default="half_sse"),
    "layers": Field(Arr(V1_LAYER, min_items=2), required=True),
    "weights": Field(Arr(Numbers(length=5)), default=[]),
    "positions": Field(Nullable(Obj({})), default=None),  # keys are neuron names: checked below
    "training": Field(Obj({
        "learning_rate": Field(Num(exclusive_minimum=0), default=0.5),
        "momentum": Field(Num(minimum=0), default=0.0),
        "epochs": Field(Int(minimum=0), default=1000),
        "batch_size": Field(Int(minimum=0), default=1),
        "seed": Field(Int(minimum=0), default=0),
    }), default={}),
    "data": Field(Nullable(Obj({"inputs": Field(Numbers(depth=2), required=True),
                                "targets": Field(Numbers(depth=2), required=True)})), default=None),
})


def _check_v1(d: dict) -> None:
    # "positions" is a free-form name -> [x, y] map; everything else is in V1_FILE.
    positions = d.get("positions")
    rest = {k: v for k, v in d.items() if k != "positions"}
    V1_FILE.check(rest, "")
    if positions is not None:
        if not isinstance(positions, dict):
            raise FileFormatError(f"expected an object, got {describe(positions)}", "positions")
        for name, xy in positions.items():
            Numbers(length=2).check(xy, f"positions.{name}")


def migrate_1_to_2(d: dict) -> dict:
    """Version 1 -> 2: neurons get objects with names, the flat weight list becomes connections
    named by neuron, training settings move into ``training``/``optimizer``, data into ``dataset``."""
    _check_v1(d)
    positions = d.get("positions") or {}
    layers, taken = [], []
    n = len(d["layers"])
    for li, lay in enumerate(d["layers"]):
        size = lay["size"]
        names = lay.get("names") or default_names(li, size, n, taken)
        biases = lay.get("biases") or [0.0] * size
        where = f"layers[{li}]"
        if len(names) != size:
            raise FileFormatError(f"has {len(names)} names for {size} neurons", where + ".names")
        if len(biases) != size:
            raise FileFormatError(f"has {len(biases)} biases for {size} neurons", where + ".biases")
        taken += names
        neurons = []
        for name, bias in zip(names, biases):
            nd: dict[str, Any] = {"name": name}
            if li or bias:
                nd["bias"] = bias
            if name in positions:
                nd["position"] = positions[name]
            neurons.append(nd)
        act = lay.get("activation") or ("linear" if li == 0 else "sigmoid")  # v1's implicit default
        layers.append({"activation": act, "neurons": neurons})
    connections = []
    for k, (ls, i, ld, j, w) in enumerate(d.get("weights", [])):
        ends = []
        for lay_i, idx in ((ls, i), (ld, j)):
            if lay_i != int(lay_i) or idx != int(idx) or not 0 <= lay_i < n \
                    or not 0 <= idx < len(layers[int(lay_i)]["neurons"]):
                raise FileFormatError(f"no neuron at layer {lay_i:g}, index {idx:g}", f"weights[{k}]")
            ends.append(layers[int(lay_i)]["neurons"][int(idx)]["name"])
        connections.append({"from": ends[0], "to": ends[1], "weight": w})
    t = d.get("training", {})
    momentum = t.get("momentum", 0.0)
    optimizer = {"name": "momentum" if momentum else "sgd", "learning_rate": t.get("learning_rate", 0.5)}
    if momentum:
        optimizer["momentum"] = momentum
    out: dict[str, Any] = {
        "format": FORMAT_NAME, "version": 2,
        "title": d.get("name", ""), "description": d.get("notes", ""),
        "loss": d.get("loss", "half_sse"), "layers": layers, "connections": connections,
        "training": {"optimizer": optimizer, "max_epochs": t.get("epochs", 1000),
                     "batch_size": t.get("batch_size", 1), "seed": t.get("seed", 0)},
    }
    if d.get("data") is not None:
        out["dataset"] = {"inputs": d["data"]["inputs"], "targets": d["data"]["targets"],
                          "source": {"kind": "embedded"}}
    return out


def migrate_2_to_3(d: dict) -> dict:
    """Version 3 only adds optional keys (each with a default that means what version 2 meant),
    so a version-2 document is a version-3 document with a new number."""
    return {**d, "version": 3}


MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: migrate_1_to_2, 2: migrate_2_to_3}


def upgrade(d: dict, version: int, current: int) -> dict:
    """Apply migrations from ``version`` up to ``current``; messages say which version failed."""
    while version < current:
        try:
            d = MIGRATIONS[version](d)
        except FileFormatError as e:
            raise FileFormatError(f"{e} (in a version {version} file)") from None
        version += 1
    return d
