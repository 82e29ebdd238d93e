"""The softmax family's row functions (backends/rowwise_math.py) as plain Python, against the
NumPy reference, both the way the CPU calls them (one pass, first=0, step=1) and the way a CUDA
block does (``threads`` strided passes whose partial results are combined)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import assert_same, reference

from scalargrad import calculus
from scalargrad.matrix.backends import rowwise_math as R

rows = st.lists(
    st.one_of(
        st.floats(-50, 50),
        st.sampled_from([-np.inf, np.inf, -1e300, 1e3]),
    ),
    min_size=1,
    max_size=9,
)


def _shift_and_sum(x, threads):
    """(m, s) as ``threads`` threads compute them: partial maxima and sums, then combined."""
    n = x.size
    m = -np.inf
    for t in range(threads):
        m = calculus.maximum(m, R.row_max(x, 0, 1, t, n, threads, 0.0))
    m = R.shift(m)
    s = sum(R.sum_exp(x, 0, 1, t, n, threads, m) for t in range(threads))
    return m, np.float64(s)  # (numpy's 0/0 = nan, as the compiled kernels: not a Python error)


@given(row=rows, threads=st.integers(1, 4))
def test_forward_rows_match_the_reference(row, threads):
    x = np.array(row, np.float64)
    n = x.size
    m, s = _shift_and_sum(x, threads)
    with np.errstate(all="ignore"):
        lse = R.logsumexp(m, s)
        assert_same(np.array([lse]), reference.logsumexp(x[None], 1, False))
        out = np.empty(n)
        for t in range(threads):
            R.softmax_row(x, 0, 1, out, 0, 1, t, n, threads, m, s)
        assert_same(out, reference.softmax(x, 0))
        for t in range(threads):
            R.log_softmax_row(x, 0, 1, out, 0, 1, t, n, threads, lse)
        assert_same(out, reference.log_softmax(x, 0))
        if np.isfinite(lse):  # exp_row + scale_row: the fused cross-entropy's softmax
            s2 = sum(R.exp_row(x, 0, 1, out, 0, 1, t, n, threads, m) for t in range(threads))
            for t in range(threads):
                R.scale_row(out, 0, 1, t, n, threads, s2)
            assert_same(out, reference.softmax(x, 0))


@given(
    y=st.lists(st.floats(-5, 5), min_size=1, max_size=9),
    seed=st.integers(0, 2**32 - 1),
    threads=st.integers(1, 4),
)
def test_backward_rows_match_the_reference(y, seed, threads):
    y = np.array(y, np.float64)
    n = y.size
    g = np.random.default_rng(seed).standard_normal(n)
    out = np.empty(n)
    s = sum(R.row_dot(g, 0, 1, y, 0, 1, t, n, threads, 0.0) for t in range(threads))
    for t in range(threads):
        R.softmax_backward_row(y, 0, 1, g, 0, 1, out, 0, 1, t, n, threads, s)
    assert_same(out, reference.softmax_backward(y, g, 0))
    s = sum(R.row_sum(g, 0, 1, t, n, threads, 0.0) for t in range(threads))
    for t in range(threads):
        R.log_softmax_backward_row(y, 0, 1, g, 0, 1, out, 0, 1, t, n, threads, s)
    assert_same(out, reference.log_softmax_backward(y, g, 0))
    target = seed % n
    for t in range(threads):
        R.cross_entropy_backward_row(y, 0, 1, out, 0, 1, t, n, threads, target, 2.0)
    assert_same(
        out, reference.cross_entropy_backward(y[None], np.array([target]), np.ones(1) * 2)[0]
    )
