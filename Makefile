# scalargrad: `make demo` and `make test` work on a fresh machine (they create .venv themselves).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export MPLBACKEND := Agg
# every pip install below takes CI's exact versions from constraints.txt (setup.cfg: the ranges)
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt

.PHONY: demo test test-ptx test-parity test-lowest lint bench docs docs-check clean mutation

$(INSTALLED): setup.cfg pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,datasets,demos]'
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(PY) demos/tour.py

# the CUDA tests run in a pytest process of their own, on numba's CUDA simulator; the PyTorch
# parity tests in `make test-parity`
test: $(INSTALLED)
	$(PY) -m pytest tests --ignore=tests/cuda --ignore=tests/parity
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest tests/cuda
	$(PY) -m pytest docs -q

# every CUDA kernel compiled to PTX by the real CUDA compiler (NVVM): no GPU needed, only the
# toolkit libraries of the [cuda] extra (a large download, so not part of `make test`)
CUDA_INSTALLED := $(VENV)/.cuda-installed
$(CUDA_INSTALLED): $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[cuda]'
	$(PY) -m pip install --quiet --disable-pip-version-check nvidia-cuda-nvcc==13.5.37  # ptxas
	touch $(CUDA_INSTALLED)

test-ptx: $(CUDA_INSTALLED)
	NUMBA_ENABLE_CUDASIM=0 $(PY) -m pytest tests/cuda/test_ptx.py -q

# mutation testing of calculus.py (mutmut 3), then of the Functions' backward methods, the row
# math and the CUDA kernels (tests/mutation/mutate.py: numba code mutmut cannot instrument,
# a seeded sample per file): long, not part of CI
mutation: $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check mutmut==3.8.1
	$(PY) tests/mutation/run.py
	$(PY) tests/mutation/mutate.py --sample 8

lint: $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(PY) -m ruff check scalargrad tests demos

# the references we measure against are installed for the benchmark only, never as dependencies
bench: $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check micrograd==0.1.0 torch==2.13.0
	$(PY) demos/benchmark.py

# PyTorch course code run with PyTorch and with scalargrad, printed output compared
# (docs/pytorch_compat.md); torch is test-only, installed here, never a package dependency
# every test that compares with PyTorch (they skip in `make test`, where torch is not installed)
TORCH_TESTS := tests/matrix/test_torch_parity.py tests/matrix/test_torch_parity_derivations.py \
	tests/matrix/test_torch_parity_extremes.py tests/nn/test_nn_class_loss_options.py \
	tests/nn/test_nn_losses.py tests/scalar/test_scalar_optim.py tests/demos/test_demos_benchmark.py \
	tests/matrix/test_torch_parity_sorting.py
test-parity: $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pytest tests/parity $(TORCH_TESTS) -q

# the lowest numpy/numba/llvmlite/matplotlib setup.cfg allows, in a venv of their own
LOWEST := .venv-lowest
test-lowest:
	test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	PIP_CONSTRAINT=$(CURDIR)/constraints-lowest.txt $(LOWEST)/bin/python -m pip install \
		--quiet --disable-pip-version-check -e '.[test]'
	$(LOWEST)/bin/python -m pytest tests/matrix tests/nn tests/test_torch_compat.py -q -x

# the docs site, warnings are errors; sphinx-gallery runs the lessons of demos/ (small budget)
# and writes docs/auto_demos/ (a lesson whose script did not change is not run again)
DOCS_INSTALLED := $(VENV)/.docs-installed
$(DOCS_INSTALLED): $(INSTALLED) setup.cfg
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	touch $(DOCS_INSTALLED)

docs: $(DOCS_INSTALLED)
	$(PY) -m sphinx -W --keep-going -q -E -b html docs docs/_build/html
	@echo "the site is built: open file://$(CURDIR)/docs/_build/html/index.html"

# checks of the built site (CI): headless Chromium typesets the math (apt-get install chromium),
# and every lesson notebook runs top to bottom in a Jupyter kernel
docs-check: docs
	SCALARGRAD_DOCS_BUILT=1 $(PY) -m pytest tests/docs/test_math_renders.py \
		tests/docs/test_course_figures.py tests/docs/test_notebooks.py -q

clean:
	rm -rf $(VENV) $(LOWEST) .cache docs/_build docs/auto_demos docs/architecture/_generated docs/sg_execution_times.rst out demos/out
