"""Element-wise CUDA kernels: one GPU thread per output element.

Launch: a 1-D grid of ``ceil(n / THREADS)`` blocks of ``THREADS`` threads (``cuda_memory``);
thread ``i = cuda.grid(1)`` computes output element ``i`` (C order) and threads past the end do
nothing. Inputs are read through ``strided`` (``cuda_memory``): the thread turns ``i`` into
each input's memory position with that input's own strides, so transposed views and broadcast
views (0 strides) are read in place, without a copy. Before the launch ``cuda_memory.operands``
merges the axes that every operand walks as one, so for contiguous operands that costs one
division.
Outputs are new C-contiguous arrays written at position ``i``. Two fast paths skip the strides
(see "stride-free kernels" below): operands all C-contiguous and of one shape, and a C-contiguous
array with a row it repeats (``x + bias``).

The float math is ``scalargrad/calculus.py`` compiled as device functions
(``cuda.jit(device=True)(calculus.exp)``); each kernel factory below takes such a function and
closes over it, so there is one small kernel per op, compiled the first time it is used.
"""

import functools
import math

import numpy as np
from numba import cuda

from scalargrad import calculus, primitives
from scalargrad.matrix.backends.cuda_memory import (
    broadcast_to,
    empty,
    flat,
    flat_to_offset,
    launch,
    launch_1d,
    operands,
    restride,
    shape_size,
)

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")


# ---------------------------------------------------------------- device functions


# Comparisons and the boolean forms of add/mul are not float math, so they are not in calculus.
def _eq(x, y):
    return x == y


def _ne(x, y):
    return x != y


def _lt(x, y):
    return x < y


def _le(x, y):
    return x <= y


def _gt(x, y):
    return x > y


def _ge(x, y):
    return x >= y


def _logical_or(x, y):
    return x or y


def _logical_and(x, y):
    return x and y


_LOCAL = {
    "eq": _eq,
    "ne": _ne,
    "lt": _lt,
    "le": _le,
    "gt": _gt,
    "ge": _ge,
    "logical_or": _logical_or,
    "logical_and": _logical_and,
}


# The element-wise primitives' calculus functions, from the op registry (scalargrad/primitives.py),
# by their calculus names: "tanh", "tanh_deriv", "mul_dx", ...
_PRIMITIVE_FUNCTIONS = {
    fn.__name__: fn for prim in primitives.ALL for fn in (prim.value, *prim.derivs)
}


@functools.cache
def device_function(name):
    """A registry primitive's calculus function, a loss term of calculus.py (or a comparison),
    compiled for the GPU."""
    fn = _LOCAL.get(name) or _PRIMITIVE_FUNCTIONS.get(name) or getattr(calculus, name)
    return cuda.jit(device=True)(fn)


@functools.cache
def loss_function(name):
    """A loss term as a 3-argument device function ``f(p, t, beta)``: only smooth_l1 uses beta,
    the others ignore it, so one kernel shape serves every loss."""
    f = device_function(name)
    if name.startswith("smooth_l1"):
        return f

    @cuda.jit(device=True)
    def with_beta(p, t, beta):
        return f(p, t)

    return with_beta


# ---------------------------------------------------------------- kernels


@functools.cache
def _map_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(out, x, shape, xs):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = f(x[flat_to_offset(i, shape, xs)])

    return kernel


@functools.cache
def _zip_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(out, a, as_, b, bs, shape):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = f(a[flat_to_offset(i, shape, as_)], b[flat_to_offset(i, shape, bs)])

    return kernel


@functools.cache
def _grad_kernel(name):
    """out = grad * f(a, b): the chain rule for unary (f(x, y)) and binary (f_dx, f_dy) ops."""
    f = device_function(name)

    @cuda.jit
    def kernel(out, g, gs, a, as_, b, bs, shape):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = g[flat_to_offset(i, shape, gs)] * f(
                a[flat_to_offset(i, shape, as_)], b[flat_to_offset(i, shape, bs)]
            )

    return kernel


@functools.cache
def _inplace_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(a, as_, b, bs, shape):
        i = cuda.grid(1)
        if i < shape_size(shape):
            k = flat_to_offset(i, shape, as_)
            a[k] = f(a[k], b[flat_to_offset(i, shape, bs)])

    return kernel


