"""Files: New, Open, Save, Save As, recent files, examples, the unsaved-changes prompt, autosave
to a recovery file every 30 s while modified, and the start-up choice of what to open.

Reading and writing is core.fileio's (atomic save, one-line FileFormatError messages); a file that
cannot be opened leaves the current document untouched.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QWidget

from core.fileio import FileFormatError, load_project, save_project
from core.project import Project

from .dialogs import prompts
from .dialogs.new_network import NewNetworkDialog
from .document import Document

AUTOSAVE_MS = 30_000
MAX_RECENT = 10
FIRST_EXAMPLE = "textbook-2-2-2"
EXTENSION = ".bpnet"


def data_dir() -> Path:
    """Where the recovery file lives (BACKPROP_STUDIO_DATA_DIR overrides, for tests)."""
    override = os.environ.get("BACKPROP_STUDIO_DATA_DIR")
    folder = Path(override) if override else Path(
        QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recovery_path() -> Path:
    return data_dir() / f"recovery{EXTENSION}"


def examples() -> list:
    try:
        from core.resources import examples as list_examples
        return list_examples()
    except (ImportError, OSError):
        return []


class FileController(QObject):
    recent_changed = Signal()

    def __init__(self, window: QWidget, document: Document) -> None:
        super().__init__(window)
        self.window, self.doc = window, document
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        document.modified_changed.connect(self._on_modified_changed)

    # ----------------------------------------------------------------- settings
    def recent_files(self) -> list[str]:
        value = QSettings().value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember(self, path: Path) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_files() if p != path]
        settings = QSettings()
        settings.setValue("files/recent", [path] + recent[: MAX_RECENT - 1])
        settings.setValue("files/last", path)
        self.recent_changed.emit()

    def clear_recent(self) -> None:
        QSettings().setValue("files/recent", [])
        self.recent_changed.emit()

    def _folder(self) -> str:
        if self.doc.path is not None:
            return str(self.doc.path.parent)
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    # ----------------------------------------------------------------- commands
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unmodified)."""
        if not self.doc.modified:
            return True
        answer = prompts.ask_save_changes(self.window, self.doc.display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        dialog = NewNetworkDialog(self.window)
        try:
            if not prompts.run_dialog(dialog):
                return False
            try:
                net = dialog.network()
            except ValueError as exc:
                prompts.show_error(self.window, "New network", str(exc))
                return False
        finally:
            dialog.deleteLater()
        self.doc.replace_project(Project(net))
        QSettings().remove("files/last")
        return True

    def open(self, path: str | os.PathLike | None = None) -> bool:
        if path is None:
            path = prompts.get_open_path(self.window, self._folder())
            if not path:
                return False
        if not self.maybe_save():
            return False
        return self.load(path)

    def load(self, path: str | os.PathLike, *, as_copy: bool = False) -> bool:
        """Read ``path`` into the document; on failure show why and change nothing."""
        path = Path(path)
        try:
            project = load_project(path)
        except FileFormatError as exc:
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {exc}")
            return False
        except OSError as exc:
            prompts.show_error(self.window, "Cannot open file",
                               f"{path.name}: {exc.strerror or exc}")
            return False
        except ValueError as exc:  # a model-level check the format did not catch
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {exc}")
            return False
        if as_copy:
            project.title = project.title or path.stem
            self.doc.replace_project(project, None)
        else:
            self.doc.replace_project(project, path)
            self._remember(path)
        return True

    def open_example(self, name: str) -> bool:
        for ex in examples():
            if ex.name == name:
                if not self.maybe_save():
                    return False
                return self.load(ex.path, as_copy=True)
        prompts.show_error(self.window, "Examples", f"There is no example named {name}.")
        return False

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        suggestion = str(Path(self._folder()) / (self.doc.display_name().replace(" ", "-")))
        if not suggestion.endswith(EXTENSION):
            suggestion += EXTENSION
        path = prompts.get_save_path(self.window, suggestion)
        if not path:
            return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(EXTENSION)
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            save_project(self.doc.project, path)
        except (OSError, ValueError) as exc:
            prompts.show_error(self.window, "Cannot save file", f"{path.name}: {exc}")
            return False
        self.doc.mark_saved(path)
        self._remember(path)
        self.discard_recovery()
        return True

    # ----------------------------------------------------------------- recovery
    def _on_modified_changed(self, modified: bool) -> None:
        if modified:
            if not self.autosave_timer.isActive():
                self.autosave_timer.start()
        else:
            self.autosave_timer.stop()

    def autosave(self) -> bool:
        if not self.doc.modified:
            return False
        try:
            save_project(self.doc.project, recovery_path())
            meta = {"path": str(self.doc.path) if self.doc.path else None, "time": time.time()}
            (data_dir() / "recovery.json").write_text(json.dumps(meta), encoding="utf-8")
        except (OSError, ValueError):
            return False
        return True

    def discard_recovery(self) -> None:
        for name in (recovery_path().name, "recovery.json"):
            try:
                (data_dir() / name).unlink()
            except FileNotFoundError:
                pass

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the autosaved work. True if restored."""
        rec = recovery_path()
        if not rec.exists():
            return False
        try:
            meta = json.loads((data_dir() / "recovery.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        origin = meta.get("path")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(meta.get("time", rec.stat().st_mtime)))
        what = Path(origin).name if origin else "an unsaved network"
        if not prompts.ask_yes_no(self.window, "Restore unsaved work?",
                                  f"Backprop Studio did not close normally. Restore your unsaved "
                                  f"changes to {what} (autosaved {when})?"):
            self.discard_recovery()
            return False
        try:
            project = load_project(rec)
        except (FileFormatError, OSError, ValueError) as exc:
            prompts.show_error(self.window, "Cannot restore", f"The recovery file is damaged: {exc}")
            self.discard_recovery()
            return False
        self.doc.replace_project(project, Path(origin) if origin else None, modified=True)
        return True

    # ----------------------------------------------------------------- start-up
    def startup(self, path: str | None = None) -> None:
        """After a crash, offer the recovery file; then the file from the command line, else the
        last file, else (first start, or the last file is gone) the textbook example."""
        if self.offer_recovery():
            return
        if path and self.load(path):
            return
        settings = QSettings()
        first = not settings.value("app/started", False, bool)
        settings.setValue("app/started", True)
        last = settings.value("files/last", "")
        if not first and last and Path(str(last)).exists() and self.load(str(last)):
            return
        for ex in examples():
            if ex.name == FIRST_EXAMPLE:
                self.load(ex.path, as_copy=True)
                return
