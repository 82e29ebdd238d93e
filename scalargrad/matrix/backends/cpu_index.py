"""Indexing on the CPU: getitem (basic indexing: a view), gather (advanced indexing), scatter_add
(its backward) and setitem.

As on the GPU (``cuda_index.py``), NumPy turns an advanced index into flat C-order *positions*
once (``positions.positions``); then

* gather:       out[i] = a.flat[pos[i]]
* scatter_add:  out.flat[pos[i]] += values[i]   (``np.add.at``: repeated positions add up)
* setitem:      a.flat[pos[i]] = values[i]      (a repeated position keeps one of the values)

Basic indices (ints, slices, None, Ellipsis) give views: getitem returns one and setitem writes
through one.
"""

import numpy as np

from scalargrad.matrix.backends.positions import is_basic, positions


def getitem(a, index):
    """Basic indexing (ints, slices, None, Ellipsis): a view."""
    return a[index]


def gather(a, index):
    """a[index] with numpy's advanced-indexing semantics, as a new C-contiguous array."""
    pos = positions(a.shape, index)
    return np.take(a, pos) if pos.size else np.empty(pos.shape, a.dtype)


def scatter_add(shape, index, values):
    """zeros(shape) with ``values`` added at [index]; repeated positions add up."""
    pos = positions(shape, index)
    values = np.asarray(values)
    out = np.zeros(int(np.prod(shape)), values.dtype)
    np.add.at(out, pos.reshape(-1), np.broadcast_to(values, pos.shape).reshape(-1))
    return out.reshape(shape)


def setitem(a, index, values):
    """In place: a[index] = values (values broadcast to the selection)."""
    if is_basic(index):
        a[index] = values
        return
    pos = positions(a.shape, index)
    a[np.unravel_index(pos, a.shape)] = values
