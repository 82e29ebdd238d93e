"""Matrix multiply on the CPU: the Goto/BLIS algorithm on explicit SIMD vectors, and the fused
Linear.

C = A @ B with A (m, k) and B (k, n) is m*n*k multiply-adds on only mk + kn + mn numbers, so a
fast kernel is one that reuses each number it brings into a register many times. BLAS libraries
(OpenBLAS, BLIS, MKL) all do it the same way, after Kazushige Goto; so does this kernel.

The micro-kernel: an outer product per k step. A block of MR rows x NR columns of C lives in
vector registers, NR/W registers per row (W = lanes, the numbers in one vector register). For
each p along k it takes MR numbers of column p of A and NR numbers of row p of B:

    b_0, b_1 = vload(B, ...), vload(B, ... + W)          2 vector loads
    for r in 0..MR-1:  x = vsplat(A, ... + r)             MR broadcasts
                       c_r0 = vfma(x, b_0, c_r0)          MR * 2 fused multiply-adds
                       c_r1 = vfma(x, b_1, c_r1)

MR*NR multiply-adds per MR + NR numbers loaded. (The dot-product form this module used before
needs MR + NR *vector* loads per MR*NR vector multiply-adds and then adds up the lanes: it was
bound by loads from L2 and reached 0.35-0.6x of BLAS.) Written with plain numba scalars, LLVM
does not find these vectors (it vectorizes along k with gathers, or leaves the 96 scalar
multiply-adds with the accumulators spilled), so cpu_simd.py gives numba a vector type and the
five operations above as LLVM intrinsics; ``_micro_kernel`` below is written with them.

Register budget, with MR = 6 and NR = 2 vectors (``vector_unit`` / cpu_simd.VECTOR_BYTES pick W
for the CPU numba compiles for): 12 accumulators + 2 B vectors + 1 broadcast = 15 registers.
AVX2 has 16 (ymm, W = 8 float32: a 6 x 16 tile, OpenBLAS's Haswell tile is 12 accumulators
too); AVX-512 has 32 (zmm, W = 16: 6 x 32); NEON 32 (W = 4: 6 x 8). float64 halves W (6 x 8 on
AVX2), integers use the same code (a multiply and an add instead of an FMA). On AVX-512 the
512-bit vectors matter: the same kernel with 256-bit vectors ran at 50-60 GFLOP/s on one core,
with zmm at 95-120. A larger tile for AVX-512's 32 registers, 12 x 2 vectors (24 accumulators,
fewer loads per FMA), ran within 5% of 6 x 2 (n = 512-2048, one core), so one tile serves all.

Packing: before the product, A is copied into slivers of MR rows stored k-major (each k step's
MR numbers adjacent) and B into slivers of NR columns (each k step's NR numbers adjacent), padded
with zeros to whole slivers, in 64-byte aligned buffers (a zmm load never straddles two cache
lines). The micro-kernel then reads both front to back. The packing copy takes any strides, so
a transposed operand (``a.T @ b``, the backward pass of Linear) costs the same as a plain one;
it costs about 10% of the product's time at n = 512, 8% at 1024, 5% at 2048. The buffers are
kept for the next product while at most 8 MiB (first touching fresh pages cost ~15% of a 512^3
product). Border tiles (m not a multiple of MR, n of NR) are computed in full on the zero
padding, into a scratch tile of which only the valid rows and columns are added to C.

Cache blocking (the loops around the micro-kernel, ``_matmul_kernel``):

* KC = 256 steps of k per pass: the KC x NR sliver of B (16 KiB float32 on AVX2, 32 KiB on
  AVX-512) stays in L1 (32-48 KiB) while the MR x KC slivers of A stream past it;
* MC = 96 rows of C per block: the MC x KC block of A (96 KiB) stays in L2 and meets every B
  sliver of the column block;
* NC = 1024 columns per block: the KC x NC block of B (1 MiB) stays in L2 (2 MiB) or L3.

``prange`` gives each thread blocks of rows of C (at most MC, and at least one per thread):
no two threads write the same C entries, and each packs nothing itself (packing is a parallel
kernel of its own before the product).

Measured (2026-11-30 00:51 UTC, 2-core Xeon Emerald Rapids with avx512f, shared with other
jobs: load average 5-17 on 2 cores, so figures vary by +-20% run to run), float32 throughput of
``matmul`` with the numba kernel forced / ``numpy.matmul`` (OpenBLAS), best of 3 alternating
rounds of each, in one process:

    ours / BLAS            a @ b: n = 512  1024  2048    a.T @ b: 512  1024  2048
    AVX-512, 1 thread              0.77  0.77  0.66             0.68  0.67  0.63
    AVX-512, 2 threads             0.67  0.68  0.72             0.51  0.63  0.78
    AVX2, 1 thread                 0.74  0.70  0.65             0.67  0.59  0.70
    AVX2, 2 threads                (a)   0.82  0.72             0.65  0.89  0.73

(1 thread: process CPU time; 2 threads: wall time, which the other jobs disturb most; (a):
0.14, a run the other jobs disturbed. Two more runs at 00:25 and 00:45 UTC, at load 13-17, gave
0.56-0.80 on 1 thread.) Ours ran at 83-100 GFLOP/s on one core with AVX-512 (OpenBLAS 110-140)
and 37-42 with AVX2 in that run (51-60 in a quieter one). The product alone, packed operands
and warm pages, reached 0.8-1.05x of OpenBLAS on one core (n = 512-2048, AVX-512; lowest at
2048) and 0.74-0.91x (AVX2): the rest is packing (~10%; transposed A costs 3-4x more to pack than
plain A: its k steps are a row apart) and first-touch page faults. Block sizes KC = 128-384,
MC = 48-192, Goto's loop order (row blocks inside the k blocks, so a B block is shared in L2)
and prefetching the C tile were all within the noise of this layout.

AVX2 is the same machine with NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES= (numba) and
OPENBLAS_CORETYPE=Haswell (NumPy). Reproduce with ``python demos/bench/matmul_kernel.py``.

fastmath: only ``reassoc`` and ``contract`` (fuse multiply-add into FMA); NaN and inf keep their
IEEE meaning.
"""

