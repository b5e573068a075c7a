"""Reading and writing .bpnet project files (JSON, UTF-8): network, training settings, dataset,
history. The structure is defined once in format_spec; this module adds the checks that need
meaning (names, layer order, data widths), builds the model, and writes files atomically.

Connections are written by neuron name (``{"from": "i1", "to": "h1", "weight": 0.15}``), except
that a large, mostly connected layer pair is written as one matrix (``blocks``) so a 784-128-10
network stays a few MB and loads in a fraction of a second. Floats are written with Python's
shortest round-tripping repr, so weights survive a save and load bit for bit.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from .activations import get_activation
from .datasets import Dataset, Normalization
from .format_migrations import upgrade
from .format_spec import (EXTENSION, FILE, FORMAT_NAME, FORMAT_VERSION, DATASET, HISTORY, OPTIMIZER,
                          RECURRENCE, RESUME, TRAINING, FileFormatError, describe)
from .network import Block, Layer, Network
from .optimizers import OptimizerSettings
from .project import HistoryEntry, Project
from .recurrence import Recurrence
from .resume import ResumeState
from .training import TrainConfig

__all__ = ["FileFormatError", "FORMAT_NAME", "FORMAT_VERSION", "EXTENSION", "MAX_FILE_BYTES",
           "load_project", "save_project", "loads", "dumps", "project_to_dict", "project_from_dict"]

MAX_FILE_BYTES = 200 * 1024 * 1024
# A layer pair is written as a matrix once it has more connections than a person reads one by
# one, and at least half of its possible links exist (otherwise the list is the smaller form).
BLOCK_MIN_CONNECTIONS = 256


# ------------------------------------------------------------------------------ reading
def load_project(path: str | os.PathLike) -> Project:
    """Read a .bpnet file. Raises FileFormatError (bad content) or OSError (cannot read)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"the file is {size / 2**20:.0f} MB; Backprop Studio opens network files "
                              f"up to {MAX_FILE_BYTES // 2**20} MB")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise FileFormatError(f"not a Backprop Studio network file: not UTF-8 text "
                              f"(byte 0x{data[e.start]:02x} on line {line})") from None
    return loads(text, base_dir=path.parent)


def loads(text: str, base_dir: str | os.PathLike | None = None) -> Project:
    """Parse the text of a .bpnet file; relative dataset paths resolve against ``base_dir``."""
    if not text.strip():
        raise FileFormatError("the file is empty")
    try:
        # NaN/Infinity are not JSON, but other writers emit them: parse, then refuse with a place.
        d = json.loads(text, parse_constant=float)
    except json.JSONDecodeError as e:
        if not text.lstrip().startswith("{"):
            raise FileFormatError("not a Backprop Studio network file: it is not JSON text") from None
        raise FileFormatError(f"the file is damaged or cut short: invalid JSON on line {e.lineno}, "
                              f"column {e.colno} ({e.msg})") from None
    except RecursionError:
        raise FileFormatError("not a Backprop Studio network file: JSON nested too deeply") from None
    return project_from_dict(d, base_dir)


def _check_header(d: Any) -> dict:
    if not isinstance(d, dict):
        raise FileFormatError(f"not a Backprop Studio network file: the JSON holds {describe(d)}, "
                              f"not an object")
    if "format" not in d:
        raise FileFormatError(f'not a Backprop Studio network file: it has no "format": "{FORMAT_NAME}"')
    if d["format"] != FORMAT_NAME:
        raise FileFormatError(f"this is a {describe(d['format'])} file, not a Backprop Studio network "
                              f"file", "format")
    v = d.get("version")
    if type(v) is not int:
        raise FileFormatError(f"expected an integer, got {describe(v)}", "version")
    if v > FORMAT_VERSION:
        raise FileFormatError(f"this file was made by a newer Backprop Studio (format version {v}); "
                              f"this one reads up to version {FORMAT_VERSION}")
    if v < 1:
        raise FileFormatError(f"there is no format version {v}", "version")
    return upgrade(d, v, FORMAT_VERSION)


