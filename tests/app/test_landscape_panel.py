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
