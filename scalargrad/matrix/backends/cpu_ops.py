"""The element-wise op tables of the CPU kernels: op code -> calculus.py function.

Each op of the backend interface has a small integer code: its position in ``UNARY_OPS`` /
``BINARY_OPS``, which are the registry's order (``scalargrad/primitives.py``), so no code is
counted by hand. A kernel receives the code and calls one of these dispatchers per element; the
float math is the registry's calculus function compiled with ``numba.njit`` (once, for float64),
so nothing here re-derives a formula. The ``*_row`` functions do the same over a contiguous row
with the op test outside the loop, which lets LLVM vectorize the loop.

A numba kernel cannot index a table of functions at run time without losing inlining (and the
loops' vectorization). Unary ops avoid that: their kernels are built per op
(``cpu_elementwise._unary_kernel(code)``, where ``code`` is a constant of the kernel), and
``unary_value``/``unary_derivative`` pick the registry's function for that constant while numba
compiles the kernel (an ``overload`` that sees ``code`` as a literal). So a kernel compiles one
op's loop, no other op's (the first MLP step compiles relu alone: a faster cold start), and a new
unary primitive needs nothing here: its registry line is enough. Binary ops share one kernel whose
code is only known at run time (a program uses add, sub, mul and div together, and one kernel
compiles faster than four), so their dispatchers are an ``if`` per op; adding a binary primitive
adds one branch to each of the three, and ``tests/test_op_registry.py`` fails, naming the op,
until it is there.
"""

import functools

import numpy as np
from numba import njit, types
from numba.extending import overload

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


def _binary_fns(name):
    """The registry's f, df/dx and df/dy for binary op ``name``, compiled."""
    prim = primitives.get(name)
    return _jit(prim.value), _jit(prim.derivs[0]), _jit(prim.derivs[1])


# op codes: positions in the registry's order
ADD = BINARY_OPS.index("add")
SUB = BINARY_OPS.index("sub")
MUL = BINARY_OPS.index("mul")
DIV = BINARY_OPS.index("div")
POW = BINARY_OPS.index("pow")
MAXIMUM = BINARY_OPS.index("maximum")
MINIMUM = BINARY_OPS.index("minimum")

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


def unary_value(code, x):
    """f(x) for the registry's unary op number ``code`` (``primitives.UNARY[code]``)."""
    return primitives.UNARY[code].value(x)


def unary_derivative(code, x, y):
    """f'(x) for the registry's unary op number ``code``, given y = f(x)."""
    return primitives.UNARY[code].derivs[0](x, y)


@overload(unary_value, inline="always", prefer_literal=True)
def _unary_value_compiled(code, x):
    """In a kernel, ``code`` is a constant: numba compiles the registry's f for it, alone."""
    if isinstance(code, types.IntegerLiteral):
        f = compiled(primitives.UNARY[code.literal_value].value)
        return lambda code, x: f(x)
    return None  # a code known only at run time: no kernel is built that way


@overload(unary_derivative, inline="always", prefer_literal=True)
def _unary_derivative_compiled(code, x, y):
    """As ``unary_value``: the registry's f' for the constant ``code``."""
    if isinstance(code, types.IntegerLiteral):
        f_deriv = compiled(primitives.UNARY[code.literal_value].derivs[0])
        return lambda code, x, y: f_deriv(x, y)
    return None


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
    """out[j] = f(x[j]) on contiguous 1-D slices, for the constant op ``code``: a loop plain
    enough for LLVM to vectorize (relu, abs, neg: 16 float32 at a time)."""
    for j in range(out.size):
        out[j] = unary_value(code, np.float64(x[j]))


@njit(cache=True, inline="always")
def unary_backward_row(code, x, y, g, out):
    """out[j] = g[j] * f'(x[j], y[j]) on contiguous 1-D slices (as ``unary_row``)."""
    for j in range(out.size):
        out[j] = np.float64(g[j]) * unary_derivative(code, np.float64(x[j]), np.float64(y[j]))
