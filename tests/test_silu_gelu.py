"""silu and gelu, the two primitives added through the op registry: values against their
definitions written independently (math.exp, math.erf, a normal table), on both engines.
Their gradients are checked with every other primitive's in tests/test_op_registry.py."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import calculus

FINITE = st.floats(-30.0, 30.0, allow_nan=False)


@given(FINITE)
def test_silu_matches_its_definition(x):
    want = x / (1.0 + math.exp(-x))
    assert math.isclose(calculus.silu(x), want, rel_tol=1e-14, abs_tol=1e-300)


def test_silu_tails_do_not_overflow():
    assert calculus.silu(-800.0) == 0.0 and calculus.silu(800.0) == 800.0
    assert calculus.silu_deriv(-800.0, 0.0) == 0.0 and calculus.silu_deriv(800.0, 800.0) == 1.0


# Phi(x), the standard normal CDF, from a printed normal table (4 decimals)
NORMAL_TABLE = {-2.0: 0.0228, -1.0: 0.1587, 0.5: 0.6915, 1.0: 0.8413, 2.0: 0.9772}


@given(FINITE)
def test_gelu_matches_the_normal_cdf(x):
    want = x * 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))  # PyTorch's own formula
    assert math.isclose(calculus.gelu(x), want, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("x, phi", sorted(NORMAL_TABLE.items()))
def test_gelu_at_normal_table_points(x, phi):
    assert calculus.gelu(x) == pytest.approx(x * phi, abs=abs(x) * 6e-5)
    # the tanh form is within 1e-3 of the exact one (PyTorch's documented approximation)
    assert calculus.gelu_tanh(x) == pytest.approx(calculus.gelu(x), abs=1e-3)


def test_gelu_far_tail_keeps_its_tiny_value():
    """erfc, not 1 + erf: at x = -10, x Phi(x) = -7.6e-23, not 0."""
    assert calculus.gelu(-10.0) == pytest.approx(-10.0 * 7.619853024160527e-24, rel=1e-9)


def test_matrix_engine_names_and_reprs_match_pytorch():
    x = sg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    assert sg.nn.functional.silu(x).grad_fn.name() == "SiluBackward0"
    assert sg.nn.functional.gelu(x, approximate="tanh").grad_fn.name() == "GeluBackward0"
    assert repr(sg.nn.SiLU()) == "SiLU()"
    assert repr(sg.nn.GELU()) == "GELU(approximate='none')"
    np.testing.assert_allclose(
        sg.nn.GELU("tanh")(x).detach().numpy(), [calculus.gelu_tanh(v) for v in (-1.0, 0.0, 2.0)]
    )
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
        sg.nn.functional.gelu(x, approximate="erf")


def test_mlp_and_scalar_engine_take_the_new_activations():
    model = sg.nn.MLP(2, [3, 1], activation="silu")
    assert "SiLU()" in repr(model)
    assert model(sg.randn(4, 2)).shape == (4, 1)
    scalar = sg.scalar.nn.MLP(2, [3, 1], activation="gelu")
    assert "GELU" in repr(scalar)
