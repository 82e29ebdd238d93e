"""scalargrad.gradcheck on Values: passes correct gradients, catches wrong ones and says where."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value


def wrong_square(v):
    """v^2 with a deliberately wrong local derivative (v instead of 2v)."""
    return Value._make(v.data * v.data, "wrong_square", (v,), (v.data,))


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_passes_for_correct_gradients(x, y):
    report = sg.gradcheck(lambda a, b: (a * b).sigmoid() + a.tanh() * b, [Value(x), Value(y)])
    assert report and report.passed and report.failures == [] and report.checked == 2
    assert "passed" in str(report)


@given(st.floats(0.5, 3))
def test_catches_a_wrong_derivative_and_names_it(x):
    report = sg.gradcheck(lambda a, b: a + wrong_square(b), [Value(1.0), Value(x)])
    assert not report
    assert len(report.failures) == 1
    failure = report.failures[0]
    assert failure.input_index == 1 and failure.element == ()
    assert failure.analytic == x and math.isclose(failure.numeric, 2 * x, rel_tol=1e-5)
    text = str(report)
    assert "input 1" in text and repr(x) in text and "analytic" in text and "numeric" in text


def test_raise_exception():
    with pytest.raises(RuntimeError, match="input 0"):
        sg.gradcheck(wrong_square, [Value(2.0)], raise_exception=True)
    assert sg.gradcheck(lambda a: a * a, [Value(2.0)], raise_exception=True)


def test_inputs_are_not_modified():
    a = Value(1.5)
    a.grad = 7.0
    sg.gradcheck(lambda v: v * v, [a])
    assert (a.data, a.grad) == (1.5, 7.0)


def test_tolerances():
    def almost(v):  # derivative off by 1e-4 relative
        return Value._make(v.data * v.data, "almost", (v,), (2 * v.data * (1 + 1e-4),))

    assert sg.gradcheck(almost, [Value(1.0)], rtol=1e-3)
    assert not sg.gradcheck(almost, [Value(1.0)], rtol=1e-6, atol=1e-8)


def test_bad_inputs():
    with pytest.raises(ValueError, match="no inputs"):
        sg.gradcheck(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match="all Values or all Tensors"):
        sg.gradcheck(lambda a, b: a, [Value(1.0), 2.0])
    with pytest.raises(TypeError, match="must return a Value"):
        sg.gradcheck(lambda a: 3.0, [Value(1.0)])
