"""Linux desktop integration into a temporary XDG_DATA_HOME/XDG_CONFIG_HOME: the entry, the MIME
type and the icons land where the freedesktop specs say, the real tools accept them, .bpnet
resolves to our type, and uninstalling removes exactly what was installed."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from app import desktop_install as di

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktops only")


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    data, config = tmp_path / "data", tmp_path / "config"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return data, config


def test_install_puts_every_file_in_its_xdg_place(xdg):
    data, config = xdg
    written = di.install(["/opt/Backprop Studio/backprop-studio"])
    entry = data / "applications" / "backprop-studio.desktop"
    assert entry in written
    text = entry.read_text(encoding="utf-8")
    assert 'Exec="/opt/Backprop Studio/backprop-studio" %F' in text
    assert "MimeType=application/x-bpnet;" in text and "Icon=backprop-studio" in text
    for size in di.ICON_SIZES:
        assert (data / f"icons/hicolor/{size}x{size}/apps/backprop-studio.png").is_file()
        assert (data / f"icons/hicolor/{size}x{size}/mimetypes/application-x-bpnet.png").is_file()
    assert (data / "icons/hicolor/scalable/apps/backprop-studio.svg").is_file()
    assert (data / "mime/packages/backprop-studio.xml").is_file()
    assert "application/x-bpnet=backprop-studio.desktop;" in (config / "mimeapps.list").read_text()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils missing")
def test_the_entry_passes_desktop_file_validate(xdg):
    di.install(["/usr/bin/backprop-studio"])
    entry = xdg[0] / "applications" / "backprop-studio.desktop"
    result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info missing")
def test_update_mime_database_maps_bpnet_to_our_type_and_icon(xdg):
    data, _ = xdg
    di.install(["/usr/bin/backprop-studio"])
    mime = data / "mime"
    assert ":application/x-bpnet:*.bpnet" in (mime / "globs2").read_text(encoding="utf-8")
    assert "application/x-bpnet:application-x-bpnet" in (mime / "icons").read_text().splitlines()
    assert "application/x-bpnet application/json" in (mime / "subclasses").read_text()
    assert "backprop-studio-network" in (mime / "magic").read_bytes().decode("latin-1")


@pytest.mark.skipif(not shutil.which("update-desktop-database"), reason="desktop-file-utils missing")
def test_update_desktop_database_lists_the_app_for_bpnet(xdg):
    di.install(["/usr/bin/backprop-studio"])
    cache = (xdg[0] / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
    assert "application/x-bpnet=backprop-studio.desktop;" in cache


def test_uninstall_removes_only_what_install_wrote(xdg):
    data, config = xdg
    mimeapps = config / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True)
    mimeapps.write_text("[Default Applications]\ntext/plain=gedit.desktop;\n"
                        "[Added Associations]\nimage/png=gimp.desktop;\n", encoding="utf-8")
    other = data / "applications" / "someone-else.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\n", encoding="utf-8")
    written = di.install(["/usr/bin/backprop-studio"])
    lines = mimeapps.read_text().splitlines()
    assert lines[:3] == ["[Default Applications]", "application/x-bpnet=backprop-studio.desktop;",
                         "text/plain=gedit.desktop;"]
    removed = di.uninstall()
    assert sorted(removed) == sorted(written)
    assert not any(p.exists() for p in written)
    assert other.is_file()
    assert mimeapps.read_text() == ("[Default Applications]\ntext/plain=gedit.desktop;\n"
                                    "[Added Associations]\nimage/png=gimp.desktop;\n")
    if shutil.which("update-mime-database"):
        assert "x-bpnet" not in (data / "mime" / "globs2").read_text(encoding="utf-8")


def test_install_twice_keeps_one_default_line(xdg):
    di.install(["/a/backprop-studio"])
    di.install(["/b/backprop-studio"])
    text = (xdg[1] / "mimeapps.list").read_text()
    assert text.count("application/x-bpnet=") == 1
    assert 'Exec=/b/backprop-studio %F' in (xdg[0] / "applications/backprop-studio.desktop").read_text()


@pytest.mark.parametrize("arg, expected", [
    ("/usr/bin/backprop-studio", "/usr/bin/backprop-studio"),
    ("/home/ann/My Apps/bps", '"/home/ann/My Apps/bps"'),
    ('/tmp/a"b$c`d', '"/tmp/a\\\\"b\\\\$c\\\\`d"'),  # each \ doubled again as a string value
    ("/tmp/back\\slash", '"/tmp/back\\\\\\\\slash"'),
    ("/tmp/100%", "/tmp/100%%"),
])
def test_exec_value_follows_the_desktop_entry_quoting_rules(arg, expected):
    assert di.exec_value([arg]) == expected


def test_command_line_option_installs_and_uninstalls(xdg, tmp_path):
    from app.launch import main
    assert main(["--install-desktop", "--exec", str(tmp_path / "bps")]) == 0
    entry = xdg[0] / "applications" / "backprop-studio.desktop"
    assert f"Exec={tmp_path / 'bps'} %F" in entry.read_text()
    assert main(["--uninstall-desktop"]) == 0
    assert not entry.exists()
    assert not (xdg[1] / "mimeapps.list").exists()  # created by the install, so removed with it


def test_desktop_files_are_found_from_source_and_bundle(tmp_path, monkeypatch):
    assert (di.linux_files() / "backprop-studio.desktop").is_file()
    assert (di.linux_files() / "backprop-studio.xml").is_file()
    shutil.copytree(di.linux_files(), tmp_path / "packaging" / "linux")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert di.linux_files() == tmp_path / "packaging" / "linux"
