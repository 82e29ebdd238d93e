"""Reductions on the GPU: sum / prod / max / min, argmax / argmin and cumsum, along any axes.

Every reduction is first seen as a matrix of M rows of K elements: the kept axes are moved to the
front and the reduced ones to the back with a ``permute`` *view* (no copy), and the kernels read
row ``m``, element ``k`` through the strides (``flat_to_offset``). Two kernels do the work:

* **sequential** (rows of at most ``SEQUENTIAL_MAX`` elements): one thread per row loops over its
  K elements. Nothing to synchronise; best when rows are short and there are many of them.
* **tree** (longer rows): a 2-D grid of M x C blocks of ``THREADS`` threads (fewer, a power of
  two, for rows shorter than that). Block (m, c) owns
  chunk c of row m. Pass 1: thread t adds up elements ``k = c*THREADS + t``, stepping by
  ``C*THREADS`` (neighbouring threads read neighbouring elements: coalesced when the row is
  contiguous); then the block combines its THREADS partial results pairwise in shared memory,
  halving the active threads each step (a tree of log2(THREADS) steps, a ``syncthreads`` barrier
  after each step, reached by every thread). Thread 0 writes the block's result to
  ``partial[m, c]``. C is chosen so each thread sees about ``ITEMS_PER_THREAD`` elements.
  Pass 2 (only when C > 1): the same kernel reduces ``partial`` (M rows of C) with one block per
  row. So a row of any length is reduced, by as many blocks as it needs.

A reduction over the *leading* axes of a C-contiguous array (the bias gradient: a sum over the
batch) takes a third, simpler kernel, ``_column_kernel``: one thread per column walking down the
rows, so a warp reads neighbouring numbers (coalesced) with no strides (see its section below).

The combine functions are calculus.add / mul / maximum / minimum (maximum/minimum propagate nan,
as NumPy's max/min do).
"""

import functools
import math

import numpy as np
from numba import cuda, int64
from numba.np import numpy_support

from scalargrad.matrix.backends import cuda_memory
from scalargrad.matrix.backends.cuda_elementwise import device_function
from scalargrad.matrix.backends.cuda_memory import (
    block_size,
    empty,
    fill,
    flat,
    flat_to_offset,
    launch,
    launch_1d,
    permute,
    reshape,
    strided,
)

THREADS = 128  # threads per block of the tree reduction: a power of two (the tree halves it)
ITEMS_PER_THREAD = 8  # elements each thread adds up before the tree, when choosing C
MAX_CHUNKS = 1024  # blocks per row at most (C): enough to fill any GPU for a single long row
SEQUENTIAL_MAX = 32  # rows this short are reduced by one thread each
# a single row this many elements per thread long is reduced by one block (one launch): a
# second launch would cost the host more than the block's longer loop costs the GPU
ONE_BLOCK_ITEMS = 64

_COMBINE = {"sum": "add", "prod": "mul", "max": "maximum", "min": "minimum"}


def _identity(op, dtype):
    """The value a reduction of nothing gives: 0 for sum, 1 for prod, -inf/+inf (or the int
    range's ends) for max/min."""
    if op == "sum":
        return dtype.type(0)
    if op == "prod":
        return dtype.type(1)
    if dtype.kind == "f":
        return dtype.type(-np.inf if op == "max" else np.inf)
    info = np.iinfo(dtype)
    return dtype.type(info.min if op == "max" else info.max)


def rows(a, axes):
    """The M x K view of ``a`` with ``axes`` reduced: (storage, outer shape, outer strides,
    inner shape, inner strides, M, K), shapes and strides as tuples (never empty)."""
    axes = tuple(sorted(int(x) for x in axes))
    if a.ndim and len(axes) == a.ndim and a.size and a.is_c_contiguous():
        n = int(a.size)  # every axis of a C-contiguous array: one row, its flat view
        return flat(a), (1,), (0,), (n,), (1,), 1, n
    kept = tuple(d for d in range(a.ndim) if d not in axes)
    storage, shape, strides = strided(a)  # a's memory; the permuted view's shape and strides:
    if a.ndim:
        shape, strides = (tuple(t[d] for d in kept + axes) for t in (shape, strides))
    n = len(kept)
    outer = (shape[:n], strides[:n]) if n else ((1,), (0,))
    inner = (shape[n:], strides[n:]) if len(axes) else ((1,), (0,))
    if a.ndim == 0:
        outer, inner = ((1,), (0,)), ((1,), (0,))
    m = math.prod(outer[0])
    k = math.prod(inner[0])
    return storage, outer[0], outer[1], inner[0], inner[1], m, k


