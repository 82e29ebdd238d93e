"""Every primitive in scalargrad.calculus: its value against math/numpy, its derivative(s) against
central differences in float64 on hypothesis-drawn inputs away from kinks and poles."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scalargrad import calculus as C
from scalargrad.testing.strategies import floats_away_from, positive_floats

H = 1e-6


def central(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


def close(a, b, rtol=1e-5, atol=1e-6):
    return abs(a - b) <= atol + rtol * abs(b)


anywhere = st.floats(-10, 10)
moderate = st.floats(-30, 30)

# name, f, f_deriv, reference, inputs
UNARY = [
    ("neg", C.neg, C.neg_deriv, lambda x: -x, anywhere),
    ("exp", C.exp, C.exp_deriv, math.exp, anywhere),
    ("log", C.log, C.log_deriv, math.log, positive_floats(1e-2, 100.0)),
    ("tanh", C.tanh, C.tanh_deriv, np.tanh, anywhere),
    ("sigmoid", C.sigmoid, C.sigmoid_deriv, lambda x: 1.0 / (1.0 + math.exp(-x)), moderate),
    ("relu", C.relu, C.relu_deriv, lambda x: max(x, 0.0), floats_away_from([0.0])),
    ("softplus", C.softplus, C.softplus_deriv, lambda x: math.log1p(math.exp(x)), moderate),
    ("abs", C.abs, C.abs_deriv, abs, floats_away_from([0.0])),
    ("sqrt", C.sqrt, C.sqrt_deriv, math.sqrt, positive_floats(1e-2, 100.0)),
    ("sin", C.sin, C.sin_deriv, math.sin, st.floats(-50.0, 50.0)),
    ("cos", C.cos, C.cos_deriv, math.cos, st.floats(-50.0, 50.0)),
]


@pytest.mark.parametrize("name, f, f_deriv, reference, inputs", UNARY, ids=[u[0] for u in UNARY])
def test_unary_value_and_derivative(name, f, f_deriv, reference, inputs):
    @given(inputs)
    def check(x):
        y = f(x)
        assert close(y, float(reference(x)), rtol=1e-12, atol=1e-14), (name, x)
        assert close(f_deriv(x, y), central(f, x)), (name, x, f_deriv(x, y), central(f, x))

    check()


# name, g, g_dx, g_dy, reference, x inputs, y inputs
BINARY = [
    ("add", C.add, C.add_dx, C.add_dy, lambda x, y: x + y, anywhere, anywhere),
    ("sub", C.sub, C.sub_dx, C.sub_dy, lambda x, y: x - y, anywhere, anywhere),
    ("mul", C.mul, C.mul_dx, C.mul_dy, lambda x, y: x * y, anywhere, anywhere),
    ("div", C.div, C.div_dx, C.div_dy, lambda x, y: x / y, anywhere, floats_away_from([0.0], 0.1)),
    ("pow", C.pow, C.pow_dx, C.pow_dy, math.pow, positive_floats(0.1, 5.0), st.floats(-3, 3)),
    ("maximum", C.maximum, C.maximum_dx, C.maximum_dy, max, anywhere, anywhere),
    ("minimum", C.minimum, C.minimum_dx, C.minimum_dy, min, anywhere, anywhere),
]


@pytest.mark.parametrize(
    "name, g, g_dx, g_dy, reference, xs, ys", BINARY, ids=[b[0] for b in BINARY]
)
def test_binary_value_and_derivatives(name, g, g_dx, g_dy, reference, xs, ys):
    @given(xs, ys)
    def check(x, y):
        if name in ("maximum", "minimum"):
            assume(abs(x - y) > 1e-3)  # the kink
        assert close(g(x, y), reference(x, y), rtol=1e-12, atol=1e-14), (name, x, y)
        assert close(g_dx(x, y), central(lambda u: g(u, y), x)), (name, "dx", x, y)
        assert close(g_dy(x, y), central(lambda v: g(x, v), y)), (name, "dy", x, y)

    check()


@given(st.floats(-4, 4), st.integers(-3, 3))
def test_pow_negative_base_integer_exponent(x, n):
    assume(abs(x) > 0.1)
    assert close(C.pow(x, float(n)), x**n, rtol=1e-12)
    assert close(C.pow_dx(x, float(n)), central(lambda u: C.pow(u, float(n)), x))


beta_values = st.floats(0.1, 3.0)
# name, l(p, t), l_deriv(p, t), reference
LOSS_TERMS = [
    ("squared_error", C.squared_error, C.squared_error_deriv, lambda p, t: (p - t) ** 2),
    ("absolute_error", C.absolute_error, C.absolute_error_deriv, lambda p, t: abs(p - t)),
    (
        "bce_with_logits",
        C.bce_with_logits,
        C.bce_with_logits_deriv,
        lambda z, t: (
            -(t * math.log(1 / (1 + math.exp(-z))) + (1 - t) * math.log(1 - 1 / (1 + math.exp(-z))))
        ),
    ),
]


@pytest.mark.parametrize("name, f, f_deriv, reference", LOSS_TERMS, ids=[t[0] for t in LOSS_TERMS])
def test_loss_term_value_and_derivative(name, f, f_deriv, reference):
    @given(st.floats(-10, 10), st.floats(-10, 10) if name != "bce_with_logits" else st.floats(0, 1))
    def check(p, t):
        assume(abs(p - t) > 1e-3)  # the kink of |p - t|
        assert close(f(p, t), reference(p, t), rtol=1e-9, atol=1e-12), (name, p, t)
        assert close(f_deriv(p, t), central(lambda u: f(u, t), p)), (name, p, t)

    check()


@given(st.floats(-10, 10), st.floats(-10, 10), beta_values)
def test_smooth_l1(p, t, beta):
    d = abs(p - t)
    assume(abs(d - beta) > 1e-3)  # where the two pieces meet the second derivative jumps
    huber = 0.5 * d * d / beta if d < beta else d - 0.5 * beta
    assert close(C.smooth_l1(p, t, beta), huber, rtol=1e-12)
    assert close(C.smooth_l1_deriv(p, t, beta), central(lambda u: C.smooth_l1(u, t, beta), p))


def test_smooth_l1_beta_zero_is_l1():
    assert C.smooth_l1(3.0, 1.0, 0.0) == 2.0
    assert C.smooth_l1_deriv(3.0, 1.0, 0.0) == 1.0


@given(st.floats(0.01, 0.99), st.floats(0, 1))
def test_binary_cross_entropy(p, t):
    reference = -(t * math.log(p) + (1 - t) * math.log(1 - p))
    assert close(C.binary_cross_entropy(p, t), reference, rtol=1e-12)
    assert close(
        C.binary_cross_entropy_deriv(p, t),
        central(lambda u: C.binary_cross_entropy(u, t), p),
        rtol=1e-4,
    )


def test_edge_values_never_raise():
    assert C.log(0.0) == -math.inf and math.isnan(C.log(-1.0))
    assert C.exp(1000.0) == math.inf and C.exp(-1000.0) == 0.0
    assert C.sigmoid(-1000.0) == 0.0 and C.sigmoid(1000.0) == 1.0
    assert C.softplus(1000.0) == 1000.0 and C.softplus(-1000.0) == 0.0
    assert C.softplus_deriv(1000.0, 1000.0) == 1.0 and C.softplus_deriv(-1000.0, 0.0) == 0.0
    assert (
        C.div(1.0, 0.0) == math.inf
        and C.div(-1.0, 0.0) == -math.inf
        and math.isnan(C.div(0.0, 0.0))
    )
    assert math.isnan(C.pow(-8.0, 1.0 / 3.0)) and C.pow(0.0, -1.0) == math.inf
    assert C.pow(-0.0, -1.0) == -math.inf and C.pow(-2.0, math.inf) == math.inf
    assert C.pow_dy(0.0, 2.0) == 0.0 and C.pow_dx(0.0, 1.0) == 1.0
    assert C.pow_dx(0.0, 0.5) == math.inf
    assert C.pow(10.0, 400.0) == math.inf and C.pow(-10.0, 401.0) == -math.inf
    assert math.isnan(C.sqrt(-1.0))
    assert all(math.isnan(f(x)) for f in (C.sin, C.cos) for x in (math.inf, -math.inf, math.nan))
    assert math.isnan(C.sin_deriv(math.inf, math.nan)) and math.isnan(C.cos_deriv(-math.inf, 0.0))
    assert C.binary_cross_entropy(0.0, 1.0) == 100.0  # log clamped at -100, as PyTorch
    assert C.bce_with_logits(1000.0, 0.0) == 1000.0 and C.bce_with_logits(-1000.0, 1.0) == 1000.0
    assert (
        C.maximum_dx(1.0, 1.0) == 0.5
        and C.relu_deriv(0.0, 0.0) == 0.0
        and C.abs_deriv(0.0, 0.0) == 0.0
    )



@given(st.floats(), st.floats())
def test_pow_any_float_pair_never_raises_and_matches_numpy(x, y):
    """Infinite and nan bases/exponents included: C's limits, as np.power, never a Python error."""
    if 0.0 < abs(x) < math.inf:  # within rounding of float64's overflow we return inf early
        assume(all(not 700.0 < abs(e * math.log(abs(x))) < 720.0 for e in (y, y - 1.0)))
    # our one rule where numpy is not consistent (np.power(-inf, 0.5) is nan, (-inf)^1.5 inf):
    # a negative base to a finite non-integer power has no real value
    no_real_value = x < 0.0 and math.isfinite(y) and y != math.floor(y)
    with np.errstate(all="ignore"):
        expected = math.nan if no_real_value else float(np.power(x, y))
    assert np.isclose(C.pow(x, y), expected, rtol=1e-12, equal_nan=True), (x, y, expected)
    # y x^(y-1) as numpy writes it is off where y - 1 rounds to an integer that y is not (tiny y)
    y_minus_1_rounds_to_integer = math.isfinite(y) and y != math.floor(y) and (y - 1.0) % 1.0 == 0
    if y != 0.0 and not y_minus_1_rounds_to_integer:  # d/dx x^0 = 0 (numpy: 0 * 0^-1 = nan)
        with np.errstate(all="ignore"):
            expected_dx = math.nan if no_real_value else float(y * np.power(x, y - 1.0))
        assert np.isclose(C.pow_dx(x, y), expected_dx, rtol=1e-12, equal_nan=True), (x, y)
    # PyTorch's formula: where(x == 0 and y >= 0, 0, x^y ln x)
    with np.errstate(all="ignore"):
        expected_dy = 0.0 if x == 0.0 and y >= 0.0 else float(np.power(x, y) * np.log(x))
    assert np.isclose(C.pow_dy(x, y), expected_dy, rtol=1e-12, equal_nan=True), (x, y)


