"""The element-wise op tables of the CPU kernels: op code -> calculus.py function.

Each op of the backend interface has a small integer code: its position in ``UNARY_OPS`` /
``BINARY_OPS``, which are the registry's order (``scalargrad/primitives.py``), so no code is
counted by hand. A kernel receives the code and calls one of these dispatchers per element; the
float math is the registry's calculus function compiled with ``numba.njit`` (once, for float64),
so nothing here re-derives a formula. The ``*_row`` functions do the same over a contiguous row
with the op test outside the loop, which lets LLVM vectorize the loop.

A numba kernel cannot index a table of functions at run time without losing inlining (and the
loops' vectorization), so each dispatcher is an ``if`` per op. The unary dispatchers are
``inline="always"``: a kernel built for one op (``cpu_elementwise._unary_kernel(code)``, where
``code`` is a constant) gets their body pasted in, numba's dead-branch pruning drops every branch
but that op's before anything is compiled, and the kernel compiles one op's loop, not all of them
(the first MLP step then compiles relu alone: a faster cold start). Adding a primitive adds one
branch to each of the four unary (or three binary) dispatchers; ``tests/test_op_registry.py``
fails, naming the op, until every registry op has its branch.
"""

import functools

import numpy as np
from numba import njit

from scalargrad import calculus, primitives

UNARY_OPS = primitives.UNARY_NAMES
BINARY_OPS = primitives.BINARY_NAMES
COMPARE_OPS = ("eq", "ne", "lt", "le", "gt", "ge")
LOSS_OPS = (
    "squared_error",
    "absolute_error",
    "smooth_l1",
    "binary_cross_entropy",
    "bce_with_logits",
)


def compiled(fn):
    """A calculus function compiled with ``numba.njit``, once for the whole CPU backend (the
    reduction and fused kernels import it from here too); ``fn`` may be given by its name."""
    if isinstance(fn, str):
        fn = getattr(calculus, fn)
    return _compile_once(fn)


@functools.cache
def _compile_once(fn):
    return njit(cache=True)(fn)


_jit = compiled


def _unary_fns(name):
    """The registry's f and f' for unary op ``name``, compiled."""
    prim = primitives.get(name)
    return _jit(prim.value), _jit(prim.derivs[0])


def _binary_fns(name):
    """The registry's f, df/dx and df/dy for binary op ``name``, compiled."""
    prim = primitives.get(name)
    return _jit(prim.value), _jit(prim.derivs[0]), _jit(prim.derivs[1])


# op codes: positions in the registry's order
NEG = UNARY_OPS.index("neg")
EXP = UNARY_OPS.index("exp")
LOG = UNARY_OPS.index("log")
TANH = UNARY_OPS.index("tanh")
SIGMOID = UNARY_OPS.index("sigmoid")
RELU = UNARY_OPS.index("relu")
SOFTPLUS = UNARY_OPS.index("softplus")
ABS = UNARY_OPS.index("abs")
SQRT = UNARY_OPS.index("sqrt")
SIN = UNARY_OPS.index("sin")
COS = UNARY_OPS.index("cos")
SILU = UNARY_OPS.index("silu")
GELU = UNARY_OPS.index("gelu")
GELU_TANH = UNARY_OPS.index("gelu_tanh")

ADD = BINARY_OPS.index("add")
SUB = BINARY_OPS.index("sub")
MUL = BINARY_OPS.index("mul")
DIV = BINARY_OPS.index("div")
POW = BINARY_OPS.index("pow")
MAXIMUM = BINARY_OPS.index("maximum")
MINIMUM = BINARY_OPS.index("minimum")

