"""Where training data comes from: core's bundled generators and CSV import, fitted to the drawn
network's outputs, plus a one-line description for the Training panel."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QLabel, QListWidget, QAbstractItemView, QVBoxLayout,
                               QWidget)

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


def describe(ds: Dataset | None, net) -> str:
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


class CsvImportDialog(QDialog):
    """Choose input and target columns, task, scaling and validation share of a CSV file."""

    def __init__(self, path: str, info, net, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import CSV")
        self.path = path
        self.inputs = QListWidget()
        self.targets = QListWidget()
        columns = list(info.columns)
        for w in (self.inputs, self.targets):
            w.setSelectionMode(QAbstractItemView.MultiSelection)
            w.addItems(columns)
        ins = getattr(info, "suggested_inputs", None) or list(range(len(columns) - 1))
        outs = getattr(info, "suggested_targets", None) or [len(columns) - 1]
        for k in ins:
            self.inputs.item(k).setSelected(True)
        for k in outs:
            self.targets.item(k).setSelected(True)
        self.task = QComboBox()
        self.task.addItems(["classification", "regression"])
        self.task.setCurrentText(getattr(info, "suggested_task", "classification"))
        self.scaling = QComboBox()
        self.scaling.addItem("none", None)
        self.scaling.addItem("min-max", "minmax")
        self.scaling.addItem("z-score", "zscore")
        self.validation = QDoubleSpinBox()
        self.validation.setRange(0, 90)
        self.validation.setSuffix(" %")
        form = QFormLayout()
        form.addRow("Inputs", self.inputs)
        form.addRow("Targets", self.targets)
        form.addRow("Task", self.task)
        form.addRow("Scaling", self.scaling)
        form.addRow("Validation", self.validation)
        note = QLabel(f"{getattr(info, 'n_rows', '?')} rows. The network has {net.n_inputs} inputs and {net.n_outputs} outputs.")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)

    def choice(self) -> dict:
        return {"input_columns": [i.text() for i in self.inputs.selectedItems()],
                "target_columns": [i.text() for i in self.targets.selectedItems()],
                "task": self.task.currentText(), "normalization": self.scaling.currentData(),
                "validation_fraction": self.validation.value() / 100.0}


def import_csv_dialog(parent: QWidget, net) -> Dataset | None:
    """Ask for a file and its columns; errors are shown in the parent's status."""
    try:
        from core.csv_import import CsvError, read_csv, sniff_csv
    except ImportError:
        return None
    path, _ = QFileDialog.getOpenFileName(parent, "Import CSV", "", "CSV files (*.csv);;All files (*)")
    if not path:
        return None
    try:
        dlg = CsvImportDialog(path, sniff_csv(path), net, parent)
        if dlg.exec() != QDialog.Accepted:
            return None
        c = dlg.choice()
        ds = read_csv(path, c["input_columns"], c["target_columns"], c["task"], c["normalization"],
                      c["validation_fraction"], 0)
    except (CsvError, OSError, ValueError) as exc:
        if hasattr(parent, "status"):
            parent.status.setText(f"Cannot import: {exc}")
        return None
    return fit_targets(ds, net.n_outputs)