import os
import threading

import numpy as np
from numba import get_num_threads, njit, prange

from scalargrad.matrix.backends import cpu_simd as simd
from scalargrad.matrix.backends.cpu_simd import UNIT, VectorUnit, vector_unit  # noqa: F401
from scalargrad.matrix.backends.cpu_strides import launch

MR = 6  # rows of C per micro-tile: 6 broadcasts of A per k step
NV = 2  # vectors of C per micro-tile row: NR = NV * W columns (W = lanes of the dtype)
NR = NV * simd.lanes(np.dtype(np.float32))  # NR for float32 (16 for 256-bit vectors)
KC = 256  # k block: the packed KC x NR sliver of B (16 KiB float32) stays in L1
MC = 96  # rows of C per block: the MC x KC block of packed A (96 KiB) stays in L2
NC = 1024  # columns of C per block: the KC x NC block of packed B (1 MiB float32) stays in L2

FAST = {"reassoc", "contract"}


def nr(dtype):
    """Columns of C per micro-tile for ``dtype``: NV vectors."""
    return NV * simd.lanes(np.dtype(dtype))


@njit(fastmath=FAST, cache=True)
def _micro_kernel(A, a, B, b, kc, C, c, ldc, rows, cols, edge):
    """C[c:, :] (rows x cols, row stride ldc) += the product of two packed slivers: A[a:] holds
    kc steps of MR numbers (a column of A each), B[b:] kc steps of NR = 2W numbers (a row of B).

    The MR x NR block of C is 12 vector accumulators; each k step broadcasts MR numbers of A and
    loads the 2 vectors of B: MR x 2 fused multiply-adds (an outer product) for MR + 2 loads.
    ``edge`` (MR*NR scratch) takes a border tile, of which only rows x cols are added to C."""
    W = simd.vwidth(A)
    c00, c01, c10, c11 = simd.vzero(A), simd.vzero(A), simd.vzero(A), simd.vzero(A)
    c20, c21, c30, c31 = simd.vzero(A), simd.vzero(A), simd.vzero(A), simd.vzero(A)
    c40, c41, c50, c51 = simd.vzero(A), simd.vzero(A), simd.vzero(A), simd.vzero(A)
    for _ in range(kc):
        b0, b1 = simd.vload(B, b), simd.vload(B, b + W)
        x = simd.vsplat(A, a)
        c00, c01 = simd.vfma(x, b0, c00), simd.vfma(x, b1, c01)
        x = simd.vsplat(A, a + 1)
        c10, c11 = simd.vfma(x, b0, c10), simd.vfma(x, b1, c11)
        x = simd.vsplat(A, a + 2)
        c20, c21 = simd.vfma(x, b0, c20), simd.vfma(x, b1, c21)
        x = simd.vsplat(A, a + 3)
        c30, c31 = simd.vfma(x, b0, c30), simd.vfma(x, b1, c31)
        x = simd.vsplat(A, a + 4)
        c40, c41 = simd.vfma(x, b0, c40), simd.vfma(x, b1, c41)
        x = simd.vsplat(A, a + 5)
        c50, c51 = simd.vfma(x, b0, c50), simd.vfma(x, b1, c51)
        a += MR
        b += 2 * W
    full = rows == MR and cols == 2 * W
    out, o = (C, c) if full else (edge, 0)
    step = ldc if full else 2 * W
    for lo, hi in ((c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51)):
        if full:
            lo = simd.vadd(simd.vload(out, o), lo)
            hi = simd.vadd(simd.vload(out, o + W), hi)
        simd.vstore(out, o, lo)
        simd.vstore(out, o + W, hi)
        o += step
    if not full:
        for r in range(rows):
            for q in range(cols):
                C[c + r * ldc + q] += edge[r * 2 * W + q]


