"""Element-wise ops: each output element depends on the input elements at the same position.

Binary ops broadcast (NumPy's and PyTorch's rule: align shapes at the right; a size-1 or missing
axis is stretched), so ``bias (out,) + batch (n, out)`` adds the bias to every row. The
broadcast is a view with stride 0, never a copy. Backward sends each output gradient to the
input element it came from; an input element that was copied to many outputs receives the sum of
their gradients, so every input gradient is summed back to that input's shape (derivations/
broadcasting). For z = f(x, y) with G = dL/dz of the broadcast shape::

    dL/dx = sum_to_shape(G * df/dx, x.shape)        dL/dy = sum_to_shape(G * df/dy, y.shape)

The local derivatives df/dx, df/dy (and f' for unary f) are the ``calculus.py`` functions,
applied by the backend's ``binary_backward`` / ``unary_backward`` kernels.
"""

import numpy as np

from scalargrad import dtypes, primitives
from scalargrad.matrix.autograd_function import Function, named, sum_to_shape
from scalargrad.matrix.dtype_promotion import is_number, refuse_sequence, result_type, to_float
from scalargrad.matrix.functions.shape import cast
from scalargrad.matrix.shape_rules import broadcast_shapes
from scalargrad.matrix.tensor_core import TensorBase, result_class

# ---------------------------------------------------------------- helpers

_SCALARS = {}


def scalar_array(backend, value, dtype, shape=()):
    """A backend array holding ``value`` everywhere: 0-d, or broadcast (stride 0) to ``shape``.

    Cached, so a training loop's ``x * 0.5`` makes no new arrays; backends never write into
    their inputs, so sharing them is safe.
    """
    key = (backend.name, type(value), value, dtype, shape)
    try:
        return _SCALARS[key]
    except (KeyError, TypeError):
        pass
    if len(_SCALARS) > 1024:
        _SCALARS.clear()
    array = backend.full((), value, dtype)
    if shape:
        array = backend.broadcast_to(array, shape)
    if value == value:  # nan != nan: no point caching it
        _SCALARS[key] = array
    return array


def zeros_like_array(backend, array):
    """A read-only array of zeros of ``array``'s shape and dtype (a broadcast 0-d array)."""
    return backend.broadcast_to(scalar_array(backend, 0, array.dtype), array.shape)


def _expand(backend, array, shape):
    return array if array.shape == shape else backend.broadcast_to(array, shape)


def device_error(op, a, b):
    return RuntimeError(
        f"{op}: expected all tensors to be on the same device, but found at least two devices, "
        f"{a.device} and {b.device}"
    )


def as_array(op, value, dtype, backend):
    """``value`` (Tensor or Python number) as something ``Function.apply`` takes, of ``dtype``.

    A tensor of another dtype is converted (differentiably); a number becomes a 0-d array.
    """
    if isinstance(value, TensorBase):
        if value._backend is not backend:
            raise RuntimeError(
                f"{op}: expected all tensors to be on the same device, but found a tensor on "
                f"{value.device} next to one on {'cuda' if backend.name == 'cuda' else 'cpu'}"
            )
        if value._array.dtype != dtype:
            return cast(value, dtype)
        return value
    return scalar_array(backend, value, dtype)


def plain_array(value, dtype, backend):
    """``value`` (Tensor or number) as a backend array of ``dtype``, outside the graph."""
    if isinstance(value, TensorBase):
        a = value._array
        return a if a.dtype == dtype else backend.astype(a, dtype)
    return scalar_array(backend, value, dtype)


# ---------------------------------------------------------------- unary


class Unary(Function):
    """y = f(x) element by element; dL/dx = G * f'(x, y), same shape as x.

    One Function serves every unary primitive of ``scalargrad/primitives.py``: ``prim`` (a
    ``Primitive``, not a Tensor) names f and f' in calculus.py, PyTorch's node name
    (``TanhBackward0``) and the docs page that derives it. The backend's ``unary`` /
    ``unary_backward`` kernels evaluate f and f' at every element.
    """

    derivation = "index"  # each primitive's own page is its registry entry's ``page``

    @staticmethod
    def forward(ctx, a, prim):
        ctx.op, ctx.torch_name = prim.name, prim.grad_fn
        y = ctx.backend.unary(prim.name, a)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        a, y = ctx.saved_tensors
        return ctx.backend.unary_backward(ctx.op, a, y, grad), None


