"""Fused CPU kernels: softmax + cross-entropy (forward and backward), a hidden layer's
bias + ReLU (forward and backward), and the optimizer updates.

Fusing means one pass over memory instead of several: cross-entropy computes each row's max,
log-sum-exp, probabilities and loss while the row is in cache, and an optimizer step reads
p, g and its buffers once and writes them once. The row math comes from rowwise_math.py (shared
with the CUDA kernels), the per-element math of the updates from calculus.py.
"""

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends import rowwise_math
from scalargrad.matrix.backends.cpu_matmul import linear
from scalargrad.matrix.backends.cpu_ops import compiled
from scalargrad.matrix.backends.cpu_softmax import ACC, compile_row
from scalargrad.matrix.backends.cpu_strides import launch

_relu = compiled("relu")
_relu_deriv = compiled("relu_deriv")
_sgd_update = compiled("sgd_update")
_adam_update = compiled("adam_update")
_row_max, _shift, _logsumexp = map(
    compile_row, (rowwise_math.row_max, rowwise_math.shift, rowwise_math.logsumexp)
)
_exp_row = compile_row(rowwise_math.exp_row)
_scale_row = compile_row(rowwise_math.scale_row)
_cross_entropy_backward_row = compile_row(rowwise_math.cross_entropy_backward_row)


@njit(parallel=True, cache=True)
def _cross_entropy_kernel(logits, targets, losses, probs):
    """Row r of the (n, c) logits: probs = softmax(row), loss = logsumexp(row) - row[target].
    (Each row goes to the row functions as a 1-D view: base 0 and stride 1 are then constants
    LLVM can vectorize with.)"""
    n, c = logits.shape
    for r in prange(n):
        x, p = logits[r], probs[r]
        m = _shift(_row_max(x, 0, 1, 0, c, 1, ACC))
        s = _exp_row(x, 0, 1, p, 0, 1, 0, c, 1, m)
        _scale_row(p, 0, 1, 0, c, 1, s)
        losses[r] = _logsumexp(m, s) - np.float64(x[targets[r]])


@njit(parallel=True, cache=True)
def _cross_entropy_backward_kernel(probs, targets, grad_rows, out):
    n, c = probs.shape
    for r in prange(n):
        g = np.float64(grad_rows[r])
        _cross_entropy_backward_row(probs[r], 0, 1, out[r], 0, 1, 0, c, 1, targets[r], g)


def cross_entropy(logits, targets):
    logits = np.ascontiguousarray(logits)
    n, c = logits.shape
    losses = np.empty(n, logits.dtype)
    probs = np.empty((n, c), logits.dtype)
    if n and c:
        launch(
            _cross_entropy_kernel,
            n * c,
            logits,
            np.ascontiguousarray(targets, np.int64),
            losses,
            probs,
        )
    return losses, probs


def cross_entropy_backward(probs, targets, grad_rows):
    probs = np.ascontiguousarray(probs)
    out = np.empty(probs.shape, probs.dtype)
    if out.size:
        launch(
            _cross_entropy_backward_kernel,
            out.size,
            probs,
            np.ascontiguousarray(targets, np.int64),
            np.ascontiguousarray(grad_rows, probs.dtype),
            out,
        )
    return out


# ---------------------------------------------------------------- a hidden layer: relu(x W^T + b)

# Columns per parallel task of the backward kernel: float64 accumulators of the bias gradient.
COLUMNS = 128

# Work per element for launch()'s one-thread rule (GRAIN elements ~ 30 us): measured on one
# thread of the 2-core AVX-512 Xeon (2026-11-30), (128, 256) float32: bias + relu 6 us (0.2 ns an
# element), relu' + bias gradient 18-20 us (0.6 ns), so a layer of 32768 outputs is ~4x and ~2x
# below GRAIN's 30 us, where waking a passive OpenMP worker costs more than it saves.
FORWARD_COST, BACKWARD_COST = 0.25, 0.5


@njit(parallel=True, cache=True)
def _bias_relu_kernel(z, b):
    """z <- relu(z + b) in place, z (n, m) the product x W^T, b (m,) added to every row (in z's
    dtype, as ``z += b``; relu as calculus.relu, nan passes)."""
    n, m = z.shape
    for i in prange(n):
        row = z[i]
        for j in range(m):
            row[j] = _relu(np.float64(row[j] + b[j]))


