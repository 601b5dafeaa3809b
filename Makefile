# azlogs: `make demo` and `make test` each set up .venv on a fresh clone and do the whole job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Azure CLI, unchanged, in a venv of its own (its pins would fight ours): tests/integration/test_azure_cli.py.
AZ_VENV := .venv-az
AZ_STAMP := $(AZ_VENV)/.installed
AZ_LOCK := tests/az/requirements-az.lock
# azure-monitor-query 1.4.1, the last with MetricsQueryClient (2.0 in requirements.lock moved metrics out),
# in a venv of its own: tests/integration/test_dcr_log_errors.py runs tests/integration/scripts/metrics_query_client.py in it.
MQC_VENV := .venv-mqc
MQC_STAMP := $(MQC_VENV)/.installed
MQC_LOCK := tests/mqc/requirements-mqc.lock

.PHONY: demo test lint unit fuzz fmt bench clean az mqc compat browser

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[emulator,dev]'
	touch $(STAMP)

# --no-deps: the lock is the whole resolved set (pip freeze), installed exactly.
$(AZ_STAMP): $(AZ_LOCK)
	test -x $(AZ_VENV)/bin/python || $(PYTHON) -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install --quiet --no-deps -r $(AZ_LOCK)
	$(AZ_VENV)/bin/python -c "import azure.cli.core, azure.cli.command_modules.role"
	touch $(AZ_STAMP)

az: $(AZ_STAMP)

$(MQC_STAMP): $(MQC_LOCK)
	test -x $(MQC_VENV)/bin/python || $(PYTHON) -m venv $(MQC_VENV)
	$(MQC_VENV)/bin/python -m pip install --quiet --no-deps -r $(MQC_LOCK)
	$(MQC_VENV)/bin/python -c "from azure.monitor.query import MetricsQueryClient; import azure.identity"
	touch $(MQC_STAMP)

mqc: $(MQC_STAMP)

# The JavaScript query clients that tests/integration/test_query_js.py drives, pinned in
# tests/js/package-lock.json (`npm ci`). Without npm (hence without node) that test is skipped.
JS_STAMP := tests/js/node_modules/.installed
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/js && npm ci && touch node_modules/.installed; \
	else echo "npm not found: the JavaScript query client tests will be skipped"; fi

# Debian's Chromium and its driver for the portal's browser tests (tests/e2e/test_portal.py, Selenium).
# Installed when missing and this runs as root with apt-get; otherwise that test fails and says what to install.
BROWSER_PACKAGES := chromium chromium-driver
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing $(BROWSER_PACKAGES) for the portal's browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null) \
	    || echo "could not install $(BROWSER_PACKAGES): tests/e2e/test_portal.py will fail"; \
	else echo "chromium/chromedriver missing and not root: tests/e2e/test_portal.py will fail (apt-get install -y $(BROWSER_PACKAGES))"; fi

demo: $(STAMP)
	$(BIN)/azlogs demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: lint browser $(AZ_STAMP) $(MQC_STAMP) $(JS_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests
	$(MAKE) --no-print-directory compat

# The package claims Python >= 3.11; the whole suite runs on $(PYTHON) (3.11 here) and the unit and CLI
# suites on every newer CPython this machine has (pyenv's, or python3.N on PATH), each in .venv-3.N.
# A ResourceWarning fails them as it fails 3.11 (3.13 also warns of a sqlite3 connection never closed).
# AZLOGS_FUZZ=compat: every Hypothesis test runs at most 20 examples there (tests/conftest.py says why);
# the full counts run on $(PYTHON).
COMPAT_VERSIONS ?= 3.12 3.13
compat: $(STAMP)
	@for v in $(COMPAT_VERSIONS); do \
	  py=$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/$$v.*/bin/python 2>/dev/null | tail -1); \
	  [ -n "$$py" ] && "$$py" -c 'pass' 2>/dev/null || py=$$(command -v python$$v 2>/dev/null); \
	  if [ -z "$$py" ] || ! "$$py" -c 'pass' 2>/dev/null; then echo "compat: no Python $$v on this machine, skipped"; continue; fi; \
	  venv=.venv-$$v; \
	  if [ ! -f $$venv/.installed ] || [ pyproject.toml -nt $$venv/.installed ] || [ requirements.lock -nt $$venv/.installed ]; then \
	    { test -x $$venv/bin/python || "$$py" -m venv $$venv; } && \
	    $$venv/bin/python -m pip install --quiet -c requirements.lock -e '.[emulator,dev]' && touch $$venv/.installed || exit 1; \
	  fi; \
	  echo "compat: the unit and CLI suites on Python $$v"; \
	  AZLOGS_FUZZ=compat $$venv/bin/python -m pytest -q -n 2 -p no:cacheprovider -W error::ResourceWarning tests/unit tests/cli || exit 1; \
	done

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# The fuzz campaign with many more, fresh examples (make test runs a fixed, bounded set of them).
fuzz: $(STAMP)
	AZLOGS_FUZZ=long $(BIN)/python -m pytest -q -n 2 tests/unit/fuzz tests/unit/emulator/test_ingestion_fuzz.py tests/unit/emulator/test_query_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/send.py

clean:
	rm -rf $(VENV) $(AZ_VENV) $(MQC_VENV) .venv-3.* .mypy_cache .pytest_cache .ruff_cache build src/*.egg-info tests/js/node_modules
