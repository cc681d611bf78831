# covgap — the two commands a newcomer needs:
#   make demo   set up a virtualenv, install covgap, run it on the bundled example
#   make test   install what the tests need (pip, npm and Debian packages), run lint,
#               type checks and the whole suite, then gate covgap's own coverage with covgap
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: server-demo server-demo-pg server-demo-both demo test setup test-deps system-tools node-tools lint typecheck unit selfcheck bench clean golden

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py $(wildcard src/covgap/*.c)
	$(BIN)/python -m pip install -q -e '.[server]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/covgap demo

# The covgap server with two repositories' CI history, a PR and their trends, to click
# through (issue 12; scripts/server_demo.py): on SQLite at http://127.0.0.1:8080/,
# server-demo-pg on a throwaway local PostgreSQL, server-demo-both: both (8080, 8081).
server-demo: setup
	$(BIN)/python scripts/server_demo.py --backend sqlite

server-demo-pg: setup
	$(BIN)/python scripts/server_demo.py --backend postgresql

server-demo-both: setup
	$(BIN)/python scripts/server_demo.py --backend both

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

# Real coverage tools the fidelity tests run: lcov/gcc, llvm-19, ruby + simplecov,
# node + c8, chromium for the HTML report, go and JaCoCo. Installed with apt-get/npm.
system-tools:
	bash scripts/install-test-tools.sh

node-tools:
	cd tools/node && (npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error)

test-deps: $(VENV)/.test-installed system-tools node-tools

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

unit: test-deps
	@# The C accelerators build "optionally" for users without a compiler; here a failed
	@# build must fail loudly, or the tests would pass on the pure-Python paths alone.
	$(BIN)/python -c "import covgap._speedups, covgap._cobertura_speedups, covgap._xml_speedups"
	rm -f .coverage .coverage.*
	COVGAP_REQUIRE_TOOLS=$${CI:-} $(BIN)/python -m pytest -n 2 -p xdist --cov=covgap --cov-branch \
		--cov-report= $(PYTEST_ARGS)
	$(BIN)/coverage json -q -o out/self-coverage.json

# covgap gates its own coverage with its own check command and the committed config.
selfcheck:
	$(BIN)/covgap report --repo . --format terminal out/self-coverage.json
	$(BIN)/covgap check --repo . out/self-coverage.json

test: lint typecheck unit selfcheck

golden: $(VENV)/.test-installed
	$(BIN)/python -m pytest --update-golden $(PYTEST_ARGS)

bench: setup node-tools
	$(BIN)/python -m pip install -q -r bench/requirements.txt
	$(BIN)/python bench/run.py
	$(BIN)/python bench/bench_html.py --files 1000,3000,10000

clean:
	rm -rf $(VENV) build out .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* src/*.egg-info src/covgap/*.so
