"""Fused CUDA kernels: softmax + cross-entropy (forward and backward) and the optimizer updates.

Fusing means one kernel does what would otherwise be several passes over memory with temporary
arrays in between. Cross-entropy: one block per row, as the softmax kernels (``cuda_softmax.py``),
the row math from ``rowwise_math.py`` (the CPU's ``cpu_fused.py`` compiles the same functions).

Optimizer updates: one thread per element, one kernel per parameter, the math being
``calculus.sgd_update`` / ``calculus.adam_update`` compiled as device functions (they return
tuples, which device functions may do).
"""

import functools

import numpy as np
from numba import cuda

from scalargrad import calculus
from scalargrad.matrix.backends import rowwise_math
from scalargrad.matrix.backends.cuda_memory import (
    CROSS_ENTROPY_TARGET,
    block_size,
    empty,
    flat,
    flat_to_offset,
    kernel_errors,
    launch,
    launch_1d,
    operands,
    strided,
)
from scalargrad.matrix.backends.cuda_softmax import (
    THREADS,
    block_max,
    block_sum,
    compile_row,
    scratch,
)

_row_max, _shift, _logsumexp, _exp_row, _scale_row, _cross_entropy_backward_row = map(
    compile_row,
    (
        rowwise_math.row_max,
        rowwise_math.shift,
        rowwise_math.logsumexp,
        rowwise_math.exp_row,
        rowwise_math.scale_row,
        rowwise_math.cross_entropy_backward_row,
    ),
)
_typed = rowwise_math.typed  # (compiled through its numba overload: a cast)


@functools.cache
def _cross_entropy_kernel(threads, dtype):
    acc, zero, _ = scratch(dtype)  # the row math in the logits' dtype (cuda_softmax.py)
    nan = zero.dtype.type(np.nan)

    @cuda.jit
    def kernel(loss, probs, counted, x, xr, xc, targets, ts, c, ignore, errors):
        """One block per row of (n, c) logits: probs = softmax(row), loss = logsumexp(row) -
        row[target], counted = 1; for target == ignore: loss 0, counted 0. A target outside
        [0, c) is recorded in ``errors`` (cuda_memory.kernel_errors) and its loss is nan."""
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        xb = row * xr
        m = _shift(block_max(shared, _row_max(x, xb, xc, t, c, threads, zero)))
        s = block_sum(shared, _exp_row(x, xb, xc, probs, row * c, 1, t, c, threads, m))
        _scale_row(probs, row * c, 1, t, c, threads, s)
        if t == 0:
            y = targets[row * ts]
            counted[row] = zero if y == ignore else zero + 1
            if y == ignore:
                loss[row] = zero
            elif 0 <= y < c:
                loss[row] = _logsumexp(m, s) - _typed(m, x[xb + y * xc])
            else:  # (any bad row may win the race to the record: one is reported)
                loss[row] = nan
                errors[1] = y
                errors[2] = c
                errors[3] = row
                errors[0] = CROSS_ENTROPY_TARGET

    return kernel


def cross_entropy(logits, targets, ignore_index=None):
    """Fused softmax + negative log-likelihood: (per-row losses (n,), probabilities (n, c)).

    With ``ignore_index`` (an int), rows whose target equals it get loss 0, and a third result
    counted (n,) (0.0 for those rows, else 1.0) gives the mean's divisor on the device. The
    targets are never read on the host: one outside [0, c) is reported by the kernel and raised
    at the next read of a result (``cuda_memory.kernel_errors``)."""
    n, c = logits.shape
    loss, probs = empty((n,), logits.dtype), empty((n, c), logits.dtype)
    # (without ignore_index nobody reads counted: the kernel writes it into loss, and the same
    # thread overwrites it with the row's loss right after, which saves an allocation)
    counted = loss if ignore_index is None else empty((n,), logits.dtype)
    if n and c:
        x, _, (xr, xc) = strided(logits)
        td, _, (ts,) = strided(targets)
        threads = block_size(c, THREADS)
        ignore = -(2**63) if ignore_index is None else int(ignore_index)  # (no int64 equals it:
        # a target of -2**63 is out of bounds and reported)
        launch(
            _cross_entropy_kernel(threads, logits.dtype.str),
            n,
            threads,
            *(loss, flat(probs), counted, x, xr, xc, td, ts, c, ignore),
            kernel_errors(),
            shared=threads * logits.dtype.itemsize,
        )
    return (loss, probs) if ignore_index is None else (loss, probs, counted)


