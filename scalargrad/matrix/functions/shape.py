"""Shape ops: the same numbers seen in another arrangement, and conversions of dtype and device.

reshape/view, squeeze, unsqueeze, flatten, permute/transpose and expand return *views*: new
tensors over the same storage (an in-place change through one shows in the other), made by
changing shape and strides, never by copying. Their backward is the inverse rearrangement of
the gradient (for expand: the sum over the stretched axes), so dL/dx always has x's shape.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.autograd_mode import no_grad
from scalargrad.errors import ShapeError
from scalargrad.matrix.autograd_function import Function, sum_to_shape
from scalargrad.matrix.backends import get_backend
from scalargrad.matrix.shape_rules import normalize_dim


class Reshape(Function):
    """y = x with a new shape (same elements in row-major order); dL/dx = G reshaped to x.shape."""

    torch_name = "ViewBackward0"

    derivation = "reshape"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return ctx.backend.reshape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return ctx.backend.reshape(grad, ctx.in_shape), None


class Permute(Function):
    """y = x with its axes reordered: y.shape[i] = x.shape[axes[i]]; dL/dx = G permuted back."""

    derivation = "transpose"
    is_view = True

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return ctx.backend.permute(a, axes)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.axes)
        for i, axis in enumerate(ctx.axes):
            inverse[axis] = i
        return ctx.backend.permute(grad, tuple(inverse)), None


class Expand(Function):
    """y = x broadcast to a bigger shape (a stride-0 view); dL/dx = G summed back to x.shape."""

    derivation = "broadcasting"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return ctx.backend.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(ctx.backend, grad, ctx.in_shape), None


class Copy(Function):
    """y = a C-contiguous copy of x; dL/dx = G."""

    torch_name = "CloneBackward0"

    derivation = "reshape"

    @staticmethod
    def forward(ctx, a):
        return ctx.backend.copy(a)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Cast(Function):
    """y = x converted to another dtype; dL/dx = G converted back (for float x)."""

    torch_name = "ToCopyBackward0"

    derivation = "cast"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.in_dtype = a.dtype
        return ctx.backend.astype(a, dtype)

    @staticmethod
    def backward(ctx, grad):
        return ctx.backend.astype(grad, ctx.in_dtype), None


class ToDevice(Function):
    """y = x copied to another device; dL/dx = G copied back."""

    torch_name = "ToCopyBackward0"

    derivation = "cast"
    changes_backend = True

    @staticmethod
    def forward(ctx, a, target):
        ctx.out_backend = target
        return target.from_numpy(ctx.backend.to_numpy(a))

    @staticmethod
    def backward(ctx, grad):
        return ctx.backend.from_numpy(ctx.out_backend.to_numpy(grad)), None


# ---------------------------------------------------------------- the functions Tensor calls


def _sizes(op, sizes):
    """``(2, 3)`` from ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for s in sizes:
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(f"{op}: sizes must be ints, got {type(s).__name__} {s!r}")
    return tuple(int(s) for s in sizes)


def _infer_shape(op, x, shape):
    """``shape`` with its one -1 replaced by what makes the element count match x's."""
    numel = x.numel()
    known = 1
    unknown = [i for i, s in enumerate(shape) if s == -1]
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}: invalid shape dimension {s} in {shape}")
            known *= s
    if len(unknown) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred (-1), got shape {shape}")
    if unknown:
        if known == 0 or numel % known:
            raise ShapeError(
                f"{op}: shape {shape} is invalid for input of size {numel} (shape {tuple(x.shape)})"
            )
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1 :]
    elif known != numel:
        raise ShapeError(
            f"{op}: shape {shape} is invalid for input of size {numel} (shape {tuple(x.shape)})"
        )
    return shape


def reshape(x, sizes, op="reshape"):
    """The same elements, in row-major order, in a new shape (one size may be -1: inferred).

    ``reshape`` copies when the layout needs it; ``view`` never copies, so (as PyTorch) it is an
    error when the new shape cannot be read off x's strides."""
    shape = _infer_shape(op, x, _sizes(op, sizes))
    if op == "view" and not _viewable(x._array, shape):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): view{shape} of a tensor of shape "
            f"{tuple(x.shape)} and strides {_element_strides(x._array)}. Use .reshape(...) instead "
            "(it copies when it must), or .contiguous().view(...)"
        )
    return Reshape.apply(x, shape)


