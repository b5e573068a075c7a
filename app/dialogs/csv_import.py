"""The Import CSV dialog: input and target columns, task, target encoding, scaling, validation
share, and whether the network file embeds the rows (the default) or links to the CSV.

OK reads the file with the choices made (core.csv_import.read_csv); a cell that is not a number
keeps the dialog open and names its row and column, so no column is ever dropped silently.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFormLayout, QLabel, QListWidget, QVBoxLayout,
                               QWidget)

from core.csv_import import CsvError, CsvInfo, read_csv
from core.dataset_io import encode_targets
from core.datasets import Dataset

from ..loading import run_with_progress

ENCODINGS = {"one_hot": "one output per class (one-hot)",
             "binary": "one 0/1 output (two classes)",
             "numbers": "the numbers as they are"}
def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


LINK_TEXT = "Link to the CSV file instead of storing the data in the network file (for large data)"


class CsvImportDialog(QDialog):
    def __init__(self, path: str, info: CsvInfo, net, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import CSV")
        self.path, self.info, self.net = path, info, net
        self.dataset: Dataset | None = None
        columns = list(info.columns)
        self.inputs, self.targets = QListWidget(), QListWidget()
        for w in (self.inputs, self.targets):
            w.setSelectionMode(QAbstractItemView.MultiSelection)
            w.addItems(columns)
            w.setMaximumHeight(120)
        target = info.suggested_targets[0] if info.suggested_targets else len(columns) - 1
        # Every other column is an input: a column with a stray "x" or "NaN" is offered too, so
        # OK names the bad cell instead of the column quietly disappearing.
        for k in range(len(columns)):
            self.inputs.item(k).setSelected(k != target)
        self.targets.item(target).setSelected(True)
        self.task = QComboBox()
        self.task.addItems(["classification", "regression"])
        self.task.setCurrentText(info.suggested_task)
        self.encoding = QComboBox()
        self.scaling = QComboBox()
        self.scaling.addItem("none", None)
        self.scaling.addItem("min-max", "minmax")
        self.scaling.addItem("z-score", "zscore")
        self.validation = QDoubleSpinBox()
        self.validation.setRange(0, 90)
        self.validation.setSuffix(" %")
        self.link = QCheckBox(LINK_TEXT)
        self.link.setChecked(False)
        self.link.setToolTip("Unchecked, the file carries its data and opens anywhere on its own. "
                             "Checked, it keeps only the CSV's path: moving the network without the "
                             "CSV leaves it without data.")
        form = QFormLayout()
        form.addRow("Inputs", self.inputs)
        form.addRow("Targets", self.targets)
        form.addRow("Task", self.task)
        form.addRow("Target encoding", self.encoding)
        form.addRow("Scaling", self.scaling)
        form.addRow("Validation", self.validation)
        text_columns = [c for k, (c, t) in enumerate(zip(columns, info.types))
                        if t == "text" and k != target]
        note = (f"{_count(info.n_rows, 'row')}. The network has {_count(net.n_inputs, 'input')} "
                f"and {_count(net.n_outputs, 'output')}.")
        if text_columns:
            note += (" Not only numbers in " + ", ".join(text_columns) +
                     ": OK names the first cell that is not a number; leave the column out "
                     "if it is not an input.")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("CsvImportError")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.link)
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.task.currentTextChanged.connect(self._fill_encodings)
        self._fill_encodings()

    def _fill_encodings(self, *_: object) -> None:
        """Classification: one-hot, or one 0/1 output for two classes (chosen when the network
        has one output); regression: the numbers."""
        self.encoding.clear()
        if self.task.currentText() == "classification":
            for key in ("one_hot", "binary"):
                self.encoding.addItem(ENCODINGS[key], key)
            target = self.targets.selectedItems()
            col = self.targets.row(target[0]) if target else -1
            two = 0 <= col < len(self.info.distinct) and self.info.distinct[col] == 2
            self.encoding.setCurrentIndex(1 if two and self.net.n_outputs == 1 else 0)
        else:
            self.encoding.addItem(ENCODINGS["numbers"], "numbers")
        self.encoding.setEnabled(self.encoding.count() > 1)

    def choice(self) -> dict:
        def chosen(w: QListWidget) -> list[str]:
            return [w.item(k).text() for k in range(w.count()) if w.item(k).isSelected()]
        return {"input_columns": chosen(self.inputs), "target_columns": chosen(self.targets),
                "task": self.task.currentText(), "target_encoding": self.encoding.currentData(),
                "normalization": self.scaling.currentData(),
                "validation_fraction": self.validation.value() / 100.0,
                "linked": self.link.isChecked()}

    def read(self) -> Dataset:
        """The dataset the choices describe; CsvError (row and column) or OSError if it cannot be,
        InterruptedError if the user cancelled. Read on a thread behind a progress dialog."""
        c = self.choice()
        ds = run_with_progress(self, f"Importing {Path(self.path).name}", "Import CSV", lambda progress: read_csv(
            self.path, c["input_columns"], c["target_columns"], c["task"], c["normalization"],
            c["validation_fraction"], 0, has_header=self.info.has_header, delimiter=self.info.delimiter,
            progress=progress))
        if c["target_encoding"] == "binary":
            if ds.y.shape[1] != 2:
                raise CsvError(f"one 0/1 output needs exactly two classes; the target has {ds.y.shape[1]}")
            ds = encode_targets(ds, "binary")
        ds.source["target_encoding"] = c["target_encoding"]
        if not np.isfinite(ds.x).all() or not np.isfinite(ds.y).all():
            raise CsvError("the file holds a number too large for a float")
        source = dict(ds.source)
        if c["linked"]:
            source["linked"] = True
        else:
            source.pop("linked", None)
        return replace(ds, source=source)

    def accept(self) -> None:
        try:
            self.dataset = self.read()
        except InterruptedError:
            self.error.setText("Import cancelled: nothing was imported")
            self.error.show()
            return
        except (CsvError, OSError, ValueError) as exc:
            self.error.setText(f"Cannot import: {exc}")
            self.error.show()
            return
        super().accept()
