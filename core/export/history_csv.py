"""The loss history as CSV: one row per recorded epoch, for a spreadsheet or a worksheet."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..project import Project
from . import ExportError, Exporter, register

COLUMNS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy")


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    if not project.history:
        raise ExportError("the network has no training history yet (train it first)")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for h in project.history:
            w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v
                        for v in (getattr(h, c) for c in COLUMNS)])


register(Exporter("csv", ".csv", "the loss history, one row per epoch", write))