def project_from_dict(d: Any, base_dir: str | os.PathLike | None = None) -> Project:
    """Check a parsed document (any supported version) and build the Project it describes."""
    d = _check_header(d)
    FILE.check(d, "")
    net = _network(d)
    training = _training(FILE.get(d, "training"))
    dataset = _dataset(FILE.get(d, "dataset"), net, base_dir)
    history = _history(FILE.get(d, "history"))
    return Project(net, training, dataset, history, FILE.get(d, "title"), FILE.get(d, "description"),
                   display_digits=FILE.get(d, "display_digits"), resume=_resume(FILE.get(d, "resume")))


def _network(d: dict) -> Network:
    layers: list[Layer] = []
    where: dict[str, tuple[int, int]] = {}
    n_layers = len(d["layers"])
    for li, ld in enumerate(d["layers"]):
        lp = f"layers[{li}]"
        act = ld.get("activation")
        if act is None:
            if li:
                raise FileFormatError("missing activation (every layer after the input layer needs one)", lp)
            act = "linear"
        elif li and get_activation(act).whole_layer and li != n_layers - 1:
            raise FileFormatError(f"{act} applies to the output layer only", lp + ".activation")
        names, biases, overrides, positions = [], [], [], []
        for k, nd in enumerate(ld["neurons"]):
            np_ = f"{lp}.neurons[{k}]"
            name = nd["name"]
            if name in where:
                a, b = where[name]
                raise FileFormatError(f"duplicate neuron name {describe(name)} (also layers[{a}].neurons[{b}])",
                                      np_ + ".name")
            where[name] = (li, k)
            ov = nd.get("activation")
            if ov is not None and (li == 0 or get_activation(ov).whole_layer):
                why = "input neurons have no activation" if li == 0 else f"{ov} applies to a whole output layer only"
                raise FileFormatError(why, np_ + ".activation")
            pos = nd.get("position")
            names.append(name)
            biases.append(nd.get("bias", 0.0))
            overrides.append(ov)
            positions.append(None if pos is None else (float(pos[0]), float(pos[1])))
        layers.append(Layer(names, act, np.array(biases, dtype=np.float64), overrides, positions))
    blocks: dict[tuple[int, int], Block] = {}
    origin: dict[tuple[int, int], int] = {}  # which blocks[] entry made a pair, for messages
    recurrence = _recurrence(FILE.get(d, "recurrence"))
    for k, bd in enumerate(d.get("blocks", [])):
        blocks[_block_key(bd, k, layers, origin, recurrence is not None)] = _block(bd, k, layers)
        origin[(bd["from_layer"], bd["to_layer"])] = k
    _connections(d.get("connections", []), layers, where, blocks, origin, recurrence is not None)
    net = Network(layers, blocks, d["loss"], fixed_biases=FILE.get(d, "fixed_biases"), recurrence=recurrence)
    _labels(net, d)
    try:
        net.validate()
    except ValueError as e:  # a backstop: the checks above should already have named the place
        raise FileFormatError(str(e), "layers") from None
    return net


def _labels(net: Network, d: dict) -> None:
    for ld in d["layers"]:
        for nd in ld["neurons"]:
            if nd.get("bias_label") is not None:
                net.bias_labels[nd["name"]] = nd["bias_label"]
    for c in d.get("connections", []):
        if c.get("label") is not None:
            net.connection_labels[(c["from"], c["to"])] = c["label"]


def _recurrence(rd: dict | None) -> Recurrence | None:
    if rd is None:
        return None
    try:
        return Recurrence(**{key: RECURRENCE.get(rd, key) for key in RECURRENCE.fields})
    except ValueError as e:
        raise FileFormatError(str(e), "recurrence") from None


_DECLARE = ' (a recurrent network declares "recurrence")'


def _block_key(bd: dict, k: int, layers: list[Layer], origin: dict, recurrent: bool = False) -> tuple[int, int]:
    a, b = bd["from_layer"], bd["to_layer"]
    for key in ("from_layer", "to_layer"):
        if bd[key] >= len(layers):
            raise FileFormatError(f"there is no layer {bd[key]} (the network has {len(layers)})",
                                  f"blocks[{k}].{key}")
    if b == 0:
        raise FileFormatError("connections into layer 0 have no effect: input neurons are set by the data",
                              f"blocks[{k}]")
    if a >= b and not recurrent:
        raise FileFormatError(f"connections from layer {a} to layer {b} go backward; connections go "
                              f"from an earlier layer to a later one{_DECLARE}", f"blocks[{k}]")
    if (a, b) in origin:
        raise FileFormatError(f"layers {a} -> {b} are already given in blocks[{origin[(a, b)]}]", f"blocks[{k}]")
    return a, b


