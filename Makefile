# Quick start: `make demo` runs the main job on the bundled example; `make test` runs the whole suite.
# Both create .venv and install what they need; re-running is fast when nothing changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
OUT    := out

.PHONY: demo test test-fast lint dot chromium wheel-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	@touch $@ $(VENV)/.installed

# Install a Debian package with apt when none of its commands is found and we are root; otherwise say how.
# $(1): the commands, any of which will do; $(2): the package; $(3): what is lost without it (no commas).
define ensure_apt
	@for c in $(1); do command -v $$c >/dev/null 2>&1 && exit 0; done; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing $(2) with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null) \
	    || echo "warning: could not install $(2); $(3)"; \
	else \
	  echo "$(2) is missing: $(3) (install it with 'sudo apt-get install $(2)' or your system's package manager)"; \
	fi
endef

# Graphviz's `dot` renders graphs.
dot:
	$(call ensure_apt,dot,graphviz,rendering will be unavailable)

# Headless Chromium checks the HTML report in a real browser (tests marked `browser`); without it those
# tests skip with the reason.
chromium:
	$(call ensure_apt,chromium chromium-browser,chromium,browser tests will be skipped)

# The NHEFS report is rebuilt only when its inputs change: the analysis specification, the graph, the data,
# or dagcore's own source. The summary is kept beside it, so an unchanged re-run prints the same headline at once.
DEMO_SPEC   := examples/nhefs/analysis.toml
DEMO_INPUTS := $(DEMO_SPEC) examples/nhefs/nhefs.dag examples/nhefs/nhefs.csv
DEMO_SOURCE := $(shell find dagcore estimators grammar -name '*.py' -o -name '*.lark' 2>/dev/null)

$(OUT)/nhefs_checked: examples/*.dag examples/*/*.dag $(VENV)/.installed
	@mkdir -p $(OUT)
	$(BIN)/dagcore check examples/*.dag examples/*/*.dag
	$(BIN)/dagcore identify examples/nhefs/nhefs.dag
	@touch $@

$(OUT)/nhefs_report.html: $(DEMO_INPUTS) $(DEMO_SOURCE) $(VENV)/.installed | dot
	@mkdir -p $(OUT)
	$(BIN)/dagcore analyze --spec $(DEMO_SPEC) -o $@ --figures $(OUT)/nhefs_figures > $(OUT)/nhefs_summary.tmp
	@mv $(OUT)/nhefs_summary.tmp $(OUT)/nhefs_summary.txt

demo: $(OUT)/nhefs_checked $(OUT)/nhefs_report.html
	@sed -n '1,/^Data:/p' $(OUT)/nhefs_summary.txt
	@echo "report: $(OUT)/nhefs_report.html (open it in a browser); figures: $(OUT)/nhefs_figures/; summary: $(OUT)/nhefs_summary.txt"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# mypy cannot follow setuptools' package-dir mapping, so it checks a tree of symlinks laid out as the
# installed package (dagcore/, with grammar/ and estimators/ as dagcore/grammar and dagcore/estimators).
TYPECHECK := build/typecheck
typecheck: $(VENV)/.installed-dev
	@rm -rf $(TYPECHECK)/dagcore && mkdir -p $(TYPECHECK)/dagcore
	@for f in dagcore/*; do ln -s "$(CURDIR)/$$f" $(TYPECHECK)/dagcore/; done
	@ln -s "$(CURDIR)/grammar" $(TYPECHECK)/dagcore/grammar && ln -s "$(CURDIR)/estimators" $(TYPECHECK)/dagcore/estimators
	cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p dagcore

test: $(VENV)/.installed-dev dot chromium typecheck
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The quick loop while developing: everything except the tests marked slow (statistical, brute-force, browser, wheel).
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

bench: $(VENV)/.installed-dev dot
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
