"""calculus.py at the special points the central-difference tests cannot reach: division by
zero, the ends of a domain, beta = 0, clamped logs. Each expected value is what PyTorch (IEEE
float arithmetic) gives, written down here; these tests were added to kill the mutants that
``make mutation`` found surviving (docs/testing_gradients.md lists them)."""

import math

import numpy as np
import pytest

from scalargrad import calculus as C

INF, NAN = math.inf, math.nan


def same(got, want):
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


@pytest.mark.parametrize(
    "x, y, quotient, d_dx, d_dy",
    [
        # x / y at y = +-0: torch.tensor(1.) / 0. = inf, / -0. = -inf; 0 / 0 = nan
        # d/dx = 1/y = +-inf with y's sign; d/dy = -x / y^2 = -inf * sign(x) (y^2 = +0)
        (1.0, 0.0, INF, INF, -INF),
        (1.0, -0.0, -INF, -INF, -INF),
        (-2.0, 0.0, -INF, INF, INF),
        (-2.0, -0.0, INF, -INF, INF),
        (0.0, 0.0, NAN, INF, NAN),
    ],
)
def test_division_by_zero(x, y, quotient, d_dx, d_dy):
    assert same(C.div(x, y), quotient)
    assert same(C.div_dx(x, y), d_dx)
    assert same(C.div_dy(x, y), d_dy)


def test_division_away_from_zero():
    assert C.div(3.0, -2.0) == -1.5
    assert C.div_dx(3.0, -2.0) == -0.5
    assert C.div_dy(3.0, -2.0) == -0.75


def test_sqrt_at_the_end_of_its_domain():
    assert same(C.sqrt(0.0), 0.0)  # torch.sqrt(0.) = 0, not nan
    assert math.isnan(C.sqrt(-1e-300))
    assert C.sqrt_deriv(0.0, 0.0) == INF  # 1 / (2 sqrt 0)
    assert C.sqrt_deriv(1.0, 1.0) == 0.5
    assert C.sqrt_deriv(4.0, 2.0) == 0.25


def test_smooth_l1_with_beta_zero_is_l1():
    """torch.nn.functional.smooth_l1_loss(beta=0) is l1_loss: |d|, gradient sign(d), 0 at d = 0."""
    assert C.smooth_l1(3.0, 1.0, 0.0) == 2.0
    assert C.smooth_l1_deriv(3.0, 1.0, 0.0) == 1.0
    assert C.smooth_l1_deriv(1.0, 3.0, 0.0) == -1.0
    assert C.smooth_l1_deriv(1.0, 1.0, 0.0) == 0.0


@pytest.mark.parametrize(
    "p, t, loss",
    [
        # each log clamped at -100, as torch.nn.functional.binary_cross_entropy
        (1.0, 1.0, 0.0),
        (0.0, 0.0, 0.0),
        (1.0, 0.0, 100.0),
        (0.0, 1.0, 100.0),
        (1.0, 0.5, 50.0),
    ],
)
def test_binary_cross_entropy_at_certain_predictions(p, t, loss):
    assert C.binary_cross_entropy(p, t) == loss


def test_binary_cross_entropy_deriv_keeps_its_denominator_away_from_zero():
    # (p - t) / max(p (1 - p), 1e-12): PyTorch's EPSILON, a float32 constant (so the float32
    # number nearest 1e-12, in every dtype)
    assert C.BCE_GRAD_FLOOR == float(np.float32(1e-12))
    assert C.binary_cross_entropy_deriv(1.0, 0.0) == 1.0 / C.BCE_GRAD_FLOOR
    assert C.binary_cross_entropy_deriv(0.0, 1.0) == -1.0 / C.BCE_GRAD_FLOOR
    assert C.binary_cross_entropy_deriv(0.5, 1.0) == -2.0


