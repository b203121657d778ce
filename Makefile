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

# Graphviz's `dot` renders graphs; install it with apt when missing and we are root.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Graphviz (dot) with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	      || echo "warning: could not install graphviz; rendering will be unavailable"; \
	  else \
	    echo "Graphviz 'dot' is missing: install it with 'sudo apt-get install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)"; \
	  fi; }

# Headless Chromium checks the HTML report in a real browser (tests marked `browser`); install it with apt
# when missing and we are root, otherwise those tests skip with the reason.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else \
	    echo "chromium is missing: browser tests will be skipped (install it with 'sudo apt-get install chromium')"; \
	  fi; }

demo: $(VENV)/.installed dot
	@mkdir -p $(OUT)
	$(BIN)/dagcore check examples/*.dag examples/*/*.dag
	$(BIN)/dagcore identify examples/nhefs/nhefs.dag
	$(BIN)/dagcore analyze examples/nhefs/nhefs.dag --data examples/nhefs/nhefs.csv -o $(OUT)/nhefs_report.html
	@echo "report: $(OUT)/nhefs_report.html (open it in a browser)"

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
