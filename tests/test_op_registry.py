"""The op registry (scalargrad/primitives.py) and every table derived from it agree: the same
names everywhere, each primitive on both engines and every backend, its calculus functions and
docs page present, and its gradient right (central differences in float64)."""

import inspect
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

import scalargrad as sg
from scalargrad import calculus, primitives
from scalargrad.matrix import functional_forms
from scalargrad.matrix.backends import cpu, cpu_elementwise, cpu_ops, reference
from scalargrad.matrix.functions import elementwise
from scalargrad.nn import activations
from scalargrad.scalar import nn as scalar_nn
from scalargrad.testing.strategies import primitive_inputs

DOCS = Path(__file__).resolve().parents[1] / "docs" / "derivations"
UNARY = [pytest.param(p, id=p.name) for p in primitives.UNARY]
ALL = [pytest.param(p, id=p.name) for p in primitives.ALL]


def value_op(name, v):
    """The scalar engine's form of unary primitive ``name`` (a Value method or operator)."""
    if name == "neg":
        return -v
    if name == "gelu_tanh":
        return v.gelu(approximate="tanh")
    return getattr(v, name)()


# ---------------------------------------------------------------- the registry itself


def test_names_are_unique():
    names = [p.name for p in primitives.ALL]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("prim", ALL)
def test_calculus_functions_and_docs_page_exist(prim):
    fns = (prim.value, *prim.derivs)
    for fn in fns:
        assert getattr(calculus, fn.__name__) is fn, f"{prim.name}: {fn} is not in calculus.py"
        assert f"derivations/{prim.page}" in fn.__doc__, (
            f"calculus.{fn.__name__} does not name the registry's page derivations/{prim.page}"
        )
    assert (DOCS / f"{prim.page}.md").is_file(), f"{prim.name}: docs/derivations/{prim.page}.md"
    assert prim.value.__name__ == prim.name
    suffixes = ("_deriv",) if prim.arity == 1 else ("_dx", "_dy")
    assert [f.__name__ for f in prim.derivs] == [prim.name + s for s in suffixes]
    assert prim.grad_fn.endswith("Backward0") and prim.low < prim.high


# ---------------------------------------------------------------- every consumer agrees


def test_backend_tables_are_the_registry():
    assert cpu_ops.UNARY_OPS == reference.UNARY == primitives.UNARY_NAMES
    assert cpu_ops.BINARY_OPS == reference.ARITH == primitives.BINARY_NAMES


@pytest.mark.parametrize("prim", UNARY)
def test_cpu_unary_kernels_compile_the_registry_function(prim):
    """Each unary op's kernels (forward and backward, contiguous rows and a strided view) are
    built from the registry's f and f' alone: exactly their float64 values."""
    x = 0.75
    y = prim.value(x)
    xs = np.full((3, 4), x)
    for a in (xs, xs.T):  # contiguous rows, then a transposed (strided) view
        np.testing.assert_array_equal(cpu_elementwise.unary(prim.name, a), np.full(a.shape, y))
        g = np.full(a.shape, 2.0)
        out = cpu_elementwise.unary_backward(prim.name, a, np.full(a.shape, y), g)
        np.testing.assert_array_equal(out, np.full(a.shape, 2.0 * prim.derivs[0](x, y)))


@pytest.mark.parametrize("prim", [pytest.param(p, id=p.name) for p in primitives.BINARY])
def test_cpu_dispatch_has_a_branch_for_every_binary_op(prim):
    code = cpu_ops.BINARY_OPS.index(prim.name)
    x, y = 1.5, 0.75
    assert cpu_ops.binary_op(code, x, y) == prim.value(x, y)
    assert cpu_ops.binary_dx(code, x, y) == prim.derivs[0](x, y)
    assert cpu_ops.binary_dy(code, x, y) == prim.derivs[1](x, y)


