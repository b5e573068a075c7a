"""Files: New, Open, Save, Save As, recent files, examples, the unsaved-changes prompt, autosave
to this window's own recovery file (app/recovery.py) while modified or training, and the start-up
choice of what to open.

Reading and writing is core.fileio's (atomic save, one-line FileFormatError messages); a file that
cannot be opened leaves the current document untouched. Opening runs off the GUI thread with a
progress dialog (app/loading.py); so does writing the recovery file, from a copy of the work.
"""
from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QWidget

from core.fileio import FileFormatError
from core.project import History, Project

from . import recovery
from .dialogs import prompts
from .dialogs.new_network import NewNetworkDialog
from .document import Document
from .loading import LoadCancelled, load_with_progress, special_file_problem

AUTOSAVE_SECONDS = 30.0
MAX_RECENT = 10
FIRST_EXAMPLE = "textbook-2-2-2"
EXTENSION = ".bpnet"


def data_dir() -> Path:
    """Where recovery files live (BACKPROP_STUDIO_DATA_DIR overrides, for tests)."""
    override = os.environ.get("BACKPROP_STUDIO_DATA_DIR")
    return Path(override) if override else Path(
        QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))


def recovery_dir() -> Path:
    return data_dir() / "recovery"


def autosave_ms() -> int:
    """The autosave interval (BACKPROP_STUDIO_AUTOSAVE_SECONDS overrides, for crash tests)."""
    try:
        seconds = float(os.environ.get("BACKPROP_STUDIO_AUTOSAVE_SECONDS", AUTOSAVE_SECONDS))
    except ValueError:
        seconds = AUTOSAVE_SECONDS
    return max(int(seconds * 1000), 100)


