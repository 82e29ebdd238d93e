"""Shape rules every op checks before computing: broadcasting shapes, and dim arguments.

Broadcasting follows NumPy and PyTorch: shapes are aligned at their last axis; two sizes fit when
they are equal or one of them is 1 (a missing leading axis counts as 1), and the result takes the
larger. A dim argument may count from the end (-1 is the last axis).
"""

import numpy as np

from scalargrad.errors import ShapeError


def broadcast_shapes(op, *shapes):
    """The shape all ``shapes`` broadcast to, or a ShapeError naming ``op`` and every shape."""
    first = shapes[0]
    if all(s == first for s in shapes):
        return first
    try:
        if len(shapes) == 2:
            return _broadcast_two(*shapes)
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        detail = ""
        if len(shapes) == 2:
            a, b = shapes
            for i in range(1, min(len(a), len(b)) + 1):
                if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
                    detail = (
                        f": the size of tensor a ({a[-i]}) must match the size of tensor b "
                        f"({b[-i]}) at non-singleton dimension {max(len(a), len(b)) - i}"
                    )
                    break
        listed = " and ".join(str(tuple(s)) for s in shapes)
        raise ShapeError(f"{op}: shapes {listed} cannot be broadcast together{detail}") from None


def _broadcast_two(a, b):
    """numpy.broadcast_shapes for two shapes, in plain Python (several times faster for tiny
    tuples)."""
    if len(a) < len(b):
        a, b = b, a
    lead = len(a) - len(b)
    out = list(a[:lead])
    for x, y in zip(a[lead:], b, strict=False):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise ValueError("shapes do not broadcast")
    return tuple(out)


def normalize_dim(op, dim, ndim, extra=0):
    """A dim in ``[-ndim-extra, ndim+extra)`` as a non-negative int, or PyTorch's IndexError.

    ``extra=1`` is for ops that insert a new axis (unsqueeze, stack). A 0-d tensor accepts dim 0
    and -1, as in PyTorch.
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    size = max(ndim + extra, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-size}, {size - 1}], "
            f"but got {dim})"
        )
    return int(dim) % size


def normalize_dims(op, dim, ndim):
    """``dim`` (None, an int or a tuple of ints) as a sorted tuple of distinct non-negative axes.

    None (or an empty tuple) means every axis. Repeating an axis is an error, as in PyTorch.
    """
    if dim is None or (isinstance(dim, (list, tuple)) and not dim):  # () also means every axis
        return tuple(range(ndim))
    if ndim == 0:  # a 0-d tensor accepts dim 0 / -1 and reduces nothing
        for d in dim if isinstance(dim, (list, tuple)) else (dim,):
            normalize_dim(op, d, 0)
        return ()
    if isinstance(dim, (list, tuple)):
        axes = tuple(normalize_dim(op, d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"{op}: dim {tuple(dim)} names an axis more than once")
        return tuple(sorted(axes))
    return (normalize_dim(op, dim, ndim),)
