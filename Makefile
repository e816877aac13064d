# OneDoor's two entry points: `make run` and `make test` (see README). Everything else is in scripts/.
PYTHON ?= python3
VENV ?= .venv
export ONEDOOR_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test setup lint bench

run: setup
	$(VENV)/bin/onedoor migrate --noinput
	$(VENV)/bin/onedoor demo --once
	$(VENV)/bin/onedoor serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: setup
	bash scripts/test.sh

setup:
	@PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/setup.sh

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(VENV)/bin/onedoor bench
