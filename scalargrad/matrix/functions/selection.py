"""Choosing between values element by element: ``where(cond, x, y)`` and ``clamp(x, min, max)``.

Each output element is a copy of one of the inputs, so its gradient goes to the input it was
copied from and nothing goes to the others.
"""

from scalargrad import dtypes
from scalargrad.autograd_mode import no_grad
from scalargrad.matrix.autograd_function import Function, sum_to_shape
from scalargrad.matrix.dtype_promotion import is_number, result_type
from scalargrad.matrix.functions.elementwise import (
    _expand,
    as_array,
    binary,
    device_error,
    scalar_array,
    zeros_like_array,
)
from scalargrad.matrix.shape_rules import broadcast_shapes
from scalargrad.matrix.tensor_core import TensorBase


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


class ClampBounds(Function):
    """y = min(max(x, lo), hi) with tensor bounds (broadcast); the gradient as PyTorch's:

    dL/dx = G where lo <= x <= hi (at a bound the input gets all of it, the bound nothing);
    dL/dlo = G where x < lo < hi; dL/dhi = G where x > hi or hi < lo (min > max: y = hi).
    Each summed back to its input's shape. A missing bound (None) drops its condition.
    """

    torch_name = "ClampBackward1"  # PyTorch: clamp with tensor bounds

    derivation = "clamp"

    @staticmethod
    def forward(ctx, a, lo, hi):
        be = ctx.backend
        shapes = [b.shape for b in (a, lo, hi) if b is not None]
        shape = broadcast_shapes("clamp", *shapes)
        ctx.save_for_backward(a, lo, hi)
        y = _expand(be, a, shape)
        if lo is not None:
            y = be.binary("maximum", y, _expand(be, lo, shape))
        if hi is not None:
            y = be.binary("minimum", y, _expand(be, hi, shape))
        return y

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, lo, hi = ctx.saved_tensors
        need_a, need_lo, need_hi = ctx.needs_input_grad
        shape = grad.shape
        zero = zeros_like_array(be, grad)
        x = _expand(be, a, shape)
        lo_e = None if lo is None else _expand(be, lo, shape)
        hi_e = None if hi is None else _expand(be, hi, shape)
        ga = glo = ghi = None
        if need_a:  # lo <= x <= hi (False at a nan, as PyTorch)
            ga = grad
            if lo_e is not None:
                ga = be.where(be.binary("ge", x, lo_e), ga, zero)
            if hi_e is not None:
                ga = be.where(be.binary("le", x, hi_e), ga, zero)
            ga = sum_to_shape(be, ga, a.shape)
        if need_lo:  # x < lo (and lo < hi when there is an upper bound)
            glo = be.where(be.binary("lt", x, lo_e), grad, zero)
            if hi_e is not None:
                glo = be.where(be.binary("lt", lo_e, hi_e), glo, zero)
            glo = sum_to_shape(be, glo, lo.shape)
        if need_hi:  # x > hi (or hi < lo, where the output is hi)
            ghi = be.where(be.binary("gt", x, hi_e), grad, zero)
            if lo_e is not None:
                ghi = be.where(be.binary("lt", hi_e, lo_e), grad, ghi)
            ghi = sum_to_shape(be, ghi, hi.shape)
        return ga, glo, ghi


def clamp(x, lo=None, hi=None):
    """Every element limited to [lo, hi] (either bound may be None; tensors as bounds too)."""
    if lo is None and hi is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(lo, TensorBase) or isinstance(hi, TensorBase):
        return _clamp_tensor_bounds(x, lo, hi)
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
    if not isinstance(condition, TensorBase):
        raise TypeError(f"where: condition must be a bool Tensor, got {type(condition).__name__}")
    if condition._array.dtype != dtypes.bool:
        raise TypeError(
            f"where: expected condition to be a bool tensor, got {condition._array.dtype} "
            "(compare it first, e.g. x > 0)"
        )
    for name, v in (("input", x), ("other", y)):
        if not isinstance(v, TensorBase) and not is_number(v):
            raise TypeError(f"where: {name} must be a Tensor or a number, got {type(v).__name__}")
    be = condition._backend
    for v in (x, y):
        if isinstance(v, TensorBase) and v._backend is not be:
            raise device_error("where", condition, v)
    dtype = result_type(x, y)
    xs = x._array.shape if isinstance(x, TensorBase) else ()
    ys = y._array.shape if isinstance(y, TensorBase) else ()
    broadcast_shapes("where", condition._array.shape, xs, ys)
    return Where.apply(condition, as_array("where", x, dtype, be), as_array("where", y, dtype, be))


def _clamp_tensor_bounds(x, lo, hi):
    """clamp with at least one Tensor bound (the other a Tensor, a number or None)."""
    bounds = [b for b in (lo, hi) if b is not None]
    for name, bound in (("min", lo), ("max", hi)):
        if bound is not None and not isinstance(bound, TensorBase) and not is_number(bound):
            raise TypeError(
                f"clamp: {name} must be a number or a Tensor, got {type(bound).__name__}"
            )
    dtype = result_type(x, *bounds)
    if dtype.kind != "f":  # exact integer max/min, no gradient
        y = x if lo is None else binary("maximum", x, lo)
        return y if hi is None else binary("minimum", y, hi)
    be = x._backend
    x = as_array("clamp", x, dtype, be)
    lo_a = None if lo is None else as_array("clamp", lo, dtype, be)
    hi_a = None if hi is None else as_array("clamp", hi, dtype, be)
    return ClampBounds.apply(x, lo_a, hi_a)
