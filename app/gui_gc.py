"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, the collector runs on whichever thread happens to allocate, and it may finalise a
Qt object there: a dialog or widget wrapper from a reference cycle, destroyed on the thread that
reads a file or trains. Qt objects must be destroyed on their own thread, and PySide deadlocks
doing it: seen in the test suite, ``QObject::~QObject`` on the CSV-reading thread waited for the
GIL inside a virtual-method lookup while the GUI thread waited for that thread to finish.
pyqtgraph's GarbageCollector (a well-kept answer to exactly this) turns automatic collection off
and collects from a GUI-thread timer instead, generation by generation as the counts call for.
"""
from __future__ import annotations

INTERVAL_SECONDS = 0.5
_collector = None


def collect_on_gui_thread() -> None:
    """Once per process, on the GUI thread, after the QApplication exists."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector
        _collector = GarbageCollector(interval=INTERVAL_SECONDS)