def _block(bd: dict, k: int, layers: list[Layer]) -> Block:
    rows = bd["weights"]
    n_src, n_dst = layers[bd["from_layer"]].size, layers[bd["to_layer"]].size
    p = f"blocks[{k}].weights"
    if len(rows) != n_src:
        raise FileFormatError(f"has {len(rows)} rows; layer {bd['from_layer']} has {n_src} neurons", p)
    has_null = False
    for r, row in enumerate(rows):
        if len(row) != n_dst:
            raise FileFormatError(f"has {len(row)} entries; layer {bd['to_layer']} has {n_dst} neurons",
                                  f"{p}[{r}]")
        has_null = has_null or None in row
    if not has_null:
        w = np.array(rows, dtype=np.float64).reshape(n_src, n_dst)
        return Block(w, np.ones((n_src, n_dst), dtype=bool))
    mask = np.array([[x is not None for x in row] for row in rows], dtype=bool).reshape(n_src, n_dst)
    w = np.array([[0.0 if x is None else x for x in row] for row in rows], dtype=np.float64)
    return Block(w.reshape(n_src, n_dst), mask)


def _connections(conns: list[dict], layers: list[Layer], where: dict[str, tuple[int, int]],
                 blocks: dict[tuple[int, int], Block], origin: dict[tuple[int, int], int],
                 recurrent: bool = False) -> None:
    seen: dict[tuple[str, str], int] = {}
    for k, c in enumerate(conns):
        a, b = c["from"], c["to"]
        for name in (a, b):
            if name not in where:
                raise FileFormatError(f"connection {a} -> {b}: no neuron named {name}", f"connections[{k}]")
        (ls, i), (ld, j) = where[a], where[b]
        if ld == 0:
            raise FileFormatError(f"connection {a} -> {b} has no effect: input neurons are set by the data",
                                  f"connections[{k}]")
        if ls >= ld and not recurrent:
            why = ("joins two neurons of the same layer" if ls == ld else
                   f"goes backward (layer {ls} to layer {ld}); connections go from an earlier layer to a later one")
            raise FileFormatError(f"connection {a} -> {b} {why}{_DECLARE}", f"connections[{k}]")
        if (a, b) in seen:
            raise FileFormatError(f"connection {a} -> {b} is also listed at connections[{seen[(a, b)]}]",
                                  f"connections[{k}]")
        seen[(a, b)] = k
        blk = blocks.get((ls, ld))
        if blk is None:
            blk = blocks[(ls, ld)] = Block.empty(layers[ls].size, layers[ld].size)
        elif (ls, ld) in origin and blk.mask[i, j]:
            raise FileFormatError(f"connection {a} -> {b} is also given in blocks[{origin[(ls, ld)]}]",
                                  f"connections[{k}]")
        blk.mask[i, j] = True
        blk.weight[i, j] = c["weight"]


def _training(t: dict) -> TrainConfig:
    opt = TRAINING.get(t, "optimizer")
    settings = {key: OPTIMIZER.get(opt, key) for key in OPTIMIZER.fields}
    fields = {key: TRAINING.get(t, key) for key in TRAINING.fields if key != "optimizer"}
    try:
        return TrainConfig(optimizer=OptimizerSettings(**settings), **fields)
    except ValueError as e:
        raise FileFormatError(str(e), "training") from None


