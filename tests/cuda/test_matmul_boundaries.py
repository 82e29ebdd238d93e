"""The CUDA matmul on both sides of every tile boundary, deterministically: k at 0, 1, -1 mod
the K slice (16 for SMALL, 8 for LARGE), m and n at 0, 1, -1 mod the tile (64 / 128). A k-loop
off by one or a missing barrier shows on these sizes every time (with new arrays NaN-poisoned,
an unwritten output element too). Sizes are kept small: the simulator runs every thread in
Python."""

import numpy as np
import pytest
from cuda_testing import C, assert_matches

from scalargrad.matrix.backends import cuda_matmul


def _case(m, k, n, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    ha = rng.standard_normal((m, k)).astype(dtype)
    hb = rng.standard_normal((k, n)).astype(dtype)
    scale = np.abs(ha).max() * np.abs(hb).max()
    assert_matches(C.matmul(C.from_numpy(ha), C.from_numpy(hb)), ha @ hb, dtype, k, scale)


def _around(t):
    return [t - 1, t, t + 1]


SMALL_TILE, SMALL_K, _ = cuda_matmul.SMALL
LARGE_TILE, LARGE_K, _ = cuda_matmul.LARGE


@pytest.mark.parametrize("k", [1, *_around(SMALL_K), 2 * SMALL_K + 1])
def test_small_config_depth(k):
    _case(3, k, 4)


@pytest.mark.parametrize(
    "m, n", [(t, 2) for t in _around(SMALL_TILE)] + [(2, t) for t in _around(SMALL_TILE)]
)
def test_small_config_rows_and_columns(m, n):
    _case(m, SMALL_K + 1, n, np.float64)


@pytest.mark.parametrize("k", [1, *_around(LARGE_K)])
def test_large_config_depth(monkeypatch, k):
    monkeypatch.setattr(cuda_matmul, "LARGE_FROM", 1)
    monkeypatch.setattr(cuda_matmul, "sm_count", lambda: 1)
    _case(3, k, 5)


@pytest.mark.parametrize("m, n", [(LARGE_TILE + 1, 2), (2, LARGE_TILE + 1)])
def test_large_config_rows_and_columns(monkeypatch, m, n):
    monkeypatch.setattr(cuda_matmul, "LARGE_FROM", 1)
    monkeypatch.setattr(cuda_matmul, "sm_count", lambda: 1)
    _case(m, LARGE_K - 1, n)


@pytest.mark.parametrize("k", [SMALL_K * 2 - 1, SMALL_K * 2, SMALL_K * 2 + 1, SMALL_K * 3 + 1])
def test_split_k_sums_its_parts(monkeypatch, k):
    """Long sums split over blocks (forced on a small size): K parts of whole slices, the last
    one ragged, summed afterwards; the bias is added once."""
    monkeypatch.setattr(cuda_matmul, "SPLIT_K_FROM", 8)
    monkeypatch.setattr(cuda_matmul, "sm_count", lambda: 64)
    assert cuda_matmul.plan(1, 3, 4, k)[1] > 1
    _case(3, k, 4)
    rng = np.random.default_rng(k)
    hx, hw, hb = rng.standard_normal((3, k)), rng.standard_normal((4, k)), rng.standard_normal(4)
    out = C.linear(C.from_numpy(hx), C.from_numpy(hw), C.from_numpy(hb))
    assert_matches(out, hx @ hw.T + hb, np.float64, k, np.abs(hx).max() * np.abs(hw).max())
    hb3 = rng.standard_normal((2, k, 3))
    ha3 = rng.standard_normal((2, 3, k))
    assert_matches(C.matmul(C.from_numpy(ha3), C.from_numpy(hb3)), ha3 @ hb3, np.float64, k, 9.0)


def test_plan_fills_the_sms(monkeypatch):
    monkeypatch.setattr(cuda_matmul, "sm_count", lambda: 132)
    plan = cuda_matmul.plan
    assert plan(1, 4096, 4096, 4096) == (cuda_matmul.LARGE, 1)  # 1024 large blocks
    # 25 large blocks are too few; 100 small ones leave SMs idle too: K in 3 parts
    assert plan(1, 600, 600, 4096) == (cuda_matmul.SMALL, 3)
    # the MLP's weight gradients (K = batch = 4096): 784 x 1024 has 208 small blocks, no split;
    # 10 x 1024 has 16, split into 8 parts of 512
    assert plan(1, 1024, 784, 4096) == (cuda_matmul.SMALL, 1)
    assert plan(1, 10, 1024, 4096) == (cuda_matmul.SMALL, 8)
    assert plan(1, 10, 1024, 100) == (cuda_matmul.SMALL, 1)  # short sums are never split
