"""Reductions on the CPU: sum/prod/max/min over axes, argmax/argmin, cumsum.

Each input is seen as ``(K0, K1, R0, R1)`` (see ``cpu_strides.reduction_args``): K0*K1 outputs,
each reducing R0*R1 elements. ``prange`` runs over the outputs; one thread reduces a whole row,
so no two threads ever write the same output and the result does not depend on the thread count.

* sum and prod accumulate float32 inputs in float64 (then round once), so long sums lose less.
* max/min use ``calculus.maximum``/``minimum``: a NaN anywhere makes the result NaN (as numpy
  and PyTorch).
* argmax/argmin keep the first index of a tie and point at the first NaN, as numpy.
"""

import functools

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends.cpu_ops import compiled
from scalargrad.matrix.backends.cpu_strides import flat_buffer, launch, reduction_args

REDUCE_OPS = ("sum", "prod", "max", "min")

_add, _mul, _maximum, _minimum = map(compiled, ("add", "mul", "maximum", "minimum"))


@njit(cache=True, inline="always")
def _combine(code, acc, v):
    if code == 0:
        return _add(acc, v)
    elif code == 1:
        return _mul(acc, v)
    elif code == 2:
        return _maximum(acc, v)
    return _minimum(acc, v)


@njit(cache=True, inline="always")
def _combine_row(code, acc, row):
    """acc[j] = op(acc[j], row[j]) for all j: one plain loop per op, so LLVM vectorizes each."""
    if code == 0:
        for j in range(acc.size):
            acc[j] = _add(acc[j], row[j])
    elif code == 1:
        for j in range(acc.size):
            acc[j] = _mul(acc[j], row[j])
    elif code == 2:
        for j in range(acc.size):
            acc[j] = _maximum(acc[j], row[j])
    else:
        for j in range(acc.size):
            acc[j] = _minimum(acc[j], row[j])


# Outputs per parallel task when sweeping rows (see below): 256 float64 accumulators = 2 KiB.
SWEEP = 256


