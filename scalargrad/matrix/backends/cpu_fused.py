"""Fused CPU kernels: softmax + cross-entropy (forward and backward) and the optimizer updates.

Fusing means one pass over memory instead of several: cross-entropy computes each row's max,
log-sum-exp, probabilities and loss while the row is in cache, and an optimizer step reads
p, g and its buffers once and writes them once. The per-element math comes from calculus.py.
"""

import math

import numpy as np
from numba import njit, prange

from scalargrad import calculus
from scalargrad.matrix.backends.cpu_strides import launch

_exp = njit(cache=True)(calculus.exp)
_log = njit(cache=True)(calculus.log)
_maximum = njit(cache=True)(calculus.maximum)
_sgd_update = njit(cache=True)(calculus.sgd_update)
_adam_update = njit(cache=True)(calculus.adam_update)


@njit(parallel=True, cache=True)
def _cross_entropy_kernel(logits, targets, losses, probs):
    """Row r: probs = softmax(logits[r]); loss = logsumexp(logits[r]) - logits[r, target]."""
    n, c = logits.shape
    for r in prange(n):
        m = -math.inf
        for j in range(c):
            m = _maximum(m, np.float64(logits[r, j]))
        if m == math.inf or m == -math.inf:
            m = 0.0
        total = 0.0
        for j in range(c):
            e = _exp(np.float64(logits[r, j]) - m)
            probs[r, j] = e
            total += e
        for j in range(c):
            probs[r, j] = probs[r, j] / total
        losses[r] = _log(total) + m - np.float64(logits[r, targets[r]])


@njit(parallel=True, cache=True)
def _cross_entropy_backward_kernel(probs, targets, grad_rows, out):
    n, c = probs.shape
    for r in prange(n):
        g = grad_rows[r]
        for j in range(c):
            out[r, j] = probs[r, j] * g
        out[r, targets[r]] = (probs[r, targets[r]] - 1.0) * g


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


def sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
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
