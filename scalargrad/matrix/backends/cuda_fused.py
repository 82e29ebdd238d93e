"""Fused CUDA kernels: softmax family, cross-entropy, and the optimizer updates.

Fusing means one kernel does what would otherwise be several passes over memory with temporary
arrays in between (max, subtract, exp, sum, divide for softmax).

Row kernels (softmax, log_softmax, logsumexp, their backward passes, cross_entropy): the axis is
seen as rows (``cuda_reduce.rows``: a permute view, no copy) and **one block of ``THREADS``
threads handles one row** (fewer threads, a power of two, for short rows). Thread t visits
elements t, t + THREADS, ... of the row (a row of any length), and the block combines the
threads' partial results with the shared-memory tree of
``block_reduce`` (log2(THREADS) halving steps, a barrier after each, reached by every thread).
The row is read three times (max, sum of exponentials, write) but never stored in between.

Optimizer updates: one thread per element, one kernel per parameter, the math being
``calculus.sgd_update`` / ``calculus.adam_update`` compiled as device functions (they return
tuples, which device functions may do).
"""

import functools
import math

import numpy as np
from numba import cuda
from numba.np import numpy_support

from scalargrad import calculus
from scalargrad.matrix.backends.cuda_memory import (
    block_size,
    empty,
    fill,
    flat_to_offset,
    launch,
    launch_1d,
    operands,
    reshape,
    strided,
)
from scalargrad.matrix.backends.cuda_reduce import rows

THREADS = 128  # threads per row block: a power of two (the tree halves it)


@functools.cache
def block_reduce(f):
    """Device function ``reduce(shared, value)``: called by every thread of the block with its own
    value, returns the combination f(., .) of all of them to every thread."""

    @cuda.jit(device=True)
    def reduce(shared, value):
        t = cuda.threadIdx.x
        shared[t] = value
        cuda.syncthreads()
        step = cuda.blockDim.x // 2
        while step > 0:
            if t < step:
                shared[t] = f(shared[t], shared[t + step])
            cuda.syncthreads()
            step //= 2
        result = shared[0]
        cuda.syncthreads()  # everyone has read shared[0] before it is reused
        return result

    return reduce


@functools.cache
def row_math(dtype):
    """(exp, log, row_max_and_sum, block_sum) for rows of ``dtype``, computing in that dtype.

    All arithmetic stays in the input's dtype (float32 for float32 input, as the CPU kernels):
    float64 runs at 1/32 to 1/64 of the float32 rate on consumer GPUs. calculus.exp/maximum are
    not used here because their special branches return float64 constants (math.inf, math.nan),
    which makes numba compute the whole expression in float64. The sums are over exp(x - max),
    terms in (0, 1], so float32 keeps ~7 significant digits for any realistic row length.
    """
    inf = np.dtype(dtype).type(np.inf)
    zero = np.dtype(dtype).type(0)
    # above this e^x overflows (the simulator's math.exp would raise OverflowError, a GPU gives inf)
    top = np.dtype(dtype).type(np.log(np.finfo(dtype).max))

    @cuda.jit(device=True)
    def exp(x):
        if x > top:
            return inf
        return math.exp(x)

    @cuda.jit(device=True)
    def log(x):  # -inf at 0 (a row of -inf has s = 0), nan below, as calculus.log
        if x > zero:
            return math.log(x)
        if x == zero:
            return -inf
        return x - x + (x - x) / zero  # nan (x is nan or negative)

    @cuda.jit(device=True)
    def maximum(a, b):  # nan if either is nan, as calculus.maximum
        if a != a or b != b:
            return a + b
        return a if a >= b else b

    @cuda.jit(device=True)
    def add(a, b):
        return a + b

    block_max, block_sum = block_reduce(maximum), block_reduce(add)

    @cuda.jit(device=True)
    def row_max_and_sum(shared, x, xb, xk, k_total):
        """(m, s): the row's max (0 when it is +-inf or nan, as the reference) and the sum of
        exp(x - m)."""
        t = cuda.threadIdx.x
        m = -inf
        for k in range(t, k_total, cuda.blockDim.x):
            m = maximum(m, x[xb + k * xk])
        m = block_max(shared, m)
        if not math.isfinite(m):
            m = zero
        s = zero
        for k in range(t, k_total, cuda.blockDim.x):
            s += exp(x[xb + k * xk] - m)
        return m, block_sum(shared, s)

    return exp, log, row_max_and_sum, block_sum


