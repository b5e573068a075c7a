"""The one definition of the .bpnet file format: a small spec language that validates a parsed
JSON document with error paths (``connections[12].weight: expected a number, got "abc"``) and
generates the published JSON Schema (resources/schema/) from the same objects.

Only structure lives here (types, keys, ranges, names from the registries). Cross-references
(neuron names, layer order, data widths) are checked in fileio, which knows what they mean.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES
from .optimizers import OPTIMIZERS, OptimizerSettings
from .recurrence import MODES, Recurrence
from .training import MAX_EPOCHS, MAX_SEED, TrainConfig

FORMAT_NAME = "backprop-studio-network"
FORMAT_VERSION = 3
EXTENSION = ".bpnet"
SCHEMA_ID = "https://backprop-studio.example/schema/bpnet-3.schema.json"


class FileFormatError(ValueError):
    """A file that cannot be read; ``str`` is one line naming the place and the problem."""

    def __init__(self, message: str, where: str = "") -> None:
        self.where = where
        self.problem = message
        super().__init__(f"{where}: {message}" if where else message)


_MAX_FLOAT = 1.7976931348623157e308
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class LongNumber:
    """An integer in a file with too many digits to be a weight or a setting (Python refuses to
    convert more than 4300 digits; no float holds more than 309): kept as its length only, so the
    check of its key can name it."""

    digits: int


def describe(value: Any) -> str:
    """How a value is named in messages: strings quoted, containers by kind."""
    if value is None:
        return "null"
    if isinstance(value, LongNumber):
        return f"a number of {value.digits} digits"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else text[:36] + "…"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '…"'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def is_number(v: Any) -> bool:
    return type(v) is float or type(v) is int  # bool is an int subclass; it is not a number here


class Spec:
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        raise NotImplementedError

    def schema(self) -> dict:
        raise NotImplementedError

    def _doc(self, d: dict) -> dict:
        if self.description:
            d["description"] = self.description
        return d


@dataclass
class Num(Spec):
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: float | None = None
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if isinstance(v, LongNumber):
            raise FileFormatError(f"number too large for a 64-bit float ({v.digits} digits)", path)
        if not is_number(v):
            raise FileFormatError(f"expected a number, got {describe(v)}", path)
        if type(v) is int and not -_MAX_FLOAT <= v <= _MAX_FLOAT:
            raise FileFormatError("number too large for a 64-bit float", path)
        if not math.isfinite(v):
            raise FileFormatError(f"expected a finite number, got {describe(v)}", path)
        if self.minimum is not None and v < self.minimum:
            raise FileFormatError(f"must be at least {self.minimum:g}, got {v!r}", path)
        if self.exclusive_minimum is not None and v <= self.exclusive_minimum:
            raise FileFormatError(f"must be greater than {self.exclusive_minimum:g}, got {v!r}", path)
        if self.maximum is not None and v > self.maximum:
            raise FileFormatError(f"must be at most {self.maximum:g}, got {v!r}", path)
        if self.exclusive_maximum is not None and v >= self.exclusive_maximum:
            raise FileFormatError(f"must be less than {self.exclusive_maximum:g}, got {v!r}", path)

    def schema(self) -> dict:
        d: dict = {"type": "number"}
        for k in ("minimum", "exclusive_minimum", "maximum", "exclusive_maximum"):
            if getattr(self, k) is not None:
                d[k.replace("_m", "M")] = getattr(self, k)
        return self._doc(d)


@dataclass
class Int(Spec):
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if type(v) is not int:
            raise FileFormatError(f"expected an integer, got {describe(v)}", path)
        if self.minimum is not None and v < self.minimum:
            raise FileFormatError(f"must be at least {self.minimum}, got {describe(v)}", path)
        if self.maximum is not None and v > self.maximum:
            raise FileFormatError(f"must be at most {self.maximum}, got {describe(v)}", path)

    def schema(self) -> dict:
        d: dict = {"type": "integer"}
        if self.minimum is not None:
            d["minimum"] = self.minimum
        if self.maximum is not None:
            d["maximum"] = self.maximum
        return self._doc(d)


@dataclass
class Str(Spec):
    enum: list[str] | None = None
    what: str = "value"  # noun for "unknown <what>" messages
    min_length: int = 0
    max_length: int | None = None
    forbidden: str = ""  # characters a name may not contain
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if not isinstance(v, str):
            raise FileFormatError(f"expected a string, got {describe(v)}", path)
        if self.enum is not None and v not in self.enum:
            raise FileFormatError(f"unknown {self.what} {describe(v)} (known: {', '.join(self.enum)})", path)
        if len(v) < self.min_length:
            raise FileFormatError("must not be empty", path)
        if self.max_length is not None and len(v) > self.max_length:
            raise FileFormatError(f"longer than {self.max_length} characters", path)
        lone = _SURROGATE.search(v)
        if lone:
            raise FileFormatError(f"contains a lone surrogate (\\u{ord(lone.group()):04x}), which is not text; "
                                  f"retype it", path)
        bad = [c for c in self.forbidden if c in v]
        if bad or (self.forbidden and "->" in v):
            raise FileFormatError(f"{describe(v)} may not contain spaces or '->'", path)

    def schema(self) -> dict:
        d: dict = {"type": "string"}
        if self.enum is not None:
            d["enum"] = list(self.enum)
        if self.min_length:
            d["minLength"] = self.min_length
        if self.max_length is not None:
            d["maxLength"] = self.max_length
        if self.forbidden:
            d["pattern"] = r"^(?!.*->)[^\s]*$"
        return self._doc(d)


@dataclass
class Const(Spec):
    value: Any
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if v != self.value or type(v) is not type(self.value):
            raise FileFormatError(f"expected {describe(self.value)}, got {describe(v)}", path)

    def schema(self) -> dict:
        return self._doc({"const": self.value})


@dataclass
class Bool(Spec):
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if not isinstance(v, bool):
            raise FileFormatError(f"expected true or false, got {describe(v)}", path)

    def schema(self) -> dict:
        return self._doc({"type": "boolean"})


@dataclass
class Nullable(Spec):
    inner: Spec
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if v is not None:
            self.inner.check(v, path)

    def schema(self) -> dict:
        return self._doc({"anyOf": [self.inner.schema(), {"type": "null"}]})


@dataclass
class Arr(Spec):
    items: Spec
    min_items: int = 0
    max_items: int | None = None
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if isinstance(v, np.ndarray) and isinstance(self.items, Int):  # a column json_arrays parsed
            v = _int_column(v, self.items, path)
        elif not isinstance(v, list):
            raise FileFormatError(f"expected a list, got {describe(v)}", path)
        if len(v) < self.min_items:
            raise FileFormatError(f"needs at least {self.min_items} item{'s' * (self.min_items != 1)}, "
                                  f"got {len(v)}", path)
        if self.max_items is not None and len(v) > self.max_items:
            raise FileFormatError(f"has {len(v)} items; at most {self.max_items} allowed", path)
        if isinstance(v, np.ndarray):
            return
        for k, item in enumerate(v):
            self.items.check(item, f"{path}[{k}]")

    def schema(self) -> dict:
        d: dict = {"type": "array", "items": self.items.schema()}
        if self.min_items:
            d["minItems"] = self.min_items
        if self.max_items is not None:
            d["maxItems"] = self.max_items
        return self._doc(d)


def _int_column(v: np.ndarray, spec: "Int", path: str) -> np.ndarray:
    """Check a parsed column of integers (written without '.' or exponent, so whole numbers)."""
    if v.ndim != 1:
        raise FileFormatError("expected a list of integers, got a table", path)
    lo = -2**53 if spec.minimum is None else spec.minimum
    hi = 2**53 if spec.maximum is None else min(spec.maximum, 2**53)
    bad = np.flatnonzero(~((v >= lo) & (v <= hi)))
    if len(bad):
        k = int(bad[0])
        Int(minimum=lo, maximum=hi).check(int(v[k]) if np.isfinite(v[k]) else None, f"{path}[{k}]")
    return v


@dataclass
class Numbers(Spec):
    """A list of numbers (or a list of such lists, ``depth=2``), checked in bulk because weight
    matrices and data tables hold up to millions of values. ``nullable`` allows null entries."""

    depth: int = 1
    nullable: bool = False
    length: int | None = None  # exact row length, when fixed
    description: str = ""

    def check(self, v: Any, path: str) -> None:
        if isinstance(v, np.ndarray):  # a matrix the fast reader parsed (json_arrays): finite or NaN
            self._array(v, path)
            return
        if self.depth == 2:
            if not isinstance(v, list):
                raise FileFormatError(f"expected a list of rows, got {describe(v)}", path)
            for k, row in enumerate(v):
                self._row(row, f"{path}[{k}]")
        else:
            self._row(v, path)

    def _array(self, a: np.ndarray, path: str) -> None:
        if a.ndim != self.depth:
            raise FileFormatError(f"expected {'a list of rows' if self.depth == 2 else 'a list of numbers'}, "
                                  f"got a table of {a.ndim} dimensions", path)
        if self.length is not None and a.shape[-1] != self.length:
            raise FileFormatError(f"expected {self.length} numbers, got {a.shape[-1]}", path)
        if not self.nullable and np.isnan(a).any():
            at = "".join(f"[{int(k)}]" for k in np.argwhere(np.isnan(a))[0])
            raise FileFormatError("expected a number, got null", path + at)

    def _row(self, row: Any, path: str) -> None:
        if not isinstance(row, list):
            raise FileFormatError(f"expected a list of numbers, got {describe(row)}", path)
        if self.length is not None and len(row) != self.length:
            raise FileFormatError(f"expected {self.length} numbers, got {len(row)}", path)
        kinds = set(map(type, row))
        if kinds <= {float, int}:
            # A sum that is finite proves every entry finite; an overflowing sum only costs the slow path.
            try:
                if math.isfinite(sum(row)):
                    return
            except OverflowError:  # an integer beyond float range; the slow path names it
                pass
        elif self.nullable and kinds <= {float, int, type(None)}:
            if all(map(math.isfinite, (x for x in row if type(x) is float))):
                return
        item = Nullable(Num()) if self.nullable else Num()
        for k, x in enumerate(row):  # slow path only to name the first bad entry
            item.check(x, f"{path}[{k}]")

    def schema(self) -> dict:
        num: dict = {"type": ["number", "null"]} if self.nullable else {"type": "number"}
        d: dict = {"type": "array", "items": num}
        if self.length is not None:
            d["minItems"] = d["maxItems"] = self.length
        if self.depth == 2:
            d = {"type": "array", "items": d}
        return self._doc(d)


@dataclass
class Field:
    spec: Spec
    required: bool = False
    default: Any = None
    description: str = ""


@dataclass
class Obj(Spec):
    fields: dict[str, Field]
    description: str = ""
    name: str = ""  # set for objects published under $defs

    def check(self, v: Any, path: str) -> None:
        if not isinstance(v, dict):
            raise FileFormatError(f"expected an object, got {describe(v)}", path)
        for key, f in self.fields.items():
            if key in v:
                f.spec.check(v[key], join(path, key))
            elif f.required:
                raise FileFormatError(f'missing key "{key}"', path)
        for key in v:
            if key not in self.fields:
                near = difflib.get_close_matches(key, list(self.fields), n=1)
                hint = f' (did you mean "{near[0]}"?)' if near else ""
                raise FileFormatError(f'unknown key {describe(key)}{hint}', path)

    def get(self, v: dict, key: str) -> Any:
        """The value of ``key`` in an already checked object, or its default."""
        return v[key] if key in v else self.fields[key].default

    def schema(self) -> dict:
        props = {}
        for key, f in self.fields.items():
            s = dict(f.spec.schema())
            if f.description:
                s["description"] = f.description
            if not f.required:
                s["default"] = f.default
            props[key] = s
        d: dict = {"type": "object", "properties": props, "additionalProperties": False}
        req = [k for k, f in self.fields.items() if f.required]
        if req:
            d["required"] = req
        return self._doc(d)


# ------------------------------------------------------------------------------ the format
NAME = Str(min_length=1, max_length=64, forbidden=" \t\n\r", description="a neuron name, unique in the file")
ACTIVATION = Str(enum=list(ACTIVATIONS), what="activation")
LABEL = Str(min_length=1, max_length=32, description="a label as a textbook writes it (w5, b1, θ4); "
                                                     "labels need not be unique")


def _defaults(cls: type) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}


_OPT = _defaults(OptimizerSettings)
_TC = _defaults(TrainConfig)

NEURON = Obj({
    "name": Field(NAME, required=True),
    "bias": Field(Num(), default=0.0, description="added to the net input; input neurons have none"),
    "activation": Field(Nullable(ACTIVATION), default=None,
                        description="this neuron's own activation; null = the layer's"),
    "position": Field(Nullable(Numbers(length=2)), default=None,
                      description="[x, y] canvas position in scene units; null = automatic layout"),
    "bias_label": Field(Nullable(LABEL), default=None,
                        description="(since version 3) the bias's own label, e.g. b1; null = none"),
})

LAYER = Obj({
    "activation": Field(Nullable(ACTIVATION), default=None,
                        description="activation of the layer's neurons; required except for layer 0"),
    "neurons": Field(Arr(NEURON, min_items=1), required=True),
})

CONNECTION = Obj({
    "from": Field(NAME, required=True, description="source neuron (earlier layer; any layer in a "
                                                   "network that declares \"recurrence\")"),
    "to": Field(NAME, required=True, description="target neuron (later layer; any layer but the input "
                                                 "layer in a network that declares \"recurrence\")"),
    "weight": Field(Num(), required=True),
    "label": Field(Nullable(LABEL), default=None,
                   description="(since version 3) the connection's own label, e.g. w5; null = none"),
})

BLOCK = Obj({
    "from_layer": Field(Int(minimum=0), required=True),
    "to_layer": Field(Int(minimum=1), required=True),
    "weights": Field(Numbers(depth=2, nullable=True), required=True,
                     description="one row per source neuron, one column per target neuron, in "
                                 "layer order; null = not connected"),
})

OPTIMIZER = Obj({
    "name": Field(Str(enum=list(OPTIMIZERS), what="optimiser"), default=_OPT["name"]),
    "learning_rate": Field(Num(exclusive_minimum=0), default=_OPT["learning_rate"]),
    "momentum": Field(Num(minimum=0), default=_OPT["momentum"]),
    "beta1": Field(Num(minimum=0, exclusive_maximum=1), default=_OPT["beta1"]),
    "beta2": Field(Num(minimum=0, exclusive_maximum=1), default=_OPT["beta2"]),
    "epsilon": Field(Num(exclusive_minimum=0), default=_OPT["epsilon"]),
    "l1": Field(Num(minimum=0), default=_OPT["l1"], description="L1 weight decay λ₁"),
    "l2": Field(Num(minimum=0), default=_OPT["l2"], description="L2 weight decay λ₂"),
})

TRAINING = Obj({
    "optimizer": Field(OPTIMIZER, default={}),
    "batch_size": Field(Int(minimum=0, maximum=MAX_EPOCHS), default=_TC["batch_size"],
                        description="1 = online, 0 = full batch, B = mini-batches of B"),
    "shuffle": Field(Bool(), default=_TC["shuffle"]),
    "seed": Field(Int(minimum=0, maximum=MAX_SEED), default=_TC["seed"]),
    "max_epochs": Field(Int(minimum=0, maximum=MAX_EPOCHS), default=_TC["max_epochs"]),
    "target_loss": Field(Nullable(Num(minimum=0)), default=_TC["target_loss"]),
    "stop_when_all_correct": Field(Bool(), default=_TC["stop_when_all_correct"]),
    "min_weight_change": Field(Nullable(Num(minimum=0)), default=_TC["min_weight_change"]),
    "report_weights": Field(Bool(), default=_TC["report_weights"]),
})

SOURCE = Obj({
    "kind": Field(Str(enum=["embedded", "generated", "csv"], what="dataset source"), required=True),
    "path": Field(Str(min_length=1), description="csv: the CSV file, relative to this file's folder, "
                                                 "'/' separated"),
    "input_columns": Field(Arr(Int(minimum=0)), description="csv: 0-based input column indexes"),
    "target_columns": Field(Arr(Int(minimum=0)), description="csv: 0-based target column indexes"),
    "has_header": Field(Bool(), default=True),
    "delimiter": Field(Str(min_length=1, max_length=1), default=","),
    "generator": Field(Str(), description="generated: the generator's name (provenance only)"),
    "n_samples": Field(Int(minimum=0)),
    "noise": Field(Num(minimum=0)),
    "seed": Field(Int(minimum=0)),
    "reference": Field(Str(), description="where the data comes from (free text)"),
    "linked": Field(Bool(), description="csv, since version 3: true = the rows are read from the CSV "
                                        "file each time (no inputs/targets here); absent = true exactly "
                                        "when the dataset holds no inputs/targets (as in version 2)"),
    "target_encoding": Field(Str(enum=["one_hot", "binary", "numbers"], what="target encoding"),
                             description="csv, since version 3: how the target column was read: one "
                                         "0/1 column per class, one 0/1 column for two classes, or "
                                         "the numbers as they are; absent = one_hot for "
                                         "classification, numbers for regression"),
    "sha256": Field(Str(min_length=64, max_length=64), description="linked csv, since version 3: the "
                                                                    "CSV file's SHA-256 when it was read"),
})

NORMALIZATION = Obj({
    "method": Field(Str(enum=["minmax", "zscore"], what="normalisation"), required=True),
    "offset": Field(Numbers(), required=True, description="subtracted from each input column"),
    "scale": Field(Numbers(), required=True, description="then divided by this (never 0)"),
})

DATASET = Obj({
    "task": Field(Str(enum=["regression", "classification"], what="task"), default="regression"),
    "input_names": Field(Arr(Str()), default=[]),
    "target_names": Field(Arr(Str()), default=[]),
    "class_names": Field(Nullable(Arr(Str())), default=None,
                         description="classification: the name of each one-hot target column"),
    "normalization": Field(Nullable(NORMALIZATION), default=None),
    "validation_fraction": Field(Num(minimum=0, exclusive_maximum=1), default=0.0),
    "split_seed": Field(Int(minimum=0), default=0),
    "source": Field(SOURCE, default={"kind": "embedded"}),
    "inputs": Field(Numbers(depth=2), description="raw inputs, one row per sample (not for a linked csv)"),
    "targets": Field(Numbers(depth=2), description="targets, one row per sample (not for a linked csv)"),
})

SUMMARY = Obj({
    "first_epoch": Field(Arr(Int(minimum=0)), required=True, description="first epoch of each bucket"),
    "last_epoch": Field(Arr(Int(minimum=0)), required=True, description="last epoch of each bucket"),
    "count": Field(Arr(Int(minimum=1)), required=True, description="epochs summarised by each bucket"),
    "loss": Field(Numbers(nullable=True), required=True, description="mean training loss of the "
                                                                       "bucket's finite losses"),
    "loss_min": Field(Numbers(nullable=True), required=True),
    "loss_max": Field(Numbers(nullable=True), required=True),
    "val_loss": Field(Numbers(nullable=True), default=None, description="mean; null = not measured"),
    "accuracy": Field(Numbers(nullable=True), default=None, description="mean"),
    "val_accuracy": Field(Numbers(nullable=True), default=None, description="mean"),
}, description="since version 3: older epochs summarised in buckets, oldest first, all before "
               "the first entry of epoch")

HISTORY = Obj({
    "summary": Field(Nullable(SUMMARY), default=None),
    "epoch": Field(Arr(Int(minimum=0)), required=True),
    "loss": Field(Numbers(nullable=True), required=True, description="null = not finite (diverged)"),
    "val_loss": Field(Numbers(nullable=True), default=None, description="null = not measured"),
    "accuracy": Field(Numbers(nullable=True), default=None),
    "val_accuracy": Field(Numbers(nullable=True), default=None),
})

_REC = _defaults(Recurrence)

RECURRENCE = Obj({
    "mode": Field(Str(enum=list(MODES), what="recurrence mode"), default=_REC["mode"],
                  description="settle: relax each sample to a fixed point (recurrent backpropagation); "
                              "sequence: the samples are time steps (backpropagation through time)"),
    "threshold": Field(Num(exclusive_minimum=0), default=_REC["threshold"],
                       description="settle: the relaxation stops when no output changes by this much"),
    "max_iterations": Field(Int(minimum=1), default=_REC["max_iterations"],
                            description="settle: a relaxation that needs more has not settled"),
    "rate": Field(Num(exclusive_minimum=0, maximum=1), default=_REC["rate"],
                  description="relaxation rate λ in x ← (1−λ) x + λ f(W x + b)"),
    "bptt_steps": Field(Int(minimum=1), default=_REC["bptt_steps"],
                        description="sequence: time steps per truncated backpropagation and update"),
})

HEX128 = Str(min_length=1, max_length=34, description="a non-negative integer below 2^128, hexadecimal "
                                                       "('0x…'), as JSON numbers lose such integers")

RESUME = Obj({
    "epoch": Field(Int(minimum=0), required=True, description="the last epoch trained"),
    "parameters_sha256": Field(Str(min_length=64, max_length=64), required=True,
                               description="SHA-256 of the parameters this state belongs to: every "
                                           "weight block then every bias (see docs/engine.md) as "
                                           "little-endian float64; any other parameters start afresh"),
    "optimizer": Field(Str(enum=list(OPTIMIZERS), what="optimiser"), required=True),
    "step": Field(Int(minimum=0), default=0, description="Adam: updates taken (bias correction)"),
    "moments": Field(Arr(Numbers(), max_items=2), default=[],
                     description="momentum: [velocity]; Adam: [m, v]; laid out like the SHA-256's input"),
    "seed": Field(Int(minimum=0), required=True, description="the seed the shuffle generator started from"),
    "shuffle": Field(Obj({"state": Field(HEX128, required=True), "inc": Field(HEX128, required=True),
                          "has_uint32": Field(Int(minimum=0, maximum=1), default=0),
                          "uinteger": Field(Int(minimum=0, maximum=2**32 - 1), default=0)}),
                     required=True, description="numpy's PCG64 state after the last epoch"),
})

FILE = Obj({
    "format": Field(Const(FORMAT_NAME), required=True),
    "version": Field(Const(FORMAT_VERSION), required=True),
    "title": Field(Str(), default=""),
    "description": Field(Str(), default=""),
    "loss": Field(Str(enum=list(LOSSES), what="loss"), required=True),
    "layers": Field(Arr(LAYER, min_items=2), required=True, description="input layer first, output last"),
    "connections": Field(Arr(CONNECTION), default=[]),
    "blocks": Field(Arr(BLOCK), default=[], description="dense form of connections for large layer pairs"),
    "training": Field(TRAINING, default={}),
    "dataset": Field(Nullable(DATASET), default=None),
    "history": Field(Nullable(HISTORY), default=None),
    "fixed_biases": Field(Bool(), default=False,
                          description="(since version 3) training keeps every bias at its value"),
    "display_digits": Field(Nullable(Int(minimum=3, maximum=9)), default=None,
                            description="(since version 3) significant digits the step-through "
                                        "shows by default; null = the program's default"),
    "resume": Field(Nullable(RESUME), default=None,
                    description="(since version 3) optimiser and shuffle state, so training resumes "
                                "exactly; null = start them afresh"),
    "recurrence": Field(Nullable(RECURRENCE), default=None,
                        description="(since version 3) declares a recurrent network: connections may "
                                    "then run backward, sideways or from a neuron to itself; null = "
                                    "a feed-forward network"),
})


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the current version, as published in resources/schema."""
    s = FILE.schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"Backprop Studio network file, version {FORMAT_VERSION}",
            **s}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
