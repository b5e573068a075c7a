"""Window behaviour behind the projector layout: the saved geometry is clamped to the screen,
toolbar labels are fixed, the readout shows the newest epoch, Map swaps the canvas for the input
plane and back, presenter mode scales text and restores everything, File → Export writes files."""
from PySide6.QtCore import QRect, QSettings

from app.on_screen import on_screen
from core.resources import resource_path


def test_saved_geometry_larger_than_the_screen_is_clamped(make_window):
    w = make_window(show=False)
    screen = w._available()
    w.setGeometry(QRect(screen.x() + 50, screen.y() + 50, screen.width() + 600, screen.height() + 400))
    w.save_settings()
    w2 = make_window()
    g = w2.frameGeometry()
    assert g.width() <= screen.width() and g.height() <= screen.height()
    assert screen.contains(w2.geometry())


def test_an_older_layout_state_is_ignored(make_window):
    w = make_window(show=False)
    QSettings().setValue("window/state", w.saveState(1))  # as saved before the right column
    w2 = make_window()
    assert w2.training.docks["loss"].isVisible()


def test_toolbar_labels_stay_fixed_and_the_undo_text_goes_to_the_tooltip(window):
    tb = window.toolbar
    before = {k: (b.text(), b.geometry()) for k, b in tb.buttons.items()}
    window.editor.set_weight(0, 0, 1, 0, -1.5)
    assert window.actions["undo"].iconText() == "Undo"
    assert "Set weight" in window.actions["undo"].toolTip() or "weight" in window.actions["undo"].toolTip().lower()
    after = {k: (b.text(), b.geometry()) for k, b in tb.buttons.items()}
    assert after == before
    assert tb.buttons["train"].text() == "Train" and tb.buttons["reset"].text() == "Reset"


def test_train_button_toggles_and_the_readout_follows(window, qtbot):
    assert window.files.load(resource_path("examples", "xor.bpnet"))
    tb = window.toolbar
    c = window.training.controller
    window.actions["train"].trigger()
    qtbot.waitUntil(lambda: c.running, timeout=5000)
    assert tb.buttons["train"].text() == "Pause"
    width = tb.buttons["train"].width()
    window.actions["train"].trigger()  # pause
    qtbot.waitUntil(lambda: not c.running, timeout=20000)
    assert tb.buttons["train"].text() == "Train" and tb.buttons["train"].width() == width
    last = window.document.project.history[-1]
    assert tb.readout.epoch == last.epoch and tb.readout.loss == last.loss
    assert f"{last.epoch:07,d}" in tb.readout.text()
    c.stop()


def test_map_fills_the_canvas_area_and_goes_back(window, qtbot):
    assert window.files.load(resource_path("examples", "xor.bpnet"))
    dock = window.training.docks["map"]
    widget = dock.widget()
    window.actions["map"].trigger()
    assert window.central.currentIndex() == 1 and widget.parent() is window.map_page
    qtbot.waitUntil(widget.isVisible)
    assert widget.width() >= window.central.width() - 2
    window.actions["map"].trigger()
    assert window.central.currentIndex() == 0 and dock.widget() is widget
    assert window.view.isVisible()
    # back in its dock, the map is the tab in front (the Probe tab was left there)
    qtbot.waitUntil(lambda: on_screen(widget), timeout=3000)


def test_presenter_text_keys_and_restore(window, qtbot):
    from app import style
    view_docks = {d.objectName() for d in window.findChildren(type(window.inspector_dock)) if d.isVisible()}
    zoom_keys = window.actions["zoom_in"].shortcuts()
    window.presenter.action.trigger()
    assert window.presenter.active and not window.menuBar().isVisible()
    assert style.theme == "presenter" and style.line_scale == 1.5
    assert window.actions["zoom_in"].shortcuts() == [] and window.presenter.bigger.shortcuts() == zoom_keys
    size = style.value_font(10).pointSizeF()
    window.presenter.bigger.trigger()
    assert style.value_font(10).pointSizeF() > size * 1.05
    window.presenter.action.trigger()
    assert style.theme == "desk" and window.menuBar().isVisible()
    assert window.actions["zoom_in"].shortcuts() == zoom_keys
    assert {d.objectName() for d in window.findChildren(type(window.inspector_dock)) if d.isVisible()} == view_docks


def test_file_export_writes_each_format(window, qtbot, tmp_path, monkeypatch):
    from app import interop
    from app.dialogs import prompts
    assert window.files.load(resource_path("examples", "textbook-2-2-2.bpnet"))
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    exports = [a.menu() for a in file_menu.actions() if a.menu() and a.text() == "&Export"]
    assert len(exports) == 1  # one Export menu for every format
    texts = [a.text() for a in exports[0].actions()]
    for label in ("Canvas as S&VG, for Print (.svg)…", "Canvas as P&NG (.png)…", "Loss &History (.csv)…",
                  "L&andscape as PNG (.png)…", "Loss Pl&ot as PNG (.png)…", "Step-through Han&d-out (.html)…"):
        assert label in texts
    asked = []
    monkeypatch.setattr(interop, "get_export_path",
                        lambda parent, title, suggestion, suffix: asked.append(suggestion) or str(tmp_path / f"out{len(asked)}{suffix}"))
    for name in ("svg", "png", "landscape-png", "html"):
        assert window.interop.export_as(name)
        assert (tmp_path / f"out{len(asked)}{interop.EXPORTERS[name].suffix}").stat().st_size > 1000
    assert asked[0].endswith("textbook-2-2-2.svg") and asked[2].endswith("textbook-2-2-2-landscape.png")
    errors = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: errors.append(text))
    window.document.clear_history()
    assert not window.interop.export_as("csv") and "no training history" in errors[0]


def test_handout_from_the_window_follows_the_step_through_sample(window, tmp_path, monkeypatch):
    from app import interop
    assert window.files.load(resource_path("examples", "xor.bpnet"))
    window.classroom.session.pick_sample(2)
    monkeypatch.setattr(interop, "get_export_path", lambda *a: str(tmp_path / "h.html"))
    assert window.interop.export_as("html")
    text = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert "Sample 3 of 4" in text
