"""Where training data comes from: core's bundled generators and CSV import, fitted to the drawn
network's outputs, plus a one-line description for the Training panel."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QWidget

from core.datasets import Dataset

def _generators() -> dict:
    try:
        from core.generators import GENERATORS
    except ImportError:
        return {}
    return GENERATORS


def generator_names() -> list[tuple[str, str]]:
    return [(key, getattr(g, "label", key)) for key, g in _generators().items()]


def generator_defaults(key: str) -> tuple[int, float]:
    g = _generators()[key]
    return int(getattr(g, "n_samples", 200)), float(getattr(g, "noise", 0.05))


def fit_targets(ds: Dataset, n_outputs: int) -> Dataset:
    """Two-class data as one 0/1 output or as one-hot, whichever the network has."""
    y = ds.y
    if y.shape[1] == n_outputs:
        return ds
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    if binary and y.shape[1] == 2 and n_outputs == 1:
        return replace(ds, y=y[:, 1:2].copy(), target_names=ds.target_names[1:2])
    if binary and y.shape[1] == 1 and n_outputs == 2:
        return replace(ds, y=np.column_stack([1.0 - y[:, 0], y[:, 0]]), target_names=[])
    return ds


def generate(key: str, n_samples: int, noise: float, seed: int, net, validation: float) -> Dataset:
    ds = _generators()[key](n_samples, noise, seed)
    ds = fit_targets(ds, net.n_outputs)
    return replace(ds, validation_fraction=validation)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def describe(ds: Dataset | None, net, problems: list[str] | tuple = ()) -> str:
    if ds is None and problems:  # e.g. a linked CSV that is gone: say so, not "no data yet"
        reasons = [p.removeprefix("data missing: ") for p in problems]
        return ("<b>The data is missing:</b> " + "; ".join(reasons) +
                ". Import the CSV again, or generate a data set.")
    if ds is None:
        return "No data yet: generate a data set, import a CSV file, or click the map to add points."
    tr, va = ds.split_indices()
    text = (f"{_count(len(ds), 'example')} ({len(tr)} training, {len(va)} validation), {ds.task}, "
            f"{_count(ds.x.shape[1], 'input')} → {_count(ds.y.shape[1], 'target')}")
    if ds.normalization is not None:
        text += f", inputs scaled ({ds.normalization.method})"
    problems = []
    if ds.x.shape[1] != net.n_inputs:
        problems.append(f"the network has {net.n_inputs} inputs")
    if ds.y.shape[1] != net.n_outputs:
        problems.append(f"the network has {net.n_outputs} outputs")
    if problems:
        text += ". <b>Does not fit:</b> " + "; ".join(problems)
    return text


def import_csv_dialog(parent: QWidget, net) -> Dataset | None:
    """Ask for a CSV file and its columns (app/dialogs/csv_import.py). A file that cannot be read
    is named with the reason in the parent's status line; the dataset is returned as imported."""
    from core.csv_import import CsvError, sniff_csv

    from ..dialogs import prompts
    from ..dialogs.csv_import import CsvImportDialog
    from ..loading import run_with_progress, special_file_problem

    doc_path = getattr(getattr(parent, "document", None), "path", None)
    path = prompts.get_csv_path(parent, str(doc_path.parent) if doc_path else "")
    if not path:
        return None
    problem = special_file_problem(path)
    name = Path(path).name
    try:
        if problem:
            raise CsvError(problem)
        # read on a thread behind a cancellable progress dialog: a large CSV froze the window
        info = run_with_progress(parent, f"Reading {name}", "Import CSV",
                                 lambda progress: sniff_csv(path, progress=progress))
        dialog = CsvImportDialog(path, info, net, parent)
    except InterruptedError:
        _say(parent, f"Reading {name} was cancelled; nothing changed")
        return None
    except (CsvError, OSError, ValueError) as exc:
        _say(parent, f"Cannot import {Path(path).name}: {getattr(exc, 'strerror', None) or exc}")
        return None
    status = getattr(parent, "status", None)
    if status is not None:
        status.setText("")  # an earlier import's message no longer applies
    try:
        if not prompts.run_dialog(dialog):
            return None
        return dialog.dataset
    finally:
        dialog.deleteLater()


def _say(parent: QWidget, text: str) -> None:
    status = getattr(parent, "status", None)
    if status is not None:
        status.setText(text)
    window = parent.window() if parent is not None else None
    if window is not None and hasattr(window, "show_status"):
        window.show_status(text)