def _scratch_type(dtype):
    """(numba type, zero) of the shared-memory scratch of a row kernel for this input dtype."""
    return numpy_support.from_dtype(np.dtype(dtype)), np.dtype(dtype).type(0)


@functools.cache
def _softmax_kernel(kind, threads, dtype):
    """kind: softmax, log_softmax or logsumexp (one output per row); ``threads`` per block."""
    acc, zero = _scratch_type(dtype)
    exp, log, row_max_and_sum, _ = row_math(dtype)

    @cuda.jit
    def kernel(out, ostr, ok, x, oshape, xstr, xk, k_total):
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        xb = flat_to_offset(row, oshape, xstr)
        ob = flat_to_offset(row, oshape, ostr)
        m, s = row_max_and_sum(shared, x, xb, xk, k_total)
        # s >= 1 (the max's own term is e^0), or 0 for a row of -inf, or nan
        if kind == 2:  # logsumexp
            if t == 0:
                out[ob] = log(s) + m
        else:
            log_s = log(s)
            for k in range(t, k_total, threads):
                z = x[xb + k * xk] - m
                if kind == 0:  # softmax
                    out[ob + k * ok] = exp(z) / s
                else:  # log_softmax
                    out[ob + k * ok] = z - log_s

    return kernel


_KINDS = {"softmax": 0, "log_softmax": 1, "logsumexp": 2}


def _row_op(kind, a, axis, out_shape):
    axis = int(axis)
    out = empty(out_shape, a.dtype)
    x, oshape, xstr, _, (xk,), m, k = rows(a, (axis,))
    od, _, ostr, _, (ok,), _, _ = rows(out, (axis,))  # logsumexp: out's axis has length 1
    if m and k:
        threads = block_size(k, THREADS)
        launch(
            _softmax_kernel(_KINDS[kind], threads, a.dtype.str),
            m,
            threads,
            od,
            ostr,
            ok,
            x,
            oshape,
            xstr,
            xk,
            k,
            shared=threads * a.dtype.itemsize,
        )
    elif m and kind == "logsumexp":
        fill(out, -np.inf)
    return out


def softmax(a, axis):
    """exp(a - max) / sum(exp(a - max)) along ``axis``."""
    return _row_op("softmax", a, axis, a.shape)


def log_softmax(a, axis):
    """a - logsumexp(a) along ``axis``."""
    return _row_op("log_softmax", a, axis, a.shape)


def logsumexp(a, axis, keepdim):
    """log(sum(exp(a))) along ``axis``, computed as max + log(sum(exp(a - max)))."""
    axis = int(axis)
    shape = tuple(1 if d == axis else n for d, n in enumerate(a.shape))
    out = _row_op("logsumexp", a, axis, shape)
    return out if keepdim else reshape(out, tuple(n for d, n in enumerate(a.shape) if d != axis))


@functools.cache
def _softmax_backward_kernel(log, threads, dtype):
    """softmax: y * (grad - sum(grad * y));  log_softmax: grad - exp(y) * sum(grad)."""
    acc, zero = _scratch_type(dtype)
    exp, _, _, block_sum = row_math(dtype)

    @cuda.jit
    def kernel(out, ostr, ok, y, ystr, yk, g, gstr, gk, oshape, k_total):
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        yb = flat_to_offset(row, oshape, ystr)
        gb = flat_to_offset(row, oshape, gstr)
        ob = flat_to_offset(row, oshape, ostr)
        s = zero
        for k in range(t, k_total, threads):
            if log:
                s += g[gb + k * gk]
            else:
                s += g[gb + k * gk] * y[yb + k * yk]
        s = block_sum(shared, s)
        for k in range(t, k_total, threads):
            yv = y[yb + k * yk]
            gv = g[gb + k * gk]
            if log:
                out[ob + k * ok] = gv - exp(yv) * s
            else:
                out[ob + k * ok] = yv * (gv - s)

    return kernel


