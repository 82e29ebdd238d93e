"""In-place ops: ``x += y``, ``x.mul_(2)``, ``x.zero_()``, ``x[:] = v``, ``x.copy_(src)``.

They write into x's storage, so x (and every view of it) keeps its identity; an optimizer's
``w.data -= lr * w.grad`` relies on it. Each bumps x's version counter, so a graph node that
saved x's old value notices at backward time and refuses (PyTorch's "modified by an inplace
operation" error) instead of computing with the new one.

Two cases are refused up front, as in PyTorch, while grad mode is on: an in-place op on a leaf
that requires grad (its old value is what ``.grad`` is the gradient for: update it inside
``with sg.no_grad():`` or through ``w.data``), and on a view of such a leaf.

When grad mode is on and x or the other operand requires grad, the op is recorded: it is
computed out of place from a snapshot of x's old value, written into x, and x's ``grad_fn``
becomes the new node, so gradients still flow to x's history and to the other operand.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.autograd_mode import is_grad_enabled
from scalargrad.errors import ShapeError
from scalargrad.matrix.autograd_function import Function, accumulate_node, sum_to_shape
from scalargrad.matrix.dtype_promotion import category, is_number, result_type
from scalargrad.matrix.functions import elementwise as ew
from scalargrad.matrix.functions.indexing import GetItem, index_shape, normalize_index
from scalargrad.matrix.functions.selection import clamp
from scalargrad.matrix.functions.shape import Copy, cast, expand
from scalargrad.matrix.host_arrays import generator, host_array
from scalargrad.matrix.shape_rules import broadcast_shapes
from scalargrad.matrix.tensor_core import TensorBase


def _refuse_leaf(op, x):
    """Raise PyTorch's errors for in-place ops it refuses. True if x is an indexed view of a
    tensor in the graph (``h[0] += 1``): the op must then be recorded on that tensor."""
    if not is_grad_enabled() or not x._requires_grad:
        return False
    if x.grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf Variable that requires grad is being used in an in-place operation. "
            "Update parameters inside `with sg.no_grad():` or through `w.data` "
            "(w.data -= lr * w.grad)."
        )
    base = x._base
    if base is not None and base._requires_grad:
        if base.grad_fn is None:
            raise RuntimeError(
                f"{op}: a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )
        fn = x.grad_fn
        if type(fn) is GetItem and fn._edges[0] is base.grad_fn:
            return True
        raise RuntimeError(
            f"{op}: in-place changes to this view of a tensor that requires grad are not "
            "supported (only to views made by indexing it, like h[0] += 1); use an out-of-place "
            "op (y = y + 1) or .clone() the view first"
        )
    return False


def _through_base(x, compute):
    """An in-place op on x = base[index] in the graph: base[index] = compute(old x), recorded
    on base (as PyTorch's CopySlices), then x becomes base[index] again."""
    base, index = x._base, x.grad_fn.index
    setitem(base, index, compute(_snapshot(x)))
    fresh = GetItem.apply(base, index)
    x.grad_fn = fresh.grad_fn
    x._requires_grad = True
    return x


def _records(x, other=None):
    """True if the in-place op must be recorded in the graph."""
    if not is_grad_enabled():
        return False
    return x._requires_grad or (isinstance(other, TensorBase) and other._requires_grad)


def _writable(op, x):
    a = x._array
    if isinstance(a, np.ndarray) and not a.flags.writeable:
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location (an expand()ed or read-only tensor). Please clone() the "
            "tensor before performing the operation."
        )


def _bump(x):
    x._vc[0] += 1
    return x


def _snapshot(x):
    """x's current value in storage of its own, with x's place in the graph."""
    old = x._result_type()._wrap(x._backend.copy(x._array), x._backend, x._requires_grad)
    old.grad_fn = x.grad_fn
    if x.grad_fn is None and x._requires_grad:
        old._acc = accumulate_node(x)
    return old


def _write_back(x, out):
    """Copy ``out`` (x's shape) into x's storage and make x the output of out's node."""
    if out._array.dtype != x._array.dtype:
        out = out.to(x._array.dtype)
    x._backend.setitem(x._array, Ellipsis, out._array)
    x.grad_fn = out.grad_fn
    x._requires_grad = out._requires_grad
    return _bump(x)


