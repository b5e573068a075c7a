"""Loss landscapes in the window: a dock with the Landscape panel, its View-menu entry and
File → Export → Landscape. ``install_landscape(window)`` is called once by the main window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from ..on_screen import refresh_when_shown


def install_landscape(window):
    from .panel import LandscapePanel
    panel = LandscapePanel(window.document, window.scene)
    training = getattr(window, "training", None)
    if training is not None:  # its grids wait while a training frame paints
        panel.gui_free = training.controller.priority.gui_free
    dock = QDockWidget("Landscape", window)
    dock.setObjectName("LandscapeDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    refresh_when_shown(dock, panel.recompute_if_stale)
    window.landscape = panel
    window.landscape_dock = dock
    window.close_requested_hooks.append(panel.shutdown)
    classroom = getattr(window, "classroom", None)
    if classroom is not None:
        classroom.session.active_changed.connect(
            lambda on: _keep_in_step_through(window, classroom, dock, panel, on))
    return panel


def _keep_in_step_through(window, classroom, dock, panel, on: bool) -> None:
    """The step-through clears the docks away; a landscape in use stays, beside the step table
    (the Explain panel above needs its whole column), so the class sees each update walk down
    the error curve."""
    if on and panel.result is not None and not dock.isFloating():
        window.splitDockWidget(classroom.table_dock, dock, Qt.Horizontal)
        dock.show()
        window.resizeDocks([dock], [400], Qt.Horizontal)
