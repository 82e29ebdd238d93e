"""Matrix multiply on the CPU: a cache-blocked, register-blocked kernel, and the fused Linear.

C = A @ B with A (m, k) and B (k, n) is m*n dot products of length k. We compute each entry
``C[i, j] = sum_p A[i, p] * BT[j, p]`` with both operands laid out *along k*: A row-major
(rows of A contiguous) and B packed as BT = B.T row-major (columns of B contiguous). Then every
dot product reads two contiguous streams, which LLVM vectorizes along k.

Packing: both operands are first copied into padded row-major buffers "along k" (A as is, B
transposed to BT), by a tiled copy kernel. A transposed view is just another set of strides to
that kernel, so ``a.T @ b`` (the backward pass of Linear) is no slower than ``a @ b``. Packing
is O(mk + kn) work against O(mkn) multiply-adds, and it fixes two speed traps: rows that are a
power of two bytes apart (see ``_leading_dim``) and the negative-index checks of strided views.

Register blocking (the micro-kernel): an MR x NR block of C is computed together, so each step
of the k loop loads MR vectors of A and NR of BT and does MR*NR vector multiply-adds. The
MR*NR accumulators are plain local variables; with ``fastmath`` reassociation allowed, LLVM keeps
each one as a vector register of partial sums and adds the lanes up once at the end of the k
block. The tile must fit the register file: MR*NR accumulators plus the MR + NR operand vectors
of one k step. So the tile comes from the vector unit numba compiles for (``vector_unit``, read
from llvmlite's host CPU name and features, or NUMBA_CPU_NAME / NUMBA_CPU_FEATURES):

* AVX-512 and NEON, 32 vector registers: 4 x 4 (16 + 8 = 24 registers, 16 FMAs per 8 loads);
* AVX2, 16 registers: 3 x 3 (9 + 6 = 15; 9 FMAs per 6 loads). The 4 x 4 tile needs 24 and
  spills: compiled for ``haswell`` its inner loop has 12-14 stack loads/stores per 16 FMAs, the
  3 x 3 loop none, and 3 x 3 ran 0.62-0.67x BLAS where 4 x 4 ran 0.49-0.65x (one thread).

(LLVM vectorizes with 256-bit registers even on AVX-512 CPUs, its tuning for Intel server
chips; 512-bit vectors, tried with ``-prefer-256-bit``, did not speed this kernel up.)

Cache blocking, measured on a 2-core AVX-512 machine (48 KiB L1, 2 MiB L2 per core):
KC = 2048: the MR*NR lane-sums (~100 instructions) are paid once per k block, so a long k block
amortizes them (KC = 256 or 512 were no faster). NC = 16*NR rows of BT x KC stay in L2 while
MC = 16*MR rows of A pass by, so each BT element loaded from memory is used MC times.
``prange`` hands MC-row panels of C (and batch entries) to the cores; no two tasks write the
same part of C.

Why not 0.8x BLAS: in this dot-product form each k step needs MR + NR loads for MR*NR FMAs, from
8 (or 6) streams too long for L1, so the kernel is bound by loads from L2; it reaches 0.35-0.5x
of OpenBLAS on AVX-512 and 0.5-0.67x on AVX2. BLAS uses the outer-product (Goto/BLIS)
micro-kernel over packed panels: per k step it broadcasts MR numbers of A and loads NR/lanes
vectors of B from a panel that sits in L1, into MR*NR/lanes vector accumulators. Written in
numba with scalar accumulators (tried: 6 x 16), LLVM does not form those vectors: with
``reassoc`` the loop vectorizer vectorizes along k with gathers (20 GFLOP/s), without it the
SLP vectorizer leaves 96 scalar FMAs with the accumulators spilled. It would need explicit LLVM
vector types (``numba.extending.intrinsic``), which this teaching kernel does not use. So
float32/float64 products go to BLAS by default (see ``use_matmul`` below); this kernel runs
integer dtypes, and everything when ``use_matmul("numba")`` is set.

fastmath: only ``reassoc`` (sum in any order, needed to vectorize a dot product) and ``contract``
(fuse multiply-add into FMA); NaN and inf keep their IEEE meaning.
"""

import os
import platform
from collections import namedtuple

import numpy as np
from numba import njit, prange
from numba.core import config

from scalargrad.matrix.backends.cpu_strides import launch

VectorUnit = namedtuple("VectorUnit", "cpu isa lanes32 registers")

