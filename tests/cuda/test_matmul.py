"""The tiled matmul and fused linear against NumPy: ragged sizes (not multiples of the 64 x 64
tile or the 16-deep K slice), transposed operands as the backward pass uses them, batches."""

import numpy as np
import pytest
from cuda_testing import C, R, assert_matches, make
from hypothesis import given, settings
from hypothesis import strategies as st

from scalargrad.matrix.backends import cuda_matmul


def operand(rng, shape, dtype, transposed):
    layout = "transposed" if transposed else "contiguous"
    return make(layout, rng, shape, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_ragged_and_transposed(dtype, ta, tb):
    rng = np.random.default_rng(0)
    a, ha = operand(rng, (20, 37), dtype, ta)
    b, hb = operand(rng, (37, 15), dtype, tb)
    scale = np.abs(ha).max() * np.abs(hb).max()
    assert_matches(C.matmul(a, b), R.matmul(ha, hb), dtype, terms=37, magnitude=scale)


def test_large_tile_configuration(monkeypatch):
    """The 128 x 128 tile (8 x 8 outputs per thread) that big matrices use, on a ragged size."""
    monkeypatch.setattr(cuda_matmul, "LARGE_FROM", 1)
    monkeypatch.setattr(cuda_matmul, "sm_count", lambda: 1)
    rng = np.random.default_rng(5)
    a, ha = make("transposed", rng, (130, 21), np.float32)
    b, hb = make("contiguous", rng, (21, 9), np.float32)
    scale = np.abs(ha).max() * np.abs(hb).max()
    assert_matches(C.matmul(a, b), ha @ hb, np.float32, terms=21, magnitude=scale)


def test_matmul_larger_than_one_tile():
    rng = np.random.default_rng(1)
    ha, hb = rng.standard_normal((70, 5)), rng.standard_normal((5, 66))
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hb)), ha @ hb)


@settings(max_examples=6)
@given(m=st.integers(1, 9), k=st.integers(1, 20), n=st.integers(1, 9), seed=st.integers(0, 99))
def test_matmul_small_shapes(m, k, n, seed):
    rng = np.random.default_rng(seed)
    ha, hb = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hb)), ha @ hb)


def test_batched_and_broadcast_batch():
    rng = np.random.default_rng(2)
    ha, hb = rng.standard_normal((3, 4, 6)), rng.standard_normal((3, 6, 5))
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hb)), ha @ hb)
    hw = rng.standard_normal((6, 2))
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hw)), ha @ hw)
    hp = rng.standard_normal((2, 1, 4, 6))
    assert_matches(C.matmul(C.from_numpy(hp), C.from_numpy(hb)), hp @ hb)


def test_vectors_and_empty_inner_dimension():
    rng = np.random.default_rng(3)
    ha, hv = rng.standard_normal((4, 6)), rng.standard_normal(6)
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hv)), ha @ hv)
    assert_matches(C.matmul(C.from_numpy(hv), C.from_numpy(ha.T.copy())), hv @ ha.T)
    assert_matches(
        C.matmul(C.from_numpy(np.ones((3, 0))), C.from_numpy(np.ones((0, 2)))), np.zeros((3, 2))
    )


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear(bias, dtype):
    rng = np.random.default_rng(4)
    x, hx = make("sliced", rng, (19, 13), dtype)
    w, hw = make("contiguous", rng, (7, 13), dtype)
    b, hb = make("contiguous", rng, (7,), dtype) if bias else (None, None)
    scale = np.abs(hx).max() * np.abs(hw).max()
    assert_matches(C.linear(x, w, b), R.linear(hx, hw, hb), dtype, terms=14, magnitude=scale)
