"""Host memory for the CPU backend: arrays are numpy arrays, so allocation, copies and views are
numpy's own. Views (reshape when the layout allows, permute, broadcast_to) cost nothing; copies
(copy, astype) run at memcpy speed already, so no kernel of ours would be faster.
"""

import numpy as np


def from_numpy(array):
    """The array itself (no copy) when it already is a numpy array."""
    return np.asarray(array)


def to_numpy(a):
    return np.asarray(a)


def empty(shape, dtype):
    return np.empty(shape, dtype)


def full(shape, value, dtype):
    return np.full(shape, value, dtype)


def copy(a):
    """A C-contiguous copy."""
    return np.array(a, order="C", copy=True)


def astype(a, dtype):
    """A converted C-contiguous copy (float -> int truncates, nonzero -> True, as numpy)."""
    return np.array(a, dtype=dtype, order="C", copy=True)


def fill(a, value):
    """In place: every element of ``a`` (any writable view) set to ``value``."""
    a[...] = value


def reshape(a, shape):
    """A view when the layout allows, else a copy."""
    return np.reshape(a, shape)


def permute(a, axes):
    """A view with the axes reordered: only the strides move."""
    return np.transpose(a, axes)


def broadcast_to(a, shape):
    """A read-only view with 0 strides along the broadcast axes."""
    return np.broadcast_to(a, shape)
