"""Matrix multiplication on the GPU: a tiled, shared-memory kernel with register blocking.

C = A @ B with A (M, K), B (K, N), optionally batched (a grid z index per batch entry) and with a
fused bias added to every row (``linear``: x @ W^T + b).

Tiling, with the sizes of the ``SMALL`` configuration (``LARGE`` in brackets):

* Each block of ``16 x 16 = 256`` threads computes a ``TILE x TILE = 64 x 64`` (128 x 128)
  tile of C.
* It walks along K in slices of ``TILE_K = 16`` (8): all 256 threads together copy a
  TILE x TILE_K slice of A and a TILE_K x TILE slice of B from global memory into shared memory
  (4 elements of each per thread). Each element of A and B is read from global memory once per
  block instead of once per output element: TILE times fewer global reads.
* Double buffering: there are two shared buffers of each slice. While the block computes on
  slice s, each thread already has its part of slice s + 1 on the way from global memory into
  registers; after the computation it stores them into the other buffer, and one barrier per
  slice separates "buffer complete" from "buffer reused".
* Each thread owns a ``WORK x WORK = 4 x 4`` (8 x 8) patch of outputs, kept in registers
  (``cuda.local.array``): rows ``ty + i * 16`` and columns ``tx + j * 16``, i.e. strided by the
  block side. For every k it loads WORK numbers of A's column and WORK of B's row from shared
  memory and does WORK^2 multiply-adds. With the stride, the 32 threads of a warp read 32
  consecutive words of the B slice (32 different banks: no bank conflict; with contiguous
  patches ``tx * WORK + j`` they would hit each bank WORK times) and a few words of the A slice
  (the same word for 16 threads: a broadcast). Stores of C are coalesced for the same reason.
* The A slice is stored transposed (``a_tile[kk, r]``); both slices have one column of padding so
  that threads writing down a column of them hit different banks.
* Loading follows each operand's layout so neighbouring threads read neighbouring addresses
  (coalesced): a transposed operand (``x @ w.T`` in ``linear``, ``A^T`` and ``B^T`` in the
  backward pass) is read in place with the threads laid out along its contiguous axis.
* Ragged edges (M, N or K not multiples of the tile) are padded with zeros when loading and
  skipped when storing; no thread leaves the loop early, so every thread reaches every barrier.

Choosing the launch (``plan``): LARGE does twice the arithmetic per shared-memory read but
makes a quarter of the blocks, so it is used only when its blocks still fill every streaming
multiprocessor (SM). When even SMALL leaves SMs idle and K is long (the weight gradient x^T G
has K = batch size), K is split into parts, one block per (tile, part), each writing its own
partial C; a reduction sums the parts and the bias is added after (split-K). Grid y and z may
not exceed 65,535: bigger batches and taller matrices are launched in chunks over views.

Operands may be any strided views: a transposed operand (the backward pass uses A^T and B^T) is
read through its strides, no copy is made.
"""

import functools
import math

import numpy as np
from numba import cuda
from numba.np import numpy_support