def _element_strides(a):
    return tuple(s // a.dtype.itemsize for s in a.strides)


def _viewable(a, shape):
    """True if ``a`` (any backend's array: shape, strides, dtype) can be seen in ``shape``
    without a copy. NumPy decides on a stand-in with a's layout and no memory of its own."""
    layout = np.lib.stride_tricks.as_strided(
        np.zeros(1, a.dtype), shape=tuple(a.shape), strides=tuple(a.strides)
    )
    try:
        np.reshape(layout, shape, copy=False)
    except ValueError:
        return False
    return True


def flatten(x, start_dim=0, end_dim=-1):
    """Axes start_dim..end_dim merged into one: ``flatten(start_dim=1)`` of (n, c, h, w) is (n,
    c*h*w)."""
    if x.ndim == 0:
        return Reshape.apply(x, (1,))
    start = normalize_dim("flatten", start_dim, x.ndim)
    end = normalize_dim("flatten", end_dim, x.ndim)
    if start > end:
        raise RuntimeError(
            f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim})"
        )
    if start == end:  # nothing to merge: x itself, as PyTorch
        return x
    shape = x.shape
    merged = 1
    for s in shape[start : end + 1]:
        merged *= s
    return Reshape.apply(x, shape[:start] + (merged,) + shape[end + 1 :])


def squeeze(x, dim=None):
    """Remove axes of size 1 (all of them, or the given ones; a given axis of another size
    stays)."""
    shape = x.shape
    if dim is None:
        axes = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = {normalize_dim("squeeze", d, x.ndim) for d in dims}
        axes = {i for i in axes if i < len(shape) and shape[i] == 1}
    return Reshape.apply(x, tuple(s for i, s in enumerate(shape) if i not in axes))


def unsqueeze(x, dim):
    """Insert an axis of size 1 at ``dim`` (-1: at the end): (3,) -> (1, 3) or (3, 1)."""
    axis = normalize_dim("unsqueeze", dim, x.ndim, extra=1)
    shape = x.shape
    return Reshape.apply(x, shape[:axis] + (1,) + shape[axis:])


def permute(x, dims):
    """Axes reordered: ``permute(x, (0, 2, 1))`` swaps the last two of a 3-D tensor (a view)."""
    dims = _sizes("permute", dims)
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute: number of dims don't match: the tensor has {x.ndim} dims "
            f"(shape {tuple(x.shape)}) but {len(dims)} were given ({dims})"
        )
    axes = tuple(normalize_dim("permute", d, x.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"permute: repeated dim in {dims}")
    return Permute.apply(x, axes)


def transpose(x, dim0, dim1):
    """Axes dim0 and dim1 swapped (a view)."""
    if x.ndim == 0:
        normalize_dim("transpose", dim0, 0)
        normalize_dim("transpose", dim1, 0)
        return Permute.apply(x, ())
    a = normalize_dim("transpose", dim0, x.ndim)
    b = normalize_dim("transpose", dim1, x.ndim)
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return Permute.apply(x, tuple(axes))


def expand(x, sizes):
    """x broadcast to ``sizes`` without copying (-1 keeps an axis; new axes go in front)."""
    sizes = _sizes("expand", sizes)
    shape = x.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: size -1 is not allowed in a new leading dimension ({sizes})"
                )
            target.append(s)
            continue
        old = shape[i - lead]
        if s == -1:
            s = old
        if old != 1 and s != old:
            raise ShapeError(
                f"expand: the expanded size of the tensor ({s}) must match the existing size "
                f"({old}) at non-singleton dimension {i}. Target sizes: {sizes}. Tensor "
                f"sizes: {shape}"
            )
        target.append(s)
    return Expand.apply(x, tuple(target))


def contiguous(x):
    """x itself if its storage is already row-major and dense, else a copy that is."""
    return x if x.is_contiguous() else Copy.apply(x)


def clone(x):
    """A copy with its own storage; dL/dx = G."""
    return Copy.apply(x)


def cast(x, dtype):
    """x converted to ``dtype`` (x itself if it has it). Gradients flow only between float
    dtypes."""
    dtype = dtypes.as_dtype(dtype)
    if x._array.dtype == dtype:
        return x
    if dtype.kind != "f":
        with no_grad():
            return Cast.apply(x, dtype)
    return Cast.apply(x, dtype)


def to_device(x, device):
    """x copied to ``device`` ("cpu" or "cuda"), or x itself if it is there already."""
    target = get_backend(device)
    if target is x._backend:
        return x
    return ToDevice.apply(x, target)