@pytest.mark.parametrize(
    "x, y, value",
    [
        # C99 pow / torch.pow limits: infinite exponent or base, zero base, overflow
        (2.0, INF, INF),
        (0.5, INF, 0.0),
        (-2.0, INF, INF),
        (2.0, -INF, 0.0),
        (INF, 2.0, INF),
        (-INF, 3.0, -INF),
        (-INF, 2.0, INF),
        (INF, -1.0, 0.0),
        (0.0, 2.0, 0.0),
        (-0.0, 3.0, -0.0),
        (0.0, -1.0, INF),
        (-0.0, -1.0, -INF),
        (-0.0, -2.0, INF),
        (0.0, -0.5, INF),
        (10.0, 400.0, INF),
        (-10.0, 401.0, -INF),
        (-10.0, 400.0, INF),
        (-2.0, 0.5, NAN),
        (NAN, 0.0, 1.0),
        (1.0, NAN, 1.0),
        (NAN, 2.0, NAN),
        (-2.0, 3.0, -8.0),
    ],
)
def test_pow_special_values(x, y, value):
    assert same(C.pow(x, y), value)


@pytest.mark.parametrize(
    "x, y, slope",
    [
        # d/dx x^y = y x^(y-1), each factor at its limit (inf * 0 = nan)
        (2.0, INF, INF),
        (0.5, INF, NAN),
        (2.0, -INF, NAN),
        (INF, 2.0, INF),
        (-INF, 3.0, INF),
        (-INF, 2.0, -INF),
        (0.0, 2.0, 0.0),
        (0.0, 1.0, 1.0),
        (0.0, 3.0, 0.0),
        (0.0, 1.5, 0.0),
        (0.0, 0.5, INF),
        (-0.0, -1.0, -INF),  # -1 * (-0)^-2 = -1 * inf
        (-0.0, -2.0, INF),  # -2 * (-0)^-3 = -2 * -inf
        (0.0, -2.0, -INF),
        (10.0, 400.0, INF),
        (-10.0, 400.0, -INF),  # 400 * (-10)^399
        (0.1, -400.0, -INF),  # -400 * 0.1^-401
        (NAN, 2.0, NAN),
        (NAN, 1.0, 1.0),
        (NAN, 0.0, 0.0),
        (-2.0, 0.5, NAN),
        (-2.0, 3.0, 12.0),
    ],
)
def test_pow_dx_special_values(x, y, slope):
    assert same(C.pow_dx(x, y), slope)


@pytest.mark.parametrize(
    "x, y, slope",
    [
        # d/dy x^y = x^y ln x: 0 at x = 1 and x = 0, nan for x < 0, +-inf past the range
        (1.0, NAN, 0.0),
        (-2.0, 2.0, NAN),
        (0.0, 2.0, 0.0),
        (2.0, 2000.0, INF),
        (0.5, -2000.0, -INF),
        (math.e, 1.0, math.e),
    ],
)
def test_pow_dy_special_values(x, y, slope):
    assert same(C.pow_dy(x, y), slope)


@pytest.mark.parametrize("f", [C.maximum, C.minimum])
def test_maximum_and_minimum_propagate_nan(f):
    """torch.maximum / torch.minimum: nan if either operand is nan, on either side."""
    assert math.isnan(f(NAN, 1.0)) and math.isnan(f(1.0, NAN)) and math.isnan(f(NAN, NAN))


def test_exp_just_below_its_overflow_is_finite():
    assert C.exp(C.EXP_OVERFLOW) == 1.7976931348622732e308  # e^709.78...: the largest double
    assert C.exp(C.EXP_OVERFLOW + 1e-9) == INF


@pytest.mark.parametrize(
    "f, x, y, value",
    [
        (C.pow, 0.0, 1.0, 0.0),  # 0^y = 0 for every y > 0, not a pole
        (C.pow, 0.0, 0.5, 0.0),
        (C.pow, 0.1, -401.0, INF),  # 10^401: past the range, positive for a positive base
        (C.pow, -2.0, NAN, NAN),
        (C.pow_dx, -2.0, NAN, NAN),
        (C.pow_dx, INF, 0.5, 0.0),  # 0.5 inf^-0.5
        (C.pow_dx, INF, -1.0, -0.0),  # -1 inf^-2
        (C.pow_dx, 10.0, 309.5, INF),  # 309.5 * 10^308.5: past the range
        (C.pow_dy, math.exp(2.0), 400.0, INF),  # e^800 * 2
    ],
)
def test_pow_near_its_special_cases(f, x, y, value):
    assert same(f(x, y), value)