_neg, _neg_d = _unary_fns("neg")
_exp, _exp_d = _unary_fns("exp")
_log, _log_d = _unary_fns("log")
_tanh, _tanh_d = _unary_fns("tanh")
_sigmoid, _sigmoid_d = _unary_fns("sigmoid")
_relu, _relu_d = _unary_fns("relu")
_softplus, _softplus_d = _unary_fns("softplus")
_abs, _abs_d = _unary_fns("abs")
_sqrt, _sqrt_d = _unary_fns("sqrt")
_sin, _sin_d = _unary_fns("sin")
_cos, _cos_d = _unary_fns("cos")
_silu, _silu_d = _unary_fns("silu")
_gelu, _gelu_d = _unary_fns("gelu")
_gelu_tanh, _gelu_tanh_d = _unary_fns("gelu_tanh")
_add, _add_dx, _add_dy = _binary_fns("add")
_sub, _sub_dx, _sub_dy = _binary_fns("sub")
_mul, _mul_dx, _mul_dy = _binary_fns("mul")
_div, _div_dx, _div_dy = _binary_fns("div")
_pow, _pow_dx, _pow_dy = _binary_fns("pow")
_maximum, _maximum_dx, _maximum_dy = _binary_fns("maximum")
_minimum, _minimum_dx, _minimum_dy = _binary_fns("minimum")

# the loss terms are not element-wise primitives: they stay named by their calculus functions
_sq, _absl, _smooth, _bce, _bcel = (_jit(getattr(calculus, op)) for op in LOSS_OPS)
_sq_d, _absl_d, _smooth_d, _bce_d, _bcel_d = (
    _jit(getattr(calculus, op + "_deriv")) for op in LOSS_OPS
)


# ---------------------------------------------------------------- the op tables (code -> calculus)


@njit(cache=True, inline="always")
def unary_op(code, x):
    """Forward value of unary op ``code`` at float64 ``x``."""
    if code == NEG:
        return _neg(x)
    elif code == EXP:
        return _exp(x)
    elif code == LOG:
        return _log(x)
    elif code == TANH:
        return _tanh(x)
    elif code == SIGMOID:
        return _sigmoid(x)
    elif code == RELU:
        return _relu(x)
    elif code == SOFTPLUS:
        return _softplus(x)
    elif code == ABS:
        return _abs(x)
    elif code == SQRT:
        return _sqrt(x)
    elif code == SIN:
        return _sin(x)
    elif code == COS:
        return _cos(x)
    elif code == SILU:
        return _silu(x)
    elif code == GELU:
        return _gelu(x)
    elif code == GELU_TANH:
        return _gelu_tanh(x)
    return np.nan  # not a registry op: tests/test_op_registry.py catches this


@njit(cache=True, inline="always")
def unary_deriv(code, x, y):
    """d op(x)/dx for unary op ``code``, given y = op(x)."""
    if code == NEG:
        return _neg_d(x, y)
    elif code == EXP:
        return _exp_d(x, y)
    elif code == LOG:
        return _log_d(x, y)
    elif code == TANH:
        return _tanh_d(x, y)
    elif code == SIGMOID:
        return _sigmoid_d(x, y)
    elif code == RELU:
        return _relu_d(x, y)
    elif code == SOFTPLUS:
        return _softplus_d(x, y)
    elif code == ABS:
        return _abs_d(x, y)
    elif code == SQRT:
        return _sqrt_d(x, y)
    elif code == SIN:
        return _sin_d(x, y)
    elif code == COS:
        return _cos_d(x, y)
    elif code == SILU:
        return _silu_d(x, y)
    elif code == GELU:
        return _gelu_d(x, y)
    elif code == GELU_TANH:
        return _gelu_tanh_d(x, y)
    return np.nan  # not a registry op: tests/test_op_registry.py catches this


@njit(cache=True)
def binary_op(code, x, y):
    if code == ADD:
        return _add(x, y)
    elif code == SUB:
        return _sub(x, y)
    elif code == MUL:
        return _mul(x, y)
    elif code == DIV:
        return _div(x, y)
    elif code == POW:
        return _pow(x, y)
    elif code == MAXIMUM:
        return _maximum(x, y)
    elif code == MINIMUM:
        return _minimum(x, y)
    return np.nan  # not a registry op: tests/test_op_registry.py catches this


@njit(cache=True)
def binary_dx(code, x, y):
    if code == ADD:
        return _add_dx(x, y)
    elif code == SUB:
        return _sub_dx(x, y)
    elif code == MUL:
        return _mul_dx(x, y)
    elif code == DIV:
        return _div_dx(x, y)
    elif code == POW:
        return _pow_dx(x, y)
    elif code == MAXIMUM:
        return _maximum_dx(x, y)
    elif code == MINIMUM:
        return _minimum_dx(x, y)
    return np.nan  # not a registry op: tests/test_op_registry.py catches this


