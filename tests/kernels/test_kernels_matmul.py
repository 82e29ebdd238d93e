"""Blocked matmul and the fused Linear against numpy's matmul, on ragged sizes and strided views."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import FLOATS, assert_same, cpu, make, reference

from scalargrad.matrix.backends import cpu_matmul

seeds = st.integers(0, 2**32 - 1)
sides = st.integers(0, 40)  # around the 4 x 4 micro-tile: every ragged border
mm_layouts = st.sampled_from(["contiguous", "transposed", "sliced", "reversed", "broadcast"])


def _tol(dtype, k):
    return (
        dict(rtol=1e-4, atol=1e-4 * max(k, 1) ** 0.5)
        if dtype == np.float32
        else dict(rtol=1e-10, atol=1e-10)
    )


@pytest.mark.parametrize("dtype", FLOATS)
@given(m=sides, k=sides, n=sides, la=mm_layouts, lb=mm_layouts, seed=seeds)
def test_matmul_2d(dtype, m, k, n, la, lb, seed):
    a = make((m, k), dtype, la, seed)
    b = make((k, n), dtype, lb, seed + 1)
    out = cpu.matmul(a, b)
    assert out.flags.c_contiguous
    assert_same(out, reference.matmul(a, b), **_tol(dtype, k))


@pytest.mark.parametrize("dtype", FLOATS)
@given(batch=st.integers(0, 3), m=sides, k=sides, n=sides, la=mm_layouts, lb=mm_layouts, seed=seeds)
def test_matmul_batched(dtype, batch, m, k, n, la, lb, seed):
    a = make((batch, m, k), dtype, la, seed)
    b = make((batch, k, n), dtype, lb, seed + 1)
    assert_same(cpu.matmul(a, b), reference.matmul(a, b), **_tol(dtype, k))


@pytest.mark.parametrize("dtype", FLOATS)
def test_matmul_blocks_and_padding(dtype):
    # k past one KC block, n past one NC block, m past one MC panel, none a multiple of the tiles;
    # and power-of-two sizes, whose rows are padded against cache-set conflicts
    rng = np.random.default_rng(0)
    big_k = cpu_matmul.KC + 37
    cases = [
        (cpu_matmul.MC + 5, big_k, cpu_matmul.NC + 3),
        (64, 256, 128),
        (3, 7, 5),
        (20, 784, 24),
    ]
    for m, k, n in cases:  # k = 784: rows used in place, unpacked
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((n, k)).astype(dtype).T  # a transposed view, as in backward
        assert_same(cpu.matmul(a, b), a @ b, **_tol(dtype, k))


@pytest.mark.parametrize("dtype", FLOATS)
@given(n=sides, i=sides, o=sides, bias=st.booleans(), lx=mm_layouts, lw=mm_layouts, seed=seeds)
def test_linear(dtype, n, i, o, bias, lx, lw, seed):
    x = make((n, i), dtype, lx, seed)
    w = make((o, i), dtype, lw, seed + 1)
    b = make((o,), dtype, "contiguous", seed + 2) if bias else None
    assert_same(cpu.linear(x, w, b), reference.linear(x, w, b), **_tol(dtype, i))


def test_matmul_nan_and_inf_propagate():
    a = np.array([[1.0, np.nan], [np.inf, 1.0], [1.0, 1.0]], np.float32)
    b = np.array([[1.0, 0.0], [2.0, -np.inf]], np.float32)
    assert_same(cpu.matmul(a, b), reference.matmul(a, b))
