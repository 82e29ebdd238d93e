"""Element-wise CPU kernels: map, zip, comparisons, where, losses, and their backward.

Every kernel walks a 4-D index space (see ``cpu_strides.py``) with one pattern:

* the output is a fresh C-contiguous 1-D array; output element ``row * n3 + l`` is input element
  ``i*s0 + j*s1 + k*s2 + l*s3`` of each input's flat buffer (0 strides = broadcasting);
* ``prange`` runs over (row, chunk of the last dim) pairs, so even a single long contiguous row
  is split across cores, and a thread's inner loop walks ``CHUNK`` neighbouring elements;
* the op is a small integer ``code`` chosen from the op's name; the ``if/elif`` over calculus
  functions sits inside the loop but does not change inside it (the branch predictor, and often
  LLVM's loop unswitching, make it nearly free). One kernel per concept, not one per op: fewer
  compiled specializations, so a faster cold start.

Float math is done in float64 with the functions of ``scalargrad/calculus.py`` (compiled once,
for float64) and rounded to the output dtype on store. Integer/bool add, sub and mul stay exact in
their own dtype.
"""

import numpy as np
from numba import njit, prange

from scalargrad import calculus
from scalargrad.matrix.backends.cpu_strides import elementwise_args, launch

# One output chunk per parallel task: 2048 elements is 8-16 KiB of output, big enough that the
# per-task index arithmetic is noise, small enough to split a 1-D array of ~10^4 elements.
CHUNK = 2048

UNARY_OPS = ("neg", "exp", "log", "tanh", "sigmoid", "relu", "softplus", "abs", "sqrt")
BINARY_OPS = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
COMPARE_OPS = ("eq", "ne", "lt", "le", "gt", "ge")
LOSS_OPS = (
    "squared_error",
    "absolute_error",
    "smooth_l1",
    "binary_cross_entropy",
    "bce_with_logits",
)


def _jit(name):
    return njit(cache=True)(getattr(calculus, name))


_neg, _exp, _log, _tanh, _sigmoid, _relu, _softplus, _abs, _sqrt = map(_jit, UNARY_OPS)
(_neg_d, _exp_d, _log_d, _tanh_d, _sigmoid_d, _relu_d, _softplus_d, _abs_d, _sqrt_d) = (
    _jit(op + "_deriv") for op in UNARY_OPS
)
_add, _sub, _mul, _div, _pow, _maximum, _minimum = map(_jit, BINARY_OPS)
_add_dx, _sub_dx, _mul_dx, _div_dx, _pow_dx, _maximum_dx, _minimum_dx = (
    _jit(op + "_dx") for op in BINARY_OPS
)
_add_dy, _sub_dy, _mul_dy, _div_dy, _pow_dy, _maximum_dy, _minimum_dy = (
    _jit(op + "_dy") for op in BINARY_OPS
)
_sq, _absl, _smooth, _bce, _bcel = map(_jit, LOSS_OPS)
_sq_d, _absl_d, _smooth_d, _bce_d, _bcel_d = (_jit(op + "_deriv") for op in LOSS_OPS)


# ---------------------------------------------------------------- the op tables (code -> calculus)


@njit(cache=True)
def unary_op(code, x):
    """Forward value of unary op ``code`` at float64 ``x``."""
    if code == 0:
        return _neg(x)
    elif code == 1:
        return _exp(x)
    elif code == 2:
        return _log(x)
    elif code == 3:
        return _tanh(x)
    elif code == 4:
        return _sigmoid(x)
    elif code == 5:
        return _relu(x)
    elif code == 6:
        return _softplus(x)
    elif code == 7:
        return _abs(x)
    return _sqrt(x)


@njit(cache=True)
def unary_deriv(code, x, y):
    """d op(x)/dx for unary op ``code``, given y = op(x)."""
    if code == 0:
        return _neg_d(x, y)
    elif code == 1:
        return _exp_d(x, y)
    elif code == 2:
        return _log_d(x, y)
    elif code == 3:
        return _tanh_d(x, y)
    elif code == 4:
        return _sigmoid_d(x, y)
    elif code == 5:
        return _relu_d(x, y)
    elif code == 6:
        return _softplus_d(x, y)
    elif code == 7:
        return _abs_d(x, y)
    return _sqrt_d(x, y)


@njit(cache=True)
def binary_op(code, x, y):
    if code == 0:
        return _add(x, y)
    elif code == 1:
        return _sub(x, y)
    elif code == 2:
        return _mul(x, y)
    elif code == 3:
        return _div(x, y)
    elif code == 4:
        return _pow(x, y)
    elif code == 5:
        return _maximum(x, y)
    return _minimum(x, y)


@njit(cache=True)
def binary_dx(code, x, y):
    if code == 0:
        return _add_dx(x, y)
    elif code == 1:
        return _sub_dx(x, y)
    elif code == 2:
        return _mul_dx(x, y)
    elif code == 3:
        return _div_dx(x, y)
    elif code == 4:
        return _pow_dx(x, y)
    elif code == 5:
        return _maximum_dx(x, y)
    return _minimum_dx(x, y)