from scalargrad.matrix.backends import cuda_memory
from scalargrad.matrix.backends.cuda_elementwise import inplace_binary
from scalargrad.matrix.backends.cuda_index import getitem
from scalargrad.matrix.backends.cuda_memory import (
    assign,
    broadcast_to,
    empty,
    fill,
    launch,
    reshape,
    restride,
)
from scalargrad.matrix.backends.cuda_reduce import reduce

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
    zero = np.dtype(dtype).type(0)  # (a plain 0 would make the conditional loads float64)

    @cuda.jit
    def kernel(out, a, b, bias, has_bias, k_chunk, splits):
        m_total, k_total, n_total = a.shape[1], a.shape[2], b.shape[2]
        z = cuda.blockIdx.z // splits  # batch entry
        k_begin = (cuda.blockIdx.z % splits) * k_chunk  # split-K: this block's part of the sum
        k_end = min(k_total, k_begin + k_chunk)
        row0 = cuda.blockIdx.y * tile  # this block's tile of C
        col0 = cuda.blockIdx.x * tile
        tx = cuda.threadIdx.x  # this thread's rows ty + i*side, columns tx + j*side
        ty = cuda.threadIdx.y
        tid = ty * side + tx
        # two buffers of each slice: slice s+1 is loaded while slice s is used (double buffering)
        a_tile = cuda.shared.array((2, tile_k, cols), t)  # a_tile[., kk, r] = A[row0 + r, k0 + kk]
        b_tile = cuda.shared.array((2, tile_k, cols), t)  # b_tile[., kk, c] = B[k0 + kk, col0 + c]
        acc = cuda.local.array((work, work), t)
        a_reg = cuda.local.array(work, t)
        b_reg = cuda.local.array(work, t)
        a_next = cuda.local.array(loads, t)  # the next slice, on its way from global memory
        b_next = cuda.local.array(loads, t)
        for i in range(work):
            for j in range(work):
                acc[i, j] = 0
        # prologue: slice 0 straight into buffer 0
        for step in range(loads):
            e = tid + step * block  # this thread's element of the slices
            r, kk = (e % tile, e // tile) if a_by_rows else (e // tile_k, e % tile_k)
            inside = row0 + r < m_total and k_begin + kk < k_end
            a_tile[0, kk, r] = a[z, row0 + r, k_begin + kk] if inside else zero
            kk, c = (e % tile_k, e // tile_k) if b_by_k else (e // tile, e % tile)
            inside = k_begin + kk < k_end and col0 + c < n_total
            b_tile[0, kk, c] = b[z, k_begin + kk, col0 + c] if inside else zero
        cuda.syncthreads()
        cur = 0
        for k0 in range(k_begin, k_end, tile_k):
            nxt = k0 + tile_k
            if nxt < k_end:  # issue the global loads of the next slice (into registers)
                for step in range(loads):
                    e = tid + step * block
                    r, kk = (e % tile, e // tile) if a_by_rows else (e // tile_k, e % tile_k)
                    inside = row0 + r < m_total and nxt + kk < k_end
                    a_next[step] = a[z, row0 + r, nxt + kk] if inside else zero
                    kk, c = (e % tile_k, e // tile_k) if b_by_k else (e // tile, e % tile)
                    inside = nxt + kk < k_end and col0 + c < n_total
                    b_next[step] = b[z, nxt + kk, col0 + c] if inside else zero
            for kk in range(tile_k):  # compute on the current slice meanwhile
                # rows/columns strided by ``side``: the 32 threads of a warp read 32 consecutive
                # words of b_tile (distinct banks, no conflict) and 2 words of a_tile (broadcast)
                for i in range(work):
                    a_reg[i] = a_tile[cur, kk, ty + i * side]
                for j in range(work):
                    b_reg[j] = b_tile[cur, kk, tx + j * side]
                for i in range(work):
                    for j in range(work):
                        acc[i, j] += a_reg[i] * b_reg[j]
            if nxt < k_end:  # the next slice into the other buffer: nobody reads it now
                for step in range(loads):
                    e = tid + step * block
                    r, kk = (e % tile, e // tile) if a_by_rows else (e // tile_k, e % tile_k)
                    a_tile[1 - cur, kk, r] = a_next[step]
                    kk, c = (e % tile_k, e // tile_k) if b_by_k else (e // tile, e % tile)
                    b_tile[1 - cur, kk, c] = b_next[step]
            # one barrier per slice: the next buffer is complete, and everyone is done with the
            # current one before the following iteration overwrites it
            cuda.syncthreads()
            cur = 1 - cur
        for i in range(work):
            r = row0 + ty + i * side
            for j in range(work):
                c = col0 + tx + j * side  # consecutive threads, consecutive columns: coalesced
                if r < m_total and c < n_total:
                    if has_bias:
                        out[cuda.blockIdx.z, r, c] = acc[i, j] + bias[c]
                    else:
                        out[cuda.blockIdx.z, r, c] = acc[i, j]

    return kernel, side


def sm_count():
    """Streaming multiprocessors of the GPU (132 on an H100 SXM, assumed on the simulator)."""
    global _SMS
    if _SMS is None:
        _SMS = 132
        if not cuda_memory.SIMULATOR:
            _SMS = int(cuda.get_current_device().MULTIPROCESSOR_COUNT)
    return _SMS


_SMS = None
SPLIT_K_FROM = 1024  # a sum at least this long may be split over several blocks


def plan(batch, m, n, k):
    """(config, splits): the tile configuration and into how many parts K is split.

    LARGE tiles do twice the arithmetic per shared-memory read, but a 128 x 128 tile gives a
    quarter of the blocks: used only when they still fill every SM and C is big enough. When even
    SMALL tiles leave SMs idle (few, long dot products: the weight gradients x^T G, K = batch),
    K is split so that there are about two blocks per SM; each part writes its own partial C,
    and the parts are summed afterwards."""
    sms = sm_count()
    blocks = {c: math.ceil(m / c[0]) * math.ceil(n / c[0]) * batch for c in (SMALL, LARGE)}
    config = LARGE if m * n >= LARGE_FROM and blocks[LARGE] >= sms else SMALL
    splits = 1
    if k >= SPLIT_K_FROM and blocks[config] < sms:
        splits = min(math.ceil(2 * sms / blocks[config]), k // (SPLIT_K_FROM // 2))
    return config, max(1, splits)


def _as_3d(a):
    """A (B, rows, cols) view of a 2-D (a batch of 1) or 3-D array."""
    if a.ndim == 2:
        return restride(a, (1,) + tuple(a.shape), (0,) + tuple(a.strides))
    return a


def _launch(out3, a3, b3, bias):
    batch, m, n = out3.shape
    if out3.size == 0:
        return
    if a3.shape[2] == 0:  # an empty sum: zeros (plus the bias)
        fill(out3, 0)
        if bias is not None:
            assign(out3, bias)
        return
    k = a3.shape[2]
    config, splits = plan(batch, m, n, k)
    item = out3.dtype.itemsize
    a_by_rows = a3.strides[2] != item and a3.strides[1] == item  # A transposed (column-major)
    b_by_k = b3.strides[2] != item and b3.strides[1] == item  # B transposed
    kernel, side = _matmul_kernel(out3.dtype.str, config, a_by_rows, b_by_k)
    tile, tile_k, _ = config
    shared = 2 * 2 * tile_k * (tile + 1) * item  # a_tile and b_tile, two buffers each
    k_chunk = math.ceil(math.ceil(k / splits) / tile_k) * tile_k
    splits = math.ceil(k / k_chunk)
    has_bias = bias is not None and splits == 1
    target = out3 if splits == 1 else empty((batch * splits, m, n), out3.dtype)
    dummy_bias = bias if has_bias else restride(out3, (1,), (item,))  # (never read)
    # grid (column tiles, row tiles, batch entries x K parts): y and z may not exceed
    # MAX_GRID_YZ, so a batch over 65,535 entries or more than 65,535 row tiles is launched in
    # chunks, each over views of the operands (the kernel sees a smaller batch / fewer rows)
    zs = max(1, cuda_memory.MAX_GRID_YZ // splits)
    rows = cuda_memory.MAX_GRID_YZ * tile
    for z0 in range(0, batch, zs):
        z1 = min(batch, z0 + zs)
        for r0 in range(0, m, rows):
            r1 = min(m, r0 + rows)
            o, a, b = target, a3, b3
            if (z1 - z0, r1 - r0) != (batch, m):
                o = getitem(target, (slice(z0 * splits, z1 * splits), slice(r0, r1)))
                a = getitem(a3, (slice(z0, z1), slice(r0, r1)))
                b = getitem(b3, (slice(z0, z1),))
            grid = (math.ceil(n / tile), math.ceil((r1 - r0) / tile), (z1 - z0) * splits)
            args = (o, a, b, dummy_bias, has_bias, k_chunk, splits)
            launch(kernel, grid, (side, side), *args, shared=shared)
    if splits > 1:  # the sum of the K parts, then the bias
        parts = reshape(target, (batch, splits, m, n))
        assign(out3, reduce("sum", parts, (1,), False))
        if bias is not None:
            inplace_binary("add", out3, bias)


def matmul(a, b):
    """(m, k) @ (k, n), or batched (..., m, k) @ (..., k, n) with the batch axes broadcast.
    1-D operands are promoted as NumPy does (a vector is a row on the left, a column on the
    right)."""
    if a.ndim == 2 and b.ndim == 2:  # the common case, without the batch bookkeeping's views
        out = empty((a.shape[0], b.shape[1]), a.dtype)
        _launch(_as_3d(out), _as_3d(a), _as_3d(b), None)
        return out
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
    wt = restride(w, (w.shape[1], w.shape[0]), (w.strides[1], w.strides[0]))
    _launch(_as_3d(out), _as_3d(x), _as_3d(wt), b)
    return out
