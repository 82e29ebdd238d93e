"""Element-wise kernels against the NumPy oracle, on every memory layout, float32 and float64."""

import numpy as np
import pytest
from cuda_testing import C, R, arrays, assert_matches, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

FLOATS = (np.float32, np.float64)
UNARY = R.UNARY
ARITH = R.ARITH
COMPARE = tuple(R.COMPARE)


@st.composite
def pair(draw, dtype, low=-3.0, high=3.0):
    """Two arrays of one shape, each in its own layout."""
    shape = draw(shapes())
    return draw(arrays(shape, dtype, low, high)), draw(arrays(shape, dtype, low, high)), shape


@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dtype", FLOATS)
@settings(max_examples=6)
@given(data=st.data())
def test_unary_and_its_backward(op, dtype, data):
    (a, ha), (g, hg), _ = data.draw(pair(dtype))
    y = C.unary(op, a)
    hy = R.unary(op, ha)
    assert_matches(y, hy)
    assert_matches(C.unary_backward(op, a, y, g), R.unary_backward(op, ha, hy, hg), dtype)


@pytest.mark.parametrize("op", ARITH)
@pytest.mark.parametrize("dtype", FLOATS)
@settings(max_examples=6)
@given(data=st.data())
def test_binary_and_its_backward(op, dtype, data):
    (a, ha), (b, hb), shape = data.draw(pair(dtype))
    g, hg = data.draw(arrays(shape, dtype))
    assert_matches(C.binary(op, a, b), R.binary(op, ha, hb))
    da, db = C.binary_backward(op, a, b, g, True, True)
    rda, rdb = R.binary_backward(op, ha, hb, hg, True, True)
    assert_matches(da, rda)
    assert_matches(db, rdb)
    assert C.binary_backward(op, a, b, g, False, True)[0] is None
    assert C.binary_backward(op, a, b, g, True, False)[1] is None


def test_binary_edge_values_follow_calculus():
    a = np.array([0.0, 1.0, -1.0, 0.0, -2.0, np.nan, 2.0])
    b = np.array([0.0, 0.0, 0.0, -1.0, 0.5, 1.0, 2000.0])
    for op in ("div", "pow", "maximum", "minimum"):
        assert_matches(C.binary(op, C.from_numpy(a), C.from_numpy(b)), R.binary(op, a, b))


def test_pow_backward_at_a_zero_base_follows_calculus():
    """d(x^y)/dy at x = +-0: 0 for y >= 0, -inf for y < 0, +inf for -0.0 to an odd power."""
    a = np.array([0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0])
    b = np.array([2.0, 2.0, -1.0, -1.0, -2.0, -0.5, 0.0])
    g = np.ones(7)
    got = C.binary_backward("pow", C.from_numpy(a), C.from_numpy(b), C.from_numpy(g), True, True)
    want = R.binary_backward("pow", a, b, g, True, True)
    assert_matches(got[0], want[0])
    assert_matches(got[1], want[1])
    np.testing.assert_array_equal(want[1], [0.0, 0.0, -np.inf, np.inf, -np.inf, -np.inf, 0.0])


@pytest.mark.parametrize("op", COMPARE)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
@settings(max_examples=4)
@given(data=st.data())
def test_comparisons_give_bool(op, dtype, data):
    (a, ha), (b, hb), _ = data.draw(pair(dtype))
    assert_matches(C.binary(op, a, b), R.binary(op, ha, hb))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "maximum", "minimum"])
@settings(max_examples=4)
@given(data=st.data())
def test_integer_arithmetic_is_exact(op, data):
    (a, ha), (b, hb), _ = data.draw(pair(np.int64))
    numpy_op = {
        "add": np.add,
        "sub": np.subtract,
        "mul": np.multiply,
        "maximum": np.maximum,
        "minimum": np.minimum,
    }[op]
    assert_matches(C.binary(op, a, b), numpy_op(ha, hb))


@pytest.mark.parametrize("op", ["add", "mul"])
def test_bool_add_and_mul_are_or_and(op):
    ha = np.array([True, True, False, False])
    hb = np.array([True, False, True, False])
    assert_matches(C.binary(op, C.from_numpy(ha), C.from_numpy(hb)), R.binary(op, ha, hb))


def test_inputs_of_different_shapes_are_broadcast():
    ha, hb = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0, 30.0])
    assert_matches(C.binary("add", C.from_numpy(ha), C.from_numpy(hb)), ha + hb)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum"])
@settings(max_examples=5)
@given(data=st.data())
def test_inplace_binary_writes_into_views(op, data):
    shape = data.draw(shapes(min_dims=2))
    a, ha = data.draw(arrays(shape, np.float64, layouts=("contiguous", "transposed", "sliced")))
    b, hb = data.draw(arrays(shape[1:], np.float64))  # broadcast against a
    expected = R.binary(op, ha, np.broadcast_to(hb, shape))
    C.inplace_binary(op, a, b)
    assert_matches(a, expected)


@settings(max_examples=8)
@given(data=st.data())
def test_where(data):
    shape = data.draw(shapes())
    c, hc = data.draw(arrays(shape, np.bool_))
    a, ha = data.draw(arrays(shape, np.float32))
    b, hb = data.draw(arrays(shape, np.float32))
    assert_matches(C.where(c, a, b), R.where(hc, ha, hb))


