"""Value ops at extreme inputs: finite where the math is finite, inf/nan with a RuntimeWarning
naming the op where it is not, never an exception from math."""

import math
import warnings

import pytest

from scalargrad import Value


def value_and_grad(fn, x):
    v = Value(x)
    out = fn(v)
    out.backward()
    return out.data, v.grad


@pytest.mark.parametrize(
    "x, expected, grad", [(-1000.0, 0.0, 0.0), (1000.0, 1.0, 0.0), (0.0, 0.5, 0.25)]
)
def test_sigmoid_extremes(x, expected, grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert value_and_grad(lambda v: v.sigmoid(), x) == (expected, grad)


@pytest.mark.parametrize("x, expected, grad", [(1000.0, 1000.0, 1.0), (-1000.0, 0.0, 0.0)])
def test_softplus_extremes(x, expected, grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert value_and_grad(lambda v: v.softplus(), x) == (expected, grad)


def test_tanh_extremes():
    assert value_and_grad(lambda v: v.tanh(), 1000.0) == (1.0, 0.0)
    assert value_and_grad(lambda v: v.tanh(), -1000.0) == (-1.0, 0.0)


def test_log_of_zero_is_minus_inf_with_a_warning():
    with pytest.warns(RuntimeWarning, match=r"log.*0\.0"):
        data, grad = value_and_grad(lambda v: v.log(), 0.0)
    assert data == -math.inf and grad == math.inf


def test_log_of_negative_is_nan_with_a_warning():
    with pytest.warns(RuntimeWarning, match="log"):
        out = Value(-1.0).log()
    assert math.isnan(out.data)


def test_exp_overflow_is_inf_with_a_warning():
    with pytest.warns(RuntimeWarning, match="exp"):
        out = Value(1000.0).exp()
    assert out.data == math.inf


def test_division_by_zero_is_inf_with_a_warning():
    with pytest.warns(RuntimeWarning, match="div"):
        out = Value(1.0) / 0.0
    assert out.data == math.inf
    with pytest.warns(RuntimeWarning, match="div"):
        out = 1.0 / Value(0.0)
    assert out.data == math.inf


def test_pow_overflow_is_inf_not_overflow_error():
    with pytest.warns(RuntimeWarning, match="pow"):
        out = Value(10.0) ** 400
    assert out.data == math.inf


def test_no_warning_for_finite_results():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (Value(2.0).log() + Value(3.0).exp() / Value(2.0) + Value(4.0) ** 0.5).backward()
