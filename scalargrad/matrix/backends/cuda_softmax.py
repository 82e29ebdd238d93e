"""The softmax family on the GPU: softmax, log_softmax, logsumexp and their backward passes.

The math is ``rowwise_math.py`` compiled as device functions (the CPU backend compiles the same
functions with ``numba.njit``). The axis is seen as rows (``cuda_reduce.rows``: a permute view,
no copy) and **one block of ``THREADS`` threads handles one row** (fewer threads, a power of two,
for short rows). Thread t runs the row functions over elements t, t + THREADS, ... (a row of any
length), and the block combines the threads' partial results (max, sums) with the shared-memory
tree of ``block_reduce`` (log2(THREADS) halving steps, a barrier after each, reached by every
thread). The row is read three times (max, sum of exponentials, write) but never stored in
between. Unlike the CPU, the row math runs in the input's dtype (float32 rows in float32: consumer
GPUs run float64 at 1/32-1/64 of the float32 rate): each kernel is compiled per dtype, passing
the row functions a ``zero`` of that dtype and sizing its shared scratch in it. The sums are of
exp(x - max) terms in (0, 1], so float32 keeps ~6 significant digits for any realistic row.
"""

import functools

import numpy as np
from numba import cuda
from numba.np import numpy_support

from scalargrad.matrix.backends import rowwise_math
from scalargrad.matrix.backends.cuda_memory import (
    block_size,
    empty,
    fill,
    flat_to_offset,
    launch,
    reshape,
)
from scalargrad.matrix.backends.cuda_reduce import rows

THREADS = 128  # threads per row block: a power of two (the tree halves it)


def scratch(dtype):
    """(numba type, zero, bytes per thread) of a row kernel for ``dtype`` input: the block trees'
    shared-memory scratch and the row math's accumulator are in the input's dtype."""
    dtype = np.dtype(dtype)
    return numpy_support.from_dtype(dtype), dtype.type(0), dtype.itemsize


def block_reduce(f):
    """Device function ``reduce(shared, value)``: called by every thread of the block with its own
    value, returns the combination f(., .) of all of them to every thread."""

    @cuda.jit(device=True)
    def reduce(shared, value):
        t = cuda.threadIdx.x
        shared[t] = value
        cuda.syncthreads()
        step = cuda.blockDim.x // 2
        while step > 0:
            if t < step:
                shared[t] = f(shared[t], shared[t + step])
            cuda.syncthreads()
            step //= 2
        result = shared[0]
        cuda.syncthreads()  # everyone has read shared[0] before it is reused
        return result

    return reduce


@cuda.jit(device=True)
def _add(a, b):
    return a + b


def compile_row(f):
    """A ``rowwise_math`` function compiled as a GPU device function."""
    return cuda.jit(device=True)(f)


block_max = block_reduce(cuda.jit(device=True)(rowwise_math.maximum))
block_sum = block_reduce(_add)
_row_max, _shift, _sum_exp, _logsumexp = map(
    compile_row,
    (rowwise_math.row_max, rowwise_math.shift, rowwise_math.sum_exp, rowwise_math.logsumexp),
)
_softmax_row = compile_row(rowwise_math.softmax_row)
_log_softmax_row = compile_row(rowwise_math.log_softmax_row)
_row_sum = compile_row(rowwise_math.row_sum)
_row_dot = compile_row(rowwise_math.row_dot)
_softmax_backward_row = compile_row(rowwise_math.softmax_backward_row)
_log_softmax_backward_row = compile_row(rowwise_math.log_softmax_backward_row)


@cuda.jit(device=True)
def row_max_and_sum(shared, x, xb, xk, n, zero):
    """(m, s) for the block's row: the shift m (the row max, or 0 when it is +-inf or nan) and
    s = sum_k exp(x_k - m), both given to every thread of the block, in ``zero``'s dtype."""
    t, threads = cuda.threadIdx.x, cuda.blockDim.x
    m = _shift(block_max(shared, _row_max(x, xb, xk, t, n, threads, zero)))
    return m, block_sum(shared, _sum_exp(x, xb, xk, t, n, threads, m))