@njit(cache=True)
def binary_dy(code, x, y):
    if code == 0:
        return _add_dy(x, y)
    elif code == 1:
        return _sub_dy(x, y)
    elif code == 2:
        return _mul_dy(x, y)
    elif code == 3:
        return _div_dy(x, y)
    elif code == 4:
        return _pow_dy(x, y)
    elif code == 5:
        return _maximum_dy(x, y)
    return _minimum_dy(x, y)


@njit(cache=True)
def exact_arith(code, x, y):
    """add/sub/mul in the inputs' own dtype (exact for int64; or/and-like for bool)."""
    if code == 0:
        return _add(x, y)
    elif code == 1:
        return _sub(x, y)
    return _mul(x, y)


@njit(cache=True)
def compare(code, x, y):
    if code == 0:
        return x == y
    elif code == 1:
        return x != y
    elif code == 2:
        return x < y
    elif code == 3:
        return x <= y
    elif code == 4:
        return x > y
    return x >= y


@njit(cache=True)
def loss_op(code, p, t, beta):
    if code == 0:
        return _sq(p, t)
    elif code == 1:
        return _absl(p, t)
    elif code == 2:
        return _smooth(p, t, beta)
    elif code == 3:
        return _bce(p, t)
    return _bcel(p, t)


@njit(cache=True)
def loss_deriv(code, p, t, beta):
    if code == 0:
        return _sq_d(p, t)
    elif code == 1:
        return _absl_d(p, t)
    elif code == 2:
        return _smooth_d(p, t, beta)
    elif code == 3:
        return _bce_d(p, t)
    return _bcel_d(p, t)


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


@njit(cache=True)
def _unary_row(code, x, out):
    """out[j] = op(x[j]) on contiguous 1-D slices. The op test sits outside the loops, so each
    loop is plain enough for LLVM to vectorize (relu, abs, neg: 16 float32 at a time)."""
    if code == 0:
        for j in range(out.size):
            out[j] = _neg(np.float64(x[j]))
    elif code == 1:
        for j in range(out.size):
            out[j] = _exp(np.float64(x[j]))
    elif code == 2:
        for j in range(out.size):
            out[j] = _log(np.float64(x[j]))
    elif code == 3:
        for j in range(out.size):
            out[j] = _tanh(np.float64(x[j]))
    elif code == 4:
        for j in range(out.size):
            out[j] = _sigmoid(np.float64(x[j]))
    elif code == 5:
        for j in range(out.size):
            out[j] = _relu(np.float64(x[j]))
    elif code == 6:
        for j in range(out.size):
            out[j] = _softplus(np.float64(x[j]))
    elif code == 7:
        for j in range(out.size):
            out[j] = _abs(np.float64(x[j]))
    else:
        for j in range(out.size):
            out[j] = _sqrt(np.float64(x[j]))


@njit(cache=True)
def _unary_backward_row(code, x, y, g, out):
    """out[j] = g[j] * op_deriv(x[j], y[j]) on contiguous 1-D slices (as ``_unary_row``)."""
    if code == 0:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _neg_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 1:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _exp_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 2:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _log_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 3:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _tanh_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 4:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sigmoid_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 5:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _relu_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 6:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _softplus_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 7:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _abs_d(np.float64(x[j]), np.float64(y[j]))
    else:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sqrt_d(np.float64(x[j]), np.float64(y[j]))


@njit(parallel=True, cache=True)
def _unary_kernel(code, x, xs, shape, out):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        xo, o = _at(xs, i, j, k), row * shape[3]
        if xs[3] == 1:  # contiguous row: the vectorized loops
            _unary_row(code, x[xo + l0 : xo + l1], out[o + l0 : o + l1])
        else:
            for l in range(l0, l1):
                out[o + l] = unary_op(code, np.float64(x[xo + l * xs[3]]))


@njit(parallel=True, cache=True)
def _unary_backward_kernel(code, x, xs, y, ys, g, gs, shape, out):
    for t in prange(_ntasks(shape)):
        row, i, j, k, l0, l1 = _task(t, shape)
        xo, yo, go, o = _at(xs, i, j, k), _at(ys, i, j, k), _at(gs, i, j, k), row * shape[3]
        if xs[3] == 1 and ys[3] == 1 and gs[3] == 1:
            _unary_backward_row(
                code,
                x[xo + l0 : xo + l1],
                y[yo + l0 : yo + l1],
                g[go + l0 : go + l1],
                out[o + l0 : o + l1],
            )
        else:
            for l in range(l0, l1):
                d = unary_deriv(code, np.float64(x[xo + l * xs[3]]), np.float64(y[yo + l * ys[3]]))
                out[o + l] = np.float64(g[go + l * gs[3]]) * d


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
        launch(_unary_kernel, out.size, _code(UNARY_OPS, op), x, xs, shape, out.reshape(-1))
    return out


def unary_backward(op, a, y, grad):
    out = np.empty(a.shape, a.dtype)
    if out.size:
        (x, yb, g), (xs, ys, gs), shape = elementwise_args([a, y, grad], a.shape)
        launch(
            _unary_backward_kernel,
            out.size,
            _code(UNARY_OPS, op),
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
