"""The Landscape panel in the real window: it follows clicks on connections, its numbers are
core.landscape's, its grid is computed off the GUI thread, and training draws the path live."""
import numpy as np
import pytest

from app.on_screen import on_screen, show_tab
from core import landscape as L
from core.resources import resource_path


def open_landscape(window, qtbot, example):
    assert window.files.load(resource_path("examples", f"{example}.bpnet"))
    window.landscape_dock.show()
    show_tab(window.landscape_dock)
    panel = window.landscape
    qtbot.waitUntil(lambda: on_screen(panel))
    return panel


def wait_result(panel, qtbot, kind):
    qtbot.waitUntil(lambda: isinstance(panel.result, kind) and panel.job is None, timeout=20000)
    return panel.result


def test_one_weight_example_shows_its_parabola_and_walks_down(window, qtbot):
    panel = open_landscape(window, qtbot, "one-weight")
    assert panel.refs == [L.WeightRef(0, 0, 1, 0)]
    c = wait_result(panel, qtbot, L.Curve)
    x, y = L.training_rows(window.document.project)
    want = L.curve(window.document.network, x, y, panel.refs[0], c.values)
    np.testing.assert_array_equal(c.errors, want.errors)
    assert c.w_now == 3.0 and c.slope == pytest.approx(5 / 3)
    with qtbot.waitSignal(window.training.controller.run_ended, timeout=20000):
        window.training.actions["step"].trigger()
    w_after = window.document.network.weight(0, 0, 1, 0)
    assert w_after < 3.0  # one gradient-descent step down the slope
    assert panel.path[0] == (3.0,) and panel.path[-1] == (w_after,)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.w_now == w_after, timeout=20000)
    assert panel.result.e_now < c.e_now
    panel.plot.grab()  # paints without error


def test_two_clicked_connections_give_the_grid_core_computes(window, qtbot):
    panel = open_landscape(window, qtbot, "xor")
    scene = window.scene
    a, b = list(scene.edge_items)[0], list(scene.edge_items)[-1]
    scene.select(connections=[a])
    assert panel.refs == [L.WeightRef(*a)]
    scene.select(connections=[b])
    assert panel.refs == [L.WeightRef(*a), L.WeightRef(*b)]
    land = wait_result(panel, qtbot, L.Landscape)
    net = window.document.network
    x, y = L.training_rows(window.document.project)
    want = L.grid(net, x, y, land.a, land.b, land.a_values, land.b_values)
    np.testing.assert_array_equal(land.errors, want.errors)
    assert land.errors.shape == (64, 64)
    image = panel.plot.grab().toImage()
    assert image.width() > 100


def test_grid_job_runs_off_the_gui_thread(window, qtbot):
    import threading
    seen = []
    original = L.grid

    def spy(*args, **kwargs):
        seen.append(threading.current_thread() is threading.main_thread())
        return original(*args, **kwargs)
    L.grid = spy
    try:
        panel = open_landscape(window, qtbot, "xor")
        panel.recompute()
        wait_result(panel, qtbot, L.Landscape)
    finally:
        L.grid = original
    assert seen and not any(seen)


def test_no_data_says_so(window, qtbot):
    from core.network import Network
    from core.project import Project
    window.document.replace_project(Project(Network.dense([2, 2, 1])))
    window.landscape_dock.show()
    show_tab(window.landscape_dock)
    panel = window.landscape
    qtbot.waitUntil(lambda: on_screen(panel))
    panel.recompute()
    assert "no data" in panel.message


def test_step_through_update_moves_the_point_and_back_returns_it(window, qtbot):
    """The curve follows the step-through: the update stage walks W down; ← takes it back."""
    panel = open_landscape(window, qtbot, "one-weight")
    wait_result(panel, qtbot, L.Curve)
    session = window.classroom.session
    assert session.enter()
    while session.view.stage.kind != "update":
        session.forward()
    w_new = window.document.network.weight(0, 0, 1, 0)
    # one-weight's first step on sample 1 (x = 0) leaves W; walk to a sample with x ≠ 0
    while w_new == 3.0:
        session.forward()
        while session.view.stage.kind != "update":
            session.forward()
        w_new = window.document.network.weight(0, 0, 1, 0)
    assert panel.path[-1] == (w_new,) and w_new < 3.0
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.w_now == w_new, timeout=20000)
    session.back()
    assert panel.path[-1] == (window.document.network.weight(0, 0, 1, 0),)
    session.leave()


