"""The Goto/BLIS matmul kernel on explicit SIMD vectors (cpu_simd.py), with the numba kernel
forced: every size around its blocks for each dtype's own tile (NR = 2 vectors of that dtype),
transposed and batched operands, against NumPy; and its machine code reused from disk."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_cases import assert_same, cpu, make, reference

from scalargrad.matrix.backends import cpu_matmul, cpu_simd


@pytest.fixture(autouse=True)
def numba_matmul():
    previous = cpu.use_matmul("numba")
    yield
    cpu.use_matmul(previous)


def _around(*sizes):
    return sorted({max(s + d, 0) for s in sizes for d in (-1, 0, 1)})


def _exact_case(m, k, n, dtype, seed):
    # small integers: every product and sum is exact, so results must match bit for bit
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, (m, k)).astype(dtype)
    b = rng.integers(-3, 4, (k, n)).astype(dtype)
    expected = a.astype(np.int64) @ b.astype(np.int64)
    np.testing.assert_array_equal(cpu.matmul(a, b), expected)
    np.testing.assert_array_equal(cpu.matmul(b.T, a.T), expected.T)  # transposed operands
    batch = np.stack([a, -a, 2 * a])  # the backend takes equal batch sizes (no broadcasting)
    np.testing.assert_array_equal(
        cpu.matmul(batch, np.stack([b, b, b])), np.stack([expected, -expected, 2 * expected])
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("m", _around(1, cpu_matmul.MR, cpu_matmul.MC))
def test_rows_around_the_micro_tile_and_the_row_block(dtype, m):
    nr = cpu_matmul.nr(dtype)
    for n in _around(nr, 2 * nr):
        _exact_case(m, cpu_matmul.SKINNY + 1, n, dtype, seed=m * 1000 + n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", _around(cpu_matmul.NC))
def test_columns_around_the_column_block(dtype, n):
    _exact_case(cpu_matmul.MR + 1, cpu_matmul.SKINNY, n, dtype, seed=n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [0, 1, *_around(cpu_matmul.SKINNY, cpu_matmul.KC, 2 * cpu_matmul.KC)])
def test_depth_around_the_k_block(dtype, k):
    _exact_case(cpu_matmul.SKINNY + 1, k, cpu_matmul.nr(dtype) + 1, dtype, seed=k)


def test_packed_panels_start_on_a_cache_line():
    for dtype in (np.float32, np.float64):
        a = np.ones((2, 13, 7), dtype)
        packed = cpu_matmul._pack(a, cpu_matmul.MR, "A")
        assert packed.ctypes.data % 64 == 0
        # 3 slivers of MR rows per batch entry, padded with zero rows
        slivers = packed.reshape(2, 3, 7, cpu_matmul.MR)
        assert (
            slivers[:, :2].all() and slivers[:, 2, :, :1].all() and not slivers[:, 2, :, 1:].any()
        )


def test_lanes_fill_one_register():
    for dtype in (np.float32, np.float64, np.int32, np.int64):
        assert cpu_simd.lanes(np.dtype(dtype)) * np.dtype(dtype).itemsize == cpu_simd.VECTOR_BYTES
    assert cpu_simd.VECTOR_BYTES == 4 * cpu_simd.UNIT.lanes32


sides = st.integers(0, 3 * cpu_matmul.MR + 1)
wide = st.integers(0, 2 * cpu_matmul.nr(np.float64) + 3)
layouts = st.sampled_from(["contiguous", "transposed", "sliced", "reversed", "broadcast"])


@settings(max_examples=60, deadline=None)
@given(
    batch=st.integers(1, 2),
    m=sides,
    k=st.integers(cpu_matmul.SKINNY, cpu_matmul.SKINNY + 40),
    n=wide,
    la=layouts,
    lb=layouts,
    seed=st.integers(0, 2**32 - 1),
)
def test_float64_matches_numpy(batch, m, k, n, la, lb, seed):
    # k >= SKINNY and m >= SKINNY reach the packed kernel; smaller m takes the axpy kernel
    m = m + cpu_matmul.SKINNY
    a = make((batch, m, k), np.float64, la, seed)
    b = make((batch, k, n), np.float64, lb, seed + 1)
    assert_same(cpu.matmul(a, b), reference.matmul(a, b), rtol=1e-12, atol=1e-12)


_COUNT_COMPILES = """
import json, sys
import numpy as np
from scalargrad.matrix.backends import cpu_matmul
cpu_matmul.use_matmul("numba")
a = np.ones((40, 30), np.float32)
assert (cpu_matmul.matmul(a, a.T) == 30).all()
kernels = (cpu_matmul._matmul_kernel, cpu_matmul._pack_kernel)
print(json.dumps([sum(k.stats.cache_misses.values()) for k in kernels]))
"""


def test_second_process_loads_the_kernel_from_disk():
    # cache=True with the SIMD intrinsics inside: a fresh process finds the machine code on disk
    # (the first run here may compile it, if no earlier test or run did)
    env = dict(os.environ)
    runs = [
        subprocess.run(
            [sys.executable, "-c", _COUNT_COMPILES], env=env, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert json.loads(runs[1].stdout.strip().splitlines()[-1]) == [0, 0]


def test_reused_packing_buffers_leave_no_trace():
    # a product after a larger one packs into the same buffers: its padding must be zeros again
    rng = np.random.default_rng(7)
    cases = [(40, 50, 70, np.float64), (17, 19, 23, np.float32), (40, 50, 70, np.float32)]
    for m, k, n, dtype in cases + cases[::-1]:
        a = rng.integers(-3, 4, (m, k)).astype(dtype)
        b = np.full((k, n), np.nan, dtype) if dtype == np.float64 else rng.integers(-3, 4, (k, n))
        b = np.asarray(b, dtype)
        expected = a.astype(np.float64) @ b.astype(np.float64)
        np.testing.assert_array_equal(cpu.matmul(a, b), expected.astype(dtype))