@functools.cache
def _reduce_kernel(code):
    """The reduction kernel of op ``code`` alone: ``code`` is a constant of the closure and the
    inlined ``_combine``/``_combine_row`` keep only its branch (see ``cpu_elementwise.py``,
    "Specialized per op"), so a sum compiles no max, min or prod loops."""

    @njit(parallel=True, cache=True)
    def kernel(x, xs, shape, out):
        """out[t] = op over row t. ``out`` arrives holding the identity (0 for sum, 1 for prod)."""
        K0, K1, R0, R1 = shape
        # The kept elements may be the close ones in memory (e.g. summing a (batch, features)
        # matrix over the batch): walking one output's row would jump a whole row per step.
        # Then ("sweep") each task reads the reduced rows in order and updates a block of SWEEP
        # outputs from each, so memory is read front to back. Otherwise a task is one output.
        # (One prange loop for both: each prange loop costs about a second of compile time.)
        sweep = K1 > 1 and xs[1] < xs[3]
        blocks = (K1 + SWEEP - 1) // SWEEP
        ntasks = K0 * blocks if sweep else K0 * K1
        for t in prange(ntasks):
            if sweep:
                i = t // blocks
                j0 = (t % blocks) * SWEEP
                j1 = min(j0 + SWEEP, K1)
                if code >= 2:  # max and min start from the first reduced row
                    for j in range(j0, j1):
                        out[i * K1 + j] = x[i * xs[0] + j * xs[1]]
                acc = out[i * K1 + j0 : i * K1 + j1]  # this task's outputs, a 1-D view
                for r0 in range(R0):
                    for r1 in range(R1):
                        base = i * xs[0] + r0 * xs[2] + r1 * xs[3] + j0 * xs[1]
                        if xs[1] == 1:  # contiguous: a 0-based slice, vectorized per op
                            _combine_row(code, acc, x[base : base + j1 - j0])
                        else:
                            for j in range(j1 - j0):
                                acc[j] = _combine(code, acc[j], x[base + j * xs[1]])
            else:
                base = (t // K1) * xs[0] + (t % K1) * xs[1]
                total = out[t]
                if code >= 2:  # max and min start from the row's first element
                    total = x[base]
                for r0 in range(R0):
                    if xs[3] == 1:  # contiguous: a 0-based slice (no negative-index checks)
                        row = x[base + r0 * xs[2] : base + r0 * xs[2] + R1]
                        for r1 in range(R1):
                            total = _combine(code, total, row[r1])
                    else:
                        for r1 in range(R1):
                            total = _combine(code, total, x[base + r0 * xs[2] + r1 * xs[3]])
                out[t] = total

    return kernel


@njit(parallel=True, cache=True)
def _arg_kernel(is_max, x, xs, shape, out):
    K0, K1, R0, R1 = shape  # R0 == 1: one axis
    for t in prange(K0 * K1):
        base = (t // K1) * xs[0] + (t % K1) * xs[1]
        best = x[base]
        idx = 0
        for r in range(1, R1):
            if best != best:  # a NaN wins and stays
                break
            v = x[base + r * xs[3]]
            if v != v or (v > best if is_max else v < best):
                best = v
                idx = r
        out[t] = idx


@njit(parallel=True, cache=True)
def _cumsum_kernel(x, xs, shape, out):
    K0, K1, _, N = shape
    for t in prange(K0 * K1):
        base = (t // K1) * xs[0] + (t % K1) * xs[1]
        acc = out[t * N]  # out arrives as zeros: a zero of the output dtype
        for r in range(N):
            acc = _add(acc, x[base + r * xs[3]])
            out[t * N + r] = acc


# ---------------------------------------------------------------- interface functions


def kept_shape(shape, axes, keepdim):
    return (
        tuple(1 if d in axes else n for d, n in enumerate(shape))
        if keepdim
        else tuple(n for d, n in enumerate(shape) if d not in axes)
    )


def _contiguous_reduction(a, axes):
    """``reduction_args`` without its general collapsing, for the two reductions a training step
    makes: all of a C-contiguous array (a loss), and a C-contiguous (n, m) matrix over its rows
    (a bias gradient). None for anything else."""
    if not a.flags.c_contiguous:
        return None
    if len(axes) == a.ndim:  # one row of a.size elements
        return [flat_buffer(a)], [(0, 0, 0, 1)], (1, 1, 1, a.size)
    if axes == (0,) and a.ndim == 2:  # m outputs, each over n rows m apart
        n, m = a.shape
        return [flat_buffer(a)], [(0, 1, 0, m)], (1, m, 1, n)
    return None


def reduce(op, a, axes, keepdim):
    axes = tuple(sorted(axes))
    if a.dtype.kind in "bi":
        return _integer_reduce(op, a, axes, keepdim)
    code = REDUCE_OPS.index(op)
    if a.dtype.kind in "bi":
        acc_dtype = np.int64 if op in ("sum", "prod") else a.dtype
    else:
        acc_dtype = np.float64 if op in ("sum", "prod") else a.dtype
    out_shape = kept_shape(a.shape, axes, keepdim)
    out = np.zeros(out_shape, acc_dtype) if op != "prod" else np.ones(out_shape, acc_dtype)
    if out.size and a.size:
        (x,), (xs,), shape = _contiguous_reduction(a, axes) or reduction_args([a], axes)
        launch(_reduce_kernel(code), a.size, x, xs, shape, out.reshape(-1))
    elif out.size and op in ("max", "min"):  # reducing nothing: no value, no crash
        out[...] = np.nan if a.dtype.kind == "f" else 0
    if a.dtype.kind == "f":
        return out.astype(a.dtype, copy=False)
    return out


_INTEGER_UFUNCS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _integer_reduce(op, a, axes, keepdim):
    """Integer and bool reductions in int64 arithmetic: exact, wrapping on overflow as PyTorch.

    (The kernel's ``_combine`` is typed for floats, where max/min may return nan, so integers
    would pass through float64 and lose digits beyond 2**53.) NumPy's ufunc reduce does it."""
    ufunc = _INTEGER_UFUNCS[op]
    if op in ("max", "min"):
        if a.size == 0:  # reducing nothing: no value, no crash
            return np.zeros(kept_shape(a.shape, axes, keepdim), a.dtype)
        return ufunc.reduce(a, axis=axes, keepdims=keepdim)
    return ufunc.reduce(a, axis=axes, keepdims=keepdim, dtype=np.int64)


def arg_reduce(op, a, axis):
    if axis is None:
        a, axis = a.reshape(-1), 0
    out = np.zeros(kept_shape(a.shape, (axis,), False), np.int64)
    if out.size and a.shape[axis]:
        (x,), (xs,), shape = reduction_args([a], (axis,))
        launch(_arg_kernel, a.size, op == "argmax", x, xs, shape, out.reshape(-1))
    return out


def moved(a, axis):
    """Shape with ``axis`` moved last (the kernel's output order)."""
    return tuple(n for d, n in enumerate(a.shape) if d != axis) + (a.shape[axis],)


def moved_back(out, axis, ndim):
    """Put the last axis of ``out`` back at ``axis`` (copy only when it was not last)."""
    if axis == ndim - 1:
        return out
    return np.ascontiguousarray(np.moveaxis(out, -1, axis))


def cumsum(a, axis):
    dtype = np.int64 if a.dtype == np.bool_ else a.dtype
    out = np.zeros(moved(a, axis), dtype)
    if out.size:
        (x,), (xs,), shape = reduction_args([a], (axis,))
        launch(_cumsum_kernel, a.size, x, xs, shape, out.reshape(-1))
    return moved_back(out, axis, a.ndim)
