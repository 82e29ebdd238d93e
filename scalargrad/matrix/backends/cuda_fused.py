"""Fused CUDA kernels: softmax + cross-entropy (forward and backward) and the optimizer updates.

Fusing means one kernel does what would otherwise be several passes over memory with temporary
arrays in between. Cross-entropy: one block per row, as the softmax kernels (``cuda_softmax.py``),
the row math from ``rowwise_math.py`` (the CPU's ``cpu_fused.py`` compiles the same functions).

Optimizer updates: one thread per element, one kernel per parameter, the math being
``calculus.sgd_update`` / ``calculus.adam_update`` compiled as device functions (they return
tuples, which device functions may do).
"""

import functools

from numba import cuda

from scalargrad import calculus
from scalargrad.matrix.backends import rowwise_math
from scalargrad.matrix.backends.cuda_memory import (
    block_size,
    empty,
    flat_to_offset,
    launch,
    launch_1d,
    operands,
    reshape,
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

    @cuda.jit
    def kernel(loss, probs, x, xr, xc, targets, ts, c):
        """One block per row of (n, c) logits: probs = softmax(row),
        loss = logsumexp(row) - row[target]."""
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        xb = row * xr
        m = _shift(block_max(shared, _row_max(x, xb, xc, t, c, threads, zero)))
        s = block_sum(shared, _exp_row(x, xb, xc, probs, row * c, 1, t, c, threads, m))
        _scale_row(probs, row * c, 1, t, c, threads, s)
        if t == 0:
            loss[row] = _logsumexp(m, s) - _typed(m, x[xb + targets[row * ts] * xc])

    return kernel


def cross_entropy(logits, targets):
    """Fused softmax + negative log-likelihood: (per-row losses (n,), probabilities (n, c))."""
    n, c = logits.shape
    loss, probs = empty((n,), logits.dtype), empty((n, c), logits.dtype)
    if n and c:
        x, _, (xr, xc) = strided(logits)
        td, _, (ts,) = strided(targets)
        threads = block_size(c, THREADS)
        launch(
            _cross_entropy_kernel(threads, logits.dtype.str),
            n,
            threads,
            *(loss, reshape(probs, (n * c,)), x, xr, xc, td, ts, c),
            shared=threads * logits.dtype.itemsize,
        )
    return loss, probs


@functools.cache
def _cross_entropy_backward_kernel(threads, dtype):
    _, zero, _ = scratch(dtype)

    @cuda.jit
    def kernel(out, p, pr, pc, targets, ts, g, gs, c):
        """One block per row of (n, c): (probs - onehot(target)) * grad_rows[row]."""
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        target = targets[row * ts]
        gv = _typed(zero, g[row * gs])  # the math in the input's dtype
        _cross_entropy_backward_row(p, row * pr, pc, out, row * c, 1, t, c, threads, target, gv)

    return kernel


def cross_entropy_backward(probs, targets, grad_rows):
    n, c = probs.shape
    out = empty((n, c), probs.dtype)
    if n and c:
        p, _, (pr, pc) = strided(probs)
        td, _, (ts,) = strided(targets)
        g, _, (gs,) = strided(grad_rows)
        threads = block_size(c, THREADS)
        launch(
            _cross_entropy_backward_kernel(threads, probs.dtype.str),
            n,
            threads,
            *(reshape(out, (n * c,)), p, pr, pc, td, ts, g, gs, c),
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
        float(lr),
        float(momentum),
        float(dampening),
        float(weight_decay),
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
        float(lr),
        float(beta1),
        float(beta2),
        float(eps),
        float(weight_decay),
        float(step),
    )