@njit(cache=True)
def binary_dy(code, x, y):
    if code == ADD:
        return _add_dy(x, y)
    elif code == SUB:
        return _sub_dy(x, y)
    elif code == MUL:
        return _mul_dy(x, y)
    elif code == DIV:
        return _div_dy(x, y)
    elif code == POW:
        return _pow_dy(x, y)
    elif code == MAXIMUM:
        return _maximum_dy(x, y)
    elif code == MINIMUM:
        return _minimum_dy(x, y)
    return np.nan  # not a registry op: tests/test_op_registry.py catches this


@njit(cache=True)
def exact_arith(code, x, y):
    """add/sub/mul in the inputs' own dtype (exact for int64; or/and-like for bool)."""
    if code == ADD:
        return _add(x, y)
    elif code == SUB:
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


@njit(cache=True, inline="always")
def unary_row(code, x, out):
    """out[j] = op(x[j]) on contiguous 1-D slices. The op test sits outside the loops, so each
    loop is plain enough for LLVM to vectorize (relu, abs, neg: 16 float32 at a time)."""
    if code == NEG:
        for j in range(out.size):
            out[j] = _neg(np.float64(x[j]))
    elif code == EXP:
        for j in range(out.size):
            out[j] = _exp(np.float64(x[j]))
    elif code == LOG:
        for j in range(out.size):
            out[j] = _log(np.float64(x[j]))
    elif code == TANH:
        for j in range(out.size):
            out[j] = _tanh(np.float64(x[j]))
    elif code == SIGMOID:
        for j in range(out.size):
            out[j] = _sigmoid(np.float64(x[j]))
    elif code == RELU:
        for j in range(out.size):
            out[j] = _relu(np.float64(x[j]))
    elif code == SOFTPLUS:
        for j in range(out.size):
            out[j] = _softplus(np.float64(x[j]))
    elif code == ABS:
        for j in range(out.size):
            out[j] = _abs(np.float64(x[j]))
    elif code == SQRT:
        for j in range(out.size):
            out[j] = _sqrt(np.float64(x[j]))
    elif code == SIN:
        for j in range(out.size):
            out[j] = _sin(np.float64(x[j]))
    elif code == COS:
        for j in range(out.size):
            out[j] = _cos(np.float64(x[j]))
    elif code == SILU:
        for j in range(out.size):
            out[j] = _silu(np.float64(x[j]))
    elif code == GELU:
        for j in range(out.size):
            out[j] = _gelu(np.float64(x[j]))
    elif code == GELU_TANH:
        for j in range(out.size):
            out[j] = _gelu_tanh(np.float64(x[j]))


@njit(cache=True, inline="always")
def unary_backward_row(code, x, y, g, out):
    """out[j] = g[j] * op_deriv(x[j], y[j]) on contiguous 1-D slices (as ``unary_row``)."""
    if code == NEG:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _neg_d(np.float64(x[j]), np.float64(y[j]))
    elif code == EXP:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _exp_d(np.float64(x[j]), np.float64(y[j]))
    elif code == LOG:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _log_d(np.float64(x[j]), np.float64(y[j]))
    elif code == TANH:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _tanh_d(np.float64(x[j]), np.float64(y[j]))
    elif code == SIGMOID:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sigmoid_d(np.float64(x[j]), np.float64(y[j]))
    elif code == RELU:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _relu_d(np.float64(x[j]), np.float64(y[j]))
    elif code == SOFTPLUS:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _softplus_d(np.float64(x[j]), np.float64(y[j]))
    elif code == ABS:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _abs_d(np.float64(x[j]), np.float64(y[j]))
    elif code == SQRT:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sqrt_d(np.float64(x[j]), np.float64(y[j]))
    elif code == SIN:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _sin_d(np.float64(x[j]), np.float64(y[j]))
    elif code == COS:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _cos_d(np.float64(x[j]), np.float64(y[j]))
    elif code == SILU:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _silu_d(np.float64(x[j]), np.float64(y[j]))
    elif code == GELU:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _gelu_d(np.float64(x[j]), np.float64(y[j]))
    elif code == GELU_TANH:
        for j in range(out.size):
            out[j] = np.float64(g[j]) * _gelu_tanh_d(np.float64(x[j]), np.float64(y[j]))
