# The two commands of the README: `make demo` and `make test`. Each creates
# .venv and installs what it needs on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The demo is a podcast of its own (examples/podcast.toml): its own folder, never a user's output/.
OUTPUT ?= demo-output
CONFIG ?= examples/podcast.toml
HOST   ?= 0.0.0.0
PORT   ?= 8000

.PHONY: demo test fast-test bench bench-catalogue clean

# The demo needs audiobuild alone; the tests also need the test tools, the cluster
# extra and the offline listener (about 600 MB more), installed on top.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "audiobuild needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/audiobuild build examples/*.txt --config $(CONFIG) --output $(OUTPUT) $(if $(VOICES),--voices $(VOICES) --publish)
	$(BIN)/audiobuild serve --config $(CONFIG) --output $(OUTPUT) --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-test
	$(BIN)/python -m pytest -q -m '' -p no:cacheprovider

fast-test: $(BIN)/.installed-test
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed-test
	$(BIN)/python bench/bench.py

# The catalogue at 100,000 and 1,000,000 episodes: slower than the rest of the bench (about 20 minutes).
bench-catalogue: $(BIN)/.installed-test
	$(BIN)/python bench/catalogue.py --sizes 100000,1000000

clean:
	rm -rf $(VENV) .pytest_cache
