"""Cyclic garbage is collected on the GUI thread only (app/gui_gc.py): a Qt object finalised on a
worker thread deadlocked the suite (the CSV-reading thread destroying a leftover widget)."""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject


def test_automatic_collection_is_off_and_the_gui_timer_collects(window, qtbot):
    assert not gc.isenabled()

    class Holder(QObject):
        pass
    finalised_on = []

    class Cycle:
        def __init__(self):
            self.me = self
            self.qt = Holder()
            self.qt.destroyed.connect(lambda *_: finalised_on.append(threading.current_thread().name))

    made = threading.Event()
    Cycle()  # garbage in a cycle, as a dialog connected to its own slots leaves behind

    def worker():
        live = [[] for _ in range(5000)]  # net allocations past the threshold (700) that
        made.set()                        # would start an automatic collection on this thread
        del live
    t = threading.Thread(target=worker, name="worker")
    t.start()
    t.join()
    assert made.is_set() and finalised_on == []  # nothing was collected on the worker thread
    live = [[] for _ in range(2000)]  # what the GUI timer looks at: net allocations since the last collection
    qtbot.waitUntil(lambda: bool(finalised_on), timeout=5000)  # the GUI timer collected it
    del live
    assert finalised_on == [threading.main_thread().name]