@functools.cache
def _loss_kernel(name, backward):
    f = loss_function(name)

    @cuda.jit
    def kernel(out, p, ps, t, ts, g, gs, shape, beta):
        i = cuda.grid(1)
        if i < out.size:
            value = f(p[flat_to_offset(i, shape, ps)], t[flat_to_offset(i, shape, ts)], beta)
            if backward:
                value = g[flat_to_offset(i, shape, gs)] * value
            out[i] = value

    return kernel


@cuda.jit
def _where_kernel(out, c, cs, a, as_, b, bs, shape):
    i = cuda.grid(1)
    if i < out.size:
        if c[flat_to_offset(i, shape, cs)]:
            out[i] = a[flat_to_offset(i, shape, as_)]
        else:
            out[i] = b[flat_to_offset(i, shape, bs)]


# ---------------------------------------------------------------- stride-free kernels
# The fast path: every operand C-contiguous and of the output's shape (most of a training step:
# activations, their gradients, same-shaped sums). Element i is at position i everywhere: no
# shape, no strides, no index arithmetic, and on the host no view or layout work.


@functools.cache
def _flat_map_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(out, x):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = f(x[i])

    return kernel


@functools.cache
def _flat_zip_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(out, a, b):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = f(a[i], b[i])

    return kernel


@functools.cache
def _flat_grad_kernel(name):
    f = device_function(name)

    @cuda.jit
    def kernel(out, g, a, b):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = g[i] * f(a[i], b[i])

    return kernel


@functools.cache
def _row_zip_kernel(name, row_first):
    """out[i] = f(x[i], row[i % m]) (``row_first``: f(row[i % m], x[i])): an op between a
    C-contiguous array and a row of m numbers repeated along all its other axes (a bias)."""
    f = device_function(name)

    @cuda.jit
    def kernel(out, x, row, m):
        i = cuda.grid(1)
        if i < out.size:
            if row_first:
                out[i] = f(row[i % m], x[i])
            else:
                out[i] = f(x[i], row[i % m])

    return kernel


def _row(x, shape):
    """``x``'s memory as a 1-D row of ``m = shape[-1]`` numbers when ``x`` (already of this
    shape, or to be broadcast to it) repeats one contiguous row along every other axis: a
    broadcast view with strides (0, ..., 0, itemsize), or a C-contiguous array of shape
    (1, ..., 1, m). Else None."""
    m, item = shape[-1], x.dtype.itemsize
    xs, strides = tuple(x.shape), tuple(x.strides)
    if xs == shape:
        if strides[-1] != item or any(strides[:-1]):
            return None
    elif not (xs and xs[-1] == m and len(xs) <= len(shape) and math.prod(xs) == m):
        return None
    elif not x.is_c_contiguous():
        return None
    return restride(x, (m,), (item,))


def _row_operands(a, b):
    """(full, row, row_first) when one operand is C-contiguous of the result's shape and the
    other a row it repeats (``_row``), else None."""
    for full, other, row_first in ((a, b, False), (b, a, True)):
        shape = tuple(full.shape)
        if len(shape) >= 2 and shape[-1] and full.is_c_contiguous():
            row = _row(other, shape)
            if row is not None:
                return full, row, row_first
    return None


def _fast(shape, *arrays):
    """True when every array has this shape and is C-contiguous (the stride-free kernels)."""
    return all(tuple(a.shape) == shape and a.is_c_contiguous() for a in arrays)


# ---------------------------------------------------------------- the backend functions


def _result(shape, dtype):
    """A C-contiguous output and its flat 1-D view (what the kernels write)."""
    out = empty(shape, dtype)
    return out, flat(out)


def _same_shape(*arrays):
    shape = np.broadcast_shapes(*(tuple(a.shape) for a in arrays))
    return [a if tuple(a.shape) == shape else broadcast_to(a, shape) for a in arrays], shape


def unary(op, a):
    """op(a) element by element; op is a calculus function name (exp, tanh, ...)."""
    out, flat_out = _result(a.shape, a.dtype)
    if not out.size:
        return out
    if a.is_c_contiguous():
        launch(_flat_map_kernel(op), *launch_1d(out.size), flat_out, flat(a))
    else:
        (x,), shape, (xs,) = operands(a)
        launch(_map_kernel(op), *launch_1d(out.size), flat_out, x, shape, xs)
    return out