# ---------------------------------------------------------------- sum / prod / max / min


@functools.cache
def _sequential_kernel(op):
    f = device_function(_COMBINE[op])

    @cuda.jit
    def kernel(out, x, oshape, ostr, ishape, istr, k_total, identity):
        m = cuda.grid(1)  # one thread per row
        if m < out.size:
            base = flat_to_offset(m, oshape, ostr)
            acc = identity
            for k in range(k_total):
                acc = f(acc, x[base + flat_to_offset(k, ishape, istr)])
            out[m] = acc

    return kernel


@functools.cache
def _tree_kernel(op, acc_dtype, threads):
    f = device_function(_COMBINE[op])
    acc_type = numpy_support.from_dtype(np.dtype(acc_dtype))

    @cuda.jit
    def kernel(partial, x, oshape, ostr, ishape, istr, k_total, identity):
        m = cuda.blockIdx.x  # the row
        c = cuda.blockIdx.y  # this block's chunk of the row
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc_type)
        base = flat_to_offset(m, oshape, ostr)
        acc = identity
        k = c * threads + t
        while k < k_total:  # this thread's elements: k, k + C*threads, ...
            acc = f(acc, x[base + flat_to_offset(k, ishape, istr)])
            k += cuda.gridDim.y * threads
        shared[t] = acc
        cuda.syncthreads()
        step = threads // 2
        while step > 0:  # the tree: every thread runs every step and reaches every barrier
            if t < step:
                shared[t] = f(shared[t], shared[t + step])
            cuda.syncthreads()
            step //= 2
        if t == 0:
            partial[m, c] = shared[0]

    return kernel


# ---------------------------------------------------------------- leading axes of a C array
# The bias gradient (a sum over the batch) reduces the leading axes of a C-contiguous array:
# K rows of M contiguous numbers, summed down the columns. One thread per column walks down a
# chunk of ``COLUMN_ROWS`` rows: the 32 threads of a warp read 32 neighbouring numbers of a
# row (coalesced), no strides, no shared memory. Block (x, c) holds columns x*threads ... and
# chunk c of the rows; each chunk writes one row of partial results, and the same kernel then
# reduces those (K / COLUMN_ROWS rows) until one row is left, the result.

COLUMN_THREADS = 256  # threads per block (columns): fewer, whole warps, for narrow matrices
COLUMN_ROWS = 64  # rows one thread combines in one pass


@functools.cache
def _column_kernel(op):
    f = device_function(_COMBINE[op])

    @cuda.jit
    def kernel(out, x, n_rows, n_cols, rows_per_chunk, identity):
        """out[c, j] = op of x[r, j] over the rows r of chunk c (both flat, C order)."""
        j = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x  # the column
        c = cuda.blockIdx.y  # the chunk of rows
        if j < n_cols:
            acc = identity
            r = c * rows_per_chunk
            end = min(n_rows, r + rows_per_chunk)
            while r < end:
                acc = f(acc, x[r * n_cols + j])
                r += 1
            out[c * n_cols + j] = acc

    return kernel


def _columns(op, a, out, k, m, identity):
    """out (m numbers) = op over the k rows of a C-contiguous a seen as (k, m)."""
    kernel = _column_kernel(op)
    threads = min(COLUMN_THREADS, 32 * math.ceil(m / 32))
    x = flat(a)
    while True:
        # (at least 2 rows a chunk, or a pass would not shorten anything)
        per_chunk = max(2, COLUMN_ROWS, math.ceil(k / cuda_memory.MAX_GRID_YZ))
        chunks = math.ceil(k / per_chunk)
        target = flat(out) if chunks == 1 else empty((chunks * m,), a.dtype)
        grid = (math.ceil(m / threads), chunks)
        launch(kernel, grid, threads, target, x, k, m, per_chunk, identity)
        if chunks == 1:
            return
        x, k = target, chunks


