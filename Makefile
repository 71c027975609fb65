# Sitthi: everything runs inside .venv, created on first use. A fresh machine needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Exact versions (with hashes) of everything Sitthi and its tests need, for Python 3.11 on any system.
LOCK   := requirements.lock
# JupyterLab's flags (tests/test_notebook_outputs.py starts a server with exactly these): the project's
# config saves notebooks without outputs (analysis/notebook_outputs.py). Extra flags: make lab LAB_ARGS=--no-browser
LAB_FLAGS := --config=jupyter_server_config.py --notebook-dir=notebooks
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help report test lab check lock clean-venv

help: ## Show this help
	@echo "Sitthi (สิทธิ) — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# Reinstall only when the lock file or pyproject.toml changed since the last install.
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Sitthi needs Python 3.11 or newer: install it, or run make PYTHON=python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Cannot create .venv: install Python's venv module (Debian/Ubuntu: apt install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

report: $(STAMP) ## Run the main job on the demo study (outputs/)
	$(BIN)/sitthi report

check: $(STAMP) ## Validate the demo study (sitthi check)
	$(BIN)/sitthi check

test: $(STAMP) ## Run the whole test suite, notebooks included
	$(BIN)/python -m pytest

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

lock: ## Refresh requirements.lock from the ranges in pyproject.toml (then run make test)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --quiet --custom-compile-command "make lock" -o $(LOCK)

clean-venv: ## Remove .venv (the next command reinstalls it)
	rm -rf $(VENV)
