"""Linux desktop integration for the current user, no root: a menu entry, the .bpnet file type
with its icon, and the app as that type's default, all under the XDG data and config folders.

``backprop-studio --install-desktop [--exec COMMAND]`` and ``--uninstall-desktop``; `make
install-desktop` runs it for a source checkout, the frozen app installs itself the same way.
The entry and the type come from packaging/linux/ (copied into the bundle). No Qt: runs headless.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "backprop-studio"
MIME_TYPE = "application/x-bpnet"
MIME_ICON = "application-x-bpnet"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DEFAULTS_SECTION = "[Default Applications]"


def _bundle_or_source() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parent.parent


def linux_files() -> Path:
    return _bundle_or_source() / "packaging" / "linux"


def icons_dir() -> Path:
    from core.resources import resource_path
    return resource_path("icons")


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def default_command() -> list[str]:
    """How the desktop starts this app: the bundle's executable, else the venv's console script."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / APP_ID
    if script.is_file():
        return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "app"]


_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def exec_value(command: list[str]) -> str:
    """The Exec key's value: arguments quoted by the Desktop Entry spec's rules, then escaped as
    a desktop-file string (so a backslash ends up doubled twice), '%' doubled."""
    def quote(arg: str) -> str:
        if _RESERVED.search(arg) or not arg:
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        return arg.replace("%", "%%")
    return " ".join(quote(a) for a in command).replace("\\", "\\\\")


def installed_files(data: Path) -> dict[Path, Path | None]:
    """Every file this installs: destination → source (None for the generated desktop entry)."""
    icons, theme = icons_dir(), data / "icons" / "hicolor"
    files: dict[Path, Path | None] = {
        data / "applications" / f"{APP_ID}.desktop": None,
        data / "mime" / "packages" / f"{APP_ID}.xml": linux_files() / f"{APP_ID}.xml",
        theme / "scalable" / "apps" / f"{APP_ID}.svg": icons / f"{APP_ID}.svg",
        theme / "scalable" / "mimetypes" / f"{MIME_ICON}.svg": icons / "bpnet-document.svg",
    }
    for size in ICON_SIZES:
        folder = theme / f"{size}x{size}"
        files[folder / "apps" / f"{APP_ID}.png"] = icons / f"{APP_ID}-{size}.png"
        files[folder / "mimetypes" / f"{MIME_ICON}.png"] = icons / f"bpnet-document-{size}.png"
    return files


def _refresh_caches(data: Path) -> list[str]:
    """Run the desktop's cache tools that exist here; returns the ones run."""
    theme = data / "icons" / "hicolor"
    tools = [["update-mime-database", str(data / "mime")],
             ["update-desktop-database", "-q", str(data / "applications")],
             ["gtk-update-icon-cache", "-q", "-t", "-f", str(theme)]]
    ran = []
    for tool in tools:
        if shutil.which(tool[0]) and Path(tool[-1]).is_dir():
            subprocess.run(tool, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ran.append(tool[0])
    return ran


def _set_default_app(mimeapps: Path, install: bool) -> None:
    """Make (or stop making) the app the default for .bpnet in mimeapps.list, keeping every other
    line of the user's file as it was."""
    lines = mimeapps.read_text(encoding="utf-8").splitlines() if mimeapps.is_file() else []
    key = f"{MIME_TYPE}="
    ours = f"{key}{APP_ID}.desktop;"
    section, start, kept = None, None, []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
            if section == DEFAULTS_SECTION:
                start = len(kept) + 1
        if section == DEFAULTS_SECTION and stripped.startswith(key):
            if install or stripped == ours:
                continue  # replaced below, or ours to remove
        kept.append(line)
    if install:
        if start is None:
            kept += ([""] if kept and kept[-1].strip() else []) + [DEFAULTS_SECTION]
            start = len(kept)
        kept.insert(start, ours)
    if not install and all(not line.strip() or line.strip() == DEFAULTS_SECTION for line in kept):
        if mimeapps.is_file():  # only the section this installed is left: the file was ours
            mimeapps.unlink()
        return
    if kept or mimeapps.is_file():
        mimeapps.parent.mkdir(parents=True, exist_ok=True)
        mimeapps.write_text("\n".join(kept) + "\n", encoding="utf-8")


def install(command: list[str] | None = None) -> list[Path]:
    data = data_home()
    template = (linux_files() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    written = []
    for dest, source in installed_files(data).items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            dest.write_text(template.replace("@EXEC@", exec_value(command or default_command())),
                            encoding="utf-8")
        else:
            shutil.copyfile(source, dest)
        written.append(dest)
    _set_default_app(config_home() / "mimeapps.list", install=True)
    _refresh_caches(data)
    return written


def uninstall() -> list[Path]:
    data = data_home()
    removed = []
    for dest in installed_files(data):
        if dest.is_file():
            dest.unlink()
            removed.append(dest)
    _set_default_app(config_home() / "mimeapps.list", install=False)
    _refresh_caches(data)
    return removed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=APP_ID)
    parser.add_argument("--install-desktop", action="store_true")
    parser.add_argument("--uninstall-desktop", action="store_true")
    parser.add_argument("--exec", dest="program", help="the program the menu entry runs")
    a = parser.parse_args(argv)
    if sys.platform != "linux":
        print("error: desktop integration is for Linux; on Windows and macOS the installer or the "
              "app bundle registers the icon and the .bpnet type", file=sys.stderr)
        return 1
    try:
        if a.uninstall_desktop:
            removed = uninstall()
            print(f"removed {len(removed)} files from {data_home()}")
        else:
            command = [str(Path(a.program).absolute())] if a.program else None
            written = install(command)
            print(f"installed the Backprop Studio menu entry and the .bpnet file type "
                  f"({len(written)} files under {data_home()}); runs: "
                  f"{' '.join(command or default_command())}")
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
