"""CPU kernels of the RMSprop and Adagrad updates (in place; SGD and Adam are in cpu_fused.py).

Each kernel reads p, g and the optimizer's buffers once and writes them once, per element the
math of ``calculus.rmsprop_update`` / ``calculus.adagrad_update`` in float64.
"""

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends.cpu_fused import _inplace
from scalargrad.matrix.backends.cpu_ops import compiled

_rmsprop_update = compiled("rmsprop_update")
_adagrad_update = compiled("adagrad_update")


@njit(parallel=True, cache=True)
def _rmsprop_kernel(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    for i in prange(p.size):
        new_p, new_sq, new_avg, new_buf = _rmsprop_update(
            np.float64(p[i]),
            np.float64(g[i]),
            np.float64(sq[i]),
            np.float64(g_avg[i]),
            np.float64(buf[i]),
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
        )
        p[i] = new_p
        sq[i] = new_sq
        g_avg[i] = new_avg
        buf[i] = new_buf


@njit(parallel=True, cache=True)
def _adagrad_kernel(p, g, s, clr, eps, weight_decay):
    for i in prange(p.size):
        new_p, new_s = _adagrad_update(
            np.float64(p[i]), np.float64(g[i]), np.float64(s[i]), clr, eps, weight_decay
        )
        p[i] = new_p
        s[i] = new_s


def rmsprop_step(p, g, sq, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered):
    g = np.ascontiguousarray(np.broadcast_to(g, p.shape), p.dtype)
    _inplace(
        _rmsprop_kernel,
        [p, g, sq, g_avg, buf],
        float(lr),
        float(alpha),
        float(eps),
        float(weight_decay),
        float(momentum),
        bool(centered),
    )


def adagrad_step(p, g, s, clr, eps, weight_decay):
    g = np.ascontiguousarray(np.broadcast_to(g, p.shape), p.dtype)
    _inplace(_adagrad_kernel, [p, g, s], float(clr), float(eps), float(weight_decay))
