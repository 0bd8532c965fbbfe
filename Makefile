# mmkit: `make demo` shows mmkit on the example project, `make test` is what CI runs.
# Only python3 and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mmkit-installed

.PHONY: help venv demo test bench stress clean

help:
	@echo "make demo   set up .venv, migrate the example project and run mmkit check on it"
	@echo "make test   set up .venv if needed, run ruff, every test suite and mmkit test --all (what CI runs)"
	@echo "make bench  compare mmkit with grimp, import-linter and tach, and time the events runtime (minutes; docs/performance.md)"
	@echo "make stress the long fault runs of docs/reliability.md: concurrent and killed new-module"
	@echo "make clean  remove .venv, caches and the example database"

venv: $(STAMP)

# Reinstalled whenever pyproject.toml changes; the stamp records the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: venv
	cd example_project && ../$(BIN)/python manage.py migrate --noinput
	$(BIN)/mmkit check example_project
	@echo
	@echo "next: cd example_project && ../$(BIN)/python manage.py runserver"

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
	cd example_project && ../$(BIN)/pytest
	cd example_project && ../$(BIN)/mmkit test --all

# The speed comparison of docs/performance.md: minutes, so not part of `make test`.
BENCH_STAMP := $(VENV)/.mmkit-bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/events.py

# 4 concurrent new-module runs x 50 rounds and 100 random kills: minutes, so not in `make test`.
stress: venv
	$(BIN)/python tests/stress/scaffold_stress.py $(STRESS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mmkit_cache build dist *.egg-info
	rm -rf example_project/db.sqlite3 example_project/.mmkit_cache example_project/.ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
