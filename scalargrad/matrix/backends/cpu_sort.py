"""Sorting on the CPU: ``sort`` (values and indices along one axis) and ``put_along_axis``, its
backward (a gradient scattered back to the positions the sort took each value from).

The order is ``sort_order.precedes`` (NaN largest, ties by index: PyTorch's ``stable=True``),
compiled with ``numba.njit``. The axis is first moved last and the array copied to C order, so
the kernel sees ``R`` contiguous rows of ``N`` elements; ``prange`` runs over the rows and one
thread sorts a whole row with a bottom-up merge sort: runs of width 1, 2, 4, ... are merged
pairwise, taking the left element whenever it precedes the right one. That is O(N log N)
comparisons per row and O(N) scratch, and stable by construction. (numba also compiles
``np.argsort(kind="mergesort")`` for 1-D arrays, stable with NaN last; but a descending sort as
``argsort(-x)`` would put NaN last instead of first, and cannot negate bools. One comparison
function shared with the GPU keeps both backends equal.)
"""

import numpy as np
from numba import njit, prange

from scalargrad.matrix.backends import sort_order
from scalargrad.matrix.backends.cpu_reduce import moved_back
from scalargrad.matrix.backends.cpu_strides import launch

_precedes = njit(cache=True, inline="always")(sort_order.precedes)


@njit(cache=True)
def _merge_sort_row(x, idx, scratch, descending):
    """idx = the positions of row ``x`` in sorted order (idx and scratch: int64, len(x))."""
    n = x.shape[0]
    for i in range(n):
        idx[i] = i
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):  # merge idx[lo:mid] and idx[mid:hi] into scratch[lo:hi]
                if i < mid and j < hi:  # both runs left: the element that comes first
                    left = _precedes(x[idx[i]], idx[i], x[idx[j]], idx[j], descending)
                else:  # one run is used up: take from the other
                    left = i < mid
                if left:
                    scratch[k] = idx[i]
                    i += 1
                else:
                    scratch[k] = idx[j]
                    j += 1
        idx[:] = scratch
        width *= 2


@njit(parallel=True, cache=True)
def _sort_kernel(x, descending, values, indices):
    """Sort every row of the (R, N) array ``x``: values[r] = x[r, indices[r]]."""
    rows, n = x.shape
    for r in prange(rows):
        scratch = np.empty(n, np.int64)
        _merge_sort_row(x[r], indices[r], scratch, descending)
        for k in range(n):
            values[r, k] = x[r, indices[r, k]]


@njit(parallel=True, cache=True)
def _put_kernel(indices, g, out):
    """out[r, indices[r, k]] = g[r, k] (out zero-filled; the indices of a row are distinct)."""
    rows, k = g.shape
    for r in prange(rows):
        for j in range(k):
            out[r, indices[r, j]] = g[r, j]


def _rows(a, axis):
    """``a`` with ``axis`` moved last, as a read-only C-contiguous (R, N) array (one numba type
    for every caller: read-only, 2-D, C order)."""
    x = np.ascontiguousarray(np.moveaxis(a, axis, -1)).reshape(-1, a.shape[axis]).view()
    x.flags.writeable = False
    return x


def sort(a, axis, descending):
    """(values, indices) of ``a`` sorted along ``axis``; indices int64; stable, NaN largest."""
    moved = np.moveaxis(a, axis, -1).shape
    values = np.empty(moved, a.dtype)
    indices = np.empty(moved, np.int64)
    if a.size:
        n = a.shape[axis]
        launch(_sort_kernel, a.size, _rows(a, axis), bool(descending),
               values.reshape(-1, n), indices.reshape(-1, n))
    return moved_back(values, axis, a.ndim), moved_back(indices, axis, a.ndim)


def put_along_axis(shape, indices, values, axis):
    """zeros(shape) with out[..., indices[..., j, ...], ...] = values[..., j, ...] along ``axis``
    (indices distinct along the axis: a sort's or topk's). The backward of sort and topk."""
    moved = tuple(n for d, n in enumerate(shape) if d != axis) + (shape[axis],)
    out = np.zeros(moved, values.dtype)
    if values.size:
        launch(_put_kernel, values.size, _rows(indices, axis), _rows(values, axis),
               out.reshape(-1, shape[axis]))
    return moved_back(out, axis, len(shape))
