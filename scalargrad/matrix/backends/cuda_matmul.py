"""Matrix multiplication on the GPU: a tiled, shared-memory kernel with register blocking.

C = A @ B with A (M, K), B (K, N), optionally batched (a grid z index per batch entry) and with a
fused bias added to every row (``linear``: x @ W^T + b).

Tiling, with the sizes of the ``SMALL`` configuration (``LARGE`` in brackets, used once C has
at least ``LARGE_FROM`` elements per batch entry):

* Each block of ``16 x 16 = 256`` threads computes a ``TILE x TILE = 64 x 64`` (128 x 128)
  tile of C.
* It walks along K in steps of ``TILE_K = 16`` (8): all 256 threads together copy a TILE x TILE_K
  slice of A and a TILE_K x TILE slice of B from global memory into shared memory (4 elements of
  each per thread), wait at a barrier, then compute from shared memory only, and wait again
  before the next slice overwrites it. Each element of A and B is read from global memory once
  per block instead of once per output element: TILE times fewer global reads than the naive
  kernel.
* Each thread owns a ``WORK x WORK = 4 x 4`` (8 x 8) patch of the tile, kept in registers
  (``cuda.local.array``). For every k of the slice it loads WORK numbers of A's column and WORK
  of B's row from shared memory and does WORK^2 multiply-adds: WORK/2 times more arithmetic per
  shared-memory read than one output per thread, which keeps the arithmetic units busy. The
  bigger tile doubles that again; it pays off only when C has many tiles to spread over the GPU.
* The A slice is stored transposed (``a_tile[kk, r]``) so the WORK numbers a thread needs are
  neighbours. Both slices have one column of padding so that threads writing down a column of
  them hit different shared-memory banks.
* Loading follows each operand's layout so neighbouring threads read neighbouring addresses
  (coalesced): a transposed operand (``x @ w.T`` in ``linear``, ``A^T`` and ``B^T`` in the
  backward pass) is read in place with the threads laid out along its contiguous axis.
* Ragged edges (M, N or K not multiples of the tile) are padded with zeros when loading and
  skipped when storing; no thread leaves the loop early, so every thread reaches every barrier.

Operands may be any strided views: a transposed operand (the backward pass uses A^T and B^T) is
read through its strides, no copy is made.
"""

import functools
import math

import numpy as np
from numba import cuda
from numba.np import numpy_support

from scalargrad.matrix.backends import cuda_memory
from scalargrad.matrix.backends.cuda_memory import (
    broadcast_to,
    empty,
    getitem,
    launch,
    make_view,
    reshape,
)

# (TILE, TILE_K, WORK): tile of C per block, depth of the staged slices, outputs per thread side.
# Both use 16 x 16 = 256 threads and 4 loads of A and of B per thread per slice.
SMALL = (64, 16, 4)
LARGE = (128, 8, 8)
LARGE_FROM = 512 * 512  # elements of C (per batch entry) from which LARGE is used


@functools.cache
def _matmul_kernel(dtype, config, a_by_rows=False, b_by_k=False):
    """The kernel for one dtype and tile configuration. How the threads share the loading of a
    slice follows the operand's layout, so that neighbouring threads read neighbouring
    addresses (coalesced): along k for a row-major A, along rows for a transposed A
    (``a_by_rows``); along columns for a row-major B, along k for a transposed B (``b_by_k``)."""
    tile, tile_k, work = config
    side = tile // work  # threads along each side of the block
    block = side * side  # threads per block
    loads = tile * tile_k // block  # elements of each slice copied by one thread
    cols = tile + 1  # the slices' padded rows (shared array shapes must be constants)
    t = numpy_support.from_dtype(np.dtype(dtype))

    @cuda.jit
    def kernel(out, a, b, bias, has_bias):
        m_total, k_total, n_total = a.shape[1], a.shape[2], b.shape[2]
        z = cuda.blockIdx.z  # batch entry
        row0 = cuda.blockIdx.y * tile  # this block's tile of C
        col0 = cuda.blockIdx.x * tile
        tx = cuda.threadIdx.x  # this thread's patch: rows ty*work.., columns tx*work..
        ty = cuda.threadIdx.y
        tid = ty * side + tx
        a_tile = cuda.shared.array((tile_k, cols), t)  # a_tile[kk, r] = A[row0 + r, k0 + kk]
        b_tile = cuda.shared.array((tile_k, cols), t)  # b_tile[kk, c] = B[k0 + kk, col0 + c]
        acc = cuda.local.array((work, work), t)
        a_reg = cuda.local.array(work, t)
        b_reg = cuda.local.array(work, t)
        for i in range(work):
            for j in range(work):
                acc[i, j] = 0
        for k0 in range(0, k_total, tile_k):
            for step in range(loads):
                e = tid + step * block  # this thread's element of the slices
                if a_by_rows:
                    r, kk = e % tile, e // tile
                else:
                    r, kk = e // tile_k, e % tile_k
                if row0 + r < m_total and k0 + kk < k_total:
                    a_tile[kk, r] = a[z, row0 + r, k0 + kk]
                else:
                    a_tile[kk, r] = 0
                if b_by_k:
                    kk, c = e % tile_k, e // tile_k
                else:
                    kk, c = e // tile, e % tile
                if k0 + kk < k_total and col0 + c < n_total:
                    b_tile[kk, c] = b[z, k0 + kk, col0 + c]
                else:
                    b_tile[kk, c] = 0
            cuda.syncthreads()  # the slices are complete
            for kk in range(tile_k):
                for i in range(work):
                    a_reg[i] = a_tile[kk, ty * work + i]
                for j in range(work):
                    b_reg[j] = b_tile[kk, tx * work + j]
                for i in range(work):
                    for j in range(work):
                        acc[i, j] += a_reg[i] * b_reg[j]
            cuda.syncthreads()  # everyone is done with the slices before they are overwritten
        for i in range(work):
            r = row0 + ty * work + i
            for j in range(work):
                c = col0 + tx * work + j
                if r < m_total and c < n_total:
                    if has_bias:
                        out[z, r, c] = acc[i, j] + bias[c]
                    else:
                        out[z, r, c] = acc[i, j]

    return kernel, side


