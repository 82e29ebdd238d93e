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
    _case(3, k, 5)


@pytest.mark.parametrize("m, n", [(LARGE_TILE + 1, 2), (2, LARGE_TILE + 1)])
def test_large_config_rows_and_columns(monkeypatch, m, n):
    monkeypatch.setattr(cuda_matmul, "LARGE_FROM", 1)
    _case(m, LARGE_K - 1, n)
