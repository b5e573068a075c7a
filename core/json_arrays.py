"""Fast reading of the large number matrices in a .bpnet file (``blocks[k].weights``,
``dataset.inputs``/``targets``): numpy parses them straight from the file's bytes, and only the
small rest of the document goes through ``json.loads``.

``json.loads`` makes a Python float (24 bytes plus an 8-byte list slot) for every number, so a
180 MB file of weights took 26 s and 2.2 GB; numpy needs 8 bytes a number and a tenth of the time.
The fast path is only an optimisation: any matrix it is unsure of (ragged rows, values that are
not finite, anything numpy stops at) is handed back as its original text and goes the normal way,
so every message a damaged file gets stays what it was.
"""
from __future__ import annotations

import re
import secrets
import warnings
from typing import Any, Callable

import numpy as np

MIN_BYTES = 64 * 1024  # smaller matrices are not worth a placeholder
KEYS = (b'"weights"', b'"inputs"', b'"targets"')
# Where a matrix may stand (path from the root; "*" = any list index). Version 1 kept data in "data".
PLACES = {("blocks", "*", "weights"), ("dataset", "inputs"), ("dataset", "targets"),
          ("data", "inputs"), ("data", "targets")}
NULLABLE = {"weights"}
_AFTER_KEY = re.compile(rb"\s*:\s*\[\s*\[")
_BODY = re.compile(rb"[-+0-9.eE,\s\[\]nul]*")
_BRACKETS_TO_SPACES = bytes.maketrans(b"[]", b"  ")


class Matrix:
    """A matrix found by ``extract``: its text, parsed on demand."""

    def __init__(self, text: bytes, key: str) -> None:
        self.text = text
        self.key = key

    def parse(self) -> np.ndarray | None:
        """The rows as a float array (null as NaN where the key allows it), or None when the text
        needs the ordinary JSON reader."""
        t = self.text
        b = np.frombuffer(t, dtype=np.uint8)
        brackets = np.flatnonzero((b == 91) | (b == 93))  # '[' and ']'
        kinds = b[brackets]
        if len(kinds) < 4 or len(kinds) % 2 or kinds[0] != 91 or kinds[-1] != 93:
            return None
        inner = kinds[1:-1].reshape(-1, 2)
        if not ((inner[:, 0] == 91).all() and (inner[:, 1] == 93).all()):
            return None  # deeper nesting or unbalanced: not a plain matrix
        opens, closes = brackets[1:-1:2], brackets[2:-1:2]
        commas = np.flatnonzero(b == 44)
        per_row = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
        n_rows = len(opens)
        if n_rows == 0 or (per_row != per_row[0]).any():
            return None
        del b, brackets, commas
        body = t[brackets_span(t)].translate(_BRACKETS_TO_SPACES)
        has_null = b"n" in body
        if has_null:
            if self.key not in NULLABLE:
                return None
            body = body.replace(b"null", b"nan")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                values = np.fromstring(body, dtype=np.float64, sep=",")
            except (ValueError, DeprecationWarning):
                return None
        if values.size != n_rows * (int(per_row[0]) + 1) or np.isinf(values).any():
            return None  # a malformed number, an empty row, or overflow: let json name it
        if not has_null and np.isnan(values).any():
            return None
        return values.reshape(n_rows, -1)


def brackets_span(t: bytes) -> slice:
    return slice(t.index(b"[") + 1, t.rindex(b"]"))


def extract(data: bytes | bytearray,
            progress: Callable[[float], None] | None = None) -> tuple[bytes | bytearray, dict[str, Matrix]]:
    """Replace each large number matrix under a known key by a placeholder string. Returns the
    shortened text and the placeholders' matrices."""
    found: list[tuple[int, int, str]] = []
    for key in KEYS:
        pos = data.find(key)
        while pos >= 0:
            m = _AFTER_KEY.match(data, pos + len(key))
            if m is not None:
                start = m.end() - 1
                start = data.rindex(b"[", 0, start)  # the outer bracket
                end = _BODY.match(data, m.end()).end()
                end = data.rfind(b"]", start, end) + 1
                if end - start >= MIN_BYTES:
                    found.append((start, end, key.strip(b'"').decode()))
                pos = data.find(key, max(end, pos + 1))
            else:
                pos = data.find(key, pos + 1)
    if not found:
        return data, {}
    found.sort()
    token = secrets.token_hex(6)
    parts, matrices, last = [], {}, 0
    for k, (start, end, key) in enumerate(found):
        if start < last:  # overlapping finds cannot happen in valid JSON; be safe anyway
            continue
        name = f"\u0000bpnet-matrix:{token}:{k}"
        parts += [data[last:start], b'"\\u0000bpnet-matrix:' + token.encode() + b":" + str(k).encode() + b'"']
        matrices[name] = Matrix(bytes(data[start:end]), key)
        last = end
        if progress is not None:
            progress(end / len(data))
    parts.append(data[last:])
    return b"".join(parts), matrices


def substitute(doc: Any, matrices: dict[str, Matrix], load_text: Callable[[bytes], Any],
               progress: Callable[[float], None] | None = None) -> Any:
    """Put each matrix back into the parsed ``doc``: as an array where a matrix belongs and it
    parses cleanly, otherwise as what ``load_text`` (the ordinary JSON reader) makes of its text."""
    if not matrices:
        return doc
    total = sum(len(m.text) for m in matrices.values())
    done = 0
    stack: list[tuple[Any, tuple]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            sub = path + (key if isinstance(key, str) else "*",)
            if isinstance(value, str) and value in matrices:
                m = matrices[value]
                arr = m.parse() if sub in PLACES else None
                node[key] = arr if arr is not None else load_text(m.text)
                done += len(m.text)
                if progress is not None:
                    progress(done / total)
            elif isinstance(value, (dict, list)):
                stack.append((value, sub))
    return doc
