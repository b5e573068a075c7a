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
import errno
import json
import math
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .activations import get_activation
from .dataset_io import read_dataset, write_dataset
from .format_migrations import upgrade
from .json_arrays import extract, substitute
from .safe_read import check_regular, read_regular_file
from .format_spec import (EXTENSION, FILE, FORMAT_NAME, FORMAT_VERSION, DATASET, HISTORY, OPTIMIZER,
                          RECURRENCE, RESUME, TRAINING, FileFormatError, LongNumber, describe)
from .network import Block, Layer, Network
from .optimizers import OptimizerSettings
from .history import BUCKET_COLUMNS, History
from .project import Project
from .recurrence import Recurrence
from .resume import ResumeState
from .training import TrainConfig

__all__ = ["FileFormatError", "LoadCancelled", "FORMAT_NAME", "FORMAT_VERSION", "EXTENSION", "MAX_FILE_BYTES",
           "load_project", "save_project", "loads", "dumps", "project_to_dict", "project_from_dict"]

MAX_FILE_BYTES = 200 * 1024 * 1024
# A layer pair is written as a matrix once it has more connections than a person reads one by
# one, and at least half of its possible links exist (otherwise the list is the smaller form).
BLOCK_MIN_CONNECTIONS = 256


# ------------------------------------------------------------------------------ reading
class LoadCancelled(Exception):
    """Raised by ``load_project`` when its progress callback returns False."""


Progress = Callable[[float], bool | None]


def _stage(progress: Progress | None, lo: float, hi: float) -> Callable[[float], None]:
    """A callback for one stage of loading, mapping its own 0..1 onto lo..hi of the whole."""
    def report(f: float) -> None:
        if progress is not None and progress(lo + (hi - lo) * min(max(f, 0.0), 1.0)) is False:
            raise LoadCancelled("opening the file was cancelled")
    return report


def load_project(path: str | os.PathLike, *, progress: Progress | None = None) -> Project:
    """Read a .bpnet file. Raises FileFormatError (bad content), OSError (cannot read; a path that
    is no regular file raises safe_read.NotRegularFile saying what it is) or LoadCancelled (when
    ``progress(fraction)`` returned False). A linked CSV that cannot be read does not fail the
    load: the project comes back without data and says why in ``Project.problems``."""
    path = Path(path)
    size = check_regular(path)
    if size > MAX_FILE_BYTES:
        raise FileFormatError(f"the file is {size / 2**20:.0f} MB; Backprop Studio opens network files "
                              f"up to {MAX_FILE_BYTES // 2**20} MB")
    reading = _stage(progress, 0.0, 0.4)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, lambda done, total: reading(done / max(total, 1)))
    except InterruptedError:
        raise LoadCancelled("opening the file was cancelled") from None
    return _load_bytes(data, path.parent, progress)


def _load_bytes(data: bytes | bytearray, base_dir: Path | None, progress: Progress | None) -> Project:
    short, matrices = extract(data)
    if matrices:
        try:
            d = parse_json(short.decode("utf-8-sig"))
            short = b""
            d = substitute(d, matrices, parse_json, _stage(progress, 0.4, 0.9))
        except (UnicodeDecodeError, ValueError, RecursionError):
            d = None  # the ordinary path below gives the message, with the file's own line numbers
        if d is not None:
            del matrices
            _stage(progress, 0.9, 1.0)(0.0)
            project = project_from_dict(d, base_dir)
            _stage(progress, 0.9, 1.0)(1.0)
            return project
    del short, matrices
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise FileFormatError(f"not a Backprop Studio network file: not UTF-8 text "
                              f"(byte 0x{data[e.start]:02x} on line {line})") from None
    del data
    _stage(progress, 0.4, 1.0)(0.1)
    project = loads(text, base_dir=base_dir)
    _stage(progress, 0.4, 1.0)(1.0)
    return project


def parse_json(text: str | bytes) -> Any:
    # NaN/Infinity are not JSON, but other writers emit them: parse, then refuse with a place.
    # Integers too long for int() become LongNumber, which the spec refuses naming the key.
    return json.loads(text, parse_constant=float, parse_int=_parse_int)


def _parse_int(s: str) -> int | LongNumber:
    return int(s) if len(s) <= 400 else LongNumber(len(s.lstrip("-")))