# LLVM CPU names whose default features include AVX-512 / AVX2 (used only when NUMBA_CPU_NAME
# names a CPU and NUMBA_CPU_FEATURES="" asks for that CPU's own features)
_AVX512_CPUS = (
    "skylake-avx512 cascadelake cooperlake cannonlake icelake-client icelake-server tigerlake "
    "rocketlake sapphirerapids emeraldrapids graniterapids graniterapids-d diamondrapids "
    "znver4 znver5 x86-64-v4 knl knm"
).split()
_AVX2_CPUS = (
    "haswell broadwell skylake alderlake raptorlake meteorlake arrowlake lunarlake gracemont "
    "znver1 znver2 znver3 x86-64-v3 core-avx2 bdver4"
).split()


def vector_unit(target=True):
    """The vector unit numba compiles for (``target``) or the host CPU has: name, ISA, float32
    lanes per vector register and number of vector registers.

    numba targets the host CPU unless NUMBA_CPU_NAME / NUMBA_CPU_FEATURES say otherwise (numba
    keeps the host's features when only the name is set; ``NUMBA_CPU_NAME=haswell
    NUMBA_CPU_FEATURES=`` compiles for a real AVX2 CPU on any x86 machine)."""
    import llvmlite.binding as ll

    name = ll.get_host_cpu_name()
    features = ll.get_host_cpu_features().flatten()
    if target and config.CPU_NAME and config.CPU_NAME != "host":
        name = config.CPU_NAME
    if target and config.CPU_FEATURES is not None:
        features = config.CPU_FEATURES
    flags = {f[1:] for f in features.split(",") if f.startswith("+")}
    if not features:  # the named CPU's own features
        flags = {"avx512f"} if name in _AVX512_CPUS else {"avx2"} if name in _AVX2_CPUS else set()
    machine = platform.machine().lower()
    if "avx512f" in flags:
        return VectorUnit(name, "AVX-512", 16, 32)
    if "avx2" in flags or "avx" in flags:
        return VectorUnit(name, "AVX2" if "avx2" in flags else "AVX", 8, 16)
    if machine in ("arm64", "aarch64") or "neon" in flags:
        return VectorUnit(name, "NEON", 4, 32)
    return VectorUnit(name, "SSE" if machine in ("x86_64", "amd64") else machine, 4, 16)


def register_tile(unit):
    """(MR, NR) of the dot-product micro-tile: the largest square tile whose MR*NR accumulators
    plus the MR + NR operand vectors of one k step fit in the vector registers (see above)."""
    return (4, 4) if unit.registers >= 4 * 4 + 4 + 4 else (3, 3)


UNIT = vector_unit()
MR, NR = register_tile(UNIT)  # rows of A, rows of BT (columns of C) per micro-tile
KC = 2048  # k block (see "Cache blocking" above)
NC = 16 * NR  # C column block: the NC x KC block of BT stays in L2
MC = 16 * MR  # rows of C per parallel task: the BT block is reused MC/MR = 16 times

FAST = {"reassoc", "contract"}


@njit(fastmath=FAST, cache=True)
def _tile3x3(A, BT, C, b, i, j, k0, k1):
    """C[b, i:i+3, j:j+3] += A[b, i:i+3, k0:k1] @ BT[b, j:j+3, k0:k1].T, in 9 accumulators."""
    a0r, a1r, a2r = A[b, i, k0:k1], A[b, i + 1, k0:k1], A[b, i + 2, k0:k1]
    b0r, b1r, b2r = BT[b, j, k0:k1], BT[b, j + 1, k0:k1], BT[b, j + 2, k0:k1]
    c00, c01, c02 = C[b, i, j], C[b, i, j + 1], C[b, i, j + 2]
    c10, c11, c12 = C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2]
    c20, c21, c22 = C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2]
    for p in range(k1 - k0):
        a0, a1, a2 = a0r[p], a1r[p], a2r[p]
        b0, b1, b2 = b0r[p], b1r[p], b2r[p]
        c00 += a0 * b0
        c01 += a0 * b1
        c02 += a0 * b2
        c10 += a1 * b0
        c11 += a1 * b1
        c12 += a1 * b2
        c20 += a2 * b0
        c21 += a2 * b1
        c22 += a2 * b2
    C[b, i, j], C[b, i, j + 1], C[b, i, j + 2] = c00, c01, c02
    C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2] = c10, c11, c12
    C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2] = c20, c21, c22


