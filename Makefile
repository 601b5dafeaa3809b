# azlogs: `make demo` and `make test` each set up .venv on a fresh clone and do the whole job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Azure CLI, unchanged, in a venv of its own (its pins would fight ours): tests/integration/test_azure_cli.py.
AZ_VENV := .venv-az
AZ_STAMP := $(AZ_VENV)/.installed
AZ_LOCK := tests/az/requirements-az.lock

.PHONY: demo test lint unit fuzz fmt bench clean az

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

# The JavaScript query clients that tests/integration/test_query_js.py drives, pinned in
# tests/js/package-lock.json (`npm ci`). Without npm (hence without node) that test is skipped.
JS_STAMP := tests/js/node_modules/.installed
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/js && npm ci && touch node_modules/.installed; \
	else echo "npm not found: the JavaScript query client tests will be skipped"; fi

demo: $(STAMP)
	$(BIN)/azlogs demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: lint $(AZ_STAMP) $(JS_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# The fuzz campaign with many more, fresh examples (make test runs a fixed, bounded set of them).
fuzz: $(STAMP)
	AZLOGS_FUZZ=long $(BIN)/python -m pytest -q -n 2 tests/unit/fuzz tests/unit/emulator/test_ingestion_fuzz.py tests/unit/emulator/test_query_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/send.py

clean:
	rm -rf $(VENV) $(AZ_VENV) .mypy_cache .pytest_cache .ruff_cache build src/*.egg-info tests/js/node_modules