@njit(parallel=True, cache=True)
def _pack_kernel(src, ss, shape, R, dst):
    """Pack a strided (B, rows, k) view into slivers of R rows: for sliver s of batch b,
    dst[((b*S + s)*k + p)*R + r] = src[b*ss[0] + (s*R + r)*ss[1] + p*ss[2]], and 0 past the last
    row (S = ceil(rows / R)). A sliver is then read front to back, R numbers per k step."""
    nb, rows, k = shape
    slivers = (rows + R - 1) // R
    for t in prange(nb * slivers):
        b, s = t // slivers, t % slivers
        out = dst[t * k * R : (t + 1) * k * R]
        valid = min(R, rows - s * R)
        if valid < R:
            out[:] = 0
        base = b * ss[0] + s * R * ss[1]
        if ss[1] == 1:  # the R rows are contiguous in the source (B of a @ b, A of a.T @ b)
            for p in range(k):
                start = base + p * ss[2]
                out[p * R : p * R + valid] = src[start : start + valid]
        elif ss[2] == 1:  # each row is contiguous along k (A of a @ b, B of a @ b.T)
            for r in range(valid):
                start = base + r * ss[1]
                row = src[start : start + k]
                for p in range(k):
                    out[p * R + r] = row[p]
        else:
            for p in range(k):
                for r in range(valid):
                    out[p * R + r] = src[base + r * ss[1] + p * ss[2]]


SCRATCH_BYTES = 8 << 20  # packing buffers up to this size are kept for the next product
_SCRATCH = threading.local()  # per calling thread: {"A": bytes buffer, "B": bytes buffer}


def _packing_buffer(which, size, dtype):
    """An uninitialized 1-D array of ``size`` elements starting on a cache line (a vector load
    of a packed sliver then never straddles two lines; NumPy aligns only to 16 bytes).

    Buffers up to SCRATCH_BYTES are kept per thread and operand (``which``: "A" or "B") and
    reused: a fresh buffer's first touch page-faults on every 4 KiB, ~15% of a 512^3 product."""
    nbytes = size * np.dtype(dtype).itemsize + 64
    kept = getattr(_SCRATCH, which, None)
    raw = kept if kept is not None and kept.size >= nbytes else np.empty(nbytes, np.uint8)
    if raw is not kept and nbytes <= SCRATCH_BYTES:
        setattr(_SCRATCH, which, raw)
    skip = -raw.ctypes.data % 64
    return raw[skip : skip + nbytes - 64].view(dtype)