def _grad(name, g, a, b, dtype):
    shape = tuple(g.shape)
    if _fast(shape, g, a, b):
        out, flat_out = _result(shape, dtype)
        if out.size:
            args = (flat_out, flat(g), flat(a), flat(b))
            launch(_flat_grad_kernel(name), *launch_1d(out.size), *args)
        return out
    (g, a, b), shape = _same_shape(g, a, b)
    out, flat_out = _result(shape, dtype)
    if out.size:
        (gd, ad, bd), shp, (gs, as_, bs) = operands(g, a, b)
        launch(_grad_kernel(name), *launch_1d(out.size), flat_out, gd, gs, ad, as_, bd, bs, shp)
    return out


def unary_backward(op, a, y, grad):
    """grad * op_deriv(a, y), y = op(a)."""
    return _grad(op + "_deriv", grad, a, y, a.dtype)


def _binary_name(op, dtype):
    if dtype == np.bool_ and op in ("add", "mul"):
        return {"add": "logical_or", "mul": "logical_and"}[op]
    return op


def binary(op, a, b):
    """op(a, b) element by element; comparisons give bool, add/mul on bools are or/and."""
    dtype = np.bool_ if op in COMPARISONS else a.dtype
    name = _binary_name(op, a.dtype)
    shape = tuple(a.shape)
    if _fast(shape, a, b):
        out, flat_out = _result(shape, dtype)
        if out.size:
            launch(_flat_zip_kernel(name), *launch_1d(out.size), flat_out, flat(a), flat(b))
        return out
    rows = _row_operands(a, b)
    if rows is not None:  # x + bias and the like: stride-free too, the row read modulo m
        full, row, row_first = rows
        out, flat_out = _result(tuple(full.shape), dtype)
        if out.size:
            m = int(full.shape[-1])
            args = (flat_out, flat(full), row, m)
            launch(_row_zip_kernel(name, row_first), *launch_1d(out.size), *args)
        return out
    (a, b), shape = _same_shape(a, b)
    out, flat_out = _result(shape, dtype)
    if out.size:
        (ad, bd), shp, (as_, bs) = operands(a, b)
        launch(_zip_kernel(name), *launch_1d(out.size), flat_out, ad, as_, bd, bs, shp)
    return out


def binary_backward(op, a, b, grad, need_a, need_b):
    """(grad * op_dx(a, b), grad * op_dy(a, b)), each only when needed (else None)."""
    da = _grad(op + "_dx", grad, a, b, a.dtype) if need_a else None
    db = _grad(op + "_dy", grad, a, b, a.dtype) if need_b else None
    return da, db


def inplace_binary(op, a, b):
    """In place: a = op(a, b), b broadcast to a's shape."""
    if not a.size:
        return
    b = broadcast_to(b, a.shape) if tuple(b.shape) != tuple(a.shape) else b
    (ad, bd), shape, (as_, bs) = operands(a, b)
    launch(_inplace_kernel(_binary_name(op, a.dtype)), *launch_1d(a.size), ad, as_, bd, bs, shape)


def where(cond, a, b):
    """cond ? a : b element by element (all three broadcast to one shape)."""
    (cond, a, b), shape = _same_shape(cond, a, b)
    out, flat_out = _result(shape, a.dtype)
    if out.size:
        (cd, ad, bd), shp, (cs, as_, bs) = operands(cond, a, b)
        launch(_where_kernel, *launch_1d(out.size), flat_out, cd, cs, ad, as_, bd, bs, shp)
    return out


def _loss(name, p, t, g, beta, backward):
    (p, t), shape = _same_shape(p, t)
    out, flat_out = _result(shape, p.dtype)
    if out.size:
        g = broadcast_to(g, shape) if backward else p
        (pd, td, gd), shp, (ps, ts, gs) = operands(p, t, g)
        beta = p.dtype.type(0.0 if beta is None else beta)  # (float32 math for float32 p)
        launch(
            _loss_kernel(name, backward),
            *launch_1d(out.size),
            flat_out,
            pd,
            ps,
            td,
            ts,
            gd,
            gs,
            shp,
            beta,
        )
    return out


def pointwise_loss(op, p, t, beta=None):
    """One loss term per element, e.g. squared_error(p, t) = (p - t)^2 (beta: smooth_l1 only)."""
    return _loss(op, p, t, None, beta, False)


def pointwise_loss_backward(op, p, t, grad, beta=None):
    """grad * op_deriv(p, t[, beta])."""
    return _loss(op + "_deriv", p, t, grad, beta, True)