@njit(fastmath=FAST, cache=True)
def _tile4x4(A, BT, C, b, i, j, k0, k1):
    """C[b, i:i+4, j:j+4] += A[b, i:i+4, k0:k1] @ BT[b, j:j+4, k0:k1].T, in 16 accumulators."""
    # 1-D contiguous row slices indexed from 0: LLVM then sees non-negative indices and emits
    # plain vector loads (indexing A[b, i, p] directly makes numba handle negative p, which
    # turns every load into a masked gather and costs 4x)
    a0r, a1r, a2r, a3r = A[b, i, k0:k1], A[b, i + 1, k0:k1], A[b, i + 2, k0:k1], A[b, i + 3, k0:k1]
    b0r, b1r, b2r, b3r = (
        BT[b, j, k0:k1],
        BT[b, j + 1, k0:k1],
        BT[b, j + 2, k0:k1],
        BT[b, j + 3, k0:k1],
    )
    c00, c01, c02, c03 = C[b, i, j], C[b, i, j + 1], C[b, i, j + 2], C[b, i, j + 3]
    c10, c11, c12, c13 = C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2], C[b, i + 1, j + 3]
    c20, c21, c22, c23 = C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2], C[b, i + 2, j + 3]
    c30, c31, c32, c33 = C[b, i + 3, j], C[b, i + 3, j + 1], C[b, i + 3, j + 2], C[b, i + 3, j + 3]
    for p in range(k1 - k0):
        a0, a1, a2, a3 = a0r[p], a1r[p], a2r[p], a3r[p]
        b0, b1, b2, b3 = b0r[p], b1r[p], b2r[p], b3r[p]
        c00 += a0 * b0
        c01 += a0 * b1
        c02 += a0 * b2
        c03 += a0 * b3
        c10 += a1 * b0
        c11 += a1 * b1
        c12 += a1 * b2
        c13 += a1 * b3
        c20 += a2 * b0
        c21 += a2 * b1
        c22 += a2 * b2
        c23 += a2 * b3
        c30 += a3 * b0
        c31 += a3 * b1
        c32 += a3 * b2
        c33 += a3 * b3
    C[b, i, j], C[b, i, j + 1], C[b, i, j + 2], C[b, i, j + 3] = c00, c01, c02, c03
    C[b, i + 1, j], C[b, i + 1, j + 1], C[b, i + 1, j + 2], C[b, i + 1, j + 3] = c10, c11, c12, c13
    C[b, i + 2, j], C[b, i + 2, j + 1], C[b, i + 2, j + 2], C[b, i + 2, j + 3] = c20, c21, c22, c23
    C[b, i + 3, j], C[b, i + 3, j + 1], C[b, i + 3, j + 2], C[b, i + 3, j + 3] = c30, c31, c32, c33


@njit(fastmath=FAST, cache=True)
def _tile_edge(A, BT, C, b, i0, i1, j0, j1, k0, k1):
    """The ragged border (fewer than 4 rows or columns left): one dot product at a time."""
    for i in range(i0, i1):
        ar = A[b, i, k0:k1]
        for j in range(j0, j1):
            br = BT[b, j, k0:k1]
            acc = C[b, i, j]
            for p in range(k1 - k0):
                acc += ar[p] * br[p]
            C[b, i, j] = acc


@njit(parallel=True, fastmath=FAST, cache=True)
def _matmul_kernel(A, BT, C, k):
    """C[b] += A[b, :, :k] @ BT[b, :, :k].T for packed A (B, m, lda), BT (B, n, ldb), C (B, m, n).

    Each parallel task owns a panel of MC rows of C (no two tasks write the same C entries) and
    walks it block by block: an NC x KC block of BT (in L2) meets the panel's MR x KC slivers
    of A.
    """
    nb, m, _ = A.shape
    n = BT.shape[1]
    panels = (m + MC - 1) // MC
    for t in prange(nb * panels):
        b = t // panels
        i_start = (t % panels) * MC
        i_end = min(i_start + MC, m)
        for j0 in range(0, n, NC):
            j1 = min(j0 + NC, n)
            for k0 in range(0, k, KC):
                k1 = min(k0 + KC, k)
                i = i_start
                while i + MR <= i_end:
                    j = j0
                    while j + NR <= j1:
                        if MR == 4:  # a compile-time constant: numba keeps one branch
                            _tile4x4(A, BT, C, b, i, j, k0, k1)
                        else:
                            _tile3x3(A, BT, C, b, i, j, k0, k1)
                        j += NR
                    _tile_edge(A, BT, C, b, i, i + MR, j, j1, k0, k1)
                    i += MR
                _tile_edge(A, BT, C, b, i, i_end, j0, j1, k0, k1)


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


# Packing tile: 64 rows x 8 columns of the destination. For a transposed source the 8 columns
# are 8 source rows, often a power-of-two number of bytes apart: such addresses share one L1
# cache set, and an 8-way set holds 8 of them, so each source cache line (16 float32 along the
# destination's rows) is read once and used 16 times before it is evicted.
PACK_ROWS = 64
PACK_COLS = 8