def _pack(x, R, which):
    """The packed slivers of a 3-D view ``x`` (B, rows, k), R rows each, as a flat array in the
    packing buffer ``which``."""
    nb, rows, k = x.shape
    slivers = (rows + R - 1) // R
    dst = _packing_buffer(which, nb * slivers * k * R, x.dtype)
    if any(s < 0 for s in x.strides):
        x = np.ascontiguousarray(x)
    strides = tuple(s // x.itemsize for s in x.strides)
    span = 1 + sum((n - 1) * s for n, s in zip(x.shape, strides, strict=True))
    flat = np.lib.stride_tricks.as_strided(x, shape=(span,), strides=(x.itemsize,), writeable=False)
    launch(_pack_kernel, x.size, flat, strides, x.shape, R, dst)
    return _read_only(dst)


@njit(parallel=True, fastmath=FAST, cache=True)
def _matmul_kernel(A, B, C, shape, mc):
    """C[b] += A[b] @ B[b] for packed A (MR-row slivers of A), B (NR-row slivers of B.T) and
    C (B, m, n) flattened. Each parallel task owns mc rows of C (mc a multiple of MR)."""
    nb, m, n, k = shape
    W = simd.vwidth(A)
    R = NV * W
    a_slivers = (m + MR - 1) // MR
    b_slivers = (n + R - 1) // R
    blocks = (m + mc - 1) // mc
    for t in prange(nb * blocks):
        b, i0 = t // blocks, t % blocks * mc
        edge = np.empty(MR * R, C.dtype)
        for j0 in range(0, n, NC):
            for k0 in range(0, k, KC):
                kc = min(KC, k - k0)
                for j in range(j0, min(j0 + NC, n), R):
                    bp = ((b * b_slivers + j // R) * k + k0) * R
                    for i in range(i0, min(i0 + mc, m), MR):
                        ap = ((b * a_slivers + i // MR) * k + k0) * MR
                        c = (b * m + i) * n + j
                        rows, cols = min(MR, m - i), min(R, n - j)
                        _micro_kernel(A, ap, B, bp, kc, C, c, n, rows, cols, edge)


def _block_rows(nb, m):
    """Rows of C per parallel task: at most MC, and enough tasks to keep every thread busy."""
    tasks = max((m + MC - 1) // MC, -(-get_num_threads() // max(nb, 1)))
    rows = -(-m // tasks)
    return -(-rows // MR) * MR


# The skinny case: when k or m is small (a 10-class output layer: dY @ W has k = 10, dY.T @ X has
# m = 10) the 4 x 4 dot-product tile has too little k to fill a vector, or too few rows to reuse
# BT. There we use the "axpy" loop order instead: row i of C += A[i, p] * (row p of B), for
# p = 0..k-1, vectorized along the rows of B and C, which must be contiguous (no transpose).
# Tasks are blocks of AXPY_ROWS rows x AXPY_COLS columns of C: the B block (k x 128 floats) is
# reused by all 64 rows of the task while it sits in L2, the C rows (512 B each) sit in L1.
AXPY_ROWS = 64
AXPY_COLS = 128
SKINNY = 16  # use the axpy kernel when k or m is below this


@njit(parallel=True, fastmath=FAST, cache=True)
def _matmul_axpy_kernel(A, B, C, k):
    """C[b] += A[b, :, :k] @ B[b, :k, :n]; contiguous A (B, m, >=k), B (B, k, >=n), C (B, m, n)."""
    nb, m, n = C.shape
    row_blocks = (m + AXPY_ROWS - 1) // AXPY_ROWS
    col_blocks = (n + AXPY_COLS - 1) // AXPY_COLS
    for t in prange(nb * row_blocks * col_blocks):
        b = t // (row_blocks * col_blocks)
        i0 = (t // col_blocks) % row_blocks * AXPY_ROWS
        j0 = t % col_blocks * AXPY_COLS
        j1 = min(j0 + AXPY_COLS, n)
        for i in range(i0, min(i0 + AXPY_ROWS, m)):
            c_row = C[b, i, j0:j1]
            for p in range(k):
                a = A[b, i, p]
                b_row = B[b, p, j0:j1]
                for j in range(j1 - j0):
                    c_row[j] += a * b_row[j]


def _read_only(x):
    """A read-only view: kernels get one argument type whether the caller's array was writable,
    read-only (a broadcast view) or freshly packed, so each kernel compiles once per dtype."""
    x = x.view()
    x.flags.writeable = False
    return x


def _contiguous(x):
    """``x`` itself (read-only view) when C-contiguous, else a C-contiguous copy."""
    return _read_only(x if x.flags.c_contiguous else np.ascontiguousarray(x))


def _as3d(a):
    return a if a.ndim == 3 else a[None]


def matmul_into(a, b, out):
    """out += a @ b for 2-D or batched 3-D a, b; ``out``: C-contiguous, of the result shape."""
    if out.dtype == np.bool_:  # logical: any(a and b), through integer counts
        out |= matmul(a.astype(np.int64), b.astype(np.int64)) != 0
        return out
    C = _as3d(out)
    k = a.shape[-1]
    if C.size and k:
        # a vector FMA does 16 float32 multiply-adds: about one element-wise op's cost per 16
        work = C.size * k // 16
        if k < SKINNY or C.shape[1] < SKINNY:
            launch(_matmul_axpy_kernel, work, _contiguous(_as3d(a)), _contiguous(_as3d(b)), C, k)
        else:
            a3, b3 = _as3d(a), np.swapaxes(_as3d(b), -1, -2)  # b3: (B, n, k), rows of B.T
            A, B = _pack(a3, MR, "A"), _pack(b3, nr(out.dtype), "B")
            shape = (C.shape[0], C.shape[1], C.shape[2], k)
            launch(_matmul_kernel, work, A, B, out.reshape(-1), shape, _block_rows(*C.shape[:2]))
    return out


# Which matmul the engine runs. Our numba kernel above is the one these docs teach; it reached
# 0.5-0.9x of numpy.matmul's (OpenBLAS) throughput for float32 n = 512-2048 (table above,
# 2026-11-30, AVX-512 and AVX2) and did not reach BLAS on any class of shapes measured, so the
# rule stays by dtype: float32 and float64 products, which BLAS has, go to numpy.matmul (the same
# rule on every machine); other dtypes (integers) use the numba kernel. ``use_matmul("numba")``,
# or SCALARGRAD_CPU_MATMUL=numba in the environment, sends everything to the numba kernel.
BLAS_DTYPES = (np.float32, np.float64)
_MATMUL = {"which": os.environ.get("SCALARGRAD_CPU_MATMUL", "blas")}


def use_matmul(which):
    """``"blas"``: float32/float64 products through numpy.matmul (the default); ``"numba"``:
    every product through our numba kernel. Returns the previous setting."""
    if which not in ("blas", "numba"):
        raise ValueError(f"use_matmul: expected 'blas' or 'numba', got {which!r}")
    previous, _MATMUL["which"] = _MATMUL["which"], which
    return previous


def matmul_in_use():
    """One line saying which matmul the CPU engine runs now."""
    ours = f"numba kernel ({MR}x{NR} float32 tile for {UNIT.isa}, {UNIT.cpu})"
    if _MATMUL["which"] == "numba":
        return f"{ours} for every dtype"
    return f"numpy.matmul (BLAS) for float32/float64, {ours} for other dtypes"


def _blas(dtype):
    return _MATMUL["which"] == "blas" and dtype in BLAS_DTYPES


def matmul(a, b):
    """(m, k) @ (k, n) or (B, m, k) @ (B, k, n); operands may be any strided views."""
    dtype = np.result_type(a.dtype, b.dtype)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    if _blas(dtype):
        with np.errstate(all="ignore"):  # NaN and inf propagate silently, as in the kernel
            return np.matmul(a, b)
    out = np.zeros(a.shape[:-1] + b.shape[-1:], dtype)
    return matmul_into(a, b, out)


def linear(x, w, b):
    """Fused x @ w.T + b: C starts as the bias rows, then the matmul accumulates into it.

    w.T is only a strided view: packing reads w's rows as columns of B at no extra cost."""
    if _blas(x.dtype) and w.dtype == x.dtype:
        with np.errstate(all="ignore"):
            out = np.matmul(x, w.T)
            if b is not None:
                out += b
        return out
    out = np.zeros((x.shape[0], w.shape[0]), x.dtype)
    if b is not None:
        out[...] = b
    return matmul_into(x, w.T, out)
