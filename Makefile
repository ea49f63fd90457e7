# The two commands of the README: `make demo` and `make test`. Each creates
# .venv and installs what it needs on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUTPUT ?= output
CONFIG ?= examples/podcast.toml
HOST   ?= 0.0.0.0
PORT   ?= 8000

.PHONY: demo test fast-test bench clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "audiobuild needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/audiobuild build examples/*.txt --config $(CONFIG) --output $(OUTPUT) $(if $(VOICES),--voices $(VOICES))
	$(BIN)/audiobuild serve --config $(CONFIG) --output $(OUTPUT) --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -m '' -p no:cacheprovider

fast-test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache
