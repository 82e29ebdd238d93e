"""Element-wise CPU kernels: map, zip, comparisons, where, losses, and their backward.

Every kernel walks a 4-D index space (see ``cpu_strides.py``) with one pattern:

* the output is a fresh C-contiguous 1-D array; output element ``row * n3 + l`` is input element
  ``i*s0 + j*s1 + k*s2 + l*s3`` of each input's flat buffer (0 strides = broadcasting);
* ``prange`` runs over (row, chunk of the last dim) pairs, so even a single long contiguous row
  is split across cores, and a thread's inner loop walks ``CHUNK`` neighbouring elements;
* the op is a small integer ``code`` chosen from the op's name (the tables are in
  ``cpu_ops.py``); the ``if/elif`` over calculus functions sits inside the loop but never changes
  there, so the branch predictor makes it nearly free, and contiguous rows of unary ops use
  ``cpu_ops.unary_row``, one vectorizable loop per op. One kernel per concept (unary ops and
  reductions: one per op, see below).

Specialized per op (unary ops): numba compiles a kernel the first time it runs, and a kernel
holding every op's loop compiles all 14 of them (seconds), though a model uses one or two.
``_unary_kernel(code)`` builds (once per op, ``functools.cache``) the kernel with ``code`` a
constant of the closure; the dispatchers it calls are inlined and numba prunes the other ops'
branches before compiling. numba's disk cache keeps one entry per op. The price: each op a
program uses compiles a kernel of its own (most of a parallel kernel's compile time is the same
``prange`` machinery whatever the loop holds), so this wins for the unary ops, of which a model
uses one or two, and not for the binary ones (add, sub, mul, div are all used together), whose
kernel stays one for every op.

Float math is done in float64 with the functions of ``scalargrad/calculus.py`` (compiled once,
for float64) and rounded to the output dtype on store. Integer/bool add, sub and mul stay exact in
their own dtype.
"""

import functools

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends.cpu_ops import (
    BINARY_OPS,
    COMPARE_OPS,
    LOSS_OPS,
    UNARY_OPS,
    binary_dx,
    binary_dy,
    binary_op,
    compare,
    exact_arith,
    loss_deriv,
    loss_op,
    unary_backward_row,
    unary_derivative,
    unary_row,
    unary_value,
)
from scalargrad.matrix.backends.cpu_strides import elementwise_args, launch

# One output chunk per parallel task: 2048 elements is 8-16 KiB of output, big enough that the
# per-task index arithmetic is noise, small enough to split a 1-D array of ~10^4 elements.
CHUNK = 2048


# ---------------------------------------------------------------- index helpers


@njit(cache=True)
def _task(t, shape):
    """Parallel task ``t`` -> (row, i, j, k, first l, end l) of the 4-D index space."""
    n0, n1, n2, n3 = shape
    chunks = (n3 + CHUNK - 1) // CHUNK
    row = t // chunks
    l0 = (t % chunks) * CHUNK
    i = row // (n1 * n2)
    j = (row // n2) % n1
    k = row % n2
    return row, i, j, k, l0, min(l0 + CHUNK, n3)


@njit(cache=True)
def _ntasks(shape):
    n0, n1, n2, n3 = shape
    return n0 * n1 * n2 * ((n3 + CHUNK - 1) // CHUNK)


@njit(cache=True)
def _at(s, i, j, k):
    """Offset of row (i, j, k) for strides s."""
    return i * s[0] + j * s[1] + k * s[2]


# ---------------------------------------------------------------- kernels


@functools.cache
def _unary_kernel(code):
    """The unary kernel of op ``code`` alone (``code`` is a constant of the closure: see
    "Specialized per op" above)."""

    @njit(parallel=True, cache=True)
    def kernel(x, xs, shape, out):
        for t in prange(_ntasks(shape)):
            row, i, j, k, l0, l1 = _task(t, shape)
            xo, o = _at(xs, i, j, k), row * shape[3]
            if xs[3] == 1:  # contiguous row: the vectorized loops
                unary_row(code, x[xo + l0 : xo + l1], out[o + l0 : o + l1])
            else:
                for l in range(l0, l1):
                    out[o + l] = unary_value(code, np.float64(x[xo + l * xs[3]]))

    return kernel


@functools.cache
def _unary_backward_kernel(code):
    """grad * op'(x, y) for op ``code`` alone, as ``_unary_kernel``."""

    @njit(parallel=True, cache=True)
    def kernel(x, xs, y, ys, g, gs, shape, out):
        for t in prange(_ntasks(shape)):
            row, i, j, k, l0, l1 = _task(t, shape)
            xo, yo, go, o = _at(xs, i, j, k), _at(ys, i, j, k), _at(gs, i, j, k), row * shape[3]
            if xs[3] == 1 and ys[3] == 1 and gs[3] == 1:
                unary_backward_row(
                    code,
                    x[xo + l0 : xo + l1],
                    y[yo + l0 : yo + l1],
                    g[go + l0 : go + l1],
                    out[o + l0 : o + l1],
                )
            else:
                for l in range(l0, l1):
                    xv, yv = np.float64(x[xo + l * xs[3]]), np.float64(y[yo + l * ys[3]])
                    out[o + l] = np.float64(g[go + l * gs[3]]) * unary_derivative(code, xv, yv)

    return kernel


@njit(parallel=True, cache=True)
def _binary_kernel(code, exact, a, as_, b, bs, shape, out):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        ao, bo = _at(as_, i, j, k), _at(bs, i, j, k)
        for l in range(l0, l1):
            x, y = a[ao + l * as_[3]], b[bo + l * bs[3]]
            if exact:
                out[row * shape[3] + l] = exact_arith(code, x, y)
            else:
                out[row * shape[3] + l] = binary_op(code, np.float64(x), np.float64(y))


@njit(parallel=True, cache=True)
def _compare_kernel(code, a, as_, b, bs, shape, out):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        ao, bo = _at(as_, i, j, k), _at(bs, i, j, k)
        for l in range(l0, l1):
            out[row * shape[3] + l] = compare(code, a[ao + l * as_[3]], b[bo + l * bs[3]])


@njit(parallel=True, cache=True)
def _binary_backward_kernel(code, a, as_, b, bs, g, gs, shape, need_a, need_b, da, db):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        ao, bo, go = _at(as_, i, j, k), _at(bs, i, j, k), _at(gs, i, j, k)
        for l in range(l0, l1):
            x, y = np.float64(a[ao + l * as_[3]]), np.float64(b[bo + l * bs[3]])
            gv = np.float64(g[go + l * gs[3]])
            if need_a:
                da[row * shape[3] + l] = gv * binary_dx(code, x, y)
            if need_b:
                db[row * shape[3] + l] = gv * binary_dy(code, x, y)


@njit(parallel=True, cache=True)
def _where_kernel(c, cs, a, as_, b, bs, shape, out):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        co, ao, bo = _at(cs, i, j, k), _at(as_, i, j, k), _at(bs, i, j, k)
        for l in range(l0, l1):
            if c[co + l * cs[3]]:
                out[row * shape[3] + l] = a[ao + l * as_[3]]
            else:
                out[row * shape[3] + l] = b[bo + l * bs[3]]


@njit(parallel=True, cache=True)
def _loss_kernel(code, backward, p, ps, t_, ts, g, gs, beta, shape, out):
    """Loss terms (backward False, g unused) or grad * dloss/dp (backward True)."""
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        po, to, go = _at(ps, i, j, k), _at(ts, i, j, k), _at(gs, i, j, k)
        for l in range(l0, l1):
            pv, tv = np.float64(p[po + l * ps[3]]), np.float64(t_[to + l * ts[3]])
            if backward:
                out[row * shape[3] + l] = np.float64(g[go + l * gs[3]]) * loss_deriv(
                    code, pv, tv, beta
                )
            else:
                out[row * shape[3] + l] = loss_op(code, pv, tv, beta)


# ---------------------------------------------------------------- the interface functions


def _code(table, op):
    return table.index(op)


def unary(op, a):
    out = np.empty(a.shape, a.dtype)
    if out.size:
        (x,), (xs,), shape = elementwise_args([a], a.shape)
        launch(_unary_kernel(_code(UNARY_OPS, op)), out.size, x, xs, shape, out.reshape(-1))
    return out


def unary_backward(op, a, y, grad):
    out = np.empty(a.shape, a.dtype)
    if out.size:
        (x, yb, g), (xs, ys, gs), shape = elementwise_args([a, y, grad], a.shape)
        launch(
            _unary_backward_kernel(_code(UNARY_OPS, op)),
            out.size,
            x,
            xs,
            yb,
            ys,
            g,
            gs,
            shape,
            out.reshape(-1),
        )
    return out


def _binary_into(op, a, b, out):
    (x, y), (xs, ys), shape = elementwise_args([a, b], out.shape)
    if op in COMPARE_OPS:
        launch(
            _compare_kernel, out.size, _code(COMPARE_OPS, op), x, xs, y, ys, shape, out.reshape(-1)
        )
    else:
        exact = a.dtype.kind in "bi"
        launch(
            _binary_kernel,
            out.size,
            _code(BINARY_OPS, op),
            exact,
            x,
            xs,
            y,
            ys,
            shape,
            out.reshape(-1),
        )


def binary(op, a, b):
    out = np.empty(a.shape, np.bool_ if op in COMPARE_OPS else a.dtype)
    if out.size:
        _binary_into(op, a, b, out)
    return out


def binary_backward(op, a, b, grad, need_a, need_b):
    dummy = np.empty(0, a.dtype)
    da = np.empty(a.shape, a.dtype) if need_a else dummy
    db = np.empty(a.shape, a.dtype) if need_b else dummy
    if a.size and (need_a or need_b):
        (x, y, g), (xs, ys, gs), shape = elementwise_args([a, b, grad], a.shape)
        launch(
            _binary_backward_kernel,
            a.size,
            _code(BINARY_OPS, op),
            x,
            xs,
            y,
            ys,
            g,
            gs,
            shape,
            need_a,
            need_b,
            da.reshape(-1),
            db.reshape(-1),
        )
    return (da if need_a else None), (db if need_b else None)


def inplace_binary(op, a, b):
    """a = op(a, b) in place. A contiguous ``a`` is its own output (each element is read, then
    written, by the same iteration); any other layout, or a ``b`` that is another view of the
    same memory (``a += a.T``), goes through a temporary."""
    if a.size == 0:
        return
    b = np.broadcast_to(b, a.shape)
    if a.flags.c_contiguous and not (np.may_share_memory(a, b) and b.strides != a.strides):
        _binary_into(op, a, b, a)
    else:
        a[...] = binary(op, a, b)


def where(cond, a, b):
    out = np.empty(a.shape, a.dtype)
    if out.size:
        (c, x, y), (cs, xs, ys), shape = elementwise_args([cond, a, b], a.shape)
        launch(_where_kernel, out.size, c, cs, x, xs, y, ys, shape, out.reshape(-1))
    return out


def pointwise_loss(op, p, t, beta):
    out = np.empty(p.shape, p.dtype)
    if out.size:
        (x, y), (xs, ys), shape = elementwise_args([p, t], p.shape)
        launch(
            _loss_kernel,
            out.size,
            _code(LOSS_OPS, op),
            False,
            x,
            xs,
            y,
            ys,
            x,
            xs,
            float(beta or 0.0),
            shape,
            out.reshape(-1),
        )
    return out


def pointwise_loss_backward(op, p, t, grad, beta):
    out = np.empty(p.shape, p.dtype)
    if out.size:
        (x, y, g), (xs, ys, gs), shape = elementwise_args([p, t, grad], p.shape)
        launch(
            _loss_kernel,
            out.size,
            _code(LOSS_OPS, op),
            True,
            x,
            xs,
            y,
            ys,
            g,
            gs,
            float(beta or 0.0),
            shape,
            out.reshape(-1),
        )
    return out
