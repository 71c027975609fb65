# Sitthi: everything runs inside .venv, created on first use. A fresh machine needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra flags for JupyterLab, e.g. make lab LAB_ARGS=--no-browser
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help report test lab check clean-venv

help: ## Show this help
	@echo "Sitthi (สิทธิ) — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Sitthi needs Python 3.11 or newer: install it, or run make PYTHON=python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Cannot create .venv: install Python's venv module (Debian/Ubuntu: apt install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

report: $(STAMP) ## Run the main job on the demo study (outputs/)
	$(BIN)/sitthi report

check: $(STAMP) ## Validate the demo study (sitthi check)
	$(BIN)/sitthi check

test: $(STAMP) ## Run the whole test suite, notebooks included
	$(BIN)/python -m pytest

lab: $(STAMP) ## Open JupyterLab on notebooks/ with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

clean-venv: ## Remove .venv (the next command reinstalls it)
	rm -rf $(VENV)
