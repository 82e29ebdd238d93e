"""Tensor ops a first course uses that are compositions of other ops (so their gradients come
from those ops): ``masked_fill``, ``repeat``, ``gather``, ``index_select``, ``scatter_``,
``chunk``, ``split``, and the rounding family (``round floor ceil sign``), whose derivative is
0 wherever it exists, so their results carry no gradient.
"""

import numpy as np

from scalargrad.matrix.autograd_function import named
from scalargrad.matrix.functions.indexing import getitem
from scalargrad.matrix.functions.selection import where
from scalargrad.matrix.shape_rules import normalize_dim
from scalargrad.matrix.tensor_core import TensorBase


def masked_fill(x, mask, value):
    """``value`` where ``mask`` is True, ``x`` elsewhere (mask broadcast to x's shape)."""
    if not isinstance(mask, TensorBase) or mask.dtype != np.bool_:
        raise TypeError("masked_fill: mask must be a bool tensor (e.g. x > 0)")
    return named(where(mask, value, x), "MaskedFillBackward0")


def repeat(x, sizes):
    """``x`` tiled ``sizes[i]`` times along axis i (NumPy's ``tile``); extra leading sizes add
    axes. A gather of x's elements, so gradients add up over the copies."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than the number of "
            f"dimensions of the tensor ({x.ndim}, shape {tuple(x.shape)})"
        )
    x = x.reshape((1,) * (len(sizes) - x.ndim) + tuple(x.shape))
    index = np.ix_(*[np.tile(np.arange(n), int(r)) for n, r in zip(x.shape, sizes, strict=True)])
    return named(getitem(x, index), "RepeatBackward0")


def _positions(op, x, dim, index):
    """The advanced index that ``gather``/``scatter`` along ``dim`` address with ``index``."""
    if not isinstance(index, TensorBase) or index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor")
    if index.ndim == 0 and x.ndim <= 1:  # one index into a vector, as PyTorch allows
        index = index.reshape(1)
    if index.ndim != x.ndim:
        raise RuntimeError(
            f"{op}: Index tensor must have the same number of dimensions as input tensor "
            f"({index.ndim} and {x.ndim})"
        )
    axis = normalize_dim(op, dim, x.ndim)
    grid = list(np.indices(tuple(index.shape), sparse=True))
    grid[axis] = index.detach()  # (a GPU index stays there: read by the kernels)
    return tuple(grid)


def gather(x, dim, index):
    """out[i][j] = x[index[i][j]][j] (dim=0) or x[i][index[i][j]] (dim=1), ...; differentiable."""
    return named(getitem(x, _positions("gather", x, dim, index)), "GatherBackward0")


def index_select(x, dim, index):
    """The entries ``index[0], index[1], ...`` of ``x`` along ``dim`` (index: a 0-d or 1-d
    integer tensor; repeats allowed): ``out[..., j, ...] = x[..., index[j], ...]``. A gather, so
    the gradient of each input entry adds up over the places it was picked."""
    if not isinstance(index, TensorBase) or index.dtype.kind not in "iu":
        raise TypeError(
            f"index_select: index must be an integer tensor (int64), got {type(index).__name__}"
            + (f" of dtype {index.dtype}" if isinstance(index, TensorBase) else "")
        )
    if index.ndim > 1:
        raise IndexError(
            f"index_select: Index is supposed to be a vector, got shape {tuple(index.shape)}"
        )
    axis = normalize_dim("index_select", dim, max(x.ndim, 1))
    if x.ndim == 0:
        x = x.reshape(1)
    size = x.shape[axis]
    if index.device == "cpu" and index.numel() > 0:  # (a GPU index is checked by the kernel)
        values = index.detach().numpy()
        bad = values[(values < 0) | (values >= size)]
        if bad.size:
            raise IndexError(
                f"index_select: index {int(bad[0])} out of range for dimension {dim} of size "
                f"{size} (indices must be in [0, {size}); negative indices are not allowed, as "
                "in PyTorch)"
            )
    position = (slice(None),) * axis + (index.reshape(-1).detach(),)
    return named(getitem(x, position), "IndexSelectBackward0")


def scatter_(x, dim, index, src=None, value=None):
    """In place: x[index[i][j]][j] = src[i][j] (dim=0), ... ``value=`` writes one number."""
    if (src is None) == (value is None):
        raise TypeError("scatter_: give src (a tensor or number) or value=")
    positions = _positions("scatter_", x, dim, index)
    fill = value if src is None else src
    if isinstance(fill, TensorBase):
        fill = fill[tuple(slice(0, n) for n in index.shape)]
    x[positions] = fill
    return x


def chunk(x, chunks, dim=0):
    """``chunks`` pieces of (nearly) equal size along ``dim`` (views)."""
    axis = normalize_dim("chunk", dim, x.ndim)
    size = -(-x.shape[axis] // int(chunks))
    return split(x, size, axis)


def split(x, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
    axis = normalize_dim("split", dim, x.ndim)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = max(1, split_size_or_sections)
        sizes = [min(step, n - start) for start in range(0, n, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split: sizes {sizes} do not add up to {n} (dim {dim})")
    name = (
        "SplitBackward0" if isinstance(split_size_or_sections, int) else "SplitWithSizesBackward0"
    )
    pieces, start = [], 0
    for s in sizes:
        pieces.append(named(getitem(x, (slice(None),) * axis + (slice(start, start + s),)), name))
        start += s
    return tuple(pieces)


def rounding(op, x, decimals=0):
    """round / floor / ceil / sign: same dtype, no gradient (the derivative is 0 almost
    everywhere)."""
    be = x._backend
    a = be.to_numpy(x._array)
    f = {"round": lambda v: np.round(v, decimals), "floor": np.floor, "ceil": np.ceil}
    out = f.get(op, np.sign)(a).astype(a.dtype)
    return x._result_type()._wrap(be.from_numpy(np.ascontiguousarray(out)), be)