def _check_result(op, x, dtype, shape):
    if category(dtype) > category(x._array.dtype):
        raise RuntimeError(
            f"{op}: result type {dtype} can't be cast to the desired output type "
            f"{x._array.dtype} (an in-place op keeps the tensor's dtype)"
        )
    if tuple(shape) != x.shape:
        raise ShapeError(
            f"{op}: output with shape {tuple(x.shape)} doesn't match the broadcast shape "
            f"{tuple(shape)}"
        )


def binary_(op, x, other):
    """x = x op other in place (op: add sub mul div), other broadcast to x's shape."""
    name = op + "_"
    other = ew.from_ndarray(other, x)
    if (
        isinstance(other, TensorBase)
        and not (x._requires_grad or other._requires_grad)
        and other._backend is x._backend
        and other._array.shape == x._array.shape
        and other._array.dtype == x._array.dtype
        and (op != "div" or x._array.dtype.kind == "f")
    ):  # the common case (an optimizer's update): nothing to check, nothing to record
        _writable(name, x)
        x._backend.inplace_binary(op, x._array, other._array)
        return _bump(x)
    if not isinstance(other, TensorBase) and not is_number(other):
        return NotImplemented
    via_base = _refuse_leaf(name, x)
    _writable(name, x)
    dtype = result_type(x, other)
    if op == "div" and dtype.kind != "f":
        dtype = dtypes.default_float()
    oshape = other.shape if isinstance(other, TensorBase) else ()
    _check_result(name, x, dtype, broadcast_shapes(name, x.shape, oshape))
    be = x._backend
    if isinstance(other, TensorBase) and other._backend is not be:
        raise ew.device_error(name, x, other)
    if via_base:
        return _through_base(x, lambda old: ew.binary(op, old, old if other is x else other))
    if _records(x, other):
        old = _snapshot(x)
        return _write_back(x, ew.binary(op, old, old if other is x else other))
    b = ew.plain_array(other, x._array.dtype, be)
    if b.shape != x._array.shape:
        b = be.broadcast_to(b, x._array.shape)
    be.inplace_binary(op, x._array, b)
    return _bump(x)


def fill_(x, value):
    """Every element of x set to ``value`` (a number or a one-element tensor)."""
    via_base = _refuse_leaf("fill_", x)
    _writable("fill_", x)
    if isinstance(value, TensorBase):
        if value.numel() != 1:
            raise RuntimeError(
                f"fill_: only supports a 0-dimension value tensor, got shape {tuple(value.shape)}"
            )
        value = value.item()
    if not is_number(value):
        raise TypeError(f"fill_: value must be a number, got {type(value).__name__}")
    if via_base:
        return _through_base(x, lambda old: value)
    x._backend.fill(x._array, value)
    if x.grad_fn is not None and is_grad_enabled():
        x.grad_fn = None  # x no longer depends on its history: a constant
        x._requires_grad = False
    return _bump(x)


def clamp_(x, lo=None, hi=None):
    """x limited to [lo, hi] in place."""
    via_base = _refuse_leaf("clamp_", x)
    _writable("clamp_", x)
    if via_base:
        return _through_base(x, lambda old: clamp(old, lo, hi))
    out = clamp(_snapshot(x) if _records(x, lo) or _records(x, hi) else x, lo, hi)
    _check_result("clamp_", x, out._array.dtype, out.shape)  # an int tensor and a float bound
    return _write_back(x, out)


def _tensor_like(x, op, data):
    """``data`` (a number, nested lists, a NumPy array) as a new tensor of x's dtype and device."""
    array = host_array(op, data, x._array.dtype)
    return x._result_type()._wrap(x._backend.from_numpy(array), x._backend)