def unary(op, x):
    """Unary primitive ``op`` (a name in ``primitives.UNARY``: exp, tanh, ...) of every element
    of ``x``.

    Math functions of integer or bool tensors give float32, as in PyTorch; ``neg`` and ``abs``
    keep int64.
    """
    dtype = x._array.dtype
    if dtype.kind == "f":
        return Unary.apply(x, primitives.get(op))
    be = x._backend
    if dtype == dtypes.bool and op in ("neg", "abs"):
        raise TypeError(
            f"{op}: not supported on a bool tensor; to invert a mask use ~mask or "
            f"mask.logical_not()"
        )
    if op == "neg":
        a = x._array
        return x._result_type()._wrap(be.binary("sub", zeros_like_array(be, a), a), be)
    if op == "abs":
        a = x._array
        negative = be.binary("lt", a, zeros_like_array(be, a))
        flipped = be.binary("sub", zeros_like_array(be, a), a)
        return x._result_type()._wrap(be.where(negative, flipped, a), be)
    as_float = x._result_type()._wrap(be.astype(x._array, dtypes.float32), be)
    return Unary.apply(as_float, primitives.get(op))


# ---------------------------------------------------------------- binary


class _Binary(Function):
    """z = f(x, y) with broadcasting; dL/dx = sum_to_shape(G df/dx), dL/dy = sum_to_shape(G
    df/dy)."""

    op = None

    @staticmethod
    def forward(ctx, a, b):
        be = ctx.backend
        ctx.save_for_backward(a, b)
        if a.shape == b.shape:
            return be.binary(ctx.op, a, b)
        shape = broadcast_shapes(ctx.op, a.shape, b.shape)
        return be.binary(ctx.op, _expand(be, a, shape), _expand(be, b, shape))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        shape = grad.shape
        ga, gb = be.binary_backward(
            ctx.op, _expand(be, a, shape), _expand(be, b, shape), grad, need_a, need_b
        )
        return (
            sum_to_shape(be, ga, a.shape) if need_a else None,
            sum_to_shape(be, gb, b.shape) if need_b else None,
        )


class Add(Function):
    """z = x + y; dL/dx = sum_to_shape(G, x.shape), dL/dy = sum_to_shape(G, y.shape)."""

    derivation = "add"

    @staticmethod
    def forward(ctx, a, b):
        be = ctx.backend
        ctx.shapes = (a.shape, b.shape)
        if a.shape == b.shape:
            return be.binary("add", a, b)
        shape = broadcast_shapes("add", a.shape, b.shape)
        return be.binary("add", _expand(be, a, shape), _expand(be, b, shape))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        need_a, need_b = ctx.needs_input_grad[:2]
        sa, sb = ctx.shapes
        return (
            sum_to_shape(be, grad, sa) if need_a else None,
            sum_to_shape(be, grad, sb) if need_b else None,
        )


class Sub(Function):
    """z = x - y; dL/dx = sum_to_shape(G, x.shape), dL/dy = -sum_to_shape(G, y.shape)."""

    derivation = "add"

    @staticmethod
    def forward(ctx, a, b):
        be = ctx.backend
        ctx.shapes = (a.shape, b.shape)
        if a.shape == b.shape:
            return be.binary("sub", a, b)
        shape = broadcast_shapes("sub", a.shape, b.shape)
        return be.binary("sub", _expand(be, a, shape), _expand(be, b, shape))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        need_a, need_b = ctx.needs_input_grad[:2]
        sa, sb = ctx.shapes
        return (
            sum_to_shape(be, grad, sa) if need_a else None,
            be.unary("neg", sum_to_shape(be, grad, sb)) if need_b else None,
        )


class Mul(_Binary):
    """z = x y; dL/dx = sum_to_shape(G y), dL/dy = sum_to_shape(G x)."""

    op, derivation = "mul", "mul"


class Div(_Binary):
    """z = x / y; dL/dx = sum_to_shape(G / y), dL/dy = sum_to_shape(-G x / y^2)."""

    op, derivation = "div", "div"


class Pow(_Binary):
    """z = x^y; dL/dx = sum_to_shape(G y x^(y-1)), dL/dy = sum_to_shape(G x^y ln x)."""

    op, derivation = "pow", "pow"


class Maximum(_Binary):
    """z = max(x, y); the gradient goes to the larger input (half to each at a tie)."""

    op, derivation = "maximum", "maximum"


class Minimum(_Binary):
    """z = min(x, y); the gradient goes to the smaller input (half to each at a tie)."""

    op, derivation = "minimum", "maximum"


_BINARY = {
    "add": Add,
    "sub": Sub,
    "mul": Mul,
    "div": Div,
    "pow": Pow,
    "maximum": Maximum,
    "minimum": Minimum,
}