def _softmax_backward(log, y, grad, axis):
    out = empty(y.shape, y.dtype)
    yd, oshape, ystr, _, (yk,), m, k = rows(y, (axis,))
    gd, _, gstr, _, (gk,), _, _ = rows(grad, (axis,))
    od, _, ostr, _, (ok,), _, _ = rows(out, (axis,))
    if m and k:
        threads = block_size(k, THREADS)
        kernel = _softmax_backward_kernel(log, threads, y.dtype.str)
        launch(
            kernel,
            m,
            threads,
            *(od, ostr, ok, yd, ystr, yk, gd, gstr, gk, oshape, k),
            shared=threads * y.dtype.itemsize,
        )
    return out


def softmax_backward(y, grad, axis):
    return _softmax_backward(False, y, grad, int(axis))


def log_softmax_backward(y, grad, axis):
    return _softmax_backward(True, y, grad, int(axis))


# ---------------------------------------------------------------- cross-entropy


@functools.cache
def _cross_entropy_kernel(threads, dtype):
    acc, _ = _scratch_type(dtype)
    exp, log, row_max_and_sum, _ = row_math(dtype)

    @cuda.jit
    def kernel(loss, probs, x, xr, xc, targets, ts, c_total):
        """One block per row of (n, c) logits: probs = softmax(row),
        loss = logsumexp(row) - row[target]."""
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        shared = cuda.shared.array(threads, acc)
        xb = row * xr
        m, s = row_max_and_sum(shared, x, xb, xc, c_total)
        for k in range(t, c_total, threads):
            probs[row * c_total + k] = exp(x[xb + k * xc] - m) / s
        if t == 0:
            loss[row] = log(s) + m - x[xb + targets[row * ts] * xc]

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


@cuda.jit
def _cross_entropy_backward_kernel(out, p, pr, pc, targets, ts, g, gs, c_total):
    """One thread per element of (n, c): (probs - onehot(target)) * grad_rows[row]."""
    i = cuda.grid(1)
    if i < out.size:
        row, col = i // c_total, i % c_total
        d = p[row * pr + col * pc]
        if targets[row * ts] == col:
            d -= 1
        out[i] = d * g[row * gs]


def cross_entropy_backward(probs, targets, grad_rows):
    n, c = probs.shape
    out = empty((n, c), probs.dtype)
    if n and c:
        p, _, (pr, pc) = strided(probs)
        td, _, (ts,) = strided(targets)
        g, _, (gs,) = strided(grad_rows)
        launch(
            _cross_entropy_backward_kernel,
            *launch_1d(n * c),
            reshape(out, (n * c,)),
            p,
            pr,
            pc,
            td,
            ts,
            g,
            gs,
            c,
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
    has_buf,
):
    i = cuda.grid(1)
    if i < n:
        kp = flat_to_offset(i, shape, ps)
        kb = flat_to_offset(i, shape, bs)
        b = buf[kb] if has_buf else 0.0
        new_p, new_b = _sgd(
            p[kp],
            g[flat_to_offset(i, shape, gs)],
            b,
            lr,
            momentum,
            dampening,
            weight_decay,
            nesterov,
            first_step,
        )
        p[kp] = new_p
        if has_buf:
            buf[kb] = new_b


def sgd_step(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, first_step):
    """In place, one thread per element: p (and the momentum buffer, if given) updated."""
    if not p.size:
        return
    has_buf = buf is not None
    (pd, gd, bd), shape, (ps, gs, bs) = operands(p, g, buf if has_buf else p)
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
        has_buf,
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
