"""The CPU matmul on both sides of every tile boundary, deterministically (not only when
hypothesis happens to draw such a size): m and n at 0, 1, -1 mod the 4 x 4 micro-tile and the
64-row / 64-column blocks, k at 0, 1, -1 mod 16 (the float32 lanes a dot product is split over)
and mod KC = 2048 (the k block)."""

import numpy as np
import pytest
from kernel_cases import assert_same, cpu, reference

from scalargrad.matrix.backends import cpu_matmul


def _case(m, k, n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4 * max(k, 1) ** 0.5) if dtype == np.float32 else {}
    assert_same(cpu.matmul(a, b), reference.matmul(a, b), **tol)
    assert_same(cpu.matmul(b.T, a.T), reference.matmul(b.T, a.T), **tol)  # transposed operands


def _around(*tiles):
    return sorted({t + d for t in tiles for d in (-1, 0, 1)})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m", _around(cpu_matmul.MR, cpu_matmul.MC))
def test_rows_around_the_tiles(dtype, m):
    _case(m, 9, 5, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", _around(cpu_matmul.NR, cpu_matmul.NC))
def test_columns_around_the_tiles(dtype, n):
    _case(5, 9, n, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 2, *_around(16, 32, cpu_matmul.KC)])
def test_depth_around_the_lanes_and_the_k_block(dtype, k):
    _case(6, k, 7, dtype)
