"""Reductions, softmax family and cumsum against the NumPy reference."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import ALL_DTYPES, FLOATS, assert_same, cpu, layouts, make, reference, shapes

seeds = st.integers(0, 2**32 - 1)


@st.composite
def shape_and_axes(draw, min_side=0):
    shape = draw(shapes(min_dims=1, min_side=min_side))
    axes = draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))
    return shape, tuple(sorted(axes))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(sa=shape_and_axes(), layout=layouts, seed=seeds, keepdim=st.booleans(), data=st.data())
def test_reduce(dtype, sa, layout, seed, keepdim, data):
    shape, axes = sa
    ops = ("sum", "prod", "max", "min") if dtype in FLOATS else ("sum", "max", "min")
    op = data.draw(st.sampled_from(ops))
    if op in ("max", "min") and any(shape[d] == 0 for d in axes):
        return  # no maximum of nothing (the Tensor layer raises, as numpy and PyTorch)
    a = make(shape, dtype, layout, seed)
    assert_same(cpu.reduce(op, a, axes, keepdim), reference.reduce(op, a, axes, keepdim), rtol=1e-4)


@pytest.mark.parametrize("op", ("sum", "prod", "max", "min"))
def test_reduce_nan_propagates(op):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    a[1, 2] = np.nan
    for axes in [(0,), (1,), (0, 1)]:
        assert_same(cpu.reduce(op, a, axes, False), reference.reduce(op, a, axes, False))


def test_reduce_leading_axis_of_large_matrix():
    # the bias-gradient shape: sum over the batch
    a = np.random.default_rng(0).standard_normal((1024, 300)).astype(np.float32)
    assert_same(
        cpu.reduce("sum", a, (0,), False),
        reference.reduce("sum", a, (0,), False),
        rtol=1e-4,
        atol=1e-4,
    )


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("op", ("argmax", "argmin"))
@given(shape=shapes(min_dims=1, min_side=1), layout=layouts, seed=seeds, data=st.data())
def test_arg_reduce(dtype, op, shape, layout, seed, data):
    axis = data.draw(st.none() | st.integers(0, len(shape) - 1))
    a = make(shape, dtype, layout, seed)
    if dtype in FLOATS:
        a = np.round(a)  # ties: the first index wins
    assert_same(cpu.arg_reduce(op, a, axis), reference.arg_reduce(op, a, axis))


def test_arg_reduce_nan_is_the_answer():
    a = np.array([[1.0, np.nan, 3.0, np.nan], [3.0, 3.0, 1.0, 1.0]])
    for op in ("argmax", "argmin"):
        assert_same(cpu.arg_reduce(op, a, 1), reference.arg_reduce(op, a, 1))
        assert_same(cpu.arg_reduce(op, a, None), reference.arg_reduce(op, a, None))


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    shape=shapes(min_dims=1),
    layout=layouts,
    seed=seeds,
    keepdim=st.booleans(),
    data=st.data(),
    scale=st.sampled_from([1.0, 1e3]),
)
def test_softmax_family(dtype, shape, layout, seed, keepdim, data, scale):
    axis = data.draw(st.integers(0, len(shape) - 1))
    a = make(shape, dtype, layout, seed, -3 * scale, 3 * scale)  # large logits: stability
    assert_same(cpu.softmax(a, axis), reference.softmax(a, axis))
    assert_same(cpu.log_softmax(a, axis), reference.log_softmax(a, axis), rtol=1e-4)
    assert_same(cpu.logsumexp(a, axis, keepdim), reference.logsumexp(a, axis, keepdim), rtol=1e-4)
    g = make(shape, dtype, "contiguous", seed + 1)
    y = reference.softmax(a, axis)
    assert_same(cpu.softmax_backward(y, g, axis), reference.softmax_backward(y, g, axis), atol=1e-5)
    ly = reference.log_softmax(a, axis)
    assert_same(
        cpu.log_softmax_backward(ly, g, axis),
        reference.log_softmax_backward(ly, g, axis),
        atol=1e-5,
    )


def test_softmax_of_infinite_rows():
    a = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [np.nan, 1.0], [0.0, -np.inf]])
    assert_same(cpu.softmax(a, 1), reference.softmax(a, 1))
    assert_same(cpu.log_softmax(a, 1), reference.log_softmax(a, 1))
    assert_same(cpu.logsumexp(a, 1, False), reference.logsumexp(a, 1, False))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(shape=shapes(min_dims=1), layout=layouts, seed=seeds, data=st.data())
def test_cumsum(dtype, shape, layout, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    a = make(shape, dtype, layout, seed)
    assert_same(cpu.cumsum(a, axis), reference.cumsum(a, axis), rtol=1e-4, atol=1e-4)