@pytest.mark.parametrize("prim", UNARY)
def test_every_unary_op_on_both_engines_and_both_cpu_backends(prim):
    """The scalar Value, the matrix engine (its node named as PyTorch's) and the reference
    backend all give the calculus value."""
    x = np.array([-1.25, 0.5, 2.0]) if prim.low < 0 else np.array([0.25, 0.5, 2.0])
    want = np.array([prim.value(v) for v in x])
    got_values = [value_op(prim.name, sg.Value(v)).data for v in x]
    np.testing.assert_array_equal(got_values, want)
    t = sg.tensor(x, requires_grad=True)
    out = sg.matrix.functions.elementwise.unary(prim.name, t)
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-15)
    assert out.grad_fn.name() == prim.grad_fn
    np.testing.assert_allclose(reference.unary(prim.name, x), want, rtol=1e-15)
    np.testing.assert_allclose(cpu.unary(prim.name, x), want, rtol=1e-15)


def test_binary_functions_cover_the_registry_with_pytorchs_node_names():
    table = elementwise._BINARY
    assert tuple(table) == primitives.BINARY_NAMES
    x = sg.tensor([1.5, 2.0], requires_grad=True)
    for prim in primitives.BINARY:
        assert table[prim.name].apply(x, x).grad_fn.name() == prim.grad_fn


def test_activation_tables_of_both_engines_agree_with_the_registry():
    wanted = {p.name for p in primitives.ACTIVATIONS} | {None, "linear", "identity"}
    assert set(activations.ACTIVATIONS) == wanted
    assert set(scalar_nn.ACTIVATIONS) == wanted
    for prim in primitives.ACTIVATIONS:
        assert type(activations.activation(prim.name)).__name__ == prim.activation
        assert getattr(sg.nn, prim.activation) is activations.ACTIVATIONS[prim.name]
        assert repr(scalar_nn.ACTIVATIONS[prim.name]()) == f"{prim.activation}()"
        layer = scalar_nn.ACTIVATIONS[prim.name]()
        assert layer(sg.Value(0.5)).data == prim.value(0.5)


def test_functional_forms_are_defs_and_cover_the_tensor_methods_of_the_registry():
    defs = {
        name
        for name, fn in vars(functional_forms).items()
        if inspect.isfunction(fn) and not name.startswith("_")
    }
    assert defs == set(sg._FUNCTIONAL)
    tensor_methods = {p.name for p in primitives.ALL if hasattr(sg.Tensor, p.name)}
    assert tensor_methods <= defs
    for name in defs:
        assert getattr(sg, name) is getattr(functional_forms, name)


# ---------------------------------------------------------------- gradients, from the registry


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("prim", UNARY)
def test_unary_derivative_matches_central_differences_on_both_engines(prim):
    @settings(max_examples=40, deadline=None)
    @given(primitive_inputs(prim.name))
    def check(x):
        want = _central(prim.value, x)
        scale = max(1.0, math.fabs(want))
        v = sg.Value(x)
        out = value_op(prim.name, v)
        out.backward()
        assert math.isclose(v.grad, want, rel_tol=1e-6, abs_tol=1e-6 * scale)
        t = sg.tensor([x], dtype=sg.float64, requires_grad=True)
        sg.matrix.functions.elementwise.unary(prim.name, t).sum().backward()
        assert math.isclose(t.grad.item(), want, rel_tol=1e-6, abs_tol=1e-6 * scale)

    check()


@pytest.mark.parametrize("prim", [pytest.param(p, id=p.name) for p in primitives.BINARY])
def test_binary_derivatives_match_central_differences(prim):
    @settings(max_examples=40, deadline=None)
    @given(primitive_inputs(prim.name))
    def check(xy):
        x, y = xy
        if prim.name in ("maximum", "minimum") and abs(x - y) < 1e-3:
            return  # the tie: no derivative
        for k, deriv in enumerate(prim.derivs):
            f = (lambda a: prim.value(a, y)) if k == 0 else (lambda b: prim.value(x, b))
            want = _central(f, (x, y)[k])
            assert math.isclose(deriv(x, y), want, rel_tol=1e-5, abs_tol=1e-5 * max(1, abs(want)))

    check()
