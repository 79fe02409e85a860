# Build and test entry points of the twilio_ops.chat collection.
#
#   make demo                     discover an emulated parent's subaccounts and their Chat services, audit them,
#                                 dry run, migrate, then a re-run that must show changed=0
#   make bench                    the role, a module loop, a uri loop, Twilio's SDK and a fleet side by side on the
#                                 emulator: table, JSON and plot in reports/bench (BENCH_ARGS=--quick: small sizes)
#   make test                     every CI session of noxfile.py; ends with "ci: N passed, M failed"
#   make lint                     yamllint, antsibull-docs lint, extra checks, build + galaxy-importer, ansible-lint
#   make emulator-test | repo-test | changelog-lint
#   make sanity CORE=2.19         ansible-test sanity for one ansible-core series (default: all)
#   make units | integration      the same for unit and integration tests
#   make changelog                CHANGELOG.md for the version in galaxy.yml, from changelogs/fragments/
#   make clean                    remove virtual environments and test output
#
# Any session on its own: .venvs/nox/bin/nox -s NAME (`.venvs/nox/bin/nox --list` lists them).
# Nothing needs to be installed by hand: nox and antsibull-nox go into .venvs/nox, every
# session into its own venv under .nox/, the demo uses .venv and the bench .venvs/bench (Python 3.11).

SHELL := /bin/bash
.DEFAULT_GOAL := test

# pyenv's version directory is used when present because pyenv shims of inactive versions do not run.
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11.*/bin/python3.11) python3.11)
VENV := .venv
VENV_PY := $(VENV)/bin/python
NOX_VENV := .venvs/nox
NOX := $(NOX_VENV)/bin/nox --reuse-venv yes
CORE ?= 2.16 2.19 2.21

TWILIO_OPENAPI_DIR ?= $(CURDIR)/../shared/twilio-openapi
export TWILIO_OPENAPI_DIR
export ANSIBLE_LINT_SKIP_SCHEMA_UPDATE := 1

.PHONY: venv nox-venv demo bench changelog test lint emulator-test repo-test changelog-lint sanity units integration ansible-test clean

venv: $(VENV)/.installed
nox-venv: $(NOX_VENV)/.installed

$(VENV)/.installed: requirements-dev.txt tests/emulator/requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NOX_VENV)/.installed: tests/ci/requirements-nox.txt
	rm -rf $(NOX_VENV)
	$(PYTHON) -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/python -m pip install --quiet -r tests/ci/requirements-nox.txt
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

# antsibull-changelog finds the collection's modules and roles with ansible-doc.
changelog: venv
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/antsibull-changelog release

# nox runs every session even when one fails; the summary's last line is what CI reads.
test: nox-venv
	@mkdir -p reports && rm -f reports/nox.json
	@$(NOX) --report reports/nox.json </dev/null; status=$$?; \
	set -o pipefail; $(NOX_VENV)/bin/python tests/ci/summary.py reports/nox.json $$status | tee reports/ci-summary.txt

lint: nox-venv
	$(NOX) -s lint docs-check extra-checks build-import-check ansible-lint

emulator-test: nox-venv
	$(NOX) -s pytest-emulator

repo-test: nox-venv
	$(NOX) -s pytest-repo

changelog-lint: nox-venv
	$(NOX) -s changelog-lint

sanity units integration: nox-venv
	$(NOX) -s $(foreach core,$(CORE),ansible-test-$@-$(core))

ansible-test: nox-venv
	$(NOX) -s $(foreach test,sanity units integration,$(foreach core,$(CORE),ansible-test-$(test)-$(core)))

clean:
	rm -rf $(VENV) .venvs .nox reports tests/output .pytest_cache
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
