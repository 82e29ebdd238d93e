"""Choosing between values element by element: ``where(cond, x, y)`` and ``clamp(x, min, max)``.

Each output element is a copy of one of the inputs, so its gradient goes to the input it was
copied from and nothing goes to the others.
"""

from scalargrad import dtypes
from scalargrad.autograd_mode import no_grad
from scalargrad.matrix.function import Function, sum_to_shape
from scalargrad.matrix.functions.elementwise import (
    _expand,
    as_array,
    binary,
    device_error,
    scalar_array,
    zeros_like_array,
)
from scalargrad.matrix.promotion import broadcast_shapes, is_number, result_type
from scalargrad.matrix.tensor import Tensor


class Clamp(Function):
    """y = min(max(x, lo), hi); dL/dx = G where lo <= x <= hi, else 0 (same shape as x)."""

    torch_name = "ClampBackward1"

    derivation = "clamp"

    @staticmethod
    def forward(ctx, a, lo, hi):
        be = ctx.backend
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        y = a
        if lo is not None:
            lo = _expand(be, lo, a.shape)
            y = be.where(be.binary("lt", a, lo), lo, a)
        if hi is not None:
            hi = _expand(be, hi, a.shape)
            y = be.where(be.binary("gt", y, hi), hi, y)
        if y is a:
            y = be.copy(a)
        return y

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        zero = zeros_like_array(be, grad)
        if lo is not None:
            grad = be.where(be.binary("lt", a, _expand(be, lo, a.shape)), zero, grad)
        if hi is not None:
            grad = be.where(be.binary("gt", a, _expand(be, hi, a.shape)), zero, grad)
        return grad, None, None


def clamp(x, lo=None, hi=None):
    """Every element limited to [lo, hi] (either bound may be None; tensors as bounds too)."""
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        y = x if lo is None else binary("maximum", x, lo)
        return y if hi is None else binary("minimum", y, hi)
    for name, bound in (("min", lo), ("max", hi)):
        if bound is not None and not is_number(bound):
            raise TypeError(
                f"clamp: {name} must be a number or a Tensor, got {type(bound).__name__}"
            )
    dtype = result_type(x, *(b for b in (lo, hi) if b is not None))
    be = x._backend
    x = as_array("clamp", x, dtype, be)
    lo_a = None if lo is None else scalar_array(be, lo, dtype)
    hi_a = None if hi is None else scalar_array(be, hi, dtype)
    if dtype.kind != "f":
        with no_grad():
            return Clamp.apply(x, lo_a, hi_a)
    return Clamp.apply(x, lo_a, hi_a)


class Where(Function):
    """z = cond ? x : y (broadcast); dL/dx = sum_to_shape(G where cond else 0), dL/dy the rest."""

    derivation = "where"

    @staticmethod
    def forward(ctx, cond, a, b):
        be = ctx.backend
        shape = broadcast_shapes("where", cond.shape, a.shape, b.shape)
        ctx.cond = cond
        ctx.shapes = (a.shape, b.shape)
        return be.where(_expand(be, cond, shape), _expand(be, a, shape), _expand(be, b, shape))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        _, need_a, need_b = ctx.needs_input_grad
        cond = _expand(be, ctx.cond, grad.shape)
        zero = zeros_like_array(be, grad)
        sa, sb = ctx.shapes
        ga = sum_to_shape(be, be.where(cond, grad, zero), sa) if need_a else None
        gb = sum_to_shape(be, be.where(cond, zero, grad), sb) if need_b else None
        return None, ga, gb


def where(condition, x, y):
    """``x`` where ``condition`` is True, else ``y``: all three broadcast; x, y may be numbers."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where: condition must be a bool Tensor, got {type(condition).__name__}")
    if condition._array.dtype != dtypes.bool:
        raise TypeError(
            f"where: expected condition to be a bool tensor, got {condition._array.dtype} "
            "(compare it first, e.g. x > 0)"
        )
    for name, v in (("input", x), ("other", y)):
        if not isinstance(v, Tensor) and not is_number(v):
            raise TypeError(f"where: {name} must be a Tensor or a number, got {type(v).__name__}")
    be = condition._backend
    for v in (x, y):
        if isinstance(v, Tensor) and v._backend is not be:
            raise device_error("where", condition, v)
    dtype = result_type(x, y)
    xs = x._array.shape if isinstance(x, Tensor) else ()
    ys = y._array.shape if isinstance(y, Tensor) else ()
    broadcast_shapes("where", condition._array.shape, xs, ys)
    return Where.apply(condition, as_array("where", x, dtype, be), as_array("where", y, dtype, be))
