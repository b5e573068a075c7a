# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench system-deps package clean

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

package: $(STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	$(PY) -m PyInstaller --noconfirm --distpath dist --workpath build packaging/backprop-studio.spec

clean:
	rm -rf $(VENV) build dist
