"""Whether a view can be seen, and a call when it comes into view.

A dock in a tab group stays ``isVisible()`` while another tab of the group is current: Qt keeps
every tabbed dock shown and only the current one uncovered (checked on the main window's
right-hand group: all six True, one with a visible region). Views that skipped their work
``if not self.isVisible()`` therefore did it in hidden tabs too: during a run the Landscape
tab recomputed a 64×64 loss grid in a thread every 1.5 s, competing with training for the GIL,
and the map and probe refreshed at every frame. Their tabs getting current sends no showEvent
either, so ``refresh_when_shown`` watches the dock's ``visibilityChanged``, which Qt emits when
its tab is selected.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDockWidget, QWidget


def on_screen(widget: QWidget) -> bool:
    """Shown and not wholly covered (a dock behind another tab of its group is covered)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def refresh_when_shown(dock: QDockWidget, refresh: Callable[[], None]) -> None:
    """Call ``refresh`` once ``dock`` comes into view, after the layout has placed it (the signal
    comes before the tab's area is uncovered)."""
    dock.visibilityChanged.connect(lambda visible: visible and QTimer.singleShot(0, dock, refresh))


def show_tab(dock: QDockWidget) -> None:
    """Make ``dock`` the current tab of its group. ``raise_()`` alone switches the tab only if
    the dock was not already on top of its siblings (no ZOrderChange event otherwise): opening a
    two-input network left the Inspect tab in front of the map it meant to show."""
    dock.lower()
    dock.raise_()
