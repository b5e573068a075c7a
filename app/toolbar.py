"""The main toolbar: three groups of icons with short fixed labels that never move.

A (icons only): Open, Save, Undo, Redo.  B: Reset, Train/Pause (one button, fixed width), Step,
Step-through.  The readout (epoch and loss, the numbers a class watches).  C: Fit, Map, Present.
The Undo text of the last edit goes to the tooltip, never the label: a label that grows with each
edit pushed Start and Pause to new places (issue 12).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QFont, QIcon
from PySide6.QtWidgets import QLabel, QToolBar, QToolButton, QWidget

from core.resources import resource_path

if TYPE_CHECKING:
    from .main_window import MainWindow

GROUP_A = (("open", "Open", "document-open"), ("save", "Save", "document-save"),
           ("undo", "Undo", "edit-undo"), ("redo", "Redo", "edit-redo"))
GROUP_B = (("reset", "Reset", "document-revert"), ("train", "Train", "media-playback-start"),
           ("step", "Step", "media-skip-forward"), ("step_through", "Step-through", "go-next"))
GROUP_C = (("fit", "Fit", "zoom-fit-best"), ("map", "Map", "view-map"),
           ("present", "Present", "view-fullscreen"))
BUTTON_MIN = QSize(72, 32)
TRAIN_WIDTH = 96


def icon(name: str) -> QIcon:
    """The desktop theme's icon, else the bundled SVG (offscreen and bare X have no theme)."""
    themed = QIcon.fromTheme(name)
    return themed if not themed.isNull() else QIcon(str(resource_path("icons", f"{name}.svg")))


def epoch_loss_text(epoch: int | None, loss: float | None) -> str:
    e = "—" if epoch is None else f"{epoch:07,d}"  # 000,120: digits do not shift as it grows
    lo = "—" if loss is None else f"{loss:.4g}"
    return f"Epoch {e}   Loss {lo}"


