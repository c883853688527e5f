# SNN Explorer. `make serve` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5006
PYTEST_ARGS ?= --durations=15

.PHONY: install data lint format test test-fast serve notebook bench clean

install: $(STAMP)

# neurobench (tests/test_fidelity.py runs NeuroBench's own metrics) goes in without its dependencies: its
# torchaudio requirement serves its own data sets (unused here) and would pull another torch.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps 'neurobench==2.3.0'
	$(BIN)/python -m snnexplorer.warmup
	touch $(STAMP)

data:
	bash tools/offline-data.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install data
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install data
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

serve: install data
	$(BIN)/snnexplorer serve --address $(HOST) --port $(PORT)

# the example notebook in JupyterLab, with what Panel's widgets need there (the notebook extra)
notebook: install data
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	$(BIN)/jupyter lab --ip $(HOST) examples/explorer.ipynb

bench: install data
	$(BIN)/python -m pip install --quiet -e '.[bench]' -c benchmarks/constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps spikingjelly==2.0.0 loguru nirtorch sinabs pbr -c benchmarks/constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation norse==1.1.0 -c benchmarks/constraints.txt
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