def _dataset(dd: dict | None, net: Network, base_dir: str | os.PathLike | None) -> Dataset | None:
    if dd is None:
        return None
    g = lambda key: DATASET.get(dd, key)  # noqa: E731 (a local shorthand)
    source = dict(g("source"))
    kind = source["kind"]
    if kind == "csv":
        x, y, class_names = _csv_data(dd, source, base_dir)
    else:
        for key in ("inputs", "targets"):
            if key not in dd:
                raise FileFormatError(f'missing key "{key}" (an {kind} dataset holds its data)', "dataset")
        x = _table(dd["inputs"], net.n_inputs, "dataset.inputs", "inputs")
        y = _table(dd["targets"], net.n_outputs, "dataset.targets", "outputs")
        if len(x) != len(y):
            raise FileFormatError(f"has {len(y)} rows; dataset.inputs has {len(x)}", "dataset.targets")
        class_names = g("class_names")
    for key, n, what in (("input_names", net.n_inputs, "inputs"), ("target_names", net.n_outputs, "outputs")):
        if g(key) and len(g(key)) != n:
            raise FileFormatError(f"has {len(g(key))} names; the network has {_count(n, what)}", f"dataset.{key}")
    if class_names is not None and len(class_names) != net.n_outputs and not (
            net.n_outputs == 1 and len(class_names) == 2):
        raise FileFormatError(f"has {len(class_names)} classes; the network has {_count(net.n_outputs, 'outputs')}",
                              "dataset.class_names")
    norm = None
    if g("normalization") is not None:
        nd = g("normalization")
        for key in ("offset", "scale"):
            if len(nd[key]) != net.n_inputs:
                raise FileFormatError(f"has {len(nd[key])} values; the network has {_count(net.n_inputs, 'inputs')}",
                                      f"dataset.normalization.{key}")
        if 0 in nd["scale"]:
            raise FileFormatError("must not contain 0", "dataset.normalization.scale")
        norm = Normalization(nd["method"], np.array(nd["offset"], dtype=np.float64),
                             np.array(nd["scale"], dtype=np.float64))
    return Dataset(x, y, list(g("input_names")), list(g("target_names")), g("task"), class_names, norm,
                   g("validation_fraction"), g("split_seed"), source)


def _count(n: int, plural: str) -> str:
    return f"{n} {plural[:-1] if n == 1 else plural}"


def _table(rows: list[list], width: int, path: str, what: str) -> np.ndarray:
    if not rows:
        raise FileFormatError("needs at least one row", path)
    for r, row in enumerate(rows):
        if len(row) != width:
            raise FileFormatError(f"has {len(row)} values; the network has {_count(width, what)}", f"{path}[{r}]")
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def _csv_data(dd: dict, source: dict, base_dir: str | os.PathLike | None) -> tuple:
    from .csv_import import CsvError, read_csv  # only csv datasets need the reader
    for key in ("path", "input_columns", "target_columns"):
        if key not in source:
            raise FileFormatError(f'a csv source needs "{key}"', "dataset.source")
    for key in ("inputs", "targets"):
        if key in dd:
            raise FileFormatError(f'a csv dataset reads its data from the CSV file; remove "{key}"', "dataset")
    full = Path(base_dir or ".") / source["path"]
    try:
        ds = read_csv(full, source["input_columns"], source["target_columns"], task=DATASET.get(dd, "task"),
                      has_header=source.get("has_header", True), delimiter=source.get("delimiter", ","),
                      class_names=DATASET.get(dd, "class_names"))
    except CsvError as e:
        raise FileFormatError(f"{source['path']}: {e}", "dataset.source.path") from None
    except OSError as e:
        raise FileFormatError(f"cannot read {source['path']}: {e.strerror or e}", "dataset.source.path") from None
    source["path"] = str(full.resolve())  # in memory the path is absolute; saving makes it relative
    return ds.x, ds.y, ds.class_names


def _resume(r: dict | None) -> ResumeState | None:
    if r is None:
        return None
    moments = tuple(np.array(m, dtype=np.float64) for m in RESUME.get(r, "moments"))
    if len({m.size for m in moments}) > 1:
        raise FileFormatError("the moment vectors differ in length", "resume.moments")
    shuffle = dict(r["shuffle"])
    for key in ("state", "inc"):
        try:
            value = int(shuffle[key], 16)
        except ValueError:
            value = -1
        if not 0 <= value < 2**128:
            raise FileFormatError(f"expected a hexadecimal integer below 2^128, got {describe(shuffle[key])}",
                                  f"resume.shuffle.{key}")
        shuffle[key] = value
    shuffle.setdefault("has_uint32", 0)
    shuffle.setdefault("uinteger", 0)
    return ResumeState(r["epoch"], r["parameters_sha256"], r["optimizer"], RESUME.get(r, "step"), moments,
                       r["seed"], shuffle)


def _resume_dict(s: ResumeState) -> dict:
    return {"epoch": int(s.epoch), "parameters_sha256": s.parameters_sha256, "optimizer": s.optimizer,
            "step": int(s.step), "moments": [m.tolist() for m in s.moments], "seed": int(s.seed),
            "shuffle": {"state": hex(s.shuffle["state"]), "inc": hex(s.shuffle["inc"]),
                        "has_uint32": int(s.shuffle["has_uint32"]), "uinteger": int(s.shuffle["uinteger"])}}


