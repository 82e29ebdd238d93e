"""The backend interface in plain NumPy: the oracle the kernel tests compare against.

Short and obviously correct, never fast and never used to train. Each function's contract is in
``scalargrad/matrix/backends/__init__.py``. Element-wise math is ``scalargrad/calculus.py``
applied element by element (``np.vectorize``), so it re-derives nothing; reductions, the softmax
family and matmul are numpy's. Like the CPU kernels, the softmax family works in float64 and
rounds once at the end, so float32 results can be compared tightly (the CUDA kernels compute
float32 rows in float32: their tests allow float32 rounding).
"""

import numpy as np

from scalargrad import calculus, primitives

name = "reference"

UNARY = primitives.UNARY_NAMES  # the element-wise primitives, from the op registry
ARITH = primitives.BINARY_NAMES
COMPARE = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}
LOSSES = ("squared_error", "absolute_error", "smooth_l1", "binary_cross_entropy", "bce_with_logits")


def _map(fn, dtype, *arrays):
    """Apply a scalar calculus function element by element; result of ``dtype``."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    if 0 in shape:
        return np.empty(shape, dtype)
    with np.errstate(all="ignore"):  # nan and inf results are the point, not a warning
        out = np.vectorize(fn, otypes=[np.float64])(*[np.asarray(a, np.float64) for a in arrays])
    return np.asarray(out, dtype).reshape(shape)


# ---------------------------------------------------------------- memory and layout


def from_numpy(array):
    return np.asarray(array)


def to_numpy(a):
    return np.asarray(a)


def empty(shape, dtype):
    return np.empty(shape, dtype)


def full(shape, value, dtype):
    return np.full(shape, value, dtype)


def copy(a):
    return np.array(a, order="C", copy=True)


def astype(a, dtype):
    return np.array(a, dtype=dtype, order="C", copy=True)


def reshape(a, shape):
    return np.reshape(a, shape)


def permute(a, axes):
    return np.transpose(a, axes)


def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


def getitem(a, index):
    return a[index]


def gather(a, index):
    return np.array(a[index], order="C", copy=True)


def scatter_add(shape, index, values):
    out = np.zeros(shape, np.asarray(values).dtype)
    np.add.at(out, index, values)
    return out


def setitem(a, index, values):
    a[index] = values


def fill(a, value):
    a[...] = value


def cumsum(a, axis):
    return np.cumsum(a, axis=axis, dtype=np.int64 if a.dtype == np.bool_ else a.dtype)


# ---------------------------------------------------------------- element-wise


def unary(op, a):
    return _map(primitives.get(op).value, a.dtype, a)


def unary_backward(op, a, y, grad):
    return np.asarray(grad * _map(primitives.get(op).derivs[0], a.dtype, a, y), a.dtype)


def binary(op, a, b):
    if op in COMPARE:
        return COMPARE[op](a, b)
    if a.dtype.kind in "bi":  # add/sub/mul on integers and bools: exact, no float detour
        if a.dtype == np.bool_:
            return {"add": np.logical_or, "mul": np.logical_and}[op](a, b)
        return {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op](a, b)
    return _map(primitives.get(op).value, a.dtype, a, b)


def binary_backward(op, a, b, grad, need_a, need_b):
    da = (
        np.asarray(grad * _map(primitives.get(op).derivs[0], a.dtype, a, b), a.dtype)
        if need_a
        else None
    )
    db = (
        np.asarray(grad * _map(primitives.get(op).derivs[1], a.dtype, a, b), a.dtype)
        if need_b
        else None
    )
    return da, db


def inplace_binary(op, a, b):
    a[...] = binary(op, a, np.broadcast_to(b, a.shape))


def where(cond, a, b):
    return np.where(cond, a, b)


def pointwise_loss(op, p, t, beta):
    fn = getattr(calculus, op)
    if op == "smooth_l1":
        return _map(lambda x, y: fn(x, y, beta), p.dtype, p, t)
    return _map(fn, p.dtype, p, t)


def pointwise_loss_backward(op, p, t, grad, beta):
    fn = getattr(calculus, op + "_deriv")
    if op == "smooth_l1":
        d = _map(lambda x, y: fn(x, y, beta), p.dtype, p, t)
    else:
        d = _map(fn, p.dtype, p, t)
    return np.asarray(grad * d, p.dtype)


# ---------------------------------------------------------------- reductions


def reduce(op, a, axes, keepdim):
    axes = tuple(axes)
    if op == "sum":
        # bools count (int64), as numpy and PyTorch; every other dtype keeps its own
        dtype = np.int64 if a.dtype == np.bool_ else a.dtype
        return np.sum(a, axis=axes, keepdims=keepdim, dtype=dtype)
    if op == "prod":
        return np.prod(a, axis=axes, keepdims=keepdim, dtype=a.dtype)
    fn = np.max if op == "max" else np.min
    return fn(a, axis=axes, keepdims=keepdim)


def arg_reduce(op, a, axis):
    fn = np.argmax if op == "argmax" else np.argmin
    return np.asarray(fn(a, axis=axis), np.int64)


def sort(a, axis, descending):
    """numpy's stable sort. Descending: a stable ascending sort of the reversed axis, reversed
    back (larger first, NaN first, equal values still in index order)."""
    if descending:
        rev = np.flip(a, axis)
        idx = a.shape[axis] - 1 - np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)
    else:
        idx = np.argsort(a, axis=axis, kind="stable")
    idx = np.ascontiguousarray(idx, np.int64)
    return np.take_along_axis(a, idx, axis), idx


def put_along_axis(shape, indices, values, axis):
    out = np.zeros(shape, values.dtype)
    np.put_along_axis(out, indices, values, axis)
    return out


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def _logsumexp64(a, axis):
    """log sum exp along ``axis`` (kept), in float64 like the kernels, max subtracted first."""
    a = np.asarray(a, np.float64)
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)  # initial: empty axes work
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m


def logsumexp(a, axis, keepdim):
    out = _logsumexp64(a, axis).astype(a.dtype)
    return out if keepdim else np.squeeze(out, axis=axis)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def log_softmax(a, axis):
    return (np.asarray(a, np.float64) - _logsumexp64(a, axis)).astype(a.dtype)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def softmax(a, axis):
    a64 = np.asarray(a, np.float64)
    m = np.max(a64, axis=axis, keepdims=True, initial=-np.inf)  # initial: empty axes work
    e = np.exp(a64 - np.where(np.isfinite(m), m, 0.0))
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(a.dtype)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def softmax_backward(y, grad, axis):
    y64, g64 = np.asarray(y, np.float64), np.asarray(grad, np.float64)
    return (y64 * (g64 - np.sum(g64 * y64, axis=axis, keepdims=True))).astype(y.dtype)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def log_softmax_backward(y, grad, axis):
    y64, g64 = np.asarray(y, np.float64), np.asarray(grad, np.float64)
    return (g64 - np.exp(y64) * np.sum(g64, axis=axis, keepdims=True)).astype(y.dtype)


# ---------------------------------------------------------------- linear algebra


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def matmul(a, b):
    return np.matmul(a, b)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def linear(x, w, b):
    y = x @ w.T
    return y if b is None else y + b


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def cross_entropy(logits, targets):
    logp = log_softmax(logits, 1)
    rows = np.arange(logits.shape[0])
    return (-logp[rows, targets]).astype(logits.dtype), np.exp(logp).astype(logits.dtype)


@np.errstate(all="ignore")  # inf and nan rows are tested on purpose
def cross_entropy_backward(probs, targets, grad_rows):
    d = np.array(probs, copy=True)
    d[np.arange(probs.shape[0]), targets] -= 1
    return (d * grad_rows[:, None]).astype(probs.dtype)


# ---------------------------------------------------------------- optimizer updates


def sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    pf, gf, bf = p.reshape(-1), g.reshape(-1), buf.reshape(-1)
    for i in range(pf.size):
        pf[i], bf[i] = calculus.sgd_update(
            float(pf[i]),
            float(gf[i]),
            float(bf[i]),
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            first_step,
        )


def adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step):
    pf, gf, mf, vf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    for i in range(pf.size):
        pf[i], mf[i], vf[i] = calculus.adam_update(
            float(pf[i]),
            float(gf[i]),
            float(mf[i]),
            float(vf[i]),
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            step,
        )


def rmsprop_step(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    pf, gf, sf, af, bf = (a.reshape(-1) for a in (p, g, sq, g_avg, buf))
    for i in range(pf.size):
        pf[i], sf[i], af[i], bf[i] = calculus.rmsprop_update(
            *(float(a[i]) for a in (pf, gf, sf, af, bf)),
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
        )


def adagrad_step(p, g, s, clr, eps, weight_decay):
    pf, gf, sf = p.reshape(-1), g.reshape(-1), s.reshape(-1)
    for i in range(pf.size):
        pf[i], sf[i] = calculus.adagrad_update(
            float(pf[i]), float(gf[i]), float(sf[i]), clr, eps, weight_decay
        )
