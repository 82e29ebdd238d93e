"""Every Value op: its value matches plain float math, its gradient matches central differences
(scalargrad.gradcheck, float64) on hypothesis-drawn inputs away from kinks and poles."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.testing.strategies import floats_away_from, positive_floats

anywhere = st.floats(-5, 5)
nonzero = floats_away_from([0.0], 0.1, -5, 5)

# name, fn of Values, same fn of floats, inputs
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [anywhere, anywhere]),
    ("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, [anywhere]),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [anywhere, anywhere]),
    ("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, [anywhere]),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [anywhere, anywhere]),
    ("rmul", lambda a: -1.5 * a, lambda a: -1.5 * a, [anywhere]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [anywhere, nonzero]),
    ("rdiv", lambda a: 3.0 / a, lambda a: 3.0 / a, [nonzero]),
    ("pow number", lambda a: a**3, lambda a: a**3, [anywhere]),
    ("pow fractional", lambda a: a**-0.5, lambda a: a**-0.5, [positive_floats(0.1, 5)]),
    (
        "pow Value",
        lambda a, b: a**b,
        lambda a, b: a**b,
        [positive_floats(0.1, 5), st.floats(-2, 2)],
    ),
    ("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [anywhere]),
    ("neg", lambda a: -a, lambda a: -a, [anywhere]),
    ("exp", lambda a: a.exp(), math.exp, [anywhere]),
    ("log", lambda a: a.log(), math.log, [positive_floats(0.05, 10)]),
    ("sqrt", lambda a: a.sqrt(), math.sqrt, [positive_floats(0.05, 10)]),
    ("tanh", lambda a: a.tanh(), math.tanh, [anywhere]),
    ("sin", lambda a: a.sin(), math.sin, [anywhere]),
    ("cos", lambda a: a.cos(), math.cos, [anywhere]),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), [anywhere]),
    ("relu", lambda a: a.relu(), lambda a: max(a, 0.0), [floats_away_from([0.0], 1e-3, -5, 5)]),
    ("softplus", lambda a: a.softplus(), lambda a: math.log1p(math.exp(a)), [anywhere]),
    ("abs", lambda a: a.abs(), abs, [floats_away_from([0.0], 1e-3, -5, 5)]),
    ("builtin abs", lambda a: abs(a), abs, [floats_away_from([0.0], 1e-3, -5, 5)]),
    (
        "same operand twice",
        lambda a: a * a + a / (1 + a * a),
        lambda a: a * a + a / (1 + a * a),
        [anywhere],
    ),
]


@pytest.mark.parametrize("name, fn, reference, inputs", CASES, ids=[c[0] for c in CASES])
def test_op_value_and_gradient(name, fn, reference, inputs):
    @given(st.tuples(*inputs))
    def check(xs):
        out = fn(*[Value(x) for x in xs])
        assert isinstance(out, Value)
        assert math.isclose(out.data, reference(*xs), rel_tol=1e-12, abs_tol=1e-12)
        report = sg.gradcheck(fn, [Value(x) for x in xs])
        assert report, f"{name} at {xs}:\n{report}"

    check()


def test_results_record_parents_and_op():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._op == "*" and c._prev == (a, b) and c.data == 6.0 and c.grad == 0.0
    assert c.op == "*" and c.parents == (a, b) and a.is_leaf and not c.is_leaf
    assert (a + 1)._op == "+" and (a.exp())._op == "exp"
    assert repr(c) == "Value(data=6.0, grad=0.0, op='*')"
    assert repr(Value(2, label="x")) == "Value(data=2.0, grad=0.0, label='x')"


def test_data_is_a_float():
    assert type(Value(3).data) is float and type(Value(3).grad) is float
    assert type((Value(1) + 2).data) is float


def test_item_detach_float():
    a = Value(2.0)
    b = a * a
    assert b.item() == 4.0 and float(b) == 4.0
    d = b.detach()
    assert d.data == 4.0 and d.is_leaf and d is not b
    z = d * a  # d is a constant: dz/da = d
    z.backward()
    assert a.grad == 4.0 and d.grad == 2.0


@given(anywhere, anywhere)
def test_comparisons_return_bools(x, y):
    a, b = Value(x), Value(y)
    assert (a < b) is (x < y) and (a <= b) is (x <= y)
    assert (a > b) is (x > y) and (a >= b) is (x >= y)
    assert (a < y) is (x < y) and (x > b) is (x > y)  # with a number on either side


def test_equality_is_identity_so_values_can_be_set_members():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and len({a, b}) == 2


@pytest.mark.parametrize("bad", ["2", None, [1.0], 1j])
def test_non_numeric_operands_raise_type_error_naming_the_op(bad):
    a = Value(1.0)
    for op, name in [
        (lambda: a + bad, "add"),
        (lambda: bad * a, "mul"),
        (lambda: a / bad, "div"),
        (lambda: a - bad, "sub"),
        (lambda: a**bad, "pow"),
    ]:
        with pytest.raises(TypeError, match=name):
            op()
    with pytest.raises(TypeError, match="Value"):
        Value(bad)


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    out = Value(2.0) * np.float32(3.0) + np.int64(1)
    assert out.data == 7.0 and type(out.data) is float


@given(st.floats(-5, -0.01), st.floats(-3, 3).filter(lambda y: y != math.floor(y)))
def test_negative_base_fractional_exponent_raises_value_error(x, y):
    with pytest.raises(ValueError, match=r"pow.*" + "negative base"):
        Value(x) ** Value(y)
    with pytest.raises(ValueError, match="pow"):
        Value(x) ** y
    with pytest.raises(ValueError, match="pow"):
        x ** Value(y)


def test_negative_base_integer_exponent_is_fine():
    a = Value(-2.0)
    out = a**3
    out.backward()
    assert out.data == -8.0 and a.grad == 12.0