def _history(h: dict | None) -> list[HistoryEntry]:
    if h is None:
        return []
    n = len(h["epoch"])
    cols = {}
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        col = HISTORY.get(h, key)
        if col is not None and len(col) != n:
            raise FileFormatError(f"has {len(col)} entries; history.epoch has {n}", f"history.{key}")
        cols[key] = col or [None] * n
    return [HistoryEntry(e, math.nan if lo is None else float(lo), vl, ac, va)
            for e, lo, vl, ac, va in zip(h["epoch"], cols["loss"], cols["val_loss"], cols["accuracy"],
                                         cols["val_accuracy"])]


# ------------------------------------------------------------------------------ writing
def project_to_dict(project: Project, base_dir: str | os.PathLike | None = None) -> dict:
    """The document for ``project`` (plain JSON types); csv paths are made relative to ``base_dir``."""
    net = project.network
    try:
        net.validate()
    except ValueError as e:
        raise ValueError(f"cannot save this network: {e}") from None
    d: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION,
                         "title": project.title, "description": project.description, "loss": net.loss,
                         "layers": [_layer_dict(li, layer, net.bias_labels)
                                    for li, layer in enumerate(net.layers)]}
    conns, blocks = [], []
    labels = net.connection_labels
    for (ls, ld), blk in sorted(net.blocks.items()):
        count = blk.count
        src, dst = net.layers[ls].names, net.layers[ld].names
        # a labelled connection is written by name (a matrix has no place for its label)
        labelled = bool(labels) and any((a, b) in labels for a in src for b in dst)
        if count > BLOCK_MIN_CONNECTIONS and 2 * count >= blk.mask.size and not labelled:
            blocks.append({"from_layer": ls, "to_layer": ld, "weights": _matrix(blk)})
            continue
        for i, j in zip(*np.nonzero(blk.mask)):
            c = {"from": src[i], "to": dst[j], "weight": float(blk.weight[i, j])}
            if (src[i], dst[j]) in labels:
                c["label"] = labels[(src[i], dst[j])]
            conns.append(c)
    d["connections"] = conns
    if blocks:
        d["blocks"] = blocks
    if net.is_recurrent or net.recurrence is not None:
        d["recurrence"] = dataclasses.asdict(net.recurrence_settings())
    d["training"] = _training_dict(project.training)
    d["dataset"] = None if project.dataset is None else _dataset_dict(project.dataset, base_dir)
    d["history"] = _history_dict(project.history) if project.history else None
    if net.fixed_biases:
        d["fixed_biases"] = True
    if project.display_digits is not None:
        d["display_digits"] = int(project.display_digits)
    if project.resume is not None:
        d["resume"] = _resume_dict(project.resume)
    return d


def _layer_dict(li: int, layer: Layer, bias_labels: dict[str, str]) -> dict:
    neurons = []
    for k, name in enumerate(layer.names):
        nd: dict[str, Any] = {"name": name}
        bias = float(layer.biases[k])
        if li or bias or math.copysign(1.0, bias) < 0:  # input biases are unused: write only if set
            nd["bias"] = bias
        if layer.overrides[k] is not None:
            nd["activation"] = layer.overrides[k]
        if layer.positions[k] is not None:
            nd["position"] = [float(layer.positions[k][0]), float(layer.positions[k][1])]
        if li and name in bias_labels:
            nd["bias_label"] = bias_labels[name]
        neurons.append(nd)
    return {"activation": layer.activation, "neurons": neurons}


def _matrix(blk: Block) -> list[list]:
    rows = blk.weight.tolist()
    if blk.mask.all():
        return rows
    return [[w if m else None for w, m in zip(row, mrow)] for row, mrow in zip(rows, blk.mask.tolist())]


def _training_dict(c: TrainConfig) -> dict:
    out: dict[str, Any] = {"optimizer": {key: getattr(c.optimizer, key) for key in OPTIMIZER.fields}}
    out.update({key: getattr(c, key) for key in TRAINING.fields if key != "optimizer"})
    return out


