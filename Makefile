# Two commands for a fresh Debian machine: `make run` (the demo) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
QT_ENV := QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software QT_IM_MODULE=qtvirtualkeyboard

.PHONY: run test lint screenshots bench system-deps venv i18n clean deb deb-wheels requirements

system-deps:
	@packaging/system-deps.sh

# Every package, pip included (pinned through --allow-unsafe), is checked against its hash: no
# unhashed `pip install --upgrade pip` first, which hash-checking mode exists to rule out.
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements-dev.txt
	touch $@

# Recompiles the hashed requirements*.txt from the hand-edited requirements*.in (pip-tools),
# keeping today's pins unless an input changed; never writes an index URL or a download address.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make requirements" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-trusted-host --no-emit-find-links
requirements: $(VENV)/.stamp
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-hall.txt requirements-hall.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in
	@! grep -nE '[a-z]+://|^--(index-url|extra-index-url|find-links|trusted-host)' requirements*.txt || \
		{ echo "an address was written into a requirements file" >&2; exit 1; }

venv: system-deps $(VENV)/.stamp

i18n: venv
	$(PY) -m ui.i18n.build

run: venv i18n
	$(PY) main.py demo

test: venv i18n
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 --dist loadgroup

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache  # contracts: [tool.importlinter] in pyproject.toml
	$(VENV)/bin/pyside6-qmllint $$(find ui/qml -name '*.qml' | sort)  # settings: ui/qml/.qmllint.ini

screenshots: venv i18n
	$(QT_ENV) $(PY) main.py screenshots var/screenshots

BENCHES ?= startup outbox card printer vision services soak assist
bench: venv i18n
	@for b in $(BENCHES); do echo "== $$b"; $(PY) -m bench $$b --json || exit 1; done

# Both packages, qihang-kiosk and qihang-hall: source + hashed requirements; postinst builds the
# venv with --require-hashes (docs/runbook.md).
deb: venv
	packaging/build-deb.sh dist

# The same package with every wheel inside, for air-gapped stations (~400 MB; not run in CI).
deb-wheels: venv
	packaging/build-wheels.sh dist/wheels
	WHEELS_DIR=dist/wheels packaging/build-deb.sh dist

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