def test_heatmap_is_painted_once_per_grid_and_the_path_moves_over_it(window, qtbot, monkeypatch):
    """During a run the panel repaints at every live update of the weights; the heatmap with its
    contours (25-40 ms a paint) is kept, only the path is drawn again. What the screen shows is
    pixel for pixel what File → Export draws (render.paint_landscape)."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from app.landscape import render
    panel = open_landscape(window, qtbot, "xor")
    land = wait_result(panel, qtbot, L.Landscape)
    bases = []
    real_base = render.landscape_base
    monkeypatch.setattr(render, "landscape_base", lambda *a, **k: (bases.append(1), real_base(*a, **k)))
    a_mid = float(np.mean(land.a_values[[0, -1]]))
    b_mid = float(np.mean(land.b_values[[0, -1]]))
    rect = QRectF(0, 0, 420, 330)

    def shown(path):
        panel.path = list(path)
        image = QImage(420, 330, QImage.Format_ARGB32_Premultiplied)
        p = QPainter(image)
        panel.paint(p, rect)
        p.end()
        return image

    def exported(path):
        image = QImage(420, 330, QImage.Format_ARGB32_Premultiplied)
        p = QPainter(image)
        render.paint_landscape(p, rect, land, list(path), tuple(panel.names()[:2]))
        p.end()
        return image
    first = [(land.a_now, land.b_now), (a_mid, b_mid)]
    moved = first + [(land.a_values[1], land.b_values[-2])]
    one, two = shown(first), shown(moved)
    assert len(bases) == 1, f"the heatmap was painted {len(bases)} times for one grid"
    assert one != two  # the path moved
    assert one == exported(first) and two == exported(moved)
    del bases[:]  # the export paints its own
    bigger = QImage(500, 330, QImage.Format_ARGB32_Premultiplied)
    p = QPainter(bigger)
    panel.paint(p, QRectF(0, 0, 500, 330))
    p.end()
    assert len(bases) == 1  # another size: painted again


def test_grid_rows_wait_while_a_training_frame_paints(monkeypatch):
    """The grid's thread lets the window's training frames paint first: between rows it waits
    while GuiPriority.gui_free is clear (at most HOLD_LIMIT each), as the worker waits at its
    epoch boundaries. Without it the Landscape on screen during a run left a 10 ms GUI timer
    late by p99 28-31 ms, against 16-23 ms (bench/gui_training.py, two spirals)."""
    import threading
    import time

    from app.training import courtesy as courtesy_module
    from app.training.courtesy import Courtesy
    from core.network import Network
    monkeypatch.setattr(courtesy_module, "HOLD_LIMIT", 30.0)  # a loaded machine's 50 ms stay short of it
    net = Network.dense([2, 2, 1], activation="sigmoid", seed=1)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    a, b = L.default_pair(net)
    gui_free = threading.Event()
    gui_free.set()
    rows = []
    courtesy = Courtesy(gui_free)
    done = []
    gui_free.clear()  # a frame is painting
    t = threading.Thread(target=lambda: done.append(L.grid(
        net, x, y, a, b, np.linspace(-1, 1, 8), np.linspace(-1, 1, 6),
        progress=lambda r, n: rows.append(r), pulse=courtesy.pulse)))
    t.start()
    time.sleep(0.05)
    during = len(rows)
    gui_free.set()
    t.join()
    assert during <= 1, f"{during} rows computed while the window painted"
    assert len(rows) == 6 and done[0] is not None


def test_a_stale_grid_waits_in_proportion_to_its_last_computation(window, qtbot, monkeypatch):
    """During a run the grid is recomputed as the weights move, on a thread sharing the GIL with
    training: no sooner than JOB_SHARE times its last computation after that one started (a
    digits grid takes 1.1 s, and was redone every 1.5 s)."""
    import app.landscape.panel as panel_module
    panel = open_landscape(window, qtbot, "xor")
    wait_result(panel, qtbot, L.Landscape)
    assert panel._job_seconds > 0  # the computation was timed
    started = []
    real_start = panel._start_job
    monkeypatch.setattr(panel, "_start_job", lambda: (started.append(1), real_start()))
    monkeypatch.setattr(panel_module, "JOB_SHARE", 1e9)  # its last one "just" started
    panel.stale = True
    panel.recompute_if_stale()
    assert not started
    monkeypatch.setattr(panel_module, "JOB_SHARE", 0)
    panel.recompute_if_stale()
    assert started
    wait_result(panel, qtbot, L.Landscape)


def test_a_grid_the_weights_left_is_redone_at_once(window, qtbot, monkeypatch):
    """However long the last grid took, one the selected weights walked out of is computed again
    around them at once: until then the path ran off the picture."""
    import app.landscape.panel as panel_module
    panel = open_landscape(window, qtbot, "xor")
    land = wait_result(panel, qtbot, L.Landscape)
    monkeypatch.setattr(panel_module, "JOB_SHARE", 1e9)
    weights, biases = window.document.network.get_parameters()
    a = land.a
    weights = {k: w.copy() for k, w in weights.items()}
    far = land.a_values[-1] + 10.0
    weights[(a.ls, a.ld)][a.i, a.j] = far
    window.document.show_parameters(weights, biases)
    assert panel.job is not None  # started without waiting for its turn
    qtbot.waitUntil(lambda: panel.job is None and panel.result is not land, timeout=20000)
    assert panel.result.a_values[0] <= far <= panel.result.a_values[-1]