class Readout(QLabel):
    """Epoch and loss of the newest epoch, in tabular digits so the text does not jitter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Readout")
        self.set_pixel_size(20)
        self.show_values(None, None)

    def set_pixel_size(self, px: int) -> None:
        f = QFont(self.font())
        f.setPixelSize(px)
        f.setFeature(QFont.Tag("tnum"), 1)
        self.setFont(f)
        # wide enough for six-digit epochs and four-digit losses, so the text never pushes the
        # buttons after it
        self.setFixedWidth(self.fontMetrics().horizontalAdvance(epoch_loss_text(9_999_999, 0.12345e-10)) + 12)
        # and of a fixed height: a label of fixed size changes its text without laying the
        # window out again (see app/training/quiet_label.py)
        self.setFixedHeight(self.sizeHint().height())

    def show_values(self, epoch: int | None, loss: float | None) -> None:
        self.epoch, self.loss = epoch, loss
        self.setText(epoch_loss_text(epoch, loss))


class MainToolbar(QToolBar):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__("Main", window)
        self.setObjectName("MainToolbar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(22, 22))
        self.window_ = window
        acts = dict(window.actions)
        acts.update(getattr(window, "training", None).actions if hasattr(window, "training") else {})
        self.buttons: dict[str, QToolButton] = {}
        self.groups: dict[str, list[str]] = {"A": [], "B": [], "C": []}
        for group, items in (("A", GROUP_A), ("B", GROUP_B), ("readout", ()), ("C", GROUP_C)):
            if group == "readout":
                self.readout = Readout()
                self.readout_action = self.addWidget(self.readout)
                self.addSeparator()
                continue
            for key, label, icon_name in items:
                action = acts.get(key)
                if action is None:
                    continue  # e.g. Step-through before the classroom feature exists
                action.setIconText(label)
                if action.icon().isNull():
                    action.setIcon(icon(icon_name))
                if group == "A":
                    action.setPriority(QAction.LowPriority)  # icon only beside text buttons
                self.addAction(action)
                button = self.widgetForAction(action)
                button.setObjectName(f"toolbar_{key}")
                button.setMinimumSize(BUTTON_MIN if group != "A" else QSize(32, 32))
                self.buttons[key] = button
                self.groups[group].append(key)
            self.addSeparator()
        self.readout_px = 20
        self.relayout()
        doc = window.document
        doc.undo_stack.undoTextChanged.connect(self._undo_tip)
        doc.undo_stack.redoTextChanged.connect(self._redo_tip)
        self._undo_tip(doc.undo_stack.undoText())
        self._redo_tip(doc.undo_stack.redoText())

    def relayout(self, readout_px: int | None = None, train_width: int = TRAIN_WIDTH) -> None:
        """Fixed widths from the current font: neighbours equal, Train/Pause its own width (as
        wide as the wider of its two labels), the readout as large as fits without »."""
        if readout_px is not None:
            self.readout_px = readout_px
        for b in self.buttons.values():
            b.setMinimumWidth(0)
            b.setMaximumWidth(16777215)
            b.ensurePolished()
        if "step_through" in self.buttons:
            self.buttons["step_through"].setMinimumWidth(BUTTON_MIN.width())
        if "train" in self.buttons:
            b = self.buttons["train"]
            fm = b.fontMetrics()
            text = max(fm.horizontalAdvance("Train"), fm.horizontalAdvance("Pause"))
            b.setFixedWidth(max(train_width, text + self.iconSize().width() + 24))
        self.compact = None  # re-decided by fit_readout from the new font
        for group in ("B", "C"):
            # Step-through keeps its own width: equal to it, Reset and Step were 156 px each in
            # presenter mode and pushed Exit behind » at 1024 px
            keys = [k for k in self.groups[group] if k not in ("train", "step_through")]
            if keys:
                width = max(max(self.buttons[k].sizeHint().width() for k in keys), BUTTON_MIN.width())
                for k in keys:
                    self.buttons[k].setFixedWidth(width)
        self.fit_readout()

    def fit_readout(self) -> None:
        """Before any button would go behind »: the readout shrinks (to 16 px), then Fit, Map
        and Present drop their labels (tooltips keep them), then the readout shrinks to 14 px."""
        available = self.width() if self.isVisible() else self.parentWidget().width()
        for compact in (False, True):
            self._set_compact(compact)
            px = self.readout_px
            self.readout.set_pixel_size(px)
            floor = 14 if compact else min(16, px)
            while px > floor and self.sizeHint().width() > available:
                px -= 2
                self.readout.set_pixel_size(px)
            if self.sizeHint().width() <= available:
                return

    def _set_compact(self, on: bool) -> None:
        if getattr(self, "compact", None) == on:
            return
        self.compact = on
        for key in self.groups["C"]:
            self.window_.actions[key].setPriority(QAction.LowPriority if on else QAction.NormalPriority)
            b = self.buttons[key]
            b.setMinimumWidth(0)
            b.setMaximumWidth(16777215)
        if on:
            for key in self.groups["C"]:
                self.buttons[key].setFixedWidth(self.iconSize().width() + 14)
        else:
            keys = self.groups["C"]
            width = max(max(self.buttons[k].sizeHint().width() for k in keys), BUTTON_MIN.width())
            for k in keys:
                self.buttons[k].setFixedWidth(width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_readout()

    def set_advanced_visible(self, on: bool) -> None:
        """Presenter mode keeps the run group, the readout, Map and Exit: group A (files and
        undo) and Fit (the view refits itself) are hidden."""
        for key in self.groups["A"] + ["fit"]:
            self.window_.actions[key].setVisible(on)

    @Slot(str)
    def _undo_tip(self, text: str) -> None:
        self.window_.actions["undo"].setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Undo (Ctrl+Z)")

    @Slot(str)
    def _redo_tip(self, text: str) -> None:
        self.window_.actions["redo"].setToolTip(f"Redo {text} (Ctrl+Shift+Z)" if text else "Redo")
