# Set-up and test entry points; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch is pinned to the CPU build; an unpinned torch pulls a multi-GB CUDA build.
	# pip's own output is the progress of these two steps (about a minute).
	$(BIN)/pip install --progress-bar on torch==2.13.0
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/ramiel demo

test: setup
	$(BIN)/ruff check .
	# Byte-compiled once here, Ramiel's modules load in half the time in each of the
	# hundreds of processes below, also where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q ramiel dialects passes tools tests
	$(BIN)/lit -q tests/filecheck
	# One worker per core; a test file stays on one worker, so its module fixtures run once.
	$(BIN)/pytest -q -n auto --dist loadfile tests/unit

# Benchmarks time code: run them on a quiet machine. RAMIEL_BENCH_REPEAT sets the rounds.
bench: setup
	$(BIN)/python -m tests.harness.bench_suite docs/bench.md

lint: setup
	$(BIN)/ruff check .
	# pyright follows the package-dir mapping only through a strict editable install.
	# It shadows the mapping for tests run from the checkout, so the usual install
	# comes back after, whatever pyright says.
	$(BIN)/pip install --quiet -e . --no-deps --config-settings editable_mode=strict
	$(BIN)/pyright; status=$$?; $(BIN)/pip install --quiet -e . --no-deps; exit $$status

clean:
	rm -rf $(VENV) .cache
