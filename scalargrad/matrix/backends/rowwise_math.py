"""The softmax family's math, written once as plain float loops over a row.

softmax, log_softmax, logsumexp, their backward passes and cross-entropy all work on one *row*:
the elements along the softmax axis. These functions are that math and nothing else, like the
element-wise functions of ``scalargrad/calculus.py``: plain Python on floats that both backends
compile, the CPU one with ``numba.njit`` and the CUDA one with ``cuda.jit(device=True)``.

A row is ``n`` elements of a 1-D buffer, element k at ``base + k * stride`` (any strided view).
Each loop visits ``k = first, first + step, ...``: the CPU calls them with ``first=0, step=1``
(one thread does the whole row), the CUDA kernels with ``first=threadIdx, step=blockDim`` (a block
of threads shares the row, and the kernel combines their partial results). GPU device functions
cannot allocate arrays, so the functions return scalars or write into the output row in place.
The math runs in the type of an accumulator the caller chooses (the ``zero`` argument of
``row_max`` / ``row_sum`` / ``row_dot``; the later functions take that type from m, s or g): the
CPU passes a float64 0.0 for every input dtype (float64 costs a CPU nothing over float32, and one
rounding when storing keeps float32 rows as close to the float64 reference as they can be); the
GPU passes a zero of the input's dtype, since consumer GPUs run float64 at 1/32-1/64 of the
float32 rate. ``calculus.typed`` keeps every constant and element read in that type.

The math (m: the row's max, the shift that keeps exp from overflowing):

    logsumexp(x)         = m + log(sum_k exp(x_k - m))                 (m = 0 if it is +-inf/nan)
    softmax(x)_k         = exp(x_k - m) / sum_j exp(x_j - m)
    log_softmax(x)_k     = x_k - logsumexp(x)
    softmax backward     = y_k (g_k - sum_j g_j y_j)                   (y = softmax(x))
    log_softmax backward = g_k - exp(y_k) sum_j g_j                    (y = log_softmax(x))
    cross-entropy        = logsumexp(x) - x_target;  backward (p_k - [k = target]) g

The scalar functions ``calculus.exp`` / ``log`` / ``maximum`` (inf instead of OverflowError, -inf
at 0, nan propagated; their constants in the argument's type) are registered with
``register_jitable`` so compiled rows can call them.
Derivations: docs/derivations/softmax.md, log_softmax.md, logsumexp.md, cross_entropy.md.
"""

import math

from numba.extending import register_jitable

from scalargrad import calculus

for _f in (calculus.exp, calculus.log, calculus.maximum):
    register_jitable(_f)  # callable from compiled code; the function itself is unchanged


typed = calculus.typed  # a constant in the accumulator's type (compiled: a cast)
exp, log, maximum = calculus.exp, calculus.log, calculus.maximum


def row_max(x, base, stride, first, n, step, zero):
    """max_k x_k (nan if any is nan; -inf for no element), in zero's type."""
    m = typed(zero, -math.inf)
    for k in range(first, n, step):
        m = maximum(m, typed(zero, x[base + k * stride]))
    return m


def shift(m):
    """The max to subtract: m itself, or 0 when it is +-inf or nan (so that an all -inf row gives
    exp(-inf) = 0 terms, not -inf - -inf = nan)."""
    if math.isfinite(m):
        return m
    return typed(m, 0.0)


def sum_exp(x, base, stride, first, n, step, m):
    """sum_k exp(x_k - m)."""
    s = typed(m, 0.0)
    for k in range(first, n, step):
        s += exp(typed(m, x[base + k * stride]) - m)
    return s


def logsumexp(m, s):
    """log(sum_k exp(x_k)) from the shift m and s = sum_k exp(x_k - m): -inf for an all -inf
    row (s = 0)."""
    return log(s) + m


def softmax_row(x, xb, xk, out, ob, ok, first, n, step, m, s):
    """out_k = exp(x_k - m) / s."""
    for k in range(first, n, step):
        out[ob + k * ok] = exp(typed(m, x[xb + k * xk]) - m) / s


def log_softmax_row(x, xb, xk, out, ob, ok, first, n, step, lse):
    """out_k = x_k - logsumexp(x)."""
    for k in range(first, n, step):
        out[ob + k * ok] = typed(lse, x[xb + k * xk]) - lse


def row_sum(g, gb, gk, first, n, step, zero):
    """sum_k g_k (the log_softmax backward's sum), in zero's type."""
    s = zero
    for k in range(first, n, step):
        s += typed(zero, g[gb + k * gk])
    return s


def row_dot(g, gb, gk, y, yb, yk, first, n, step, zero):
    """sum_k g_k y_k (the softmax backward's sum), in zero's type."""
    s = zero
    for k in range(first, n, step):
        s += typed(zero, g[gb + k * gk]) * typed(zero, y[yb + k * yk])
    return s


def softmax_backward_row(y, yb, yk, g, gb, gk, out, ob, ok, first, n, step, s):
    """out_k = y_k (g_k - s), s = sum_j g_j y_j."""
    for k in range(first, n, step):
        out[ob + k * ok] = typed(s, y[yb + k * yk]) * (typed(s, g[gb + k * gk]) - s)


def log_softmax_backward_row(y, yb, yk, g, gb, gk, out, ob, ok, first, n, step, s):
    """out_k = g_k - exp(y_k) s, s = sum_j g_j."""
    for k in range(first, n, step):
        out[ob + k * ok] = typed(s, g[gb + k * gk]) - exp(typed(s, y[yb + k * yk])) * s


def exp_row(x, xb, xk, out, ob, ok, first, n, step, m):
    """out_k = exp(x_k - m); returns their sum. With ``scale_row`` after it: softmax with one exp
    per element instead of two, at the cost of rounding exp(x_k - m) to out's dtype once more
    (what the fused cross-entropy does)."""
    s = typed(m, 0.0)
    for k in range(first, n, step):
        e = exp(typed(m, x[xb + k * xk]) - m)
        out[ob + k * ok] = e
        s += e
    return s


def scale_row(out, ob, ok, first, n, step, s):
    """out_k = out_k / s."""
    for k in range(first, n, step):
        out[ob + k * ok] = out[ob + k * ok] / s


def cross_entropy_backward_row(p, pb, pk, out, ob, ok, first, n, step, target, g):
    """out_k = (p_k - [k = target]) g: the gradient of logsumexp(x) - x_target, times g (the
    math in g's type)."""
    for k in range(first, n, step):
        out[ob + k * ok] = typed(g, p[pb + k * pk]) * g
    if first <= target < n and (target - first) % step == 0:  # this caller's element
        out[ob + target * ok] = (typed(g, p[pb + target * pk]) - typed(g, 1.0)) * g
