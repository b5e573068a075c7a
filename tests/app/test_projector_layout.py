"""The window on a classroom projector (issue 12): at 1280×720 and 1024×768, in desk and in
presenter mode, the named controls are on screen, unclipped, and never in an overflow menu.

Each screen size runs in its own process, because the offscreen platform's screen size is fixed
when the application starts (a JSON configuration file names it)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESK = ["toolbar_reset", "toolbar_train", "toolbar_step", "toolbar_step_through", "toolbar_fit", "toolbar_map",
        "toolbar_present", "readout", "canvas", "loss_plot"]
PRESENTER = ["toolbar_reset", "toolbar_train", "toolbar_step", "toolbar_step_through", "toolbar_map", "toolbar_present",
             "readout", "canvas", "sparkline"]


def probe(tmp_path: Path, width: int, height: int) -> dict:
    screen = {"synchronousWindowSystem": True, "windowFrameMargins": False,
              "screens": [{"name": "projector", "x": 0, "y": 0, "width": width, "height": height,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    config = tmp_path / f"screen-{width}.json"
    config.write_text(json.dumps(screen))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path),
               BACKPROP_STUDIO_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "tests.app.projector_probe"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=[(1280, 720), (1024, 768)], ids=["1280x720", "1024x768"])
def screen(request, tmp_path_factory):
    w, h = request.param
    return w, h, probe(tmp_path_factory.mktemp(f"s{w}"), w, h)


def check(state: dict, names: list[str]) -> None:
    assert not state["overflow"], "toolbar buttons hidden behind »"
    for name in names:
        c = state["controls"][name]
        assert c["visible"], f"{name} is not visible: {c}"
        assert c["inside"], f"{name} is outside the window: {c}"
        assert c["text_fits"], f"{name}'s label is cut: {c}"


def test_desk_mode_fits_the_screen(screen):
    w, h, s = screen
    desk = s["desk"]
    assert desk["window"][0] <= w and desk["window"][1] <= h
    check(desk, DESK)
    assert desk["menu_visible"]
    assert "training_loss_dock" in desk["docks_visible"]


def test_textbook_names_and_values_are_14px_at_1280x720(screen):
    w, h, s = screen
    if (w, h) != (1280, 720):
        pytest.skip("the 14 px goal is for 1280×720; 1024×768 is served by presenter mode")
    assert s["desk"]["canvas_px"]["value"] >= 14 and s["desk"]["canvas_px"]["name"] >= 14


def test_buttons_keep_their_place_after_an_edit(screen):
    _, _, s = screen
    for name in DESK:
        assert s["after_edit"]["controls"][name]["rect"] == s["desk"]["controls"][name]["rect"], name
    assert "Undo" in s["desk"]["labels"] or s["desk"]["labels"][2] == "Undo"


def test_presenter_mode_is_full_screen_large_and_plain(screen):
    w, h, s = screen
    p = s["presenter"]
    assert p["window"] == [w, h]
    assert not p["menu_visible"]
    check(p, PRESENTER)
    assert p["canvas_px"]["value"] >= 18 and p["canvas_px"]["name"] >= 20
    assert not [d for d in p["docks_visible"] if d != "classroom_dock"], p["docks_visible"]
    bigger = s["presenter_bigger"]
    check(bigger, PRESENTER)
    assert bigger["canvas_px"]["value"] > p["canvas_px"]["value"] * 0.95


def test_leaving_presenter_mode_restores_the_desk(screen):
    _, _, s = screen
    back, desk = s["desk_again"], s["desk"]
    assert back["docks_visible"] == desk["docks_visible"] and back["menu_visible"]
    check(back, DESK)
