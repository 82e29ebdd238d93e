"""CUDA kernels of the RMSprop and Adagrad updates (in place; SGD and Adam are in cuda_fused.py).

One thread per element, one kernel per parameter; the math is ``calculus.rmsprop_update`` /
``calculus.adagrad_update`` compiled as device functions, in the parameter's dtype.
"""

from numba import cuda

from scalargrad import calculus
from scalargrad.matrix.backends.cuda_memory import flat_to_offset, launch, launch_1d, operands

_rmsprop = cuda.jit(device=True)(calculus.rmsprop_update)
_adagrad = cuda.jit(device=True)(calculus.adagrad_update)


@cuda.jit
def _rmsprop_kernel(
    p, ps, g, gs, sq, ss, a, as_, b, bs, shape, n, lr, alpha, eps, wd, momentum, centered
):
    i = cuda.grid(1)
    if i < n:
        kp = flat_to_offset(i, shape, ps)
        ks = flat_to_offset(i, shape, ss)
        ka = flat_to_offset(i, shape, as_)
        kb = flat_to_offset(i, shape, bs)
        new_p, new_sq, new_a, new_b = _rmsprop(
            p[kp],
            g[flat_to_offset(i, shape, gs)],
            sq[ks],
            a[ka],
            b[kb],
            lr,
            alpha,
            eps,
            wd,
            momentum,
            centered,
        )
        p[kp] = new_p
        sq[ks] = new_sq
        a[ka] = new_a
        b[kb] = new_b


def rmsprop_step(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    """In place, one thread per element: p, the square average, the gradient average (used when
    centered) and the momentum buffer (used when momentum > 0)."""
    if not p.size:
        return
    (pd, gd, sd, ad, bd), shape, (ps, gs, ss, as_, bs) = operands(p, g, sq, g_avg, buf)
    to = p.dtype.type  # the hyperparameters in p's dtype: a float32 update computes in float32
    launch(
        _rmsprop_kernel,
        *launch_1d(p.size),
        *(pd, ps, gd, gs, sd, ss, ad, as_, bd, bs, shape, p.size),
        *(to(lr), to(alpha), to(eps), to(weight_decay), to(momentum), bool(centered)),
    )


@cuda.jit
def _adagrad_kernel(p, ps, g, gs, s, ss, shape, n, clr, eps, wd):
    i = cuda.grid(1)
    if i < n:
        kp = flat_to_offset(i, shape, ps)
        ks = flat_to_offset(i, shape, ss)
        new_p, new_s = _adagrad(p[kp], g[flat_to_offset(i, shape, gs)], s[ks], clr, eps, wd)
        p[kp] = new_p
        s[ks] = new_s


def adagrad_step(p, g, s, clr, eps, weight_decay):
    """In place, one thread per element: p and the sum of squared gradients s."""
    if not p.size:
        return
    (pd, gd, sd), shape, (ps, gs, ss) = operands(p, g, s)
    to = p.dtype.type
    launch(
        _adagrad_kernel,
        *launch_1d(p.size),
        *(pd, ps, gd, gs, sd, ss, shape, p.size, to(clr), to(eps), to(weight_decay)),
    )