def loads(text: str, base_dir: str | os.PathLike | None = None) -> Project:
    """Parse the text of a .bpnet file; relative dataset paths resolve against ``base_dir``."""
    if not text.strip():
        raise FileFormatError("the file is empty")
    try:
        d = parse_json(text)
    except json.JSONDecodeError as e:
        if not text.lstrip().startswith("{"):
            raise FileFormatError("not a Backprop Studio network file: it is not JSON text") from None
        raise FileFormatError(f"the file is damaged or cut short: invalid JSON on line {e.lineno}, "
                              f"column {e.colno} ({e.msg})") from None
    except RecursionError:
        raise FileFormatError("not a Backprop Studio network file: JSON nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise FileFormatError(f"not a readable Backprop Studio network file: {_first_line(e)}") from None
    return project_from_dict(d, base_dir)


def _first_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


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
    dataset, problems = read_dataset(FILE.get(d, "dataset"), net, base_dir)
    history = _history(FILE.get(d, "history"))
    return Project(net, training, dataset, history, FILE.get(d, "title"), FILE.get(d, "description"),
                   display_digits=FILE.get(d, "display_digits"), resume=_resume(FILE.get(d, "resume")),
                   problems=problems)


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
        # first: it checks the layer numbers _block uses
        key = _block_key(bd, k, layers, origin, recurrence is not None)
        blocks[key] = _block(bd, k, layers)
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
    if isinstance(rows, np.ndarray):  # parsed by json_arrays: NaN stands for null
        if rows.shape != (n_src, n_dst):
            which = (f"has {rows.shape[0]} rows; layer {bd['from_layer']} has {n_src} neurons"
                     if rows.shape[0] != n_src else
                     f"has {rows.shape[1]} entries; layer {bd['to_layer']} has {n_dst} neurons")
            raise FileFormatError(which, p if rows.shape[0] != n_src else f"{p}[0]")
        mask = ~np.isnan(rows)
        if not mask.all():
            rows[~mask] = 0.0
        return Block(rows, mask)
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


MAX_WEIGHT_CELLS = 50_000_000  # possible connections over all layer pairs (400 MB of weights)


def _check_cells(layers: list[Layer], blocks: dict, ls: int, ld: int, where: str) -> None:
    """A pair of layers is held as a dense matrix: refuse before allocating one no machine holds."""
    cells = layers[ls].size * layers[ld].size + sum(b.mask.size for b in blocks.values())
    if cells > MAX_WEIGHT_CELLS:
        raise FileFormatError(f"layers {ls} and {ld} have {layers[ls].size} × {layers[ld].size} possible "
                              f"connections; Backprop Studio holds at most {MAX_WEIGHT_CELLS:,} in all", where)


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
            _check_cells(layers, blocks, ls, ld, f"connections[{k}]")
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


def _history(h: dict | None) -> History:
    if h is None:
        return History()
    n = len(h["epoch"])
    cols = {"epoch": _column(h["epoch"])}
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        col = HISTORY.get(h, key)
        if col is not None and len(col) != n:
            raise FileFormatError(f"has {len(col)} entries; history.epoch has {n}", f"history.{key}")
        cols[key] = np.full(n, np.nan) if col is None else _column(col)
    summary = HISTORY.get(h, "summary")
    if summary is not None:
        m = len(summary["count"])
        summary = {key: _column(v) for key, v in summary.items()}
        for key in BUCKET_COLUMNS:
            if key not in summary:
                summary[key] = np.full(m, np.nan)
            elif len(summary[key]) != m:
                raise FileFormatError(f"has {len(summary[key])} entries; history.summary.count has {m}",
                                      f"history.summary.{key}")
        if m and (summary["first_epoch"] > summary["last_epoch"]).any():
            k = int(np.flatnonzero(summary["first_epoch"] > summary["last_epoch"])[0])
            raise FileFormatError("a bucket ends before it begins", f"history.summary.first_epoch[{k}]")
    return History.from_columns(cols, summary)


def _column(values: list | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


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
    d["dataset"] = None if project.dataset is None else write_dataset(project.dataset, base_dir)
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


def _history_dict(history: History) -> dict:
    def col(values: np.ndarray) -> list:
        return [None if not math.isfinite(v) else v for v in values.tolist()]
    history = history if isinstance(history, History) else History(history)
    recent, summary = history.columns()
    d: dict[str, Any] = {}
    if history.buckets:
        d["summary"] = {key: (summary[key].tolist() if key in ("first_epoch", "last_epoch", "count")
                              else col(summary[key])) for key in BUCKET_COLUMNS}
    d["epoch"] = recent["epoch"].tolist()
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        d[key] = col(recent[key])
    return d


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
    """Write atomically: a temporary file ``.NAME.tmp-PID`` in the same folder, flushed and
    fsynced, then renamed over ``path``; a crash or error at any point leaves the old file as it
    was. A symbolic link is written through (its target is replaced, the link stays). Temporary
    files left by a save that was killed are removed first."""
    path = Path(path)
    text = dumps(project, base_dir=path.parent)  # fails before any file is touched
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate pasted into a name or a title
        start = text.rfind("\n", 0, e.start) + 1
        line = text[start:text.find("\n", e.start)].strip().encode("ascii", "backslashreplace").decode()
        raise ValueError(f"cannot save: {line[:80]} contains a lone surrogate "
                         f"(\\u{ord(text[e.start]):04x}), which is not text") from None
    write_atomic(path, data)


def write_atomic(path: Path, data: bytes) -> None:
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
    remove_stale_temporaries(target)
    tmp = _create_temporary(target)
    try:
        with os.fdopen(tmp[1], "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp[0], target.stat().st_mode & 0o7777)
        os.replace(tmp[0], target)
    except BaseException:
        try:
            os.unlink(tmp[0])
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)


TEMP_MARK = ".tmp-"


def check_writable(path: str | os.PathLike) -> None:
    """Raise the OSError a save to ``path`` would meet (a folder, a missing or read-only folder,
    a device), by creating and removing the very temporary file a save creates."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
    if target.exists():
        check_regular(target)
    tmp, fd = _create_temporary(target)
    os.close(fd)
    os.unlink(tmp)


def _create_temporary(target: Path) -> tuple[Path, int]:
    # os.open with 0o666 lets the umask decide the new file's permissions, as a plain open would.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    base = f".{target.name}{TEMP_MARK}{os.getpid()}"
    for n in range(100):  # another thread of this process may be saving the same file
        tmp = target.with_name(base if n == 0 else f"{base}-{n}")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "too many temporary files", str(target))


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete ``.NAME.tmp-PID`` files beside ``target`` whose process is gone (a killed save);
    returns what was removed. Files of running processes (a save under way) are left alone."""
    removed = []
    prefix = f".{target.name}{TEMP_MARK}"
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue  # a save under way (ours, in another thread, or another process's)
        try:
            os.unlink(target.parent / name)
            removed.append(target.parent / name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else, or we cannot tell: keep its file
    return True


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