@njit(parallel=True, cache=True)
def _relu_bias_backward_kernel(y, g, gz, db):
    """gz = g * relu'(y) (y = relu(z): y > 0 exactly where z > 0, and nan where z is nan, so
    relu'(y, y) = relu'(z, y); the product is exact: relu' is 0 or 1); db[j] = sum over rows of
    gz[:, j], in float64, row by row in order (the order of ``reduce("sum", gz, (0,))``).
    Each task owns COLUMNS columns and walks them as 0-based row slices, which LLVM vectorizes
    (indexing the full rows instead ran 3-5x slower)."""
    n, m = y.shape
    for t in prange((m + COLUMNS - 1) // COLUMNS):
        j0 = t * COLUMNS
        j1 = min(j0 + COLUMNS, m)
        acc = np.zeros(j1 - j0, np.float64)
        for i in range(n):
            yr, gr, out = y[i, j0:j1], g[i, j0:j1], gz[i, j0:j1]
            for j in range(j1 - j0):
                v = gr[j] * _relu_deriv(yr[j], yr[j])
                out[j] = v
                acc[j] += v
        for j in range(j1 - j0):
            db[j0 + j] = acc[j]


def linear_relu(x, w, b):
    """relu(x W^T + b) for x (n, in), w (out, in), b (out,): the product (``linear`` without a
    bias: BLAS or our matmul), then bias and relu in one pass over it, in place."""
    z = linear(x, w, None)
    if z.size:
        launch(_bias_relu_kernel, z.size * FORWARD_COST, z, np.ascontiguousarray(b, z.dtype))
    return z


def relu_bias_backward(y, grad):
    """(dL/dz, dL/db) of y = relu(z), z = x W^T + b, from grad = dL/dy (n, out): one pass."""
    y = np.ascontiguousarray(y)
    g = np.ascontiguousarray(grad, y.dtype)
    gz = np.empty(y.shape, y.dtype)
    db = np.zeros(y.shape[1], y.dtype)
    if gz.size:
        launch(_relu_bias_backward_kernel, gz.size * BACKWARD_COST, y, g, gz, db)
    return gz, db


# ---------------------------------------------------------------- optimizer updates (in place)


@njit(parallel=True, cache=True)
def _sgd_kernel(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    for i in prange(p.size):
        new_p, new_buf = _sgd_update(
            np.float64(p[i]),
            np.float64(g[i]),
            np.float64(buf[i]),
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            first_step,
        )
        p[i] = new_p
        buf[i] = new_buf


@njit(parallel=True, cache=True)
def _adam_kernel(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step):
    for i in prange(p.size):
        new_p, new_m, new_v = _adam_update(
            np.float64(p[i]),
            np.float64(g[i]),
            np.float64(m[i]),
            np.float64(v[i]),
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            step,
        )
        p[i] = new_p
        m[i] = new_m
        v[i] = new_v


def _flat(a):
    """A writable 1-D view of a contiguous array, or None."""
    return a.reshape(-1) if a.flags.c_contiguous else None


def _inplace(kernel, arrays, *scalars):
    """Run ``kernel`` on flat views; arrays that are not contiguous go through a copy."""
    flats = [
        _flat(a) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1) for a in arrays
    ]
    if flats[0].size:
        launch(kernel, flats[0].size, *flats, *scalars)
    for a, f in zip(arrays, flats, strict=True):
        if not a.flags.c_contiguous:
            a[...] = f.reshape(a.shape)


def _ready(p, g, *buffers):
    """True when p, g and the buffers are contiguous arrays of one shape and dtype: the common
    case (the optimizer has checked the gradient), launched on flat views without copies."""
    if g.shape != p.shape or g.dtype != p.dtype or not g.flags.c_contiguous:
        return False
    return all(a.flags.c_contiguous for a in (p, *buffers))


def sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    if _ready(p, g, buf):
        if p.size:
            args = (float(lr), float(momentum), float(dampening), float(weight_decay))
            flat = (p.reshape(-1), g.reshape(-1), buf.reshape(-1))
            launch(_sgd_kernel, p.size, *flat, *args, bool(nesterov), bool(first_step))
        return
    g = np.ascontiguousarray(np.broadcast_to(g, p.shape), p.dtype)
    _inplace(
        _sgd_kernel,
        [p, g, buf],
        float(lr),
        float(momentum),
        float(dampening),
        float(weight_decay),
        bool(nesterov),
        bool(first_step),
    )


def adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step):
    if _ready(p, g, m, v):
        if p.size:
            args = (float(lr), float(beta1), float(beta2), float(eps), float(weight_decay))
            flat = (p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1))
            launch(_adam_kernel, p.size, *flat, *args, int(step))
        return
    g = np.ascontiguousarray(np.broadcast_to(g, p.shape), p.dtype)
    _inplace(
        _adam_kernel,
        [p, g, m, v],
        float(lr),
        float(beta1),
        float(beta2),
        float(eps),
        float(weight_decay),
        int(step),
    )
