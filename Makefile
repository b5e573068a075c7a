# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench system-deps package package-onefile smoke-test install-desktop uninstall-desktop icons clean

$(STAMP): pyproject.toml
	bash packaging/system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app $(FILE)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench.engine
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.canvas
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.gui_training
	$(PY) -m bench.landscape

# The desktop app: dist/backprop-studio/ (one folder) or dist/backprop-studio-onefile (one file).
PYINSTALLER := $(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist

$(VENV)/.package: $(STAMP)
	$(PY) -m pip install --quiet -e '.[package,onnx]'
	touch $@

package: $(VENV)/.package
	$(PYINSTALLER) --workpath build/folder packaging/backprop-studio.spec

package-onefile: $(VENV)/.package
	$(PYINSTALLER) --workpath build/onefile packaging/backprop-studio.spec -- --onefile

# Runs the bundle `make package` built (it builds nothing itself).
smoke-test:
	bash packaging/smoke_test.sh dist/backprop-studio/backprop-studio

# PNG sizes, ICO and ICNS from the SVGs in resources/icons/ (the results are committed).
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py

# Menu entry and .bpnet file type for the current user (XDG folders, no root) running this
# checkout; a bundle installs itself with `dist/backprop-studio/backprop-studio --install-desktop`.
install-desktop: $(STAMP)
	$(PY) -m app.launch --install-desktop --exec "$(abspath $(VENV))/bin/backprop-studio"

uninstall-desktop: $(STAMP)
	$(PY) -m app.launch --uninstall-desktop

clean:
	rm -rf $(VENV) build dist
