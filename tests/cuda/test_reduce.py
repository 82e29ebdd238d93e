"""Reductions against the NumPy oracle: any axes, keepdim, every dtype, short rows (one thread per
row), long rows (a shared-memory tree per block) and rows long enough for a second pass."""

import numpy as np
import pytest
from cuda_testing import C, R, arrays, assert_matches, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

from scalargrad.matrix.backends import cuda_memory, cuda_reduce


@st.composite
def axes_of(draw, ndim):
    return tuple(sorted(draw(st.sets(st.integers(0, ndim - 1), min_size=1))))


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
@settings(max_examples=5)
@given(data=st.data())
def test_reduce_short_rows(op, dtype, data):
    shape = data.draw(shapes())
    a, ha = data.draw(arrays(shape, dtype, -1.5, 1.5))
    axes = data.draw(axes_of(len(shape)))
    keepdim = data.draw(st.booleans())
    terms = int(np.prod([shape[d] for d in axes]))
    magnitude = np.abs(ha).max() if op == "sum" else 1.0
    expected = R.reduce(op, ha, axes, keepdim)
    assert_matches(C.reduce(op, a, axes, keepdim), expected, terms=terms, magnitude=magnitude)


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of 32 threads, 1 element each before the tree, every row through the tree: rows of
    a few dozen elements then need several blocks, and so the second pass, as long rows on a GPU
    do."""
    monkeypatch.setattr(cuda_reduce, "THREADS", 32)
    monkeypatch.setattr(cuda_reduce, "ITEMS_PER_THREAD", 1)
    monkeypatch.setattr(cuda_reduce, "SEQUENTIAL_MAX", 0)


@pytest.mark.parametrize(
    "op, dtype",
    [
        ("sum", np.float32),
        ("sum", np.int64),
        ("sum", np.bool_),
        ("max", np.float64),
        ("min", np.int64),
        ("prod", np.float64),
    ],
)
def test_reduce_two_passes(op, dtype, tiny_blocks):
    rng = np.random.default_rng(3)
    # 70 and 36 elements per row: 3 and 2 blocks of 32 threads per row in pass 1, then pass 2
    for layout_shape, axes in [((2, 70), (1,)), ((4, 3, 9), (0, 2))]:
        low, high = (0.9, 1.1) if op == "prod" else (-3, 3)
        host = (
            rng.uniform(low, high, layout_shape) * (3 if dtype == np.int64 and op != "prod" else 1)
        ).astype(dtype)
        if dtype == np.int64 and op == "prod":
            host = rng.integers(-1, 2, layout_shape).astype(dtype) | 1
        a = C.permute(C.from_numpy(np.ascontiguousarray(host.T)), tuple(reversed(range(host.ndim))))
        expected = R.reduce(op, host, axes, False)
        assert_matches(C.reduce(op, a, axes, False), expected, terms=70, magnitude=3.0)


@pytest.mark.parametrize("op", ["sum", "max"])
def test_reduce_long_row_default_blocks(op):
    host = np.random.default_rng(4).standard_normal((2, 45)).astype(np.float32)
    expected = R.reduce(op, host, (1,), True)
    assert_matches(C.reduce(op, C.from_numpy(host), (1,), True), expected, terms=45, magnitude=4)


def test_reduce_propagates_nan_and_handles_empty_axes():
    host = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    assert_matches(C.reduce("max", C.from_numpy(host), (1,), False), host.max(1))
    empty = np.zeros((3, 0))
    assert_matches(C.reduce("sum", C.from_numpy(empty), (1,), False), np.zeros(3))


def test_reduce_of_a_broadcast_view():
    host = np.arange(4.0)
    b = C.broadcast_to(C.from_numpy(host), (33, 4))
    assert_matches(C.reduce("sum", b, (0,), False), 33 * host)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
@settings(max_examples=4)
@given(data=st.data())
def test_arg_reduce(op, dtype, data):
    shape = data.draw(shapes())
    a, ha = data.draw(arrays(shape, dtype, -2, 2))  # small ints: many ties, the first one wins
    axis = data.draw(st.none() | st.integers(0, len(shape) - 1))
    assert_matches(C.arg_reduce(op, a, axis), R.arg_reduce(op, ha, axis))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_arg_reduce_two_passes_ties_and_nan(op, tiny_blocks):
    host = np.zeros((3, 75))
    host[0, [10, 40, 70]] = 5.0 if op == "argmax" else -5.0  # ties in different blocks
    host[1, [50, 20]] = np.nan  # nan wins, the first one
    host[2] = np.random.default_rng(5).standard_normal(75)
    for axis in (1, None):
        assert_matches(C.arg_reduce(op, C.from_numpy(host), axis), R.arg_reduce(op, host, axis))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@settings(max_examples=5)
@given(data=st.data())
def test_cumsum(dtype, data):
    shape = data.draw(shapes())
    a, ha = data.draw(arrays(shape, dtype))
    axis = data.draw(st.integers(0, len(shape) - 1))
    terms, magnitude = shape[axis], np.abs(ha).max() if ha.size else 1.0
    assert_matches(C.cumsum(a, axis), R.cumsum(ha, axis), terms=terms, magnitude=magnitude)


# ---------------------------------------------------------------- the column kernel
# Leading axes of a C-contiguous array (the bias gradient): one thread per column, chunks of
# COLUMN_ROWS rows per pass. Sizes on both sides of the block (32-thread warps up to 256
# columns) and of the chunk (0, 1, -1 mod COLUMN_ROWS rows), deterministically.


def _column_case(op, dtype, shape, axes, seed):
    rng = np.random.default_rng(seed)
    low, high = (0.9, 1.1) if op == "prod" else (-3, 3)
    host = (rng.uniform(low, high, shape) * (3 if dtype == np.int64 else 1)).astype(dtype)
    if op in ("max", "min") and dtype != np.int64 and host.size > 3:
        host.flat[[1, host.size // 2]] = np.nan  # propagates, as NumPy's max/min
    expected = R.reduce(op, host, axes, False)
    k = int(np.prod([shape[d] for d in axes]))
    return C.reduce(op, C.from_numpy(host), axes, False), expected, k


def _spy_columns(monkeypatch):
    used = []
    columns = cuda_reduce._columns
    monkeypatch.setattr(
        cuda_reduce, "_columns", lambda *args: used.append(args[3:5]) or columns(*args)
    )
    return used


@pytest.mark.parametrize("m", [1, 31, 32, 33, 255, 256, 257])
@pytest.mark.parametrize("op, dtype", [("sum", np.float32), ("max", np.float64)])
def test_column_reduction_around_the_block(monkeypatch, m, op, dtype):
    used = _spy_columns(monkeypatch)
    got, expected, k = _column_case(op, dtype, (5, m), (0,), m)
    assert_matches(got, expected, terms=k, magnitude=3.0)
    assert used == [(5, m)]


@pytest.mark.parametrize("k", [1, 3, 4, 5, 15, 16, 17, 65])
@pytest.mark.parametrize(
    "op, dtype",
    [
        ("sum", np.float32),
        ("sum", np.int64),
        ("prod", np.float64),
        ("max", np.float32),
        ("min", np.float64),
        ("min", np.int64),
    ],
)
def test_column_reduction_passes(monkeypatch, k, op, dtype):
    """With chunks of 4 rows, 17 rows take 3 passes (17 -> 5 -> 2 -> 1 rows), 65 rows 4."""
    monkeypatch.setattr(cuda_reduce, "COLUMN_ROWS", 4)
    used = _spy_columns(monkeypatch)
    got, expected, terms = _column_case(op, dtype, (k, 3), (0,), k)
    assert_matches(got, expected, terms=terms, magnitude=3.0)
    assert used == [(k, 3)]


def test_column_reduction_of_several_leading_axes_and_over_the_grid_limit(monkeypatch):
    """Axes (0, 1) of a 3-D array; and with grid y limited to 2 (chunks of 2 rows), chunks grow
    so that 2 fit the grid: 9 rows -> 2 chunks of 5 -> 1."""
    used = _spy_columns(monkeypatch)
    got, expected, k = _column_case("sum", np.float64, (3, 70, 6), (0, 1), 7)
    assert_matches(got, expected, terms=k, magnitude=3.0)
    monkeypatch.setattr(cuda_memory, "MAX_GRID_YZ", 2)
    monkeypatch.setattr(cuda_reduce, "COLUMN_ROWS", 2)
    got, expected, k = _column_case("sum", np.float32, (9, 4), (0,), 8)
    assert_matches(got, expected, terms=k, magnitude=3.0)
    assert used == [(210, 6), (9, 4)]
    # not columns: a transposed array, bools, an inner axis
    host = np.random.default_rng(9).standard_normal((4, 6))
    got = C.reduce("sum", C.permute(C.from_numpy(host.T.copy()), (1, 0)), (0,), False)
    assert_matches(got, host.sum(0), terms=4, magnitude=3.0)
    assert_matches(C.reduce("sum", C.from_numpy(host > 0), (0,), False), (host > 0).sum(0))
    assert_matches(C.reduce("max", C.from_numpy(host), (1,), False), host.max(1))
    assert len(used) == 2


@pytest.mark.parametrize("k", [63, 64, 65])
@pytest.mark.parametrize("op, dtype", [("sum", np.float32), ("max", np.float64)])
def test_a_single_row_takes_one_block_up_to_its_limit(monkeypatch, k, op, dtype):
    """One row (a loss's sum) of up to THREADS * ONE_BLOCK_ITEMS elements: one launch, a block
    whose threads loop further; one more element: two passes. (32 threads, 2 items each.)"""
    monkeypatch.setattr(cuda_reduce, "THREADS", 32)
    monkeypatch.setattr(cuda_reduce, "ITEMS_PER_THREAD", 1)
    monkeypatch.setattr(cuda_reduce, "ONE_BLOCK_ITEMS", 2)
    host = np.random.default_rng(k).uniform(-3, 3, k).astype(dtype)
    before = cuda_memory.launches
    got = C.reduce(op, C.from_numpy(host), (0,), False)
    assert cuda_memory.launches - before == (1 if k <= 64 else 2)
    assert_matches(got, R.reduce(op, host, (0,), False), terms=k, magnitude=3.0)
