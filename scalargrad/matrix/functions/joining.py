"""Joining tensors: ``cat`` (along an existing axis), ``stack`` (along a new one), and ``where``.

stack(tensors, dim) is cat of the tensors each unsqueezed at dim: stacking three (2,) vectors gives
(3, 2) at dim=0 and (2, 3) at dim=1. The gradient of the result is cut back into the pieces'
shapes: dL/d(piece i) is the slice of G that piece i filled.
"""

from scalargrad.errors import ShapeError
from scalargrad.matrix.autograd_function import Function, named
from scalargrad.matrix.dtype_promotion import result_type
from scalargrad.matrix.functions.selection import where  # noqa: F401 - sg.where lives here
from scalargrad.matrix.shape_rules import normalize_dim
from scalargrad.matrix.tensor_core import TensorBase


class Cat(Function):
    """y = the pieces laid end to end along ``axis`` (new_axis: each piece one slice of a new axis);
    dL/d(piece i) = G[..., start_i:stop_i, ...] (or G[..., i, ...]), of piece i's shape."""

    derivation = "cat"

    @staticmethod
    def forward(ctx, axis, new_axis, *pieces):
        be = ctx.backend
        first = pieces[0]
        if new_axis:
            shape = first.shape[:axis] + (len(pieces),) + first.shape[axis:]
        else:
            total = sum(p.shape[axis] for p in pieces)
            shape = first.shape[:axis] + (total,) + first.shape[axis + 1 :]
        out = be.empty(shape, first.dtype)
        lead = (slice(None),) * axis
        spans = []
        start = 0
        for p in pieces:
            if new_axis:
                index = lead + (start,)
                start += 1
            else:
                index = lead + (slice(start, start + p.shape[axis]),)
                start += p.shape[axis]
            spans.append(index)
            be.setitem(out, index, p)
        ctx.spans = spans
        return out

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        needs = ctx.needs_input_grad[2:]
        grads = tuple(
            be.getitem(grad, index) if need else None
            for index, need in zip(ctx.spans, needs, strict=False)
        )
        return (None, None) + grads


def _join(op, tensors, dim, new_axis):
    if isinstance(tensors, TensorBase) or not hasattr(tensors, "__len__"):
        raise TypeError(f"{op}: expected a list or tuple of Tensors, got {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"{op}: expected Tensors, but element {i} is {type(t).__name__}")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t._backend is not first._backend:
            raise RuntimeError(
                f"{op}: expected all tensors to be on the same device, but found at least two "
                f"devices, {first.device} and {t.device} (tensor number {i})"
            )
    if new_axis:
        axis = normalize_dim(op, dim, first.ndim, extra=1)
        for i, t in enumerate(tensors):
            if t.shape != first.shape:
                raise ShapeError(
                    f"{op}: expects each tensor to be equal size, but got {tuple(first.shape)} at "
                    f"entry 0 "
                    f"and {tuple(t.shape)} at entry {i}"
                )
    else:
        if first.ndim == 0:
            raise ShapeError(
                f"{op}: zero-dimensional tensor (at position 0) cannot be concatenated"
            )
        axis = normalize_dim(op, dim, first.ndim)
        for i, t in enumerate(tensors):
            if t.ndim != first.ndim:
                raise ShapeError(
                    f"{op}: Tensors must have same number of dimensions: got {first.ndim} "
                    f"(shape {tuple(first.shape)}) and {t.ndim} (shape {tuple(t.shape)}) for "
                    f"tensor number {i}"
                )
            for d in range(first.ndim):
                if d != axis and t.shape[d] != first.shape[d]:
                    raise ShapeError(
                        f"{op}: Sizes of tensors must match except in dimension {axis}. Expected "
                        f"size {first.shape[d]} but got size {t.shape[d]} for tensor number {i} "
                        f"in the list (shapes {tuple(first.shape)} and {tuple(t.shape)})."
                    )
    dtype = result_type(*[t for t in tensors if t.ndim] or tensors)
    tensors = [t if t._array.dtype == dtype else t.to(dtype) for t in tensors]
    return named(
        Cat.apply(axis, new_axis, *tensors), "StackBackward0" if new_axis else "CatBackward0"
    )


def cat(tensors, dim=0):
    """The tensors joined along the existing axis ``dim`` (all other sizes must match)."""
    return _join("cat", tensors, dim, False)


def stack(tensors, dim=0):
    """The tensors (all of one shape) joined along a new axis inserted at ``dim``."""
    return _join("stack", tensors, dim, True)