def _layout(k):
    """(threads per block, blocks per row) for rows of k elements."""
    threads = block_size(k, THREADS)
    return threads, max(1, min(MAX_CHUNKS, math.ceil(k / (threads * ITEMS_PER_THREAD))))


def reduce(op, a, axes, keepdim):
    """sum / prod / max / min over ``axes``; sum of bools counts them (int64)."""
    axes = tuple(sorted(int(x) for x in axes))
    out_dtype = np.dtype(np.int64) if (op == "sum" and a.dtype == np.bool_) else a.dtype
    acc_dtype = np.dtype(np.int64) if a.dtype == np.bool_ else a.dtype
    shape = tuple(1 if d in axes else n for d, n in enumerate(a.shape))
    if not keepdim:
        shape = tuple(n for d, n in enumerate(a.shape) if d not in axes)
    out = empty(shape, out_dtype)
    if out.size == 0:
        return out
    identity = _identity(op, acc_dtype)
    lead = len(axes)
    if (
        0 < lead < a.ndim
        and axes[-1] == lead - 1
        and a.dtype != np.bool_
        and a.size
        and a.is_c_contiguous()
    ):  # the leading axes of a C-contiguous array: columns, stride-free
        k = math.prod(a.shape[:lead])
        _columns(op, a, out, k, out.size, identity)
        return out
    x, oshape, ostr, ishape, istr, m, k = rows(a, axes)
    if k == 0:
        fill(out, identity)
    elif k <= SEQUENTIAL_MAX:
        launch(
            _sequential_kernel(op),
            *launch_1d(m),
            reshape(out, (m,)),
            x,
            oshape,
            ostr,
            ishape,
            istr,
            k,
            identity,
        )
    else:
        threads, chunks = _layout(k)
        if m == 1 and k <= threads * ONE_BLOCK_ITEMS:
            chunks = 1  # a single row (a loss's sum): one block, one launch, more per thread
        # pass 1 writes straight into the output when one block per row is enough
        partial = reshape(out, (m, 1)) if chunks == 1 else empty((m, chunks), acc_dtype)
        kernel = _tree_kernel(op, acc_dtype.str, threads)
        args = (partial, x, oshape, ostr, ishape, istr, k, identity)
        launch(kernel, (m, chunks), threads, *args, shared=threads * acc_dtype.itemsize)
        if chunks > 1:  # pass 2: one block per row over the chunks' results
            threads = block_size(chunks, THREADS)
            kernel = _tree_kernel(op, acc_dtype.str, threads)
            launch(
                kernel,
                (m, 1),
                threads,
                reshape(out, (m, 1)),
                reshape(partial, (m * chunks,)),
                (m,),
                (chunks,),
                (chunks,),
                (1,),
                chunks,
                identity,
                shared=threads * acc_dtype.itemsize,
            )
    return out


# ---------------------------------------------------------------- argmax / argmin


@functools.cache
def _better(op):
    """Device function: should (v2, i2) replace the current best (v1, i1)?  NaN counts as the
    largest and smallest value (as NumPy), ties keep the first index, i1 < 0 means 'none yet'."""
    greater = op == "argmax"

    @cuda.jit(device=True)
    def better(v1, i1, v2, i2):
        if i2 < 0:
            return False
        if i1 < 0:
            return True
        if v1 != v1:
            return v2 != v2 and i2 < i1
        if v2 != v2:
            return True
        if v2 == v1:
            return i2 < i1
        if greater:
            return v2 > v1
        return v2 < v1

    return better


