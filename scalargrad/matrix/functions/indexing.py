"""Indexing: ``x[i]``, ``x[1:3, ::2]``, ``x[..., None]`` (basic) and ``x[[0, 2]]``, ``x[mask]``,
``y_hat[range(n), y]`` (advanced), with NumPy's (and PyTorch's) semantics.

Basic indexing (ints, slices, None, Ellipsis) picks a regular sub-grid: the result is a *view*
sharing x's storage. Its backward puts G into a zero tensor of x's shape at the same positions.

Advanced indexing (integer arrays, bool masks, lists, ranges, int/bool tensors) picks arbitrary
elements: the result is a copy (a *gather*). Its backward is the matching *scatter-add*: each
picked element's gradient is added at the place it came from, so an element picked twice gets
the sum of both gradients. dL/dx always has x's shape.

An integer index tensor on the GPU stays there: the CUDA backend reads it in its kernels and
checks its range there (an out-of-range index is raised at the next read of a result), so
``x[idx]`` does not wait for the GPU. A bool mask is read back (the result's size depends on it).
"""

import numpy as np

from scalargrad.matrix.autograd_function import Function, named
from scalargrad.matrix.tensor_core import TensorBase


class GetItem(Function):
    """y = x[index] (basic: a view); dL/dx = zeros of x.shape with G written at [index]."""

    torch_name = "SelectBackward0"

    derivation = "indexing"
    is_view = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a.shape, index
        return ctx.backend.getitem(a, index)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        out = be.full(ctx.in_shape, 0, grad.dtype)
        be.setitem(out, ctx.index, grad)
        return out, None


class Gather(Function):
    """y = x[index] (advanced: a copy); dL/dx = scatter_add(x.shape, index, G) (repeats add up)."""

    torch_name = "IndexBackward0"

    derivation = "indexing"

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape, ctx.index = a.shape, index
        return ctx.backend.gather(a, index)

    @staticmethod
    def backward(ctx, grad):
        return ctx.backend.scatter_add(ctx.in_shape, ctx.index, grad), None


def _component(part, backend=None):
    """One index component as NumPy understands it (or, for an int tensor on ``backend``'s GPU,
    its device array); True if it makes the index advanced."""
    if part is None or part is Ellipsis or isinstance(part, slice):
        return part, False
    if isinstance(part, (bool, np.bool_)):
        return part, True
    if isinstance(part, (int, np.integer)):
        return int(part), False
    if isinstance(part, TensorBase):
        device = part._array
        if part._backend is backend and backend.name != "cpu" and device.dtype.kind in "iu":
            return device, True  # read on the device (no copy, no wait)
        array = part._backend.to_numpy(device)
        if array.dtype.kind == "f":
            raise IndexError(
                f"tensors used as indices must be long, int or bool tensors, got {array.dtype}"
            )
        return array, True
    if isinstance(part, (list, tuple, range, np.ndarray)):
        array = np.asarray(
            part if not isinstance(part, range) else np.arange(part.start, part.stop, part.step)
        )
        if array.dtype == object:
            raise IndexError(
                f"index {part!r}: lists used as indices must hold only ints or only bools"
            )
        if array.size == 0:
            array = array.astype(np.int64)
        if array.dtype.kind not in "biu":
            raise IndexError(
                f"only integers, slices (:), ellipsis (...), None and long or bool tensors/lists "
                f"are valid indices (got {array.dtype} values {part!r})"
            )
        return (array.astype(np.int64) if array.dtype.kind in "iu" else array), True
    raise IndexError(
        "only integers, slices (:), ellipsis (...), None and long or bool tensors/lists are valid "
        f"indices (got {type(part).__name__})"
    )


def normalize_index(x, index):
    """``index`` checked against x's shape: (index tuple, advanced?, shape of x[index]).

    Out-of-range indices and masks of the wrong shape raise IndexError naming x's shape.
    """
    parts = index if isinstance(index, tuple) else (index,)
    converted = []
    advanced = False
    for part in parts:
        c, adv = _component(part, x._backend)
        converted.append(c)
        advanced = advanced or adv
    index = tuple(converted)
    try:
        shape = index_shape(x.shape, index)
    except IndexError as e:
        raise IndexError(f"index into a tensor of shape {tuple(x.shape)}: {e}") from None
    return index, advanced, shape


def index_shape(shape, index):
    """The shape of ``array_of_shape[index]`` (NumPy's rules); a device index array stands in as
    zeros of its shape (its values are checked by the kernel that reads them)."""
    probe = np.broadcast_to(np.empty((), np.int8), tuple(shape))
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(
        np.zeros(tuple(p.shape), np.int64) if hasattr(p, "copy_to_host") else p for p in parts
    )
    return probe[parts].shape


def _simple(x, index):
    """``index`` as a tuple if it is only in-range ints and slices (the common case), else None."""
    parts = index if type(index) is tuple else (index,)
    shape = x._array.shape
    if len(parts) > len(shape):
        return None
    for part, size in zip(parts, shape, strict=False):
        kind = type(part)
        if kind is int:
            if not -size <= part < size:
                return None
        elif kind is not slice:
            return None
    return parts


def getitem(x, index):
    """x[index]: a view for basic indexing, a gathered copy for advanced indexing."""
    simple = _simple(x, index)
    if simple is not None:
        return named(GetItem.apply(x, simple + (Ellipsis,)), _torch_name(simple))
    index, advanced, _ = normalize_index(x, index)
    if advanced:
        return named(Gather.apply(x, index), "IndexBackward0")
    if Ellipsis not in index:  # x[0] of a vector: a 0-d view, not a copied NumPy scalar
        index = index + (Ellipsis,)
    return named(GetItem.apply(x, index), _torch_name(index))


def _torch_name(index):
    """PyTorch's node name for basic indexing: that of the last step that does something
    (an int selects, a slice slices, None unsqueezes)."""
    for part in reversed(index):
        if part is None:
            return "UnsqueezeBackward0"
        if isinstance(part, slice):
            if part != slice(None):
                return "SliceBackward0"
        elif part is not Ellipsis:
            return "SelectBackward0"
    return "AliasBackward0"