def examples() -> list:
    try:
        from core.resources import examples as list_examples
        return list_examples()
    except (ImportError, OSError):
        return []


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class FileController(QObject):
    recent_changed = Signal()
    status_message = Signal(str)
    autosave_status = Signal(str)  # why autosave fails, or "" once it works (again)
    _autosave_written = Signal()  # from the writer thread; queued to this (GUI-thread) object

    def __init__(self, window: QWidget, document: Document) -> None:
        super().__init__(window)
        self.window, self.doc = window, document
        self.recovery = recovery.RecoverySlot(recovery_dir())
        self.autosave_error = ""
        self._writer: threading.Thread | None = None
        self._written: str | None = None  # the last write's failure, "" when it worked
        self._autosave_written.connect(self._on_autosave_written)
        self._run_snapshot = None  # the training controller's autosave_snapshot, once attached
        self._training_running = lambda: False
        self.loading = False
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_ms())
        self.autosave_timer.timeout.connect(self.autosave)
        document.modified_changed.connect(self._update_autosave)
        hooks = getattr(window, "close_requested_hooks", None)
        if hooks is not None:
            hooks.append(lambda: not self.loading)

    def attach_training(self, controller) -> None:
        """Autosave also while a run lasts, from the run's newest reported state."""
        self._run_snapshot = controller.autosave_snapshot
        self._training_running = lambda: controller.running
        controller.state_changed.connect(self._update_autosave)

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

    def read(self, path: str | os.PathLike) -> Project | None:
        """Read ``path`` with a progress dialog; on failure say why (one line) and return None."""
        path = Path(path)
        if self.loading:  # e.g. a file handed to the running app while another one opens
            self.status_message.emit(f"Still opening another file; {path.name} was not opened")
            return None
        problem = special_file_problem(path)
        if problem:
            prompts.show_error(self.window, "Cannot open file", problem)
            return None
        self.loading = True
        try:
            return load_with_progress(self.window, path)
        except LoadCancelled:
            self.status_message.emit(f"Opening {path.name} was cancelled; nothing changed")
        except FileFormatError as exc:
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {exc}")
        except OSError as exc:
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {exc.strerror or exc}")
        except (ValueError, MemoryError, RecursionError) as exc:  # checks the format did not make
            reason = str(exc) or type(exc).__name__
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {_one_line(reason)}")
        except Exception as exc:  # a reader bug must cost the user this file, never the window
            reason = f"unexpected {type(exc).__name__}: {exc}"
            prompts.show_error(self.window, "Cannot open file", f"{path.name}: {_one_line(reason)}")
        finally:
            self.loading = False
        return None

    def load(self, path: str | os.PathLike, *, as_copy: bool = False) -> bool:
        """Read ``path`` into the document; on failure show why and change nothing."""
        path = Path(path)
        project = self.read(path)
        if project is None:
            return False
        if as_copy:
            project.title = project.title or path.stem
            self.doc.replace_project(project, None)
        else:
            self.doc.replace_project(project, path)
            self._remember(path)
        self._report_problems(path, project)
        return True

    def _report_problems(self, path: Path, project: Project) -> None:
        """A file that opened with something missing (a linked CSV) says so, once."""
        problems = list(getattr(project, "problems", None) or [])
        if not problems:
            return
        self.status_message.emit(f"{path.name}: {problems[0]}")
        prompts.show_warning(self.window, "Opened with problems",
                             f"{path.name} opened with its network and history, but:\n"
                             + "\n".join(f"• {p}" for p in problems))

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
        """Save; during a training run, the run as at its last report (weights and history that
        belong together), not the live view's newer weights without their history."""
        from core.fileio import save_project
        snapshot = self._run_snapshot() if self._run_snapshot is not None else None
        try:
            save_project(snapshot or self.doc.project, path)
        except (OSError, ValueError) as exc:
            prompts.show_error(self.window, "Cannot save file", f"{path.name}: {exc}")
            return False
        self.doc.mark_saved(path)
        self._remember(path)
        self.discard_recovery()
        return True

    # ----------------------------------------------------------------- autosave
    def _update_autosave(self, *_: object) -> None:
        """The timer runs while there is something to lose: unsaved edits or a training run."""
        if self.doc.modified or self._training_running():
            if not self.autosave_timer.isActive():
                self.autosave_timer.start()
        else:
            self.autosave_timer.stop()
            self._set_autosave_error("")

    def autosave(self, wait: bool = False) -> bool:
        """Write this window's recovery file from a copy of the work, on a thread, so a large
        network does not stall the window. False when there is nothing to save, a write is
        still going, or (``wait``) the write failed; a failure is shown and the timer retries."""
        if self._writer is not None and self._writer.is_alive():
            if not wait:
                return False
            self._writer.join()
        snapshot = self._run_snapshot() if self._run_snapshot is not None else None
        if snapshot is not None:
            project = snapshot
            last = snapshot.history[-1].epoch if snapshot.history else 0
            note = f"training at epoch {last:,}"
        elif self.doc.modified:
            # edits change the network and history in place: the thread gets its own copies
            project = replace(self.doc.project, network=self.doc.network.copy(),
                              history=History(self.doc.project.history))
            note = f"trained to epoch {project.history[-1].epoch:,}" if project.history else ""
        else:
            return False
        origin, slot = self.doc.path, self.recovery

        def write() -> None:
            try:
                slot.write(project, origin, note)
                self._written = ""
            except Exception as exc:  # reported in the status bar, whatever it is; retried
                self._written = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            self._autosave_written.emit()

        self._written = None
        self._writer = threading.Thread(target=write, name="autosave", daemon=True)
        self._writer.start()
        if wait:
            self._writer.join()
            self._on_autosave_written()
            return self.autosave_error == ""
        return True

    def _on_autosave_written(self) -> None:
        reason, self._written = self._written, None
        if reason is None:  # already handled (a waiting caller got here first)
            return
        if reason:
            seconds = self.autosave_timer.interval() / 1000
            self._set_autosave_error(f"Autosave failed ({reason}); trying again every {seconds:g} s")
        else:
            self._set_autosave_error("")

    def _join_writer(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._on_autosave_written()

    def _set_autosave_error(self, text: str) -> None:
        if text != self.autosave_error:
            was_failing = bool(self.autosave_error)
            self.autosave_error = text
            self.autosave_status.emit(text)
            if was_failing and not text:
                self.status_message.emit("Autosave works again")

    def discard_recovery(self) -> None:
        """The work is saved or dropped: this window's recovery file goes (others' never)."""
        self._join_writer()
        self.recovery.discard()

    def close_recovery(self) -> None:
        """The window closes cleanly: its recovery file and lock go."""
        self.autosave_timer.stop()
        self._join_writer()
        self.recovery.release()

    def offer_recovery(self) -> bool:
        """After a crash: offer each recovery file whose window is gone. True if one was restored
        into this window; files the user keeps stay for a later start."""
        orphans = recovery.find_orphans(data_dir(), recovery_dir())
        restored = False
        for k, orphan in enumerate(orphans):
            if restored:
                orphan.keep()
                continue
            answer = prompts.ask_recovery(self.window, orphan.describe(), len(orphans) - k - 1)
            if answer == "restore":
                restored = self._restore(orphan)
            elif answer == "discard":
                orphan.discard()
            else:
                orphan.keep()
        rest = sum(1 for o in orphans if o.id != self.recovery.id and o.path.exists())
        if restored and rest:
            self.status_message.emit(f"{rest} more autosaved network{'s' if rest > 1 else ''} "
                                     "will be offered at the next start")
        return restored

    def _restore(self, orphan: recovery.Orphan) -> bool:
        try:
            project = load_with_progress(self.window, orphan.path)
        except Exception as exc:  # any reason at all: the file is kept aside, never lost
            damaged = orphan.path.with_name(orphan.path.name + ".damaged")
            try:
                os.replace(orphan.path, damaged)
            except OSError:
                damaged = orphan.path
            orphan.keep()
            prompts.show_error(self.window, "Cannot restore",
                               f"The recovery file cannot be read ({exc}); it was kept as {damaged}")
            return False
        self._join_writer()
        self.doc.replace_project(project, orphan.origin, modified=True)
        self.recovery.adopt(orphan)
        return True

    # ----------------------------------------------------------------- start-up
    def startup(self, path: str | None = None) -> None:
        """After a crash, offer the recovery files; then the file from the command line, else the
        last file, else (first start, or the last file is gone) the textbook example."""
        if self.offer_recovery():
            return
        if path and self.load(path):
            return
        settings = QSettings()
        first = not settings.value("app/started", False, bool)
        settings.setValue("app/started", True)
        last = settings.value("files/last", "")
        if not first and last and Path(str(last)).is_file() and self.load(str(last)):
            return
        for ex in examples():
            if ex.name == FIRST_EXAMPLE:
                self.load(ex.path, as_copy=True)
                return
