"""Every primitive and every tensor Function has a derivation page in docs/derivations/.

* each public function of scalargrad/calculus.py names its page in its docstring
  (``Docs: derivations/<name>``) and docs/derivations/<name>.md exists;
* each subclass of scalargrad.matrix.autograd_function.Function has a class attribute ``derivation``
  naming a page (every module of scalargrad/matrix/, functions/*.py included, and
  scalargrad.nn are imported first, so all of them are seen).
  Private helper bases (a leading underscore, and subclassed: ``_Unary``, ``_Binary``) are
  skipped; their concrete subclasses are checked.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from scalargrad import calculus

DERIVATIONS = Path(__file__).resolve().parents[2] / "docs" / "derivations"
DOCS_REF = re.compile(r"Docs:\s*derivations/([A-Za-z0-9_]+)")


HELPERS = {"typed"}  # typed(x, c): a constant in x's float type, used by every function; no math


def calculus_primitives():
    return [
        (name, fn)
        for name, fn in vars(calculus).items()
        if inspect.isfunction(fn)
        and fn.__module__ == calculus.__name__
        and not name.startswith("_")
        and name not in HELPERS
    ]


def page_exists(name):
    return (DERIVATIONS / f"{name}.md").is_file()


@pytest.mark.parametrize("name, fn", [pytest.param(n, f, id=n) for n, f in calculus_primitives()])
def test_calculus_primitive_has_a_page(name, fn):
    refs = DOCS_REF.findall(fn.__doc__ or "")
    assert refs, f"calculus.{name}: its docstring names no page ('Docs: derivations/<name>.')"
    for ref in refs:
        assert page_exists(ref), (
            f"calculus.{name} names derivations/{ref}, but docs/derivations/{ref}.md is missing"
        )


def function_subclasses():
    try:
        base = importlib.import_module("scalargrad.matrix.autograd_function").Function
    except ModuleNotFoundError as error:
        if error.name != "scalargrad.matrix.autograd_function":
            raise
        return None
    # every module of the matrix engine (Functions live in functions/*.py);
    # the backends hold kernels, not Functions
    matrix = importlib.import_module("scalargrad.matrix")
    for info in pkgutil.walk_packages(matrix.__path__, prefix="scalargrad.matrix."):
        if not info.name.startswith("scalargrad.matrix.backends"):
            importlib.import_module(info.name)
    importlib.import_module("scalargrad.nn")
    found, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def test_every_tensor_function_names_an_existing_page():
    classes = function_subclasses()
    if classes is None:
        pytest.skip("scalargrad.matrix.autograd_function has not landed yet")
    missing = []
    for cls in classes:
        if not cls.__module__.startswith("scalargrad."):
            continue  # defined outside the package (a docs example, a user's own op)
        if cls.__name__.startswith("_") and cls.__subclasses__():
            continue  # a private helper base; its subclasses are the ops
        page = getattr(cls, "derivation", None)
        where = f"{cls.__module__}.{cls.__qualname__}"
        if not page:
            missing.append(f"{where}: no class attribute 'derivation'")
        elif not page_exists(page.removeprefix("derivations/")):
            missing.append(
                f"{where}: derivation = {page!r}, but docs/derivations/{page}.md is missing"
            )
    assert not missing, "\n".join(missing)


def test_pages_named_by_calculus_exist_as_a_set():
    """One readable list of every missing page (the per-primitive tests say the same one by one)."""
    named = {ref for _, fn in calculus_primitives() for ref in DOCS_REF.findall(fn.__doc__ or "")}
    assert sorted(n for n in named if not page_exists(n)) == []


# ---------------------------------------------------------------- "How it is tested" on every page

TESTS = Path(__file__).resolve().parents[1]
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]`]+)\])?`")


def derivation_pages():
    return sorted(p for p in DERIVATIONS.glob("*.md") if p.stem != "index")


@pytest.mark.parametrize("page", [pytest.param(p, id=p.stem) for p in derivation_pages()])
def test_every_derivation_page_says_how_it_is_tested(page):
    text = page.read_text()
    assert "\n## How it is tested\n" in text, f"{page.name}: no '## How it is tested' section"
    section = text.split("\n## How it is tested\n", 1)[1]
    assert CITED.search(section), f"{page.name}: its 'How it is tested' section cites no test"


@pytest.mark.parametrize("page", [pytest.param(p, id=p.stem) for p in derivation_pages()])
def test_tests_cited_by_a_derivation_page_exist(page):
    """A cited ``tests/x.py::test_name[case]`` names a real file, a real test function in it,
    and (for a parametrized case) ids that the file spells out as strings."""
    root = TESTS.parent
    missing = []
    for path, name, case in CITED.findall(page.read_text()):
        source = root / path
        if not source.is_file():
            missing.append(f"{path} does not exist")
            continue
        text = source.read_text()
        if not re.search(rf"^\s*def {name}\(", text, re.M):
            missing.append(f"{path} has no test {name}")
            continue
        for part in case.split("-") if case else []:
            if part not in ("float32", "float64") and f'"{part}"' not in text:
                missing.append(f"{path}::{name}: no case {part!r} in the file")
    assert not missing, f"{page.name} cites:\n" + "\n".join(missing)


# ---------------------------------------------------------------- every loss and layer has a page

# The page that derives each public loss, functional op, init rule, layer and optimizer. A new
# public name here fails the test below until it gets a page (and an entry in this table).
PAGE_OF = {
    "scalargrad.scalar.losses": {
        "mse_loss": "mse", "l1_loss": "l1", "smooth_l1_loss": "smooth_l1",
        "binary_cross_entropy": "bce", "binary_cross_entropy_with_logits": "bce_with_logits",
        "hinge": "hinge", "cross_entropy": "cross_entropy",
        # the short aliases of earlier lessons
        "mse": "mse", "l1": "l1", "smooth_l1": "smooth_l1", "bce": "bce",
        "bce_with_logits": "bce_with_logits",
    },
    "scalargrad.nn.functional": {
        "linear": "linear", "relu": "relu", "leaky_relu": "relu", "sigmoid": "sigmoid",
        "tanh": "tanh", "silu": "silu", "gelu": "gelu",
        "softplus": "softplus", "softmax": "softmax", "log_softmax": "log_softmax",
        "dropout": "dropout", "mse_loss": "mse", "l1_loss": "l1", "smooth_l1_loss": "smooth_l1",
        "binary_cross_entropy": "bce", "binary_cross_entropy_with_logits": "bce_with_logits",
        "cross_entropy": "cross_entropy", "nll_loss": "cross_entropy", "one_hot": "cross_entropy",
    },
    "scalargrad.nn.init": {
        "calculate_gain": "initialization", "calculate_fan_in_and_fan_out": "initialization",
        "uniform_": "initialization", "normal_": "initialization", "constant_": "initialization",
        "zeros_": "initialization", "ones_": "initialization",
        "kaiming_uniform_": "initialization", "kaiming_normal_": "initialization",
        "xavier_uniform_": "initialization", "xavier_normal_": "initialization",
    },
    "scalargrad.nn.losses": {
        "MSELoss": "mse", "L1Loss": "l1", "SmoothL1Loss": "smooth_l1", "BCELoss": "bce",
        "BCEWithLogitsLoss": "bce_with_logits", "CrossEntropyLoss": "cross_entropy",
        "NLLLoss": "cross_entropy",
    },
    "scalargrad.nn.dropout": {"Dropout": "dropout"},
    "scalargrad.optim": {
        "Optimizer": "optimizers",
        "SGD": "weight_decay",
        "Adam": "weight_decay",
        "AdamW": "weight_decay",
        "RMSprop": "optimizers",
        "Adagrad": "optimizers",
    },
}  # fmt: skip


def public_names(module):
    """Functions and classes defined in ``module`` itself, without a leading underscore."""
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    )


@pytest.mark.parametrize("module_name", sorted(PAGE_OF))
def test_every_loss_layer_init_and_optimizer_has_a_page(module_name):
    module = importlib.import_module(module_name)
    pages = PAGE_OF[module_name]
    unmapped = [n for n in public_names(module) if n not in pages]
    assert not unmapped, (
        f"{module_name}: no derivation page recorded for {unmapped}; write "
        "docs/derivations/<page>.md and add the name to PAGE_OF"
    )
    missing = sorted({p for p in pages.values() if not page_exists(p)})
    assert not missing, f"{module_name}: pages {missing} are missing from docs/derivations/"


def test_every_derivation_page_is_in_the_index():
    index = (DERIVATIONS / "index.md").read_text()
    listed = set(re.findall(r"^([a-z_0-9]+)$", index, re.M))
    assert sorted(p.stem for p in derivation_pages() if p.stem not in listed) == []
