"""Element-wise CPU kernels against the NumPy reference, on drawn shapes, dtypes and layouts."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import ALL_DTYPES, FLOATS, assert_same, cpu, layouts, make, reference, shapes

UNARY = reference.UNARY  # every element-wise primitive of the op registry
ARITH = reference.ARITH
COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")
LOSSES = ("squared_error", "absolute_error", "smooth_l1", "binary_cross_entropy", "bce_with_logits")

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("dtype", FLOATS)
@given(op=st.sampled_from(UNARY), shape=shapes(), layout=layouts, seed=seeds)
def test_unary(dtype, op, shape, layout, seed):
    a = make(shape, dtype, layout, seed)
    out = cpu.unary(op, a)
    assert out.flags.c_contiguous
    assert_same(out, reference.unary(op, a))


@pytest.mark.parametrize("dtype", FLOATS)
@given(op=st.sampled_from(UNARY), shape=shapes(), layouts_=st.tuples(layouts, layouts), seed=seeds)
def test_unary_backward(dtype, op, shape, layouts_, seed):
    a = make(shape, dtype, layouts_[0], seed)
    y = reference.unary(op, a)
    g = make(shape, dtype, layouts_[1], seed + 1)
    assert_same(cpu.unary_backward(op, a, y, g), reference.unary_backward(op, a, y, g))


def _pair(shape, dtype, layouts_, seed, **kw):
    return make(shape, dtype, layouts_[0], seed, **kw), make(
        shape, dtype, layouts_[1], seed + 1, **kw
    )


@pytest.mark.parametrize("dtype", FLOATS)
@given(op=st.sampled_from(ARITH), shape=shapes(), layouts_=st.tuples(layouts, layouts), seed=seeds)
def test_binary_float(dtype, op, shape, layouts_, seed):
    a, b = _pair(shape, dtype, layouts_, seed)
    assert_same(cpu.binary(op, a, b), reference.binary(op, a, b))


@pytest.mark.parametrize("dtype", (np.int64, np.bool_))
@given(shape=shapes(), layouts_=st.tuples(layouts, layouts), seed=seeds, data=st.data())
def test_binary_exact(dtype, shape, layouts_, seed, data):
    op = data.draw(st.sampled_from(("add", "mul") if dtype == np.bool_ else ("add", "sub", "mul")))
    a, b = _pair(shape, dtype, layouts_, seed)
    assert_same(cpu.binary(op, a, b), reference.binary(op, a, b))


def test_int64_stays_exact_past_float_precision():
    a = np.array([2**62 + 1], np.int64)
    assert cpu.binary("add", a, a)[0] == 2**63 + 2 - 2**64  # wraps like numpy, never rounds
    assert cpu.binary("sub", a, np.array([1], np.int64))[0] == 2**62


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(
    op=st.sampled_from(COMPARE), shape=shapes(), layouts_=st.tuples(layouts, layouts), seed=seeds
)
def test_compare(dtype, op, shape, layouts_, seed):
    a, b = _pair(shape, dtype, layouts_, seed)
    if dtype in FLOATS:  # make ties likely
        a, b = np.round(a), np.round(b)
    assert_same(cpu.binary(op, a, b), reference.binary(op, a, b))


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    op=st.sampled_from(ARITH),
    shape=shapes(),
    layouts_=st.tuples(layouts, layouts, layouts),
    seed=seeds,
    need=st.sampled_from([(True, True), (True, False), (False, True)]),
)
def test_binary_backward(dtype, op, shape, layouts_, seed, need):
    a, b = _pair(shape, dtype, layouts_, seed)
    if op in ("maximum", "minimum"):
        a, b = np.round(a), np.round(b)  # ties: the 1/2 rule
    g = make(shape, dtype, layouts_[2], seed + 2)
    ours = cpu.binary_backward(op, a, b, g, *need)
    ref = reference.binary_backward(op, a, b, g, *need)
    for o, r, n in zip(ours, ref, need, strict=True):
        if n:
            assert_same(o, r)
        else:
            assert o is None


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(
    shape=shapes(),
    layout=layouts,
    seed=seeds,
    a_layout=st.sampled_from(["contiguous", "sliced", "transposed"]),
    data=st.data(),
)
def test_inplace_binary(dtype, shape, layout, seed, a_layout, data):
    ops = (
        ("add", "mul")
        if dtype == np.bool_
        else ("add", "sub", "mul")
        if dtype == np.int64
        else ARITH
    )
    op = data.draw(st.sampled_from(ops))
    a = make(shape, dtype, a_layout, seed)  # a writable array or view, maybe not contiguous
    b = make(shape, dtype, layout, seed + 1)
    expected = reference.binary(op, a, b)
    cpu.inplace_binary(op, a, b)
    assert_same(a, expected)


@given(shape=shapes(min_dims=1), layout=layouts, seed=seeds)
def test_inplace_binary_broadcasts_b(shape, layout, seed):
    a = make(shape, np.float32, "contiguous", seed)
    b = make(shape[-1:], np.float32, layout, seed + 1)
    expected = a + b
    cpu.inplace_binary("add", a, b)
    assert_same(a, expected)


def test_inplace_binary_with_an_overlapping_view():
    a = np.arange(9, dtype=np.float64).reshape(3, 3)
    expected = a + a.T
    cpu.inplace_binary("add", a, a.T)
    assert_same(a, expected)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(shape=shapes(), layouts_=st.tuples(layouts, layouts, layouts), seed=seeds)
def test_where(dtype, shape, layouts_, seed):
    cond = make(shape, np.bool_, layouts_[0], seed)
    a, b = _pair(shape, dtype, layouts_[1:], seed + 1)
    assert_same(cpu.where(cond, a, b), reference.where(cond, a, b))


def _loss_inputs(op, shape, dtype, layouts_, seed):
    if op == "binary_cross_entropy":  # p a probability, t in [0, 1]
        return (
            make(shape, dtype, layouts_[0], seed, 0.0, 1.0),
            make(shape, dtype, layouts_[1], seed + 1, 0.0, 1.0),
        )
    return _pair(shape, dtype, layouts_, seed)


@pytest.mark.parametrize("dtype", FLOATS)
@given(
    op=st.sampled_from(LOSSES),
    shape=shapes(),
    layouts_=st.tuples(layouts, layouts, layouts),
    seed=seeds,
    beta=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_pointwise_loss(dtype, op, shape, layouts_, seed, beta):
    p, t = _loss_inputs(op, shape, dtype, layouts_, seed)
    assert_same(cpu.pointwise_loss(op, p, t, beta), reference.pointwise_loss(op, p, t, beta))
    g = make(shape, dtype, layouts_[2], seed + 2)
    assert_same(
        cpu.pointwise_loss_backward(op, p, t, g, beta),
        reference.pointwise_loss_backward(op, p, t, g, beta),
    )


def test_extreme_values_do_not_crash_and_match():
    a = np.array([-1e30, -800.0, -1.0, 0.0, 1.0, 800.0, 1e30, np.inf, -np.inf, np.nan], np.float64)
    for op in UNARY:
        assert_same(cpu.unary(op, a), reference.unary(op, a))
    for op in ARITH:
        # calculus.pow raises OverflowError in plain Python for an infinite exponent
        # (math.floor(inf)); the reference runs it in Python, so pow skips the infinities here
        x, y = (a[2:7], a[2:7][::-1]) if op == "pow" else (a, a[::-1])
        assert_same(cpu.binary(op, x, y), reference.binary(op, x, y))


def test_large_arrays_use_every_chunk():
    # more than one parallel chunk per row, a ragged last chunk, and a 5-D view that needs a copy
    a = np.random.default_rng(0).standard_normal((3, 5000)).astype(np.float32)
    assert_same(cpu.unary("tanh", a), reference.unary("tanh", a))
    b = np.random.default_rng(1).standard_normal((2, 3, 2, 3, 2, 3))[:, ::2, :, ::2, :, ::2]
    b = np.transpose(b, (5, 3, 1, 0, 2, 4))
    assert_same(cpu.unary("exp", b), reference.unary("exp", b))
    assert_same(cpu.binary("mul", b, b), reference.binary("mul", b, b))
