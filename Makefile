# Two commands: `make dev` runs the whole stack locally, `make test` runs every test.
# Both build the virtualenv on first use and check the system tools they need.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov lives in a venv of its own: its bc-python-hcl2 installs an `hcl2` module that
# replaces python-hcl2's (used by tests/unit/test_terraform.py) in a shared venv.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV ?= .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

.PHONY: dev test lint unit integration bench build web doctor clean deploy-web

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is required (found $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a venv: apt-get install -y python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(CHECKOV):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'

# npm ci (firebase-tools, web/inbox) only when a package-lock.json changed, npm run build only when
# the inbox's sources did: stamps in node_modules/ and dist/.
web: $(STAMP)
	@$(BIN)/atende build --web

dev: $(STAMP) web
	@$(BIN)/atende doctor --for dev
	exec $(BIN)/atende dev

doctor: $(STAMP) web
	$(BIN)/atende doctor --for test --install

lint: $(STAMP) $(CHECKOV)
	$(BIN)/ruff check .
	terraform fmt -check -recursive terraform
	$(CHECKOV) --config-file .checkov.yaml

test: doctor lint
	$(BIN)/pytest -q -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

bench: $(STAMP)
	$(BIN)/python bench/bench_spine.py

build: $(STAMP)
	$(BIN)/atende build

# Production web apps, after `terraform apply` (README, "Deploying"): make deploy-web PROJECT=my-project
deploy-web: $(STAMP)
	@test -n "$(PROJECT)" || { echo "usage: make deploy-web PROJECT=<Google Cloud project>"; exit 1; }
	$(BIN)/atende deploy web --project $(PROJECT)

clean:
	rm -rf build .dev .pytest_cache $(CHECKOV_VENV)