def copy_(x, src):
    """x's elements replaced by src's (broadcast to x's shape, converted to x's dtype)."""
    via_base = _refuse_leaf("copy_", x)
    _writable("copy_", x)
    if not isinstance(src, TensorBase):
        src = _tensor_like(x, "copy_", src)
    if via_base:
        return _through_base(x, lambda old: Copy.apply(expand(cast(src, x._array.dtype), x.shape)))
    broadcast_shapes("copy_", x.shape, src.shape)
    if src._backend is not x._backend:
        src = src.to(x.device)
    if not _records(x, src):
        be = x._backend
        be.setitem(x._array, Ellipsis, ew.plain_array(src, x._array.dtype, be))
        return _bump(x)
    out = Copy.apply(expand(cast(src, x._array.dtype), x.shape))
    return _write_back(x, out)


def random_(x, kind, a, b):
    """Fill x with uniform [a, b) or normal(mean=a, std=b) numbers from the global generator."""
    op = "uniform_" if kind == "uniform" else "normal_"
    _refuse_leaf(op, x)
    _writable(op, x)
    if x._array.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got {x._array.dtype}")
    rng = generator()
    values = rng.uniform(a, b, x.shape) if kind == "uniform" else rng.normal(a, b, x.shape)
    be = x._backend
    be.setitem(x._array, Ellipsis, be.from_numpy(values.astype(x._array.dtype)))
    return _bump(x)


class IndexPut(Function):
    """y = x with y[index] = v; dL/dx = G with zeros at [index]; dL/dv = G[index] summed to
    v.shape."""

    derivation = "indexing"

    @staticmethod
    def forward(ctx, a, v, index, advanced):
        be = ctx.backend
        ctx.index, ctx.advanced, ctx.v_shape = index, advanced, v.shape
        out = be.copy(a)
        target_shape = index_shape(a.shape, index)
        be.setitem(out, index, be.broadcast_to(v, target_shape) if v.shape != target_shape else v)
        return out

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        need_a, need_v = ctx.needs_input_grad[:2]
        ga = gv = None
        if need_a:
            ga = be.copy(grad)
            be.setitem(ga, ctx.index, 0)
        if need_v:
            picked = be.gather(grad, ctx.index) if ctx.advanced else be.getitem(grad, ctx.index)
            gv = sum_to_shape(be, picked, ctx.v_shape)
        return ga, gv, None, None


def setitem(x, index, value):
    """x[index] = value in place: value (a tensor or a number) broadcast to the indexed shape."""
    via_base = _refuse_leaf("setitem", x)
    _writable("setitem", x)
    if via_base:

        def put(old):
            setitem(old, index, value)
            return old

        return _through_base(x, put)
    index, advanced, shape = normalize_index(x, index)
    be = x._backend
    if isinstance(value, TensorBase):
        if value._backend is not be:
            raise ew.device_error("setitem", x, value)
        while value.ndim > len(shape) and value.shape[0] == 1:  # PyTorch drops leading 1s
            value = value.reshape(value.shape[1:])
        try:
            broadcast_shapes("setitem", shape, value.shape)
        except ShapeError:
            raise ShapeError(
                f"setitem: shape mismatch: value tensor of shape {tuple(value.shape)} cannot be "
                f"broadcast "
                f"to indexing result of shape {shape} (tensor of shape {tuple(x.shape)})"
            ) from None
        if (
            len(np.broadcast_shapes(shape, value.shape)) != len(shape)
            or np.broadcast_shapes(shape, value.shape) != shape
        ):
            raise ShapeError(
                f"setitem: shape mismatch: value tensor of shape {tuple(value.shape)} cannot be "
                f"broadcast "
                f"to indexing result of shape {shape}"
            )
    elif not is_number(value):
        try:
            value = _tensor_like(x, "setitem", value)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"setitem: the value must be a number, a Tensor or (nested) lists of numbers, "
                f"got {type(value).__name__} {value!r} ({e})"
            ) from None
        return setitem(x, index, value)
    if _records(x, value):
        v = value if isinstance(value, TensorBase) else ew.scalar_array(be, value, x._array.dtype)
        if isinstance(v, TensorBase) and v._array.dtype != x._array.dtype:
            v = v.to(x._array.dtype)
        return _write_back(x, IndexPut.apply(_snapshot(x), v, index, advanced))
    v = ew.plain_array(value, x._array.dtype, be)
    if v.shape != shape:
        v = be.broadcast_to(v, shape)
    be.setitem(x._array, index, v)
    return _bump(x)
