"""Importing a Dataset from a CSV file: header and delimiter detection, column choice, one-hot
class labels, optional normalisation (fitted on the training rows) and a seeded split.

Rows are numbered as lines of the file (the header is row 1), columns from 1, as a spreadsheet
shows them. A file is either imported whole or refused with a CsvError naming row and column:
nothing is ever half-loaded.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .datasets import Dataset, Normalization, one_hot
from .safe_read import FileTooLarge, check_regular, read_regular_file

MAX_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 10_000
DELIMITERS = (",", ";", "\t", "|")
# progress(fraction) -> False to cancel (raises InterruptedError); None or True to go on
Progress = Callable[[float], "bool | None"]
# shares of the progress bar: reading the bytes, parsing the rows, then the columns one by one
READ_SHARE, PARSED_SHARE = 0.3, 0.6
ROWS_PER_CALL = 5000
MAX_CLASSES_FROM_INTEGERS = 20  # an integer target with at most this many values is a class label
# Plain decimal numbers only: float() would also accept "nan", "inf" and "1_000".
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*\Z")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*\Z")


class CsvError(ValueError):
    """A CSV file that cannot be imported; ``row``/``column`` are 1-based (None if not one place)."""

    def __init__(self, message: str, row: int | None = None, column: int | None = None,
                 column_name: str | None = None) -> None:
        self.row, self.column = row, column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}" + (f" ({column_name})" if column_name else ""))
        super().__init__(", ".join(where) + ": " + message if where else message)


@dataclass(frozen=True)
class CsvInfo:
    """What an import dialog needs to offer column choices."""

    path: Path
    delimiter: str
    has_header: bool
    columns: list[str]  # header names, or "column 1", "column 2", ... without a header
    types: list[str]  # per column: "integer", "number" or "text"
    n_rows: int  # data rows (without the header)
    preview: list[list[str]]  # the first data rows, as text
    distinct: list[int]  # number of distinct values per column
    suggested_inputs: list[int]
    suggested_targets: list[int]
    suggested_task: str
    # Columns that are numbers except for a few cells ("x", "NaN", "1e309"), one line each naming
    # the first such cell: an import dialog shows these instead of silently treating the column
    # as text.
    problems: tuple[str, ...] = ()


@dataclass
class _Table:
    delimiter: str
    has_header: bool
    columns: list[str]
    rows: list[list[str]]
    line_of: list[int]  # file line number of each data row
    sha256: str = ""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = data.rfind(b"\n", 0, e.start) + 1
        row = data.count(b"\n", 0, e.start) + 1
        raise CsvError(f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8", row,
                       data.count(b",", start, e.start) + 1) from None


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    best, best_score = ",", 0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        # a real delimiter appears the same number of times on every line
        score = counts[0] if counts and counts[0] > 0 and len(set(counts)) == 1 else 0
        if score > best_score:
            best, best_score = d, score
    return best


def _is_number(s: str) -> bool:
    return _NUMBER.match(s) is not None


def _guess_header(rows: list[list[str]]) -> bool:
    first = rows[0]
    if len(rows) == 1:
        return not any(map(_is_number, first))
    second = rows[1]
    if any(not _is_number(a) and _is_number(b) for a, b in zip(first, second)):
        return True
    return not any(map(_is_number, first)) and any(map(_is_number, second))


def _tell(progress: Progress | None, fraction: float) -> None:
    if progress is not None and progress(fraction) is False:
        raise InterruptedError("cancelled")


def _read(path: str | os.PathLike, delimiter: str | None, has_header: bool | None,
          progress: Progress | None = None) -> _Table:
    path = Path(path)
    size = check_regular(path)  # a FIFO, a device or a folder is named, never read
    if size > MAX_BYTES:
        raise CsvError(f"the file is {size / 2**20:.0f} MB; at most {MAX_BYTES // 2**20} MB can be imported")
    reading = None if progress is None else (lambda done, total: progress(READ_SHARE * done / max(total, 1)))
    try:
        data = read_regular_file(path, MAX_BYTES, reading)
    except FileTooLarge as e:
        raise CsvError(e.strerror) from None
    text = _decode(data)
    if not text.strip():
        raise CsvError("the file is empty")
    d = delimiter or _sniff_delimiter(text)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    if first_line.count(d) + 1 > MAX_COLUMNS:  # refuse before building a million-cell row
        raise CsvError(f"{first_line.count(d) + 1} columns; at most {MAX_COLUMNS} can be imported",
                       text[:len(text) - len(text.lstrip("\r\n"))].count("\n") + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=d, strict=True)
    rows, lines = [], []
    per_line = (PARSED_SHARE - READ_SHARE) / max(text.count("\n"), 1)
    try:
        for row in reader:
            if progress is not None and len(rows) % ROWS_PER_CALL == 0:
                _tell(progress, READ_SHARE + per_line * reader.line_num)
            if not row or all(not c.strip() for c in row):
                continue  # blank lines are not data
            if len(row) > MAX_COLUMNS:
                raise CsvError(f"{len(row)} columns; at most {MAX_COLUMNS} can be imported", reader.line_num)
            if rows and len(row) != len(rows[0]):
                raise CsvError(f"{len(row)} columns, but row {lines[0]} has {len(rows[0])}", reader.line_num)
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as e:
        raise CsvError(f"not valid CSV ({e})", reader.line_num) from None
    header = _guess_header(rows) if has_header is None else has_header
    if header:
        columns = [c.strip() or f"column {k + 1}" for k, c in enumerate(rows[0])]
        rows, lines = rows[1:], lines[1:]
    else:
        columns = [f"column {k + 1}" for k in range(len(rows[0]))]
    if not rows:
        raise CsvError("the file has a header but no data rows")
    return _Table(d, header, columns, rows, lines, hashlib.sha256(data).hexdigest())


def _column_type(values: Sequence[str]) -> str:
    if all(_INTEGER.match(v) for v in values):
        return "integer"
    return "number" if all(map(_is_number, values)) else "text"


def _guess_task(column_type: str, distinct: int) -> str:
    if column_type == "text" or (column_type == "integer" and distinct <= MAX_CLASSES_FROM_INTEGERS):
        return "classification"
    return "regression"


def sniff_csv(path: str | os.PathLike, delimiter: str | None = None, has_header: bool | None = None,
              preview_rows: int = 10, progress: Progress | None = None) -> CsvInfo:
    """Look at a CSV file: delimiter, header, column names and types, a preview, suggestions.
    ``progress(fraction)`` is called as the file is read and parsed; False cancels
    (InterruptedError)."""
    t = _read(path, delimiter, has_header, progress)
    cols = list(zip(*t.rows))
    types, distinct = [], []
    for k, c in enumerate(cols):  # a large file spends as long here as in the parse
        _tell(progress, PARSED_SHARE + (1.0 - PARSED_SHARE) * k / (2 * len(cols)))
        types.append(_column_type(c))
        distinct.append(len(set(c)))
    target = len(cols) - 1
    inputs = [k for k in range(len(cols)) if k != target and types[k] != "text"]
    return CsvInfo(Path(path), t.delimiter, t.has_header, t.columns, types, len(t.rows),
                   [list(r) for r in t.rows[:preview_rows]], distinct, inputs, [target],
                   _guess_task(types[target], distinct[target]), tuple(_mostly_numbers(t, cols, progress)))


def _mostly_numbers(t: _Table, cols: list[tuple[str, ...]], progress: Progress | None = None) -> list[str]:
    out = []
    for c, values in enumerate(cols):
        _tell(progress, PARSED_SHARE + (1.0 - PARSED_SHARE) * (0.5 + c / (2 * len(cols))))
        ok = [_is_number(v) for v in values]
        if sum(ok) * 2 > len(ok) and not all(ok):  # mostly numbers: the odd cells are mistakes
            k = ok.index(False)
            out.append(str(CsvError(f"{values[k].strip()[:30]!r} is not a number, so the column reads as text",
                                    t.line_of[k], c + 1, t.columns[c])))
            continue
        try:
            if all(ok):
                _numbers(t, c)
        except CsvError as e:
            out.append(str(e))
    return out


def _resolve(cols: Sequence[str | int], names: list[str], what: str) -> list[int]:
    out = []
    for c in cols:
        if isinstance(c, str):
            if c not in names:
                raise CsvError(f"no column named {c!r} for the {what} (columns: {', '.join(names)})")
            out.append(names.index(c))
        elif isinstance(c, (int, np.integer)) and 0 <= c < len(names):
            out.append(int(c))
        else:
            raise CsvError(f"there is no column {c!r} for the {what}; the file has {len(names)} columns")
    if len(set(out)) != len(out):
        raise CsvError(f"a column is chosen twice for the {what}")
    return out


def _numbers(t: _Table, col: int) -> np.ndarray:
    values = [r[col] for r in t.rows]
    for k, v in enumerate(values):
        if not _is_number(v):
            got = "an empty cell" if not v.strip() else repr(v if len(v) <= 30 else v[:27] + "...")
            raise CsvError(f"expected a number, got {got}", t.line_of[k], col + 1, t.columns[col])
    out = np.array([float(v) for v in values], dtype=np.float64)
    if not np.isfinite(out).all():  # "1e309": a plain decimal too large for a float
        k = int(np.flatnonzero(~np.isfinite(out))[0])
        raise CsvError(f"the number {values[k].strip()[:30]} is too large (beyond ±1.8e308)", t.line_of[k],
                       col + 1, t.columns[col])
    return out


def _class_labels(t: _Table, col: int, class_names: Sequence[str] | None) -> tuple[list[str], list[int]]:
    values = [r[col].strip() for r in t.rows]
    if class_names is None:
        uniq = set(values)
        if all(_INTEGER.match(v) for v in uniq):
            class_names = sorted(uniq, key=int)  # numeric order: "10" after "9"
        else:
            class_names = sorted(uniq)
        if len(class_names) < 2:
            raise CsvError(f"only one class ({class_names[0]!r}); classification needs two or more", None,
                           col + 1, t.columns[col])
    index = {c: k for k, c in enumerate(class_names)}
    labels = []
    for k, v in enumerate(values):
        if v not in index:
            raise CsvError(f"class {v!r} is not one of {', '.join(class_names)}", t.line_of[k], col + 1,
                           t.columns[col])
        labels.append(index[v])
    return list(class_names), labels


def read_csv(path: str | os.PathLike, input_columns: Sequence[str | int] | None = None,
             target_columns: Sequence[str | int] | None = None, task: str | None = None,
             normalization: str | None = None, validation_fraction: float = 0.0, seed: int = 0,
             has_header: bool | None = None, delimiter: str | None = None,
             class_names: Sequence[str] | None = None, progress: Progress | None = None) -> Dataset:
    """Import a CSV file as a Dataset.

    Columns are given by header name or 0-based index; by default the last column is the target
    and every other column an input. ``task`` None guesses: a text column, or an integer column
    with at most 20 distinct values, is a class label (one-hot encoded, classes in sorted order
    unless ``class_names`` fixes it); anything else is regression. ``normalization`` ("minmax",
    "zscore" or None) is fitted on the training rows of the ``validation_fraction``/``seed`` split.
    ``progress`` as for ``sniff_csv``.
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError("the validation fraction is at least 0 and less than 1")
    if task not in (None, "classification", "regression"):
        raise ValueError(f"unknown task {task!r} (use 'classification' or 'regression')")
    t = _read(path, delimiter, has_header, progress)
    n_cols = len(t.columns)
    targets = _resolve([n_cols - 1] if target_columns is None else target_columns, t.columns, "targets")
    inputs = (_resolve(input_columns, t.columns, "inputs") if input_columns is not None
              else [k for k in range(n_cols) if k not in targets])
    if not inputs or not targets:
        raise CsvError("choose at least one input column and one target column")
    both = set(inputs) & set(targets)
    if both:
        raise CsvError(f"column {t.columns[min(both)]!r} is chosen as both input and target")
    steps = len(inputs) + len(targets)

    def column(k: int, c: int) -> np.ndarray:
        _tell(progress, PARSED_SHARE + (1.0 - PARSED_SHARE) * k / steps)
        return _numbers(t, c)
    x = np.column_stack([column(k, c) for k, c in enumerate(inputs)])
    if task is None:
        col = [r[targets[0]] for r in t.rows]
        task = _guess_task(_column_type(col), len(set(col))) if len(targets) == 1 else "regression"
    if task == "classification":
        if len(targets) != 1:
            raise CsvError(f"classification needs one target column (the class label), got {len(targets)}")
        names, labels = _class_labels(t, targets[0], class_names)
        y, target_names = one_hot(labels, len(names)), names
    else:
        names = None
        y = np.column_stack([column(len(inputs) + k, c) for k, c in enumerate(targets)])
        target_names = [t.columns[c] for c in targets]
    source = {"kind": "csv", "path": str(Path(path).resolve()), "input_columns": inputs,
              "target_columns": targets, "has_header": t.has_header, "delimiter": t.delimiter,
              "target_encoding": "one_hot" if task == "classification" else "numbers", "sha256": t.sha256}
    ds = Dataset(x, y, [t.columns[c] for c in inputs], target_names, task, names, None,
                 float(validation_fraction), int(seed), source)
    if normalization is not None:
        ds.normalization = Normalization.fit(normalization, x[ds.split_indices()[0]])
    return ds


def read_inputs(path: str | os.PathLike, input_columns: Sequence[str | int] | None = None,
                has_header: bool | None = None, delimiter: str | None = None) -> tuple[list[str], np.ndarray]:
    """Only input columns, for predicting: the named ones, or every column. Returns (names, x)."""
    t = _read(path, delimiter, has_header)
    cols = (_resolve(input_columns, t.columns, "inputs") if input_columns is not None
            else list(range(len(t.columns))))
    return [t.columns[c] for c in cols], np.column_stack([_numbers(t, c) for c in cols])