def from_ndarray(value, like):
    """A NumPy array operand as a tensor on ``like``'s device (``t + np.array(...)`` works as in
    PyTorch: the array keeps its dtype and takes part in type promotion); anything else as is."""
    if isinstance(value, np.ndarray) and value.ndim and value.dtype.kind in "biuf":
        be = like._backend
        return like._result_type()._wrap(
            be.from_numpy(np.ascontiguousarray(value, dtypes.as_dtype(value.dtype))), be
        )
    return value


def _operands(op, x, y):
    """Check and promote the operands of a binary op: (backend, dtype), or None if not ours."""
    xt, yt = isinstance(x, TensorBase), isinstance(y, TensorBase)
    if xt and yt:
        if x._backend is not y._backend:
            raise device_error(op, x, y)
        backend = x._backend
        dtype = x._array.dtype
        if y._array.dtype != dtype:
            dtype = result_type(x, y)
        if x._array.shape != y._array.shape:
            broadcast_shapes(op, x._array.shape, y._array.shape)
    elif xt:
        dtype = _with_number(x._array.dtype, y)
        if dtype is None:
            if not is_number(y):
                return None
            dtype = result_type(x, y)
        backend = x._backend
    else:
        dtype = _with_number(y._array.dtype, x)
        if dtype is None:
            if not is_number(x):
                return None
            dtype = result_type(x, y)
        backend = y._backend
    return backend, dtype


def _with_number(dtype, number):
    """The result dtype of a tensor of ``dtype`` with a Python float or int (fast path), or None."""
    kind = type(number)
    if kind is float:
        return dtype if dtype.kind == "f" else dtypes.default_float()
    if kind is int:
        return dtype if dtype.kind in "fiu" else dtypes.int64
    return None


def binary(op, x, y):
    """``x op y`` for op in add sub mul div pow maximum minimum; either may be a Python number.

    Returns NotImplemented for operands that are neither (so Python can try the other side).
    """
    x, y = from_ndarray(x, y), from_ndarray(y, x)
    found = _operands(op, x, y)
    if found is None:
        refuse_sequence(op, x, y)
        return NotImplemented
    backend, dtype = found
    if op == "div":
        dtype = to_float(dtype)
    if dtype.kind != "f":
        return _integer_binary(op, x, y, backend, dtype)
    if not isinstance(x, TensorBase):  # a number, already broadcast to the tensor's shape
        out = _BINARY[op].apply(scalar_array(backend, x, dtype, y._array.shape), _cast(y, dtype))
        return named(out, _NUMBER_FIRST[op]) if op in _NUMBER_FIRST else out
    if not isinstance(y, TensorBase):
        return _BINARY[op].apply(_cast(x, dtype), scalar_array(backend, y, dtype, x._array.shape))
    out = _BINARY[op].apply(as_array(op, x, dtype, backend), as_array(op, y, dtype, backend))
    return named(out, "PowBackward1") if op == "pow" else out


# PyTorch's node names for ``number op tensor`` (``1 - x`` is rsub; ``2 / x`` is 2 * reciprocal)
_NUMBER_FIRST = {"sub": "RsubBackward1", "div": "MulBackward0", "pow": "PowBackward2"}


def _cast(t, dtype):
    if t._array.dtype == dtype:
        return t
    return cast(t, dtype)


def _integer_binary(op, x, y, backend, dtype):
    """add/sub/mul/pow/maximum/minimum of int64 or bool operands: exact, no gradient."""
    if dtype == dtypes.bool and op == "sub":
        raise TypeError(
            "sub: subtraction of two bool tensors is not supported; use ^ or logical_xor instead"
        )
    a, b = plain_array(x, dtype, backend), plain_array(y, dtype, backend)
    shape = broadcast_shapes(op, a.shape, b.shape)
    a, b = _expand(backend, a, shape), _expand(backend, b, shape)
    if op in ("add", "sub", "mul"):
        return result_class(x, y)._wrap(backend.binary(op, a, b), backend)
    if op in ("maximum", "minimum"):
        take_a = backend.binary("ge" if op == "maximum" else "le", a, b)
        return result_class(x, y)._wrap(backend.where(take_a, a, b), backend)
    # pow: integers to non-negative integer powers, in int64 arithmetic (exact; wraps around on
    # overflow as PyTorch's does). NumPy computes it on the host (for CUDA: a round trip).
    base, exponent = backend.to_numpy(a), backend.to_numpy(b)
    if exponent.size and exponent.min() < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    if dtype == dtypes.bool:
        power = base | (exponent == 0)  # True**k = True, False**0 = True, False**k = False
    else:
        power = np.power(base, exponent)
    power = backend.from_numpy(np.ascontiguousarray(power))
    return result_class(x, y)._wrap(power, backend)
