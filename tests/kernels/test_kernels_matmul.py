"""Blocked matmul and the fused Linear against numpy's matmul, on ragged sizes and strided views.

Every test runs twice: with the numba kernel forced (``use_matmul("numba")``) and with the
default, which sends float32/float64 products to numpy's BLAS."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import FLOATS, assert_same, cpu, make, reference

from scalargrad.matrix.backends import cpu_matmul

seeds = st.integers(0, 2**32 - 1)


@pytest.fixture(scope="module", params=["numba", "blas"], autouse=True)
def which_matmul(request):
    previous = cpu.use_matmul(request.param)
    yield request.param
    cpu.use_matmul(previous)


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


def _around(n):
    return sorted({max(n - 1, 1), n, n + 1})


# sizes on both sides of every boundary of the kernel: the register tile (MR, NR), the skinny
# switch, the parallel panel (MC), the column block (NC) and the k block (KC)
EDGES = sorted(
    {1, 2}
    | set(_around(cpu_matmul.MR))
    | set(_around(2 * cpu_matmul.MR))
    | set(_around(cpu_matmul.SKINNY))
    | set(_around(cpu_matmul.MC))
    | set(_around(cpu_matmul.NC))
)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("m", EDGES)
@pytest.mark.parametrize("n", [cpu_matmul.NR - 1, cpu_matmul.NR + 1, cpu_matmul.NC + 1])
def test_matmul_tile_boundaries(dtype, m, n, which_matmul):
    rng = np.random.default_rng(m * 1000 + n)
    for k in (cpu_matmul.MR + 1, cpu_matmul.SKINNY, 33):
        a = np.asarray(rng.integers(-4, 5, (m, k)), dtype)
        b = np.asarray(rng.integers(-4, 5, (n, k)), dtype).T  # transposed, as in backward
        # small integers: every product and sum is exact in float32 too
        np.testing.assert_array_equal(cpu.matmul(a, b), a.astype(np.int64) @ b.astype(np.int64))
        np.testing.assert_array_equal(
            cpu.matmul(a.T.copy().T, np.ascontiguousarray(b)), a.astype(np.int64) @ b
        )
        batch = np.stack([a, 2 * a])
        np.testing.assert_array_equal(
            cpu.matmul(batch, np.stack([b, b])), batch.astype(np.int64) @ b.astype(np.int64)
        )


def test_matmul_k_block_boundary(which_matmul):
    rng = np.random.default_rng(1)
    for k in _around(cpu_matmul.KC):
        a = np.asarray(rng.integers(-2, 3, (2 * cpu_matmul.MR + 1, k)), np.float32)
        b = np.asarray(rng.integers(-2, 3, (k, cpu_matmul.NR + 2)), np.float32)
        np.testing.assert_array_equal(cpu.matmul(a, b), a.astype(np.int64) @ b.astype(np.int64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("rows, cols", [(cpu_matmul.MR, None), (1, 1), (cpu_matmul.MR - 1, 3)])
def test_micro_kernel(dtype, rows, cols):
    # C[c:, :] += (A sliver) @ (B sliver) on a full tile and on border tiles, at offsets
    mr, nr = cpu_matmul.MR, cpu_matmul.nr(dtype)
    cols = nr if cols is None else cols
    rng = np.random.default_rng(rows * 100 + cols)
    kc, ldc, a0, b0 = 7, nr + 5, 2 * mr, 3 * nr
    A = rng.integers(-3, 4, a0 + kc * mr).astype(dtype)
    B = rng.integers(-3, 4, b0 + kc * nr).astype(dtype)
    C = rng.integers(-3, 4, (rows + 2) * ldc).astype(dtype)
    expected = C.reshape(rows + 2, ldc).copy()
    a_sliver = A[a0:].reshape(kc, mr)[:, :rows]  # k step p holds column p of the A block
    b_sliver = B[b0:].reshape(kc, nr)[:, :cols]
    expected[1 : 1 + rows, 2 : 2 + cols] += a_sliver.T @ b_sliver
    edge = np.zeros(mr * nr, dtype)
    cpu_matmul._micro_kernel(A, a0, B, b0, kc, C, ldc + 2, ldc, rows, cols, edge)
    np.testing.assert_array_equal(C.reshape(rows + 2, ldc), expected)


def test_vector_unit_honours_numba_cpu_name(monkeypatch):
    from numba.core import config

    monkeypatch.setattr(config, "CPU_NAME", "haswell")
    monkeypatch.setattr(config, "CPU_FEATURES", "")
    assert cpu_matmul.vector_unit() == ("haswell", "AVX2", 8, 16)
    monkeypatch.setattr(config, "CPU_NAME", "skylake-avx512")
    assert cpu_matmul.vector_unit().isa == "AVX-512"
    monkeypatch.setattr(config, "CPU_FEATURES", "+avx,+avx2,+fma")
    assert cpu_matmul.vector_unit().isa == "AVX2"


def test_use_matmul_switch():
    previous = cpu.use_matmul("numba")
    try:
        assert "numba kernel" in cpu.matmul_in_use() and "BLAS" not in cpu.matmul_in_use()
        cpu.use_matmul("blas")
        assert "numpy.matmul (BLAS)" in cpu.matmul_in_use()
        with pytest.raises(ValueError, match="use_matmul"):
            cpu.use_matmul("mkl")
    finally:
        cpu.use_matmul(previous)
