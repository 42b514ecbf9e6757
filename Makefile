# Two commands for a fresh Debian machine: `make run` (the demo) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
QT_ENV := QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software QT_IM_MODULE=qtvirtualkeyboard

.PHONY: run test lint screenshots bench system-deps venv i18n clean deb deb-wheels

system-deps:
	@packaging/system-deps.sh

$(VENV)/.stamp: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: system-deps $(VENV)/.stamp

i18n: venv
	$(PY) -m ui.i18n.build

run: venv i18n
	$(PY) main.py demo

test: venv i18n
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

screenshots: venv i18n
	$(QT_ENV) $(PY) main.py screenshots var/screenshots

BENCHES ?= startup outbox card printer vision services
bench: venv i18n
	@for b in $(BENCHES); do echo "== $$b"; $(PY) -m bench $$b --json || exit 1; done

# The station package: app source + pinned requirements; postinst builds the venv (docs/runbook.md).
deb: venv
	packaging/build-deb.sh dist

# The same package with every wheel inside, for air-gapped stations (~400 MB; not run in CI).
deb-wheels: venv
	packaging/build-wheels.sh dist/wheels
	WHEELS_DIR=dist/wheels packaging/build-deb.sh dist

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
