"""Labels whose changing text does not lay the whole window out again.

A QLabel's setText asks its parent's layout for a new layout, and that request climbs through
the dock or the status bar to the main window: each training frame laid the window out again
for the loss readout (1.3 ms a frame, measured offscreen at 1280x720) and for the status bar's
"Epoch · loss · epochs/s" (0.6 ms). Here the label sits in a plain widget without a layout,
which takes such requests without passing them on, and asks for a new layout itself only when
the text needs more room: another number of lines when it wraps, a greater width when not.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class QuietLabel(QWidget):
    """``setText``/``text``/``clear`` as a QLabel's. ``wrap``: the text wraps to the width it is
    given, which never grows with the text (size policy Ignored), as tall as the most lines
    since the last ``clear`` or change of width, and can be selected with the mouse; otherwise
    one line, as wide as the widest text since the last ``clear`` (not selectable: a selectable
    label measures its text as a rich-text document, 0.26 ms a time)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, wrap: bool = False) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(wrap)
        if wrap:
            self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._wrap = wrap
        if wrap:
            self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self._size = self.label.sizeHint()

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        if text != self.label.text():
            self.label.setText(text)
            self._fit()

    def clear(self) -> None:
        self.label.clear()
        self._fit(fresh=True)

    def _fit(self, fresh: bool = False) -> None:
        """Ask for a layout if the text needs more room; ``fresh``: or less (after ``clear`` or
        a change of width), else a line or a pixel less is kept: figures whose length changes
        from frame to frame made the plot below the readout jump, each jump a layout."""
        hint = self.label.sizeHint() if not self._wrap or self.width() <= 1 else None
        if self._wrap:  # only the height counts (not laid out yet: one line's, until it is)
            height = hint.height() if hint is not None else self.label.heightForWidth(self.width())
            size = QSize(self._size.width(), height if fresh else max(height, self._size.height()))
        else:
            size = hint if fresh else hint.expandedTo(QSize(self._size.width(), 0))
        if size != self._size:
            self._size = size
            self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt virtual)
        return self._wrap

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt virtual)
        if not self._wrap:
            return self._size.height()
        need = self.label.heightForWidth(max(width, 1))
        return max(need, self._size.height()) if width == self.width() else need  # (see _fit)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt virtual)
        return QSize(self._size)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt virtual)
        return QSize(0 if self._wrap else self._size.width(), self._size.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt virtual)
        self.label.setGeometry(self.rect())
        if self._wrap and event.size().width() != event.oldSize().width():
            self._fit(fresh=True)  # another width: as many lines as the text needs there
