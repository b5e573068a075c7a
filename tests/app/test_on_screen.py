"""Views in a dock behind another tab do no work until their tab is selected (app/on_screen.py):
Qt keeps every tabbed dock isVisible(), so the map, the probe and the loss landscape used to
compute for tabs nobody saw, a landscape grid thread included, while training ran."""
from __future__ import annotations

from app.commands import SetBiasCommand
from app.on_screen import on_screen, show_tab


def test_opening_a_two_input_network_shows_the_map_tab(qtbot, window):
    assert window.files.open_example("xor")
    qtbot.waitUntil(lambda: on_screen(window.training.decision_map))
    assert not on_screen(window.training.probe)  # the same tab group


def test_views_behind_another_tab_wait_and_catch_up_when_their_tab_is_selected(qtbot, window):
    f, doc, land = window.training, window.document, window.landscape
    assert window.files.open_example("xor")
    qtbot.waitUntil(lambda: on_screen(f.decision_map) and f.decision_map.refresh_count > 0)
    qtbot.wait(200)
    assert not on_screen(land) and land.job is None and land.result is None  # no grid for a hidden tab

    show_tab(window.landscape_dock)
    qtbot.waitUntil(lambda: land.result is not None and land.job is None, timeout=20000)
    assert on_screen(land) and not on_screen(f.decision_map)

    shown = f.decision_map.refresh_count
    doc.push(SetBiasCommand(doc, 1, 0, 3.25))  # the map would refresh, but its tab is behind
    qtbot.wait(500)
    assert f.decision_map.refresh_count == shown
    show_tab(f.docks["map"])
    qtbot.waitUntil(lambda: f.decision_map.refresh_count > shown)
    assert f.decision_map.last_pass is not None
