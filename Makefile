# Build and test entry points of the twilio_ops.chat collection.
#
#   make demo                     migrate three accounts held by the bundled Twilio emulator
#                                 (dry run, real run, then a re-run that must show changed=0)
#   make test                     everything CI runs; ends with "ci: N passed, M failed"
#   make bench                    the role, a module loop, a uri loop, Twilio's SDK and a fleet side by side on the
#                                 emulator: table, JSON and plot in reports/bench (BENCH_ARGS=--quick: small sizes)
#   make emulator-test            pytest of the Twilio emulator
#   make sanity CORE=2.19         ansible-test sanity for one ansible-core series (default: all)
#   make units | integration      the same for unit and integration tests
#   make changelog-lint           antsibull-changelog lint
#   make lint                     ansible-lint (production profile), antsibull-docs lint, galaxy-importer
#   make clean                    remove virtual environments and test output
#
# Nothing needs to be installed by hand: the tools go into .venv (Python 3.11) and
# each ansible-core series gets its own .venvs/ansible-core-<series>.

SHELL := /bin/bash
.DEFAULT_GOAL := test

# Interpreter for .venv; pyenv's version directory is used when present because
# pyenv shims of inactive versions do not run.
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11.*/bin/python3.11) python3.11)
VENV := .venv
VENV_PY := $(VENV)/bin/python

# ansible-test matrix: <series>:<pinned ansible-core>:<controller Python>.
ANSIBLE_TEST_MATRIX := 2.16:2.16.19:3.11 2.19:2.19.14:3.11 2.21:2.21.5:3.12
ALL_CORES := $(foreach entry,$(ANSIBLE_TEST_MATRIX),$(firstword $(subst :, ,$(entry))))
CORE ?= $(ALL_CORES)
MATRIX_ENTRIES := $(foreach core,$(CORE),--entry $(or $(filter $(core):%,$(ANSIBLE_TEST_MATRIX)),$(error CORE=$(core) is not one of: $(ALL_CORES))))

TWILIO_OPENAPI_DIR ?= $(CURDIR)/../shared/twilio-openapi
export TWILIO_OPENAPI_DIR

# Every step appends PASS/FAIL/SKIP to this file; `make test` summarises it.
CI_RESULTS ?= $(CURDIR)/reports/ci-results.txt
export CI_RESULTS
STEP = python3 tests/ci/run_step.py --results $(CI_RESULTS)
MATRIX = python3 tests/ci/ansible_test_matrix.py --results $(CI_RESULTS) $(MATRIX_ENTRIES)

.PHONY: venv demo bench test emulator-test changelog-lint sanity units integration ansible-test lint clean reports-dir

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt tests/emulator/requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: venv
	VENV=$(VENV) tests/demo/run-demo.sh

# The bench has its own venv: the collection's tools plus matplotlib and Twilio's SDK.
BENCH_VENV := .venvs/bench
BENCH_PY := $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: tests/bench/requirements.txt requirements-dev.txt tests/emulator/requirements.txt
	rm -rf $(BENCH_VENV)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -r tests/bench/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) tests/bench/run.py $(BENCH_ARGS)

reports-dir:
	@mkdir -p $(dir $(CI_RESULTS))

# -k: run every step even when an earlier one fails; the summary decides the exit status.
test: reports-dir
	@rm -f $(CI_RESULTS) $(dir $(CI_RESULTS))ci-summary.txt
	@status=0; \
	$(MAKE) --no-print-directory -k emulator-test changelog-lint lint ansible-test || status=$$?; \
	python3 tests/ci/summary.py $(CI_RESULTS) --make-status $$status

emulator-test: venv reports-dir
	$(STEP) --name emulator-pytest --timeout 600 -- $(VENV_PY) -m pytest tests/emulator/tests -q -p no:cacheprovider

changelog-lint: venv reports-dir
	$(STEP) --name changelog-lint --timeout 120 -- $(VENV)/bin/antsibull-changelog lint

ansible-test: reports-dir
	$(MATRIX)

sanity units integration: reports-dir
	$(MATRIX) --test $@

lint: reports-dir
	$(STEP) --name lint --timeout 900 -- env PYTHON=$(PYTHON) tests/ci/lint.sh

clean:
	rm -rf $(VENV) .venvs reports tests/output .pytest_cache
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
