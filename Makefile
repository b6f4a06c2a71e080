# reformkit — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STUDY ?= studies/lancashire
OUT ?= out/lancashire

.PHONY: run test venv install install-test browser clean benchmark

# A usable python3.12: on PATH, else a pyenv-installed 3.12, else fail with a clear message.
PYTHON312 := $(shell for c in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	if $$c -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then echo $$c; break; fi; done)

$(PY):
	@if [ -z "$(PYTHON312)" ]; then echo "reformkit needs Python 3.12 (python3.12 not found)"; exit 1; fi
	$(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip

venv: $(PY)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,pdf]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser test and PDF export (installed only when missing).
browser:
	@bash scripts/ensure-chromium.sh

run: install browser
	$(VENV)/bin/reformkit run $(STUDY) --out $(OUT)

test: install-test browser
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

benchmark: install-test
	$(PY) -m pip install --quiet -e ".[test,pdf,bench]"
	$(PY) studies/benchmarks/run_all.py

clean:
	rm -rf $(VENV) out .pytest_cache
