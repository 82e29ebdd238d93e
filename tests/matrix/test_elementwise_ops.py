"""Element-wise ops: values vs NumPy, gradients vs central differences (broadcast pairs and
non-contiguous layouts), Python scalars on either side, type promotion, comparisons, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matrix_gradients import check_gradients

import scalargrad as sg
from scalargrad.testing.tensors import arrays, broadcastable_shapes, layouts, shapes

SMALL = shapes(max_dims=3, max_side=3)
PAIRS = broadcastable_shapes(2, max_dims=3, max_side=3)


def away_from_zero(shape, low=0.2, high=3.0):
    """Floats with |x| in [low, high]: no kinks (relu, abs) and no division by ~0."""
    if isinstance(shape, st.SearchStrategy):
        return shape.flatmap(lambda s: away_from_zero(s, low, high))
    mags = arrays(shape, min_value=low, max_value=high)
    return st.tuples(mags, arrays(shape, bool)).map(lambda t: np.where(t[1], t[0], -t[0]))


NUMPY_BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
}
TENSOR_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": sg.Tensor.maximum,
    "minimum": sg.Tensor.minimum,
}


@pytest.mark.parametrize("op", sorted(NUMPY_BINARY))
@given(data=st.data())
def test_binary_values_and_gradients_broadcast(op, data):
    sa, sb = data.draw(PAIRS)
    tie_free = op in ("maximum", "minimum")  # |a - b| >= 0.1: away from the jump in the derivative
    a = data.draw(
        layouts(arrays(sa, min_value=-0.1 if tie_free else -3, max_value=0.1 if tie_free else 3))
    )
    b = data.draw(
        layouts(
            away_from_zero(sb) if op == "div" or tie_free else arrays(sb, min_value=-3, max_value=3)
        )
    )
    got = TENSOR_BINARY[op](sg.from_numpy(a), sg.from_numpy(b))
    np.testing.assert_allclose(got.numpy(), NUMPY_BINARY[op](a, b), rtol=1e-12)
    check_gradients(TENSOR_BINARY[op], a, b)


@given(st.data())
def test_pow_gradients(data):
    sa, sb = data.draw(PAIRS)
    base = data.draw(arrays(sa, min_value=0.5, max_value=2.0))
    exponent = data.draw(arrays(sb, min_value=-2.0, max_value=2.0))
    y = check_gradients(lambda x, p: x**p, base, exponent)
    np.testing.assert_allclose(y.detach().numpy(), base**exponent, rtol=1e-12)


UNARY = {
    "exp": (np.exp, arrays),
    "tanh": (np.tanh, arrays),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), arrays),
    "softplus": (lambda x: np.log1p(np.exp(x)), arrays),
    "relu": (lambda x: np.maximum(x, 0), away_from_zero),
    "abs": (np.abs, away_from_zero),
    "neg": (np.negative, arrays),
    "log": (np.log, lambda s: arrays(s, min_value=0.2, max_value=5)),
    "sqrt": (np.sqrt, lambda s: arrays(s, min_value=0.2, max_value=5)),
    "sin": (np.sin, arrays),
    "cos": (np.cos, arrays),
}


@pytest.mark.parametrize("op", sorted(UNARY))
@given(data=st.data())
def test_unary_values_and_gradients(op, data):
    reference, values = UNARY[op]
    a = data.draw(layouts(values(data.draw(SMALL))))
    fn = getattr(sg.Tensor, op)
    np.testing.assert_allclose(fn(sg.from_numpy(a)).numpy(), reference(a), rtol=1e-12, atol=1e-300)
    check_gradients(fn, a)


@given(layouts(away_from_zero(SMALL)), st.floats(-2, 2), st.floats(-2, 2))
def test_clamp(a, lo, hi):
    lo, hi = min(lo, hi), max(lo, hi)
    if np.any(np.isclose(a, lo, atol=1e-3)) or np.any(np.isclose(a, hi, atol=1e-3)):
        return
    y = check_gradients(lambda x: x.clamp(lo, hi), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.clip(a, lo, hi))
    np.testing.assert_array_equal(sg.from_numpy(a).clamp(min=lo).numpy(), np.maximum(a, lo))
    np.testing.assert_array_equal(sg.from_numpy(a).clamp(max=hi).numpy(), np.minimum(a, hi))


@given(st.data())
def test_clamp_with_tensor_bounds_gradients(data):
    """x, min and max all tensors, broadcast against each other; away from the kinks (x at a
    bound, min = max) every gradient is a central difference, the min > max case included."""
    sx, slo, shi = data.draw(broadcastable_shapes(3, max_dims=3, max_side=3))
    a = data.draw(layouts(arrays(sx, min_value=-2.0, max_value=2.0)))
    lo = data.draw(layouts(arrays(slo, min_value=-2.0, max_value=2.0)))
    hi = data.draw(layouts(arrays(shi, min_value=-2.0, max_value=2.0)))
    for u, v in ((a, lo), (a, hi), (lo, hi)):  # each pair broadcast on its own
        if np.any(np.isclose(u, v, atol=1e-3)):
            return
    y = check_gradients(lambda x, l, h: x.clamp(l, h), a, lo, hi)
    np.testing.assert_array_equal(y.detach().numpy(), np.minimum(np.maximum(a, lo), hi))
    check_gradients(lambda x, l: x.clamp(min=l), a, lo)
    check_gradients(lambda x, h: x.clamp(max=h), a, hi)


@given(st.floats(-3, 3), st.floats(0.1, 3))
def test_clamp_with_tensor_bounds_at_a_bound_gives_the_input_all_the_gradient(v, width):
    """PyTorch: where x equals a tensor bound the gradient goes to x, none to the bound (torch
    2.13 gives x.grad = [1, 1], min.grad = [0, 0], max.grad = [0, 0] here)."""
    x = sg.tensor([v, v + width], dtype=sg.float64, requires_grad=True)
    lo = sg.tensor([v, v], dtype=sg.float64, requires_grad=True)
    hi = sg.tensor([v + width, v + width], dtype=sg.float64, requires_grad=True)
    x.clamp(lo, hi).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert lo.grad.tolist() == [0.0, 0.0] and hi.grad.tolist() == [0.0, 0.0]
    for bound in ("min", "max"):
        x.grad = lo.grad = None
        x.clamp(**{bound: lo}).sum().backward()  # x[0] == lo[0]: all to x
        assert x.grad.tolist() == [1.0, 1.0 if bound == "min" else 0.0]
        assert lo.grad.tolist() == [0.0, 0.0 if bound == "min" else 1.0]


def test_clamp_with_crossed_tensor_bounds_gives_max_the_gradient():
    """min > max: the output is max everywhere (as PyTorch), so max gets all of the gradient;
    torch 2.13 gives x.grad = [0, 0, 0], min.grad = [0, 0, 0], max.grad = [1, 1, 1]."""
    x = sg.tensor([-5.0, 1.5, 5.0], dtype=sg.float64, requires_grad=True)
    lo = sg.tensor([2.0, 2.0, 2.0], dtype=sg.float64, requires_grad=True)
    hi = sg.tensor([1.0, 1.0, 1.0], dtype=sg.float64, requires_grad=True)
    y = x.clamp(lo, hi)
    y.sum().backward()
    assert y.tolist() == [1.0, 1.0, 1.0]
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and lo.grad.tolist() == [0.0, 0.0, 0.0]
    assert hi.grad.tolist() == [1.0, 1.0, 1.0]


@given(st.data())
def test_where(data):
    sc, sa, sb = data.draw(broadcastable_shapes(3, max_dims=3, max_side=3))
    cond = data.draw(layouts(arrays(sc, bool)))
    a, b = data.draw(layouts(arrays(sa))), data.draw(layouts(arrays(sb)))
    got = sg.where(sg.from_numpy(cond), sg.from_numpy(a), sg.from_numpy(b))
    np.testing.assert_array_equal(got.numpy(), np.where(cond, a, b))
    check_gradients(lambda x, y: sg.where(sg.from_numpy(cond), x, y), a, b)
    assert sg.where(sg.from_numpy(cond), sg.from_numpy(a), 0.0).shape == np.broadcast_shapes(sc, sa)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_python_scalars_on_both_sides(op):
    x = sg.tensor([1.0, 2.0, 4.0], dtype=sg.float64, requires_grad=True)
    pyop = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
    }[op]
    xs = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(pyop(x, 2).detach().numpy(), pyop(xs, 2))
    np.testing.assert_allclose(pyop(3, x).detach().numpy(), pyop(3, xs))
    check_gradients(lambda t: pyop(t, 2.5), xs)
    check_gradients(lambda t: pyop(1.5, t), xs)


def test_type_promotion_like_pytorch():
    i = sg.tensor([1, 2])
    f = sg.tensor([1.0, 2.0])
    d = sg.tensor([1.0, 2.0], dtype=sg.float64)
    assert (i + 2.5).dtype == sg.float32
    assert (i + 2).dtype == sg.int64
    assert (i / i).dtype == sg.float32 and (i / i).tolist() == [1.0, 1.0]
    assert (f + d).dtype == sg.float64
    assert (f + i).dtype == sg.float32
    assert (d + 2.5).dtype == sg.float64
    assert (
        f + sg.tensor(2.0, dtype=sg.float64)
    ).dtype == sg.float32  # a 0-d tensor does not decide
    assert (
        i + sg.tensor(2.0, dtype=sg.float64)
    ).dtype == sg.float64  # ... unless its category is higher
    assert (i * i).tolist() == [1, 4] and (i**2).tolist() == [1, 4]
    assert (-i).tolist() == [-1, -2] and sg.tensor([-3, 2]).abs().tolist() == [3, 2]
    assert i.exp().dtype == sg.float32
    assert (sg.tensor([True, False]) + sg.tensor([True, True])).dtype == sg.bool


def test_comparisons_return_bool_without_grad():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (x > 2, [False, False, True]),
        (x >= 2, [False, True, True]),
        (x < 2, [True, False, False]),
        (x <= 2, [True, True, False]),
        (x == 2, [False, True, False]),
        (x != 2, [True, False, True]),
        (x.eq(sg.tensor([1.0, 0.0, 3.0])), [True, False, True]),
        (2 < x, [False, False, True]),
    ]:
        assert result.dtype == sg.bool and not result.requires_grad
        assert result.tolist() == expected
    mask = x > 1
    assert (~mask).tolist() == [True, False, False]
    assert (mask & (x < 3)).tolist() == [False, True, False]
    assert (mask | (x < 2)).tolist() == [True, True, True]


def test_broadcast_row_plus_column_and_bias():
    row = sg.tensor([[1.0, 2.0, 3.0]])
    col = sg.tensor([[10.0], [20.0]])
    assert (row + col).tolist() == [[11, 12, 13], [21, 22, 23]]
    batch = sg.zeros(4, 3)
    bias = sg.tensor([1.0, 2.0, 3.0])
    assert (batch + bias).shape == (4, 3)


def test_mismatched_shapes_error_names_op_and_shapes():
    a, b = sg.ones(2, 3), sg.ones(4)
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        a + b
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(4,\)"):
        a * b
    with pytest.raises(TypeError):
        a + "x"


def test_bool_errors():
    m = sg.tensor([True, False])
    with pytest.raises(TypeError, match="logical_not"):
        _ = -m
    with pytest.raises(TypeError, match="bool"):
        sg.where(sg.tensor([1, 0]), 1.0, 2.0)
