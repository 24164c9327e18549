# Two entry points for users: `make demo` and `make test`. Everything else is for maintainers.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OUT    ?= out

.PHONY: demo test bench dist docs-images graphviz cjk-font clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Reinstall when the package metadata changes.
$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(PY)
	$(PIP) install -q -e ".[demos]"
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(PY)
	$(PIP) install -q -e ".[test,demos,notebook]"
	@if [ -n "$(WITH_TORCH)" ]; then $(PIP) install -q torch==2.13.0 || echo "torch not installed: PyTorch parity tests will skip"; fi
	touch $@

# Installs Graphviz's `dot` (a system package) when it can, else says how; the demo still
# prints its numbers without it, writes the .dot source and exits non-zero.
graphviz:
	-@bash tools/install_graphviz.sh

# A CJK font for the Chinese pictures (lang="zh"); without it their tests skip and say why.
cjk-font:
	-@bash tools/install_cjk_font.sh

## The main job: the apples-and-oranges graph, its gradients and its picture.
demo: $(VENV)/.installed-demo graphviz
	$(VENV)/bin/autograd-lite demo apple-orange -o $(OUT)/apple_orange.png

## Linters, type checks and the whole test suite.
test: $(VENV)/.installed-test
	$(PY) -m ruff check autograd_lite viz demos tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -q

bench: $(VENV)/.installed-test
	$(PIP) install -q -e ".[bench]"
	$(PY) -m benchmarks.bench_scalar
	$(PY) -m benchmarks.bench_tensor

## The sdist and the wheel in dist/, checked as PyPI would (what .ci/run checks too).
dist: $(VENV)/.installed-test
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*

## The pictures in README.md and docs/ (PNG + DOT), rendered by the demo and viz; commit them.
docs-images: $(VENV)/.installed-demo graphviz cjk-font
	$(PY) tools/make_doc_images.py

clean:
	rm -rf $(VENV) $(OUT) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
