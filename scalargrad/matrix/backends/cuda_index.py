"""Indexing on the GPU: getitem (basic indexing: a view), gather (advanced indexing),
scatter_add (its backward), setitem.

NumPy's advanced-indexing rules are involved, so we let NumPy apply them once on the host to an
array of *positions* (``positions.py``, shared with the CPU backend): for every output element,
the flat C-order number of the input element it comes from. That small int64 array goes to the GPU
and the kernels are then trivial, one thread per output element:

* gather:       out[i] = a[pos[i]]                   (read through a's strides)
* scatter_add:  out[pos[i]] += values[i]             (``cuda.atomic.add``: repeated positions
                                                      from different threads add up correctly)
* setitem:      a[pos[i]] = values[i]                (a repeated position keeps one of the values)

Index arrays given as device arrays are copied to the host for this (they are small: one number
per selected element). Basic indices (ints, slices, None, Ellipsis) in setitem take the view path
instead: a view of ``a`` and one copy kernel into it.
"""

import numpy as np
from numba import cuda

from scalargrad.matrix.backends.cuda_memory import (
    assign,
    basic_index,
    broadcast_to,
    dummy,
    empty,
    fill,
    flat_to_offset,
    from_numpy,
    is_device_array,
    launch,
    launch_1d,
    make_view,
    reshape,
    strided,
    to_numpy,
)
from scalargrad.matrix.backends.positions import is_basic
from scalargrad.matrix.backends.positions import positions as host_positions


def positions(shape, index):
    """``positions.positions`` for an index that may hold device arrays (copied to the host)."""
    if isinstance(index, tuple):
        index = tuple(to_numpy(i) if is_device_array(i) else i for i in index)
    elif is_device_array(index):
        index = to_numpy(index)
    return host_positions(shape, index)


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


def getitem(a, index):
    """Basic indexing (ints, slices, None, Ellipsis) as a view; a slice with a negative step
    reverses memory order, which this backend keeps out of its views: that case is a copy."""
    index = basic_index(index)
    base = dummy(a)
    d = base[index]
    if any(s < 0 for s in d.strides):
        return gather(a, index)
    offset = d.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return make_view(a, d.shape, d.strides, offset)


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
    if is_basic(index) and min(dummy(a)[basic_index(index)].strides, default=0) >= 0:
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
