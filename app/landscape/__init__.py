"""Loss landscapes in the window: a dock with the Landscape panel, its View-menu entry and
File → Export → Landscape. ``install_landscape(window)`` is called once by the main window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget


def install_landscape(window):
    from .panel import LandscapePanel
    panel = LandscapePanel(window.document, window.scene)
    dock = QDockWidget("Landscape", window)
    dock.setObjectName("LandscapeDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    window.landscape = panel
    window.landscape_dock = dock
    window.close_requested_hooks.append(panel.shutdown)
    return panel