@functools.cache
def _arg_kernel(op, dtype, threads):
    """Pass 1 (``first``): candidates are the row's elements, index = k. Pass 2: candidates are
    pass 1's (value, index) pairs. Same block-per-chunk layout and tree as ``_tree_kernel``."""
    better = _better(op)
    value_type = numpy_support.from_dtype(np.dtype(dtype))

    @cuda.jit
    def kernel(out_v, out_i, x, idx, oshape, ostr, ishape, istr, k_total, first):
        m = cuda.blockIdx.x
        c = cuda.blockIdx.y
        t = cuda.threadIdx.x
        values = cuda.shared.array(threads, value_type)
        indices = cuda.shared.array(threads, int64)
        base = flat_to_offset(m, oshape, ostr)
        best_v = x[base]
        best_i = -1
        k = c * threads + t
        while k < k_total:
            pos = base + flat_to_offset(k, ishape, istr)
            i = k if first else idx[pos]
            if better(best_v, best_i, x[pos], i):
                best_v = x[pos]
                best_i = i
            k += cuda.gridDim.y * threads
        values[t] = best_v
        indices[t] = best_i
        cuda.syncthreads()
        step = threads // 2
        while step > 0:
            if t < step:
                if better(values[t], indices[t], values[t + step], indices[t + step]):
                    values[t] = values[t + step]
                    indices[t] = indices[t + step]
            cuda.syncthreads()
            step //= 2
        if t == 0:
            out_v[m, c] = values[0]
            out_i[m, c] = indices[0]

    return kernel


def arg_reduce(op, a, axis):
    """argmax / argmin along ``axis`` (None: over the flattened array); int64, first of ties."""
    axes = tuple(range(a.ndim)) if axis is None else (int(axis),)
    shape = () if axis is None else tuple(n for d, n in enumerate(a.shape) if d != axes[0])
    x, oshape, ostr, ishape, istr, m, k = rows(a, axes)
    out = empty(shape, np.int64)
    if out.size == 0:
        return out
    threads, chunks = _layout(k)
    values, indices = empty((m, chunks), a.dtype), empty((m, chunks), np.int64)
    flat_i = reshape(indices, (m * chunks,))
    kernel = _arg_kernel(op, a.dtype.str, threads)
    args = (values, indices, x, flat_i, oshape, ostr, ishape, istr, k, True)
    shared = threads * (a.dtype.itemsize + 8)  # the values and the int64 indices
    launch(kernel, (m, chunks), threads, *args, shared=shared)
    if chunks > 1:  # pass 2 over the chunks' (value, index) pairs
        values2, indices2 = empty((m, 1), a.dtype), empty((m, 1), np.int64)
        threads = block_size(chunks, THREADS)
        kernel = _arg_kernel(op, a.dtype.str, threads)
        launch(
            kernel,
            (m, 1),
            threads,
            values2,
            indices2,
            reshape(values, (m * chunks,)),
            flat_i,
            (m,),
            (chunks,),
            (chunks,),
            (1,),
            chunks,
            False,
            shared=threads * (a.dtype.itemsize + 8),
        )
        indices = indices2
    return reshape(indices, shape)


# ---------------------------------------------------------------- cumsum


@cuda.jit
def _cumsum_kernel(out, os, x, xs, oshape, k_total, zero):
    """One thread per line along the axis, a running sum down the line: simple and exact in
    order (a parallel scan would be faster for very long lines)."""
    m = cuda.grid(1)
    n_lines = 1
    for d in range(len(oshape)):
        n_lines *= oshape[d]
    if m < n_lines:
        o = flat_to_offset(m, oshape, os[:-1])
        i = flat_to_offset(m, oshape, xs[:-1])
        acc = zero
        for k in range(k_total):
            acc = acc + x[i + k * xs[-1]]
            out[o + k * os[-1]] = acc


def cumsum(a, axis):
    """Running sum along ``axis``, same dtype as ``a``."""
    axis = int(axis)
    out = empty(a.shape, a.dtype)
    if out.size == 0:
        return out
    order = tuple(d for d in range(a.ndim) if d != axis) + (axis,)
    xd, shape, xs = strided(permute(a, order))
    od, _, os = strided(permute(out, order))
    oshape = shape[:-1] if len(shape) > 1 else (1,)
    if len(shape) == 1:
        xs, os = (0,) + xs, (0,) + os
    launch(
        _cumsum_kernel,
        *launch_1d(math.prod(oshape)),
        od,
        os,
        xd,
        xs,
        oshape,
        shape[-1],
        a.dtype.type(0),
    )
    return out
