"""Every modal question the app asks, in one module, so tests replace them (monkeypatch) instead
of blocking in ``exec``. Callers always look them up as ``prompts.name(...)``."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

FILE_FILTER = "Backprop Studio networks (*.bpnet *.json);;All files (*)"


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """'save', 'discard' or 'cancel'."""
    box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                      f"Save the changes to {name} before closing it?",
                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, parent)
    box.setDefaultButton(QMessageBox.Save)
    answer = box.exec()
    return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.Yes


def ask_recovery(parent: QWidget | None, what: str, more: int = 0) -> str:
    """After a crash: 'restore', 'discard' or 'keep' (offer it again at a later start)."""
    text = f"Backprop Studio did not close normally. Restore your unsaved work on {what}?"
    if more:
        text += f"\n\n({more} more autosaved network{'s' if more > 1 else ''} after this one.)"
    box = QMessageBox(QMessageBox.Question, "Restore unsaved work?", text, QMessageBox.NoButton, parent)
    restore = box.addButton("Restore", QMessageBox.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.DestructiveRole)
    box.addButton("Keep for later", QMessageBox.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    return "restore" if clicked is restore else "discard" if clicked is discard else "keep"


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def get_open_path(parent: QWidget | None, folder: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open network", folder, FILE_FILTER)
    return path or None


def get_csv_path(parent: QWidget | None, folder: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import CSV", folder,
                                          "CSV files (*.csv *.txt *.tsv);;All files (*)")
    return path or None


def get_save_path(parent: QWidget | None, suggestion: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save network as", suggestion, FILE_FILTER)
    return path or None


def get_double(parent: QWidget | None, title: str, label: str, value: float = 0.0) -> float | None:
    v, ok = QInputDialog.getDouble(parent, title, label, value, -1e9, 1e9, 6)
    return v if ok else None


def get_int(parent: QWidget | None, title: str, label: str, value: int, lo: int = 1,
            hi: int = 100000) -> int | None:
    v, ok = QInputDialog.getInt(parent, title, label, value, lo, hi)
    return v if ok else None


def get_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    v, ok = QInputDialog.getText(parent, title, label, text=text)
    return v if ok else None


def run_dialog(dialog) -> bool:
    """Show a dialog modally; True when accepted."""
    return bool(dialog.exec())