def _as_3d(a):
    """A (B, rows, cols) view of a 2-D (a batch of 1) or 3-D array."""
    if a.ndim == 2:
        return make_view(a, (1,) + tuple(a.shape), (0,) + tuple(a.strides))
    return a


def _launch(out3, a3, b3, bias):
    batch, m, n = out3.shape
    if out3.size == 0:
        return
    if a3.shape[2] == 0:  # an empty sum: zeros (plus the bias)
        from scalargrad.matrix.backends.cuda_elementwise import assign, fill

        fill(out3, 0)
        if bias is not None:
            assign(out3, bias)
        return
    config = LARGE if m * n >= LARGE_FROM else SMALL
    item = out3.dtype.itemsize
    a_by_rows = a3.strides[2] != item and a3.strides[1] == item  # A transposed (column-major)
    b_by_k = b3.strides[2] != item and b3.strides[1] == item  # B transposed
    kernel, side = _matmul_kernel(out3.dtype.str, config, a_by_rows, b_by_k)
    tile, tile_k, _ = config
    shared = 2 * tile_k * (tile + 1) * item  # a_tile and b_tile
    has_bias = bias is not None
    bias = bias if has_bias else out3[0, 0, :1]
    # grid (column tiles, row tiles, batch entries): y and z may not exceed MAX_GRID_YZ, so a
    # batch over 65,535 entries or more than 65,535 row tiles is launched in chunks, each over
    # views of the operands (the kernel sees a smaller batch / fewer rows; nothing is copied)
    zs = cuda_memory.MAX_GRID_YZ
    rows = cuda_memory.MAX_GRID_YZ * tile
    for z0 in range(0, batch, zs):
        z1 = min(batch, z0 + zs)
        for r0 in range(0, m, rows):
            r1 = min(m, r0 + rows)
            o, a, b = out3, a3, b3
            if (z1 - z0, r1 - r0) != (batch, m):
                o = getitem(out3, (slice(z0, z1), slice(r0, r1)))
                a = getitem(a3, (slice(z0, z1), slice(r0, r1)))
                b = getitem(b3, (slice(z0, z1),))
            grid = (math.ceil(n / tile), math.ceil((r1 - r0) / tile), z1 - z0)
            launch(kernel, grid, (side, side), o, a, b, bias, has_bias, shared=shared)


def matmul(a, b):
    """(m, k) @ (k, n), or batched (..., m, k) @ (..., k, n) with the batch axes broadcast.
    1-D operands are promoted as NumPy does (a vector is a row on the left, a column on the
    right)."""
    squeeze = []
    if a.ndim == 1:
        a = reshape(a, (1, a.shape[0]))
        squeeze.append(-2)
    if b.ndim == 1:
        b = reshape(b, (b.shape[0], 1))
        squeeze.append(-1)
    a_shape, b_shape = tuple(a.shape), tuple(b.shape)  # (a device array's shape has no [-1])
    batch = np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    m, n = a_shape[-2], b_shape[-1]
    out = empty(batch + (m, n), a.dtype)
    count = math.prod(batch)
    a3 = reshape(broadcast_to(a, batch + a_shape[-2:]), (count,) + a_shape[-2:])
    b3 = reshape(broadcast_to(b, batch + b_shape[-2:]), (count,) + b_shape[-2:])
    _launch(reshape(out, (count, m, n)), a3, b3, None)
    full_shape = tuple(out.shape)
    final = tuple(s for i, s in enumerate(full_shape) if i - len(full_shape) not in squeeze)
    return reshape(out, final) if final != full_shape else out


def linear(x, w, b):
    """Fused x @ w.T + b (one kernel): x (n, in), w (out, in) read transposed in place,
    b (out,) or None."""
    out = empty((x.shape[0], w.shape[0]), x.dtype)
    wt = make_view(w, (w.shape[1], w.shape[0]), (w.strides[1], w.strides[0]))
    _launch(_as_3d(out), _as_3d(x), _as_3d(wt), b)
    return out