def _dataset_dict(ds: Dataset, base_dir: str | os.PathLike | None) -> dict:
    source = dict(ds.source)
    d: dict[str, Any] = {"task": ds.task, "input_names": list(ds.input_names),
                         "target_names": list(ds.target_names),
                         "class_names": None if ds.class_names is None else list(ds.class_names),
                         "normalization": None, "validation_fraction": float(ds.validation_fraction),
                         "split_seed": int(ds.split_seed), "source": source}
    if ds.normalization is not None:
        n = ds.normalization
        d["normalization"] = {"method": n.method, "offset": np.asarray(n.offset, dtype=np.float64).tolist(),
                              "scale": np.asarray(n.scale, dtype=np.float64).tolist()}
    if source.get("kind") == "csv":
        path = Path(source["path"])
        if base_dir is not None and path.is_absolute():
            try:
                path = Path(os.path.relpath(path, Path(base_dir).resolve()))
            except ValueError:  # another drive on Windows: keep it absolute
                pass
        source["path"] = path.as_posix()
    else:
        d["inputs"] = ds.x.tolist()
        d["targets"] = ds.y.tolist()
    return d


def _history_dict(history: list[HistoryEntry]) -> dict:
    def col(values: list) -> list:
        return [None if v is None or not math.isfinite(v) else float(v) for v in values]
    return {"epoch": [int(h.epoch) for h in history], "loss": col([h.loss for h in history]),
            "val_loss": col([h.val_loss for h in history]), "accuracy": col([h.accuracy for h in history]),
            "val_accuracy": col([h.val_accuracy for h in history])}


def _num(x: float) -> str:
    # Shortest repr round-trips exactly; whole numbers drop ".0" (except -0.0, whose sign "-0" loses).
    r = repr(x)
    return r[:-2] if r.endswith(".0") and r != "-0.0" else r


def _scalar(v: Any) -> str:
    if type(v) is float:
        if not math.isfinite(v):
            raise ValueError(f"cannot save {v!r}: JSON has no non-finite numbers")
        return _num(v)
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def _render(v: Any, indent: str, out: list[str]) -> None:
    """Pretty JSON: lists of scalars and small flat objects on one line, the rest indented by 2."""
    if isinstance(v, dict):
        flat = _flat_dict(v)
        if flat is not None:
            out.append(flat)
            return
        inner = indent + "  "
        out.append("{")
        for n, (key, val) in enumerate(v.items()):
            out.append(("\n" if n == 0 else ",\n") + inner + json.dumps(key, ensure_ascii=False) + ": ")
            _render(val, inner, out)
        out.append("\n" + indent + "}" if v else "}")
    elif isinstance(v, list):
        kinds = set(map(type, v))
        if kinds <= {float}:
            out.append("[" + ", ".join(map(_num, v)) + "]" if math.isfinite(sum(v)) or not v
                       else "[" + ", ".join(map(_scalar, v)) + "]")
            return
        if not kinds & {dict, list}:
            out.append("[" + ", ".join(map(_scalar, v)) + "]")
            return
        inner = indent + "  "
        out.append("[")
        for n, item in enumerate(v):
            out.append(("\n" if n == 0 else ",\n") + inner)
            _render(item, inner, out)
        out.append("\n" + indent + "]" if v else "]")
    else:
        out.append(_scalar(v))


def _flat_dict(v: dict) -> str | None:
    parts = []
    for key, val in v.items():
        if isinstance(val, dict):
            return None
        if isinstance(val, list):
            if len(val) > 4 or any(isinstance(x, (dict, list)) for x in val):
                return None
            text = "[" + ", ".join(map(_scalar, val)) + "]"
        else:
            text = _scalar(val)
        parts.append(json.dumps(key, ensure_ascii=False) + ": " + text)
    line = "{" + ", ".join(parts) + "}"
    return line if len(line) <= 100 else None


def dumps(project: Project, base_dir: str | os.PathLike | None = None) -> str:
    """The text of a .bpnet file for ``project``."""
    out: list[str] = []
    _render(project_to_dict(project, base_dir), "", out)
    out.append("\n")
    return "".join(out)


def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, flushed and fsynced, then renamed
    over ``path``; a crash or error at any point leaves the old file as it was."""
    path = Path(path)
    data = dumps(project, base_dir=path.parent).encode("utf-8")  # fails before any file is touched
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the umask decide the new file's permissions, as a plain open would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open folders, which is fine there.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
