"""Dock contents that scroll instead of forcing the window taller than the screen.

Stacked docks each demand their own minimum height; unwrapped, the window needed 1167 px, more
than a 1080p screen and far more than a 768-line classroom projector.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrollable(widget: QWidget, horizontal: bool = False) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    if not horizontal:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        area.setMinimumWidth(widget.minimumSizeHint().width() + 20)
    return area
