"""The ``dataset`` of a .bpnet file: reading it into a Dataset and writing it back.

A dataset imported from CSV is saved with its data embedded (``inputs``/``targets``), the CSV's
path, columns and target encoding kept in ``source`` as provenance, so a file e-mailed or moved
opens anywhere. ``source.linked: true`` (for data too large to embed) reads the rows from the CSV
instead; a linked CSV that is missing, unreadable or no longer fits the network never stops the
file from opening: the project comes without data and the reason is returned as a problem line.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .datasets import Dataset, Normalization
from .format_spec import DATASET, FileFormatError
from .network import Network

ENCODINGS = ("one_hot", "binary", "numbers")


def count(n: int, plural: str) -> str:
    return f"{n} {plural[:-1] if n == 1 else plural}"


def table(rows: list[list] | np.ndarray, width: int, path: str, what: str) -> np.ndarray:
    if not len(rows):
        raise FileFormatError("needs at least one row", path)
    if isinstance(rows, np.ndarray):  # parsed by json_arrays
        if rows.shape[1] != width:
            raise FileFormatError(f"has {rows.shape[1]} values; the network has {count(width, what)}",
                                  f"{path}[0]")
        return rows
    for r, row in enumerate(rows):
        if len(row) != width:
            raise FileFormatError(f"has {len(row)} values; the network has {count(width, what)}", f"{path}[{r}]")
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def is_linked(dd: dict) -> bool:
    """A csv dataset reads its rows from the CSV file when ``source.linked`` says so, or (as every
    version-2 csv dataset did) when the file holds no rows of its own."""
    source = DATASET.get(dd, "source")
    if source.get("kind") != "csv":
        return False
    return source.get("linked", "inputs" not in dd and "targets" not in dd)


def read_dataset(dd: dict | None, net: Network, base_dir: str | os.PathLike | None
                 ) -> tuple[Dataset | None, list[str]]:
    """(the dataset or None, problems): structural errors raise FileFormatError; a linked CSV
    that cannot be used is a problem line, not an error."""
    if dd is None:
        return None, []
    g = lambda key: DATASET.get(dd, key)  # noqa: E731 (a local shorthand)
    source = dict(g("source"))
    kind = source["kind"]
    problems: list[str] = []
    if kind == "csv":
        for key in ("path", "input_columns", "target_columns"):
            if key not in source:
                raise FileFormatError(f'a csv source needs "{key}"', "dataset.source")
        full = Path(base_dir or ".") / source["path"]
        source["path"] = str(full.resolve())  # in memory the path is absolute; saving makes it relative
    if is_linked(dd):
        for key in ("inputs", "targets"):
            if key in dd:
                raise FileFormatError(f'a linked csv dataset reads its data from the CSV file; remove "{key}"',
                                      "dataset")
        source["linked"] = True
        x, y, names, problem = _linked_csv(dd, source, net)
        if problem:
            problems.append(problem)
        if x is None:
            return None, problems
        class_names, csv_inputs, csv_targets = names
    else:
        for key in ("inputs", "targets"):
            if key not in dd:
                raise FileFormatError(f'missing key "{key}" (an {kind} dataset holds its data)', "dataset")
        x = table(dd["inputs"], net.n_inputs, "dataset.inputs", "inputs")
        y = table(dd["targets"], net.n_outputs, "dataset.targets", "outputs")
        if len(x) != len(y):
            raise FileFormatError(f"has {len(y)} rows; dataset.inputs has {len(x)}", "dataset.targets")
        class_names, csv_inputs, csv_targets = g("class_names"), [], []
        source.pop("sha256", None)
    for key, n, what in (("input_names", net.n_inputs, "inputs"), ("target_names", net.n_outputs, "outputs")):
        if g(key) and len(g(key)) != n:
            raise FileFormatError(f"has {len(g(key))} names; the network has {count(n, what)}", f"dataset.{key}")
    if class_names is not None and len(class_names) != net.n_outputs and not (
            net.n_outputs == 1 and len(class_names) == 2):
        raise FileFormatError(f"has {len(class_names)} classes; the network has {count(net.n_outputs, 'outputs')}",
                              "dataset.class_names")
    norm = None
    if g("normalization") is not None:
        nd = g("normalization")
        for key in ("offset", "scale"):
            if len(nd[key]) != net.n_inputs:
                raise FileFormatError(f"has {len(nd[key])} values; the network has {count(net.n_inputs, 'inputs')}",
                                      f"dataset.normalization.{key}")
        if 0 in nd["scale"]:
            raise FileFormatError("must not contain 0", "dataset.normalization.scale")
        norm = Normalization(nd["method"], np.array(nd["offset"], dtype=np.float64),
                             np.array(nd["scale"], dtype=np.float64))
    return Dataset(x, y, list(g("input_names") or csv_inputs), list(g("target_names") or csv_targets),
                   g("task"), class_names, norm, g("validation_fraction"), g("split_seed"), source), problems


def _linked_csv(dd: dict, source: dict, net: Network) -> tuple[Any, Any, Any, str | None]:
    """Rows from a linked CSV, encoded as when they were imported; or a problem line."""
    from .csv_import import CsvError, read_csv  # only linked datasets need the reader
    from .safe_read import describe_os_error
    shown = Path(source["path"]).name
    where = f"(linked from {source['path']})"
    try:
        ds = read_csv(source["path"], source["input_columns"], source["target_columns"],
                      task=DATASET.get(dd, "task"), has_header=source.get("has_header", True),
                      delimiter=source.get("delimiter", ","), class_names=DATASET.get(dd, "class_names"))
    except CsvError as e:
        return None, None, None, f"data missing: {shown} cannot be read as it was linked: {e} {where}"
    except OSError as e:
        return None, None, None, f"data missing: cannot read {shown}: {describe_os_error(e)} {where}"
    ds = encode_targets(ds, source.get("target_encoding"))
    if ds.n_inputs != net.n_inputs or ds.n_outputs != net.n_outputs:
        return None, None, None, (f"data missing: {shown} has changed: its chosen columns give {ds.n_inputs} "
                                  f"inputs and {ds.n_outputs} targets; the network has {net.n_inputs} and "
                                  f"{net.n_outputs} {where}")
    problem = None
    old = source.get("sha256")
    new = ds.source.get("sha256")
    if old and new and old != new:
        problem = f"data changed: {shown} differs from when it was linked; using its current rows {where}"
    source["sha256"] = new
    return ds.x, ds.y, (ds.class_names, ds.input_names, ds.target_names), problem


def encode_targets(ds: Dataset, encoding: str | None) -> Dataset:
    """Class targets as one 0/1 column (``binary``, two classes) or one-hot; others unchanged."""
    from dataclasses import replace
    if encoding == "binary" and ds.y.shape[1] == 2:
        return replace(ds, y=ds.y[:, 1:2].copy(), target_names=ds.target_names[1:2])
    return ds


def target_encoding(ds: Dataset) -> str:
    if ds.task != "classification":
        return "numbers"
    return "binary" if ds.y.shape[1] == 1 else "one_hot"


def write_dataset(ds: Dataset, base_dir: str | os.PathLike | None) -> dict:
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
    linked = source.get("kind") == "csv" and source.get("linked") is True
    if source.get("kind") == "csv":
        path = Path(source["path"])
        if base_dir is not None and path.is_absolute():
            try:
                path = Path(os.path.relpath(path, Path(base_dir).resolve()))
            except ValueError:  # another drive on Windows: keep it absolute
                pass
        source["path"] = path.as_posix()
        source["target_encoding"] = target_encoding(ds)
        if linked:
            source["linked"] = True
        else:
            source.pop("linked", None)
            source.pop("sha256", None)
    if not linked:
        d["inputs"] = ds.x.tolist()
        d["targets"] = ds.y.tolist()
    return d
