"""The element-wise op tables of the CPU kernels: op code -> calculus.py function.

Each op of the backend interface has a small integer code (its index in the tuples below). A
kernel receives the code and calls one of these dispatchers per element; the float math is the
``scalargrad/calculus.py`` function of that name compiled with ``numba.njit`` (once, for float64),
so nothing here re-derives a formula. The ``*_row`` functions do the same over a contiguous row
with the op test outside the loop, which lets LLVM vectorize the loop.
"""

import functools

import numpy as np
from numba import njit

from scalargrad import calculus

UNARY_OPS = (
    "neg",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "softplus",
    "abs",
    "sqrt",
    "sin",
    "cos",
)
BINARY_OPS = ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
COMPARE_OPS = ("eq", "ne", "lt", "le", "gt", "ge")
LOSS_OPS = (
    "squared_error",
    "absolute_error",
    "smooth_l1",
    "binary_cross_entropy",
    "bce_with_logits",
)


@functools.cache
def compiled(name):
    """``calculus.<name>`` compiled with ``numba.njit``: once for the whole CPU backend (the
    reduction and fused kernels import it from here too)."""
    return njit(cache=True)(getattr(calculus, name))


_jit = compiled


_neg, _exp, _log, _tanh, _sigmoid, _relu, _softplus, _abs, _sqrt, _sin, _cos = map(_jit, UNARY_OPS)
(
    _neg_d,
    _exp_d,
    _log_d,
    _tanh_d,
    _sigmoid_d,
    _relu_d,
    _softplus_d,
    _abs_d,
    _sqrt_d,
    _sin_d,
    _cos_d,
) = (_jit(op + "_deriv") for op in UNARY_OPS)
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
    elif code == 8:
        return _sqrt(x)
    elif code == 9:
        return _sin(x)
    return _cos(x)


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
    elif code == 8:
        return _sqrt_d(x, y)
    elif code == 9:
        return _sin_d(x, y)
    return _cos_d(x, y)


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


@njit(cache=True)
def unary_row(code, x, out):
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
    elif code == 8:
        for j in range(out.size):
            out[j] = _sqrt(np.float64(x[j]))
    elif code == 9:
        for j in range(out.size):
            out[j] = _sin(np.float64(x[j]))
    else:
        for j in range(out.size):
            out[j] = _cos(np.float64(x[j]))


@njit(cache=True)
def unary_backward_row(code, x, y, g, out):
    """out[j] = g[j] * op_deriv(x[j], y[j]) on contiguous 1-D slices (as ``unary_row``)."""
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
    elif code == 8:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sqrt_d(np.float64(x[j]), np.float64(y[j]))
    elif code == 9:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sin_d(np.float64(x[j]), np.float64(y[j]))
    else:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _cos_d(np.float64(x[j]), np.float64(y[j]))
