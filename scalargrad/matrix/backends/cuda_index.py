"""Indexing on the GPU: gather (advanced indexing), scatter_add (its backward), setitem.

NumPy's advanced-indexing rules (integer arrays, boolean masks, mixed with slices, broadcast
against each other) are involved, so we let NumPy apply them once on the host to an array of
*positions*: ``np.arange(a.size).reshape(a.shape)[index]`` holds, for every output element, the
flat C-order number of the input element it comes from. That small int64 array goes to the GPU
and the kernels are then trivial, one thread per output element:

* gather:       out[i] = a[pos[i]]                   (read through a's strides)
* scatter_add:  out[pos[i]] += values[i]             (``cuda.atomic.add``: repeated positions
                                                      from different threads add up correctly)
* setitem:      a[pos[i]] = values[i]                (a repeated position keeps one of the values)

Index arrays given as device arrays are copied to the host for this (they are small: one number
per selected element). Basic indices (ints, slices, None, Ellipsis) in setitem take the view path
instead: a view of ``a`` and one copy kernel into it.
"""

import math

import numpy as np
from numba import cuda

from scalargrad.matrix.backends.cuda_elementwise import assign, fill
from scalargrad.matrix.backends.cuda_memory import (
    basic_index,
    broadcast_to,
    dummy,
    empty,
    flat_to_offset,
    from_numpy,
    getitem,
    is_device_array,
    launch,
    launch_1d,
    reshape,
    strided,
    to_numpy,
)


def _host(i):
    if is_device_array(i):
        return to_numpy(i)
    if isinstance(i, list):
        return np.asarray(i)
    return i


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None
        or i is Ellipsis
        or isinstance(i, slice)
        or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
        for i in items
    )


def positions(shape, index):
    """Flat C-order positions (int64, on the host) that ``index`` selects in an array of
    ``shape``."""
    index = tuple(_host(i) for i in index) if isinstance(index, tuple) else _host(index)
    return np.asarray(np.arange(math.prod(shape), dtype=np.int64).reshape(shape)[index])


@cuda.jit
def _gather_kernel(out, pos, x, shape, xs):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = x[flat_to_offset(pos[i], shape, xs)]


@cuda.jit
def _scatter_add_kernel(out, pos, v, shape, vs):
    i = cuda.grid(1)
    if i < pos.size:
        cuda.atomic.add(out, pos[i], v[flat_to_offset(i, shape, vs)])


@cuda.jit
def _scatter_kernel(a, ashape, as_, pos, v, shape, vs):
    i = cuda.grid(1)
    if i < pos.size:
        a[flat_to_offset(pos[i], ashape, as_)] = v[flat_to_offset(i, shape, vs)]


def gather(a, index):
    """a[index] with NumPy's advanced-indexing semantics, as a new C-contiguous array."""
    pos = positions(a.shape, index)
    out = empty(pos.shape, a.dtype)
    if out.size:
        x, shape, xs = strided(a)
        launch(
            _gather_kernel,
            *launch_1d(out.size),
            reshape(out, (out.size,)),
            from_numpy(pos.reshape(-1)),
            x,
            shape,
            xs,
        )
    return out


def scatter_add(shape, index, values):
    """zeros(shape) with ``values`` added at [index]; repeated positions add up (atomics)."""
    shape = tuple(int(n) for n in shape)
    pos = positions(shape, index)
    out = empty(shape, values.dtype)
    fill(out, 0)
    if pos.size:
        v, vshape, vs = strided(broadcast_to(values, pos.shape))
        launch(
            _scatter_add_kernel,
            *launch_1d(pos.size),
            reshape(out, (out.size,)),
            from_numpy(pos.reshape(-1)),
            v,
            vshape,
            vs,
        )
    return out


def setitem(a, index, values):
    """In place: a[index] = values (a device array broadcast to the selection, or a number)."""
    if _is_basic(index) and min(dummy(a)[basic_index(index)].strides, default=0) >= 0:
        view = getitem(a, index)
        if is_device_array(values):
            assign(view, values)
        else:
            fill(view, values)
        return
    pos = positions(a.shape, index)
    if not pos.size:
        return
    if not is_device_array(values):
        values = from_numpy(np.asarray(values, a.dtype))
    ad, ashape, as_ = strided(a)
    v, vshape, vs = strided(broadcast_to(values, pos.shape))
    launch(
        _scatter_kernel,
        *launch_1d(pos.size),
        ad,
        ashape,
        as_,
        from_numpy(pos.reshape(-1)),
        v,
        vshape,
        vs,
    )