@given(st.sampled_from([0.0, -0.0]), st.floats(allow_nan=False))
def test_pow_dy_at_a_zero_base(x, y):
    """d(x^y)/dy = x^y ln x at x = 0: 0 for y >= 0 (PyTorch's convention, the limit for y > 0);
    for y < 0 the limit x -> 0+ is -inf (x^y -> inf, ln x -> -inf), and -0.0 to an odd negative
    power is -inf * -inf = +inf, as PyTorch computes x^y ln x there."""
    odd = math.isfinite(y) and y == math.floor(y) and y % 2.0 != 0.0
    if y >= 0.0:
        expected = 0.0
    elif odd and math.copysign(1.0, x) < 0.0:
        expected = math.inf
    else:
        expected = -math.inf
    assert C.pow_dy(x, y) == expected, (x, y)


@given(st.floats(-20.0, -0.01), st.floats(1e-3, 1e-2))
def test_pow_dy_tends_to_minus_inf_at_zero_for_negative_exponents(y, x):
    """The value at x = 0 is the one-sided limit: x^y ln x falls without bound as x -> 0+."""
    assert C.pow_dy(x / 10.0, y) < C.pow_dy(x, y) < 0.0


# ---------------------------------------------------------------- optimizer updates


@given(
    st.floats(-5, 5),
    st.floats(-5, 5),
    st.floats(-5, 5),
    st.floats(0, 1),
    st.floats(0, 0.99),
    st.floats(0, 0.5),
    st.floats(0, 0.1),
    st.booleans(),
    st.booleans(),
)
def test_sgd_update_matches_pytorch_formula(
    p, g, buf, lr, momentum, dampening, wd, nesterov, first
):
    d_p = g + wd * p
    if momentum == 0.0:
        expected_p, expected_buf = p - lr * d_p, buf
    else:
        new_buf = d_p if first else momentum * buf + (1 - dampening) * d_p
        step = d_p + momentum * new_buf if nesterov else new_buf
        expected_p, expected_buf = p - lr * step, new_buf
    new_p, new_buf = C.sgd_update(p, g, buf, lr, momentum, dampening, wd, nesterov, first)
    assert close(new_p, expected_p, rtol=1e-12, atol=1e-12)
    assert close(new_buf, expected_buf, rtol=1e-12, atol=1e-12)


@given(
    st.floats(-5, 5),
    st.floats(-5, 5),
    st.floats(-1, 1),
    st.floats(0, 1),
    st.floats(1e-4, 0.1),
    st.floats(0, 0.99),
    st.floats(0, 0.999),
    st.floats(0, 0.1),
    st.integers(1, 50),
)
def test_adam_update_matches_pytorch_formula(p, g, m, v, lr, b1, b2, wd, t):
    g2 = g + wd * p
    m2 = b1 * m + (1 - b1) * g2
    v2 = b2 * v + (1 - b2) * g2**2
    expected = p - lr * (m2 / (1 - b1**t)) / (math.sqrt(v2 / (1 - b2**t)) + 1e-8)
    new_p, new_m, new_v = C.adam_update(p, g, m, v, lr, b1, b2, 1e-8, wd, t)
    assert close(new_p, expected, rtol=1e-10, atol=1e-12)
    assert close(new_m, m2, rtol=1e-12, atol=1e-15) and close(new_v, v2, rtol=1e-12, atol=1e-15)
