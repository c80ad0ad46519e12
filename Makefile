# Each target sets up .venv on first use, so a fresh clone needs nothing else. `make run` installs what the program
# needs; `make test` and `make bench` add the test tools.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# A half-built .venv (no pip) is rebuilt from scratch.
NEW_VENV := test -x $(VENV)/bin/pip || (rm -rf $(VENV) && $(PYTHON) -m venv $(VENV))
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench clean

$(RUN_STAMP): pyproject.toml
	$(NEW_VENV)
	$(PIP) -e .
	touch $@

$(TEST_STAMP): pyproject.toml
	$(NEW_VENV)
	$(PIP) -e '.[test]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m cvdesk.system_libraries
	$(PY) main.py

test: $(TEST_STAMP)
	$(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