@njit(parallel=True, cache=True)
def _pack_kernel(src, ss, shape, dst):
    """dst[b, r, c] = src[b*ss[0] + r*ss[1] + c*ss[2]]: copy a strided (B, rows, cols) view into
    rows of a contiguous buffer, tile by tile. With the strides of ``B`` swapped this is the
    transpose that makes BT; with A's own strides it is a plain copy."""
    nb, rows, cols = shape
    rt = (rows + PACK_ROWS - 1) // PACK_ROWS
    ct = (cols + PACK_COLS - 1) // PACK_COLS
    for t in prange(nb * rt):
        b = t // rt
        r0 = t % rt * PACK_ROWS
        r1 = min(r0 + PACK_ROWS, rows)
        if ss[2] == 1:  # source rows are contiguous already: copy them whole
            for r in range(r0, r1):
                base = b * ss[0] + r * ss[1]
                dst[b, r, :cols] = src[base : base + cols]
            continue
        for cb in range(ct):
            c0 = cb * PACK_COLS
            c1 = min(c0 + PACK_COLS, cols)
            for r in range(r0, r1):
                row = dst[b, r]
                base = b * ss[0] + r * ss[1]
                for c in range(c0, c1):
                    row[c] = src[base + c * ss[2]]


def _leading_dim(k):
    """Row length of a packed buffer: k rounded up to 16 elements (64 B, a cache line), plus 16
    more when that is a multiple of 256. Rows 1 KiB, 2 KiB, ... apart would all land in the same
    few L1 cache sets (the cache is indexed by address bits), and the 8 rows a micro-tile reads
    at once would evict each other; an odd number of cache lines per row spreads them out."""
    ld = (k + 15) // 16 * 16
    return ld + 16 if ld % 256 == 0 else ld


def _read_only(x):
    """A read-only view: kernels get one argument type whether the caller's array was writable,
    read-only (a broadcast view) or freshly packed, so each kernel compiles once per dtype."""
    x = x.view()
    x.flags.writeable = False
    return x


def _pack(x, transpose):
    """(B, rows, k) contiguous rows along k (padded) from a 3-D view ``x`` (B, rows, k), or from
    ``x`` (B, k, rows) when ``transpose``. Read-only."""
    if transpose:
        x = np.swapaxes(x, -1, -2)
    if x.flags.c_contiguous and x.shape[-1] == _leading_dim(x.shape[-1]):
        return _read_only(x)  # rows along k with a harmless length (W of Linear(784, n))
    if any(s < 0 for s in x.strides):
        x = np.ascontiguousarray(x)
    nb, rows, k = x.shape
    dst = np.empty((nb, rows, _leading_dim(k)), x.dtype)
    if x.size:
        strides = tuple(s // x.itemsize for s in x.strides)
        span = 1 + sum((n - 1) * s for n, s in zip(x.shape, strides, strict=True))
        flat = np.lib.stride_tricks.as_strided(
            x, shape=(span,), strides=(x.itemsize,), writeable=False
        )
        launch(_pack_kernel, x.size, flat, strides, x.shape, dst)
    return _read_only(dst)


def _contiguous(x):
    """``x`` itself (read-only view) when C-contiguous, else a packed copy."""
    return _read_only(x) if x.flags.c_contiguous else _pack(x, False)


def _as3d(a):
    return a if a.ndim == 3 else a[None]


def matmul_into(a, b, out):
    """out += a @ b for 2-D or batched 3-D a, b; ``out``: C-contiguous, of the result shape."""
    C = _as3d(out)
    k = a.shape[-1]
    if C.size and k:
        # a vector FMA does 16 float32 multiply-adds: about one element-wise op's cost per 16
        work = C.size * k // 16
        if k < SKINNY or C.shape[1] < SKINNY:
            launch(_matmul_axpy_kernel, work, _contiguous(_as3d(a)), _contiguous(_as3d(b)), C, k)
        else:
            launch(_matmul_kernel, work, _pack(_as3d(a), False), _pack(_as3d(b), True), C, k)
    return out


# Which matmul the engine runs. Our numba kernel above is the one these docs teach, but it is
# load-bound (see "Why not 0.8x BLAS" above) and BLAS is not. Measured on a 2-core AVX-512 Xeon
# (one thread, CPU time, 2026-11-29), ours ran at 0.05x-0.5x numpy.matmul's speed on every
# shape tried: 32^3 (launch overhead) 0.05x, the MLP's 128x784x256 0.37x and 1024x512x512
# 0.50x, 2048^3 0.43x; for AVX2 (NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=,
# OPENBLAS_CORETYPE=Haswell) 0.5x-0.67x. No class of shapes was won, so the rule is by dtype:
# float32 and float64 products, which BLAS has, go to numpy.matmul (the same rule on every
# machine); other dtypes (integers, float16) use the numba kernel. ``use_matmul("numba")``, or
# SCALARGRAD_CPU_MATMUL=numba in the environment, sends everything to the numba kernel.
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
    ours = f"numba kernel ({MR}x{NR} tile for {UNIT.isa}, {UNIT.cpu})"
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

    w (out, in) is already "BT" (rows along k), so the forward pass packs nothing."""
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