@functools.cache
def _softmax_kernel(kind, threads, dtype):
    """kind: 0 softmax, 1 log_softmax, 2 logsumexp (one output per row); ``threads`` per block;
    the math in ``dtype`` (the input's)."""
    acc, zero, _ = scratch(dtype)

    @cuda.jit
    def kernel(out, ostr, ok, x, oshape, xstr, xk, n):
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        xb = flat_to_offset(row, oshape, xstr)
        ob = flat_to_offset(row, oshape, ostr)
        m, s = row_max_and_sum(shared, x, xb, xk, n, zero)
        if kind == 2:  # logsumexp
            if t == 0:
                out[ob] = _logsumexp(m, s)
        elif kind == 1:
            _log_softmax_row(x, xb, xk, out, ob, ok, t, n, threads, _logsumexp(m, s))
        else:
            _softmax_row(x, xb, xk, out, ob, ok, t, n, threads, m, s)

    return kernel


_KINDS = {"softmax": 0, "log_softmax": 1, "logsumexp": 2}


def _row_op(kind, a, axis, out_shape):
    axis = int(axis)
    out = empty(out_shape, a.dtype)
    x, oshape, xstr, _, (xk,), m, k = rows(a, (axis,))
    od, _, ostr, _, (ok,), _, _ = rows(out, (axis,))  # logsumexp: out's axis has length 1
    if m and k:
        threads = block_size(k, THREADS)
        launch(
            _softmax_kernel(_KINDS[kind], threads, a.dtype.str),
            m,
            threads,
            *(od, ostr, ok, x, oshape, xstr, xk, k),
            shared=threads * a.dtype.itemsize,
        )
    elif m and kind == "logsumexp":
        fill(out, -np.inf)
    return out


def softmax(a, axis):
    """exp(a - max) / sum(exp(a - max)) along ``axis``."""
    return _row_op("softmax", a, axis, a.shape)


def log_softmax(a, axis):
    """a - logsumexp(a) along ``axis``."""
    return _row_op("log_softmax", a, axis, a.shape)


def logsumexp(a, axis, keepdim):
    """log(sum(exp(a))) along ``axis``, computed as max + log(sum(exp(a - max)))."""
    axis = int(axis)
    shape = tuple(1 if d == axis else n for d, n in enumerate(a.shape))
    out = _row_op("logsumexp", a, axis, shape)
    return out if keepdim else reshape(out, tuple(n for d, n in enumerate(a.shape) if d != axis))


@functools.cache
def _softmax_backward_kernel(log, threads, dtype):
    """softmax: y (grad - sum(grad y));  log_softmax: grad - exp(y) sum(grad); in ``dtype``."""
    acc, zero, _ = scratch(dtype)

    @cuda.jit
    def kernel(out, ostr, ok, y, ystr, yk, g, gstr, gk, oshape, n):
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        yb = flat_to_offset(row, oshape, ystr)
        gb = flat_to_offset(row, oshape, gstr)
        ob = flat_to_offset(row, oshape, ostr)
        if log:
            s = block_sum(shared, _row_sum(g, gb, gk, t, n, threads, zero))
            _log_softmax_backward_row(y, yb, yk, g, gb, gk, out, ob, ok, t, n, threads, s)
        else:
            s = block_sum(shared, _row_dot(g, gb, gk, y, yb, yk, t, n, threads, zero))
            _softmax_backward_row(y, yb, yk, g, gb, gk, out, ob, ok, t, n, threads, s)

    return kernel


def _softmax_backward(log, y, grad, axis):
    out = empty(y.shape, y.dtype)
    yd, oshape, ystr, _, (yk,), m, k = rows(y, (axis,))
    gd, _, gstr, _, (gk,), _, _ = rows(grad, (axis,))
    od, _, ostr, _, (ok,), _, _ = rows(out, (axis,))
    if m and k:
        threads = block_size(k, THREADS)
        launch(
            _softmax_backward_kernel(log, threads, y.dtype.str),
            m,
            threads,
            *(od, ostr, ok, yd, ystr, yk, gd, gstr, gk, oshape, k),
            shared=threads * y.dtype.itemsize,
        )
    return out


def softmax_backward(y, grad, axis):
    """y * (grad - sum(grad * y, axis)), y = softmax(x)."""
    return _softmax_backward(False, y, grad, int(axis))


def log_softmax_backward(y, grad, axis):
    """grad - exp(y) * sum(grad, axis), y = log_softmax(x)."""
    return _softmax_backward(True, y, grad, int(axis))