@pytest.mark.parametrize("op", R.LOSSES)
@pytest.mark.parametrize("dtype", FLOATS)
@settings(max_examples=5)
@given(data=st.data())
def test_pointwise_losses_and_backward(op, dtype, data):
    shape = data.draw(shapes())
    probability = op == "binary_cross_entropy"
    p, hp = data.draw(arrays(shape, dtype, 0.01, 0.99) if probability else arrays(shape, dtype))
    t, ht = data.draw(arrays(shape, dtype, 0.0, 1.0))
    g, hg = data.draw(arrays(shape, dtype))
    beta = 0.7 if op == "smooth_l1" else None
    assert_matches(C.pointwise_loss(op, p, t, beta), R.pointwise_loss(op, hp, ht, beta))
    assert_matches(
        C.pointwise_loss_backward(op, p, t, g, beta),
        R.pointwise_loss_backward(op, hp, ht, hg, beta),
        dtype,
    )


def test_fill_a_strided_view():
    host = np.zeros((4, 6))
    a = C.from_numpy(host)
    C.fill(C.getitem(a, (slice(None), slice(1, None, 2))), 5.0)
    host[:, 1::2] = 5.0
    assert_matches(a, host)


def test_zero_size_inputs():
    a = C.from_numpy(np.zeros((0, 3)))
    assert_matches(C.unary("exp", a), np.zeros((0, 3)))
    assert_matches(C.binary("add", a, a), np.zeros((0, 3)))


def test_coalesce_merges_axes_walked_as_one():
    from scalargrad.matrix.backends.cuda_memory import coalesce

    assert coalesce((2, 3, 4), [(12, 4, 1), (12, 4, 1)]) == ((24,), [(1,), (1,)])
    assert coalesce((2, 1, 3), [(3, 3, 1), (0, 0, 1)]) == ((2, 3), [(3, 1), (0, 1)])
    assert coalesce((3, 4), [(1, 3), (4, 1)]) == ((3, 4), [(1, 3), (4, 1)])  # transposed: kept
    assert coalesce((1, 1), [(0, 0)]) == ((1,), [(0,)])


# sizes of the row-broadcast fast path around the 1-D launch's block of 256 threads (and the
# 32-thread warp of small outputs): n * m = 255, 256, 257, 32 * 33, ...
ROW_SIZES = [(1, 1), (3, 85), (1, 256), (257, 1), (32, 8), (1, 257), (33, 32), (5, 257)]


@pytest.mark.parametrize("n, m", ROW_SIZES)
@pytest.mark.parametrize("op", ["add", "sub", "div", "lt"])
@pytest.mark.parametrize("form", ["view", "row", "1 x m"])
def test_row_broadcast_fast_path(monkeypatch, n, m, op, form):
    """x op bias and bias op x, with the bias a broadcast view (what the stack passes), a 1-D
    row or a (1, m) matrix: the stride-free row kernel, equal to NumPy."""
    from scalargrad.matrix.backends import cuda_elementwise

    used = []
    kernel = cuda_elementwise._row_zip_kernel

    def spy(name, row_first):
        used.append(row_first)
        return kernel(name, row_first)

    monkeypatch.setattr(cuda_elementwise, "_row_zip_kernel", spy)
    rng = np.random.default_rng(n * 1000 + m)
    for dtype in FLOATS:
        hx = rng.uniform(-3, 3, (n, m)).astype(dtype)
        hb = rng.uniform(0.5, 3, m).astype(dtype)
        x, b = C.from_numpy(hx), C.from_numpy(hb if form != "1 x m" else hb[None, :])
        if form == "view":
            b = C.broadcast_to(b, (n, m))
        expected = getattr(np, {"add": "add", "sub": "subtract", "div": "divide", "lt": "less"}[op])
        assert_matches(C.binary(op, x, b), expected(hx, hb))
        assert_matches(C.binary(op, b, x), expected(hb, hx))
    # (with n = 1 a view or a (1, m) bias is a contiguous array of x's shape: the same-shape
    # fast path)
    assert used == ([False, True] * 2 if n > 1 or form == "row" else [])


def test_row_broadcast_of_a_3d_array_and_what_is_not_a_row():
    rng = np.random.default_rng(1)
    hx, hb = rng.standard_normal((2, 3, 5)), rng.standard_normal(5)
    assert_matches(C.binary("mul", C.from_numpy(hx), C.from_numpy(hb)), hx * hb)
    view = C.broadcast_to(C.from_numpy(hb), (2, 3, 5))
    assert_matches(C.binary("sub", view, C.from_numpy(hx)), hb - hx)
    # a column (n, 1) broadcast along the rows, and a transposed full operand: not rows
    hc = rng.standard_normal((3, 1))
    assert_matches(C.binary("add", C.from_numpy(hx[0]), C.from_numpy(hc)), hx[0] + hc)
    ht = rng.standard_normal((5, 3))
    got = C.binary("add", C.permute(C.from_numpy(ht), (1, 0)), C.from_numpy(hb))
    assert_matches(got, ht.T + hb)
