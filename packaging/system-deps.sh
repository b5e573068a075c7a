#!/usr/bin/env bash
# Installs the Debian libraries Qt needs offscreen and under Xvfb (DESIGN.md §7), only when missing.
# Without fonts every label renders as boxes, so fonts are part of the list. binutils (objdump,
# strip) and the shared libpython are what PyInstaller needs to build the desktop app;
# shared-mime-info and desktop-file-utils are the tools the desktop-integration tests check against.
set -euo pipefail
pkgs=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
      fonts-dejavu-core binutils xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-image0
      libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0
      shared-mime-info desktop-file-utils)
# Debian's python3 links its library statically; PyInstaller bundles the shared one from this package.
python=$(readlink -f "$(command -v python3 || true)" 2>/dev/null || true)
if [[ "$python" == /usr/bin/python3* ]]; then
  pkgs+=("libpython$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')")
fi
command -v dpkg-query >/dev/null || { echo "system-deps: not a Debian system; install the Qt libraries by hand" >&2; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
