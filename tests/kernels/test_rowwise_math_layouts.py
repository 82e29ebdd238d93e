"""The row functions of backends/rowwise_math.py on rows as the kernels hand them over: element k
of a row at ``base + k * stride`` of a flat buffer (a row of a matrix, base > 0; a column,
stride > 1), each operand with a base and stride of its own, the other elements of the buffers
NaN. A position slip (``base - k * stride``, a swapped base) then reads a NaN or another row,
which rows at base 0 with stride 1 cannot show (a negative index wraps around to an element of
the same row: a sum over the row in another order). Found by mutation testing
(tests/mutation/mutate.py); the values are checked against the NumPy reference."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import assert_same, reference

from scalargrad.matrix.backends import rowwise_math as R

layouts = st.tuples(st.integers(1, 4), st.integers(2, 3))  # (base, stride): never 0 and 1


def embed(row, layout):
    """A NaN buffer holding ``row`` at base + k * stride; returns (buffer, base, stride)."""
    base, stride = layout
    buffer = np.full(base + stride * row.size + 2, np.nan)
    buffer[base : base + stride * row.size : stride] = row
    return buffer, base, stride


def read(buffer, base, stride, n):
    return buffer[base : base + stride * n : stride]


def output(n, layout):
    base, stride = layout
    return np.full(base + stride * n + 2, np.nan), base, stride


@given(
    # (values near 1e3: exp overflows unless the row max is subtracted, so a wrong max shows)
    x=st.lists(
        st.one_of(st.floats(-30, 30), st.sampled_from([1e3, -1e3, 750.0])), max_size=7
    ).filter(len),
    lay=st.lists(layouts, min_size=2, max_size=2),
    threads=st.integers(1, 3),
)
def test_forward_rows_at_any_base_and_stride(x, lay, threads):
    x = np.array(x)
    n = x.size
    xs = embed(x, lay[0])
    m = max(R.row_max(*xs, t, n, threads, 0.0) for t in range(threads))
    assert m == x.max()
    m = R.shift(m)
    s = sum(R.sum_exp(*xs, t, n, threads, m) for t in range(threads))
    lse = R.logsumexp(m, s)
    assert_same(np.array([lse]), reference.logsumexp(x[None], 1, False))
    out = output(n, lay[1])
    for t in range(threads):
        R.softmax_row(*xs, *out, t, n, threads, m, s)
    assert_same(read(*out, n), reference.softmax(x, 0))
    out = output(n, lay[1])
    for t in range(threads):
        R.log_softmax_row(*xs, *out, t, n, threads, lse)
    assert_same(read(*out, n), reference.log_softmax(x, 0))
    out = output(n, lay[1])
    s2 = sum(R.exp_row(*xs, *out, t, n, threads, m) for t in range(threads))
    for t in range(threads):
        R.scale_row(*out, t, n, threads, s2)
    assert_same(read(*out, n), reference.softmax(x, 0))


@given(
    y=st.lists(st.floats(-5, 5), min_size=1, max_size=7),
    seed=st.integers(0, 2**32 - 1),
    lay=st.lists(layouts, min_size=3, max_size=3),
    threads=st.integers(1, 3),
)
def test_backward_rows_at_any_base_and_stride(y, seed, lay, threads):
    y = np.array(y)
    n = y.size
    g = np.random.default_rng(seed).standard_normal(n)
    ys, gs = embed(y, lay[0]), embed(g, lay[1])
    s = sum(R.row_dot(*gs, *ys, t, n, threads, 0.0) for t in range(threads))
    out = output(n, lay[2])
    for t in range(threads):
        R.softmax_backward_row(*ys, *gs, *out, t, n, threads, s)
    assert_same(read(*out, n), reference.softmax_backward(y, g, 0))
    s = sum(R.row_sum(*gs, t, n, threads, 0.0) for t in range(threads))
    out = output(n, lay[2])
    for t in range(threads):
        R.log_softmax_backward_row(*ys, *gs, *out, t, n, threads, s)
    assert_same(read(*out, n), reference.log_softmax_backward(y, g, 0))
    target = seed % n
    out = output(n, lay[2])
    for t in range(threads):
        R.cross_entropy_backward_row(*ys, *out, t, n, threads, target, 2.0)
    expected = reference.cross_entropy_backward(y[None], np.array([target]), np.full(1, 2.0))
    assert_same(read(*out, n), expected[0])
