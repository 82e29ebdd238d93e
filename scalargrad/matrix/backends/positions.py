"""Host-side index arithmetic shared by the CPU and CUDA index kernels (plain NumPy, no numba).

NumPy's advanced-indexing rules (integer arrays, boolean masks, mixed with slices, broadcast
against each other) are involved, so both backends let NumPy apply them once, on the host, to an
array of *positions*: ``np.arange(size).reshape(shape)[index]`` holds, for every selected
element, the flat C-order number of the element it comes from. With that array, gather,
scatter_add and setitem are one loop over positions, whatever the index looked like.
"""

import math

import numpy as np


def is_basic(index):
    """True for an index of ints, slices, None and Ellipsis only (it selects a view)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None
        or i is Ellipsis
        or isinstance(i, slice)
        or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
        for i in items
    )


def positions(shape, index):
    """Flat C-order positions (int64) that ``index`` (host arrays, lists, slices...) selects in
    an array of ``shape``."""
    if isinstance(index, tuple):
        index = tuple(np.asarray(i) if isinstance(i, list) else i for i in index)
    elif isinstance(index, list):
        index = np.asarray(index)
    return np.asarray(np.arange(math.prod(shape), dtype=np.int64).reshape(shape)[index])
