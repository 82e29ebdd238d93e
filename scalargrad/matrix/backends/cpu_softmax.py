"""The softmax family on the CPU: softmax, log_softmax, logsumexp and their backward passes.

The math is ``rowwise_math.py``, compiled here with ``numba.njit`` (the CUDA backend compiles the
same functions for the GPU). Each input is seen as ``(K0, K1, 1, N)`` (see
``cpu_strides.reduction_args``): K0*K1 rows of N elements along the softmax axis. ``prange`` runs
over the rows and one thread does a whole row, in float64, rounding once when it stores.
"""

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends import rowwise_math
from scalargrad.matrix.backends.cpu_reduce import kept_shape, moved, moved_back
from scalargrad.matrix.backends.cpu_strides import launch, reduction_args


def compile_row(f):
    """A ``rowwise_math`` function compiled for the CPU kernels. error_model="numpy": 0/0 is nan
    (an all -inf row), as on the GPU, not a ZeroDivisionError."""
    return njit(cache=True, error_model="numpy", inline="always")(f)


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

# The row math's accumulator type: float64 for float32 rows too. On a CPU float64 arithmetic is
# as fast as float32 (these loops are bound by exp and memory), and rounding once when storing
# keeps float32 results as close to the float64 reference as they can be. (The GPU computes in
# the input's dtype instead: cuda_softmax.py.)
ACC = 0.0


@njit(parallel=True, cache=True)
def _softmax_kernel(mode, x, xs, shape, out):
    """mode 0: softmax, 1: log_softmax (out has K*N entries), 2: logsumexp (out has K)."""
    K0, K1, _, N = shape
    for t in prange(K0 * K1):
        base = (t // K1) * xs[0] + (t % K1) * xs[1]
        m = _shift(_row_max(x, base, xs[3], 0, N, 1, ACC))
        s = _sum_exp(x, base, xs[3], 0, N, 1, m)
        if mode == 2:
            out[t] = _logsumexp(m, s)
        elif mode == 1:
            o = out[t * N : (t + 1) * N]  # (a 1-D view: constant base and stride, vectorizable)
            _log_softmax_row(x, base, xs[3], o, 0, 1, 0, N, 1, _logsumexp(m, s))
        else:
            _softmax_row(x, base, xs[3], out[t * N : (t + 1) * N], 0, 1, 0, N, 1, m, s)


@njit(parallel=True, cache=True)
def _softmax_backward_kernel(log, y, ys, g, gs, shape, out):
    """softmax: y (g - sum(g y)); log_softmax: g - exp(y) sum(g)."""
    K0, K1, _, N = shape
    for t in prange(K0 * K1):
        yb = (t // K1) * ys[0] + (t % K1) * ys[1]
        gb = (t // K1) * gs[0] + (t % K1) * gs[1]
        o = out[t * N : (t + 1) * N]
        if log:
            s = _row_sum(g, gb, gs[3], 0, N, 1, ACC)
            _log_softmax_backward_row(y, yb, ys[3], g, gb, gs[3], o, 0, 1, 0, N, 1, s)
        else:
            s = _row_dot(g, gb, gs[3], y, yb, ys[3], 0, N, 1, ACC)
            _softmax_backward_row(y, yb, ys[3], g, gb, gs[3], o, 0, 1, 0, N, 1, s)


# ---------------------------------------------------------------- interface functions


def _softmax_like(mode, a, axis):
    out = np.empty(moved(a, axis), a.dtype)
    if out.size:
        (x,), (xs,), shape = reduction_args([a], (axis,))
        launch(_softmax_kernel, a.size, mode, x, xs, shape, out.reshape(-1))
    return moved_back(out, axis, a.ndim)


def softmax(a, axis):
    """exp(a - max) / sum(exp(a - max)) along ``axis``."""
    return _softmax_like(0, a, axis)


def log_softmax(a, axis):
    """a - logsumexp(a) along ``axis``."""
    return _softmax_like(1, a, axis)


def logsumexp(a, axis, keepdim):
    """log(sum(exp(a))) along ``axis``, computed as max + log(sum(exp(a - max)))."""
    out = np.empty(kept_shape(a.shape, (axis,), keepdim), a.dtype)
    if out.size:
        if a.shape[axis] == 0:
            out[...] = -np.inf
        else:
            (x,), (xs,), shape = reduction_args([a], (axis,))
            launch(_softmax_kernel, a.size, 2, x, xs, shape, out.reshape(-1))
    return out


def _softmax_backward_like(log, y, grad, axis):
    out = np.empty(moved(y, axis), y.dtype)
    if out.size:
        (yb, g), (ys, gs), shape = reduction_args([y, grad], (axis,))
        launch(_softmax_backward_kernel, y.size, log, yb, ys, g, gs, shape, out.reshape(-1))
    return moved_back(out, axis, y.ndim)


def softmax_backward(y, grad, axis):
    """y * (grad - sum(grad * y, axis)), y = softmax(x)."""
    return _softmax_backward_like(False, y, grad, axis)


def log_softmax_backward(y, grad, axis):
    """grad - exp(y) * sum(grad, axis), y = log_softmax(x)."""
    return _softmax_backward_like(True, y, grad, axis)