@functools.cache
def _cross_entropy_backward_kernel(threads, dtype):
    _, zero, _ = scratch(dtype)

    @cuda.jit
    def kernel(out, p, pr, pc, targets, ts, g, gs, c, ignore):
        """One block per row of (n, c): (probs - onehot(target)) * grad_rows[row]; 0 for a row
        whose target is ``ignore``."""
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        target = targets[row * ts]
        gv = _typed(zero, g[row * gs])  # the math in the input's dtype
        if target == ignore:
            gv = zero
        _cross_entropy_backward_row(p, row * pr, pc, out, row * c, 1, t, c, threads, target, gv)

    return kernel


def cross_entropy_backward(probs, targets, grad_rows, ignore_index=None):
    n, c = probs.shape
    out = empty((n, c), probs.dtype)
    if n and c:
        p, _, (pr, pc) = strided(probs)
        td, _, (ts,) = strided(targets)
        g, _, (gs,) = strided(grad_rows)
        threads = block_size(c, THREADS)
        ignore = -(2**63) if ignore_index is None else int(ignore_index)
        launch(
            _cross_entropy_backward_kernel(threads, probs.dtype.str),
            n,
            threads,
            *(flat(out), p, pr, pc, td, ts, g, gs, c, ignore),
        )
    return out


# ---------------------------------------------------------------- optimizer updates

_sgd = cuda.jit(device=True)(calculus.sgd_update)
_adam = cuda.jit(device=True)(calculus.adam_update)


@cuda.jit
def _sgd_kernel(
    p,
    ps,
    g,
    gs,
    buf,
    bs,
    shape,
    n,
    lr,
    momentum,
    dampening,
    weight_decay,
    nesterov,
    first_step,
):
    i = cuda.grid(1)
    if i < n:
        kp = flat_to_offset(i, shape, ps)
        kb = flat_to_offset(i, shape, bs)
        new_p, new_b = _sgd(
            p[kp],
            g[flat_to_offset(i, shape, gs)],
            buf[kb],
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            first_step,
        )
        p[kp] = new_p
        buf[kb] = new_b


def sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    """In place, one thread per element: p and the momentum buffer ``buf`` updated."""
    if not p.size:
        return
    (pd, gd, bd), shape, (ps, gs, bs) = operands(p, g, buf)
    to = p.dtype.type  # the hyperparameters in p's dtype: a float32 update computes in float32
    launch(
        _sgd_kernel,
        *launch_1d(p.size),
        pd,
        ps,
        gd,
        gs,
        bd,
        bs,
        shape,
        p.size,
        to(lr),
        to(momentum),
        to(dampening),
        to(weight_decay),
        bool(nesterov),
        bool(first_step),
    )


@cuda.jit
def _adam_kernel(p, ps, g, gs, m, ms, v, vs, shape, n, lr, beta1, beta2, eps, weight_decay, step):
    i = cuda.grid(1)
    if i < n:
        kp = flat_to_offset(i, shape, ps)
        km = flat_to_offset(i, shape, ms)
        kv = flat_to_offset(i, shape, vs)
        new_p, new_m, new_v = _adam(
            p[kp],
            g[flat_to_offset(i, shape, gs)],
            m[km],
            v[kv],
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            step,
        )
        p[kp] = new_p
        m[km] = new_m
        v[kv] = new_v


def adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, step):
    """In place, one thread per element: p, the first moment m and the second moment v."""
    if not p.size:
        return
    (pd, gd, md, vd), shape, (ps, gs, ms, vs) = operands(p, g, m, v)
    to = p.dtype.type  # the hyperparameters in p's dtype: a float32 update computes in float32
    launch(
        _adam_kernel,
        *launch_1d(p.size),
        pd,
        ps,
        gd,
        gs,
        md,
        ms,
        vd,
        vs,
        shape,
        p.size,
        to(lr),
        to(beta1),
        to(beta2),
        to(eps),
        to(weight_decay),
        to(step),
    )
