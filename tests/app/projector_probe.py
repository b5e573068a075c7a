"""Run in a fresh process on an offscreen screen of a given size (see test_projector_layout.py):
opens textbook-2-2-2 in the real window, measures the named controls in desk and presenter mode
and prints what it found as JSON. Not a test module itself: one screen size per process."""
from __future__ import annotations

import json
import sys

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QToolButton

from app import style
from app.main_window import MainWindow
from core.resources import resource_path


def settle(app, n: int = 40) -> None:
    for _ in range(n):
        app.processEvents()


def box(widget, window) -> dict:
    top_left = widget.mapTo(window, QPoint(0, 0))
    r = QRect(top_left, widget.size())
    return {"visible": widget.isVisible() and not widget.visibleRegion().isEmpty(),
            "inside": window.rect().contains(r), "rect": [r.x(), r.y(), r.width(), r.height()],
            "text_fits": (widget.sizeHint().width() <= widget.width() + 1
                          if isinstance(widget, QToolButton) else True)}


def measure(app, w) -> dict:
    settle(app)
    tb = w.toolbar
    controls = {f"toolbar_{k}": box(b, w) for k, b in tb.buttons.items() if w.actions.get(k, tb.buttons[k].defaultAction()).isVisible()}
    controls["readout"] = box(tb.readout, w)
    controls["canvas"] = box(w.view, w)
    loss = w.training.docks["loss"]
    if w.presenter.active:
        controls["sparkline"] = box(w.presenter.sparkline, w)
    else:
        controls["loss_plot"] = box(loss.widget(), w)
    ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
    scale = w.view.transform().m11()
    px = {kind: QFontInfo(style.value_font(size, bold)).pixelSize() * scale
          for kind, size, bold in (("name", 10, True), ("value", 8.5, False))}
    labels = [tb.buttons[k].text() for k in tb.buttons]
    return {"window": [w.width(), w.height()], "screen": list(w.screen().availableGeometry().getRect()),
            "controls": controls, "overflow": bool(ext is not None and ext.isVisible()),
            "canvas_px": px, "labels": labels, "menu_visible": w.menuBar().isVisible(),
            "docks_visible": sorted(d.objectName() for d in w.findChildren(type(loss)) if d.isVisible())}


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("BackpropStudioProjectorProbe")
    w = MainWindow()
    assert w.files.load(resource_path("examples", "textbook-2-2-2.bpnet"))
    w.show()
    desk = measure(app, w)
    w.editor.set_weight(0, 0, 1, 0, -1.25)  # a long undo text must not move the buttons
    moved = measure(app, w)
    w.presenter.action.trigger()
    present = measure(app, w)
    w.presenter.bigger.trigger()
    bigger = measure(app, w)
    w.presenter.action.trigger()
    back = measure(app, w)
    print(json.dumps({"desk": desk, "after_edit": moved, "presenter": present,
                      "presenter_bigger": bigger, "desk_again": back}))
    w.files.maybe_save = lambda: True
    w.close()


if __name__ == "__main__":
    main()
