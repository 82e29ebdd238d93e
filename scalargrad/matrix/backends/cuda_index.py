"""Indexing on the GPU: getitem (basic indexing: a view), gather (advanced indexing),
scatter_add (its backward), setitem.

Every advanced index becomes an array of *positions*: for every output element, the memory
position (in elements) of the input element it comes from. The kernels are then trivial, one
thread per output element:

* gather:       out[i] = a[pos[i]]
* scatter_add:  out[pos[i]] += values[i]             (``cuda.atomic.add``: repeated positions
                                                      from different threads add up correctly)
* setitem:      a[pos[i]] = values[i]                (a repeated position keeps one of the values)

**Index arrays on the device** (an int tensor on "cuda": ``x[idx]``, ``logp[range(n), y]``,
``gather``, the backward of each) never leave it: the positions are computed by a kernel that
reads the index arrays where they are, so a training loop that indexes with device tensors copies
nothing to the host and waits for nothing (``_device_positions``). It works in two steps:

1. The basic parts of the index (slices, ints) are applied first, as a view ``v`` of ``a`` (no
   copy). The advanced index arrays (broadcast together to shape B) address axes of ``v``.
2. With NumPy's rule for where B's axes go in the result (in place of the advanced axes when
   they are adjacent, else first), output element i has a coordinate on every remaining axis of
   ``v`` and one in B, and its position is linear in them:
   ``pos[i] = base(i) + sum_k idx_k[i] * stride_k``, base(i): the part of the slice axes. One
   kernel per index array adds its term, reading idx_k through broadcast strides (0 on the axes
   it does not vary along). An index is wrapped as PyTorch does (-1: the last) and
   bounds-checked there: one outside [-size, size) sets its position to -1 (gather writes nan
   or 0 there, the scatters skip it) and is written to the host-mapped error record
   (``cuda_memory.kernel_errors``); the IndexError, naming the op, the index, the axis and its
   size, is raised at the next read of a result, as PyTorch reports a device-side assert.

Host index arrays take the same path: the index array is uploaded (``_uploaded``), not a
position per selected element (the ``DataLoader``'s ``X[idx]`` on a (60000, 784) data set: the
batch's 4096 indices, not 3.2 million positions computed on the host). An arange among them
(the ``range(n)`` of ``logp[range(n), y]``, ``gather``'s grids) is uploaded once and kept.

**The one sync kept: a bool mask on the device.** The result's size is the number of True
elements, which the host must know to allocate it, so the mask is copied to the host (as PyTorch
does: ``x[mask]`` synchronizes there too) and becomes host index arrays (``np.nonzero``).
Indices with ``None`` mixed with arrays, and negative-step slices, take the host path:
NumPy applies its rules to ``arange(a.size)`` (``positions.py``, shared with the
CPU backend) and the positions are uploaded. Basic indices (ints, slices, None, Ellipsis) in
setitem take the view path instead: a view of ``a`` and one copy kernel into it.
"""

import collections
import math

import numpy as np
from numba import cuda

from scalargrad.matrix.backends.cuda_memory import (
    INDEX_OUT_OF_RANGE,
    assign,
    basic_index,
    broadcast_to,
    dummy,
    empty,
    fill,
    flat,
    flat_to_offset,
    from_numpy,
    is_device_array,
    kernel_errors,
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


# ---------------------------------------------------------------- device-side positions

_OP_CODE = {name: code for code, name in INDEX_OUT_OF_RANGE.items()}
GATHER, SCATTER_ADD, SETITEM = (
    _OP_CODE["index"],
    _OP_CODE["index backward (scatter_add)"],
    _OP_CODE["index_put_ (setitem)"],
)


@cuda.jit
def _positions_kernel(pos, shape, base, idx, idx_strides, size, stride, axis, first, code, errors):
    """pos[i] (= base(i) if first) += wrap(idx[i]) * stride; an index outside [-size, size)
    makes pos[i] = -1 and is recorded in ``errors``."""
    i = cuda.grid(1)
    if i < pos.size:
        p = flat_to_offset(i, shape, base) if first else pos[i]
        if p >= 0:
            j = idx[flat_to_offset(i, shape, idx_strides)]
            k = j + size if j < 0 else j
            if k >= 0 and k < size:
                p += k * stride
            else:  # (any bad element may win the race to the record: one is reported)
                p = -1
                errors[1] = j
                errors[2] = size
                errors[3] = axis
                errors[0] = code
        pos[i] = p


@cuda.jit
def _take_kernel(out, x, pos, fill):
    i = cuda.grid(1)
    if i < out.size:
        p = pos[i]
        out[i] = x[p] if p >= 0 else fill


@cuda.jit
def _put_add_kernel(out, pos, v, shape, vs):
    i = cuda.grid(1)
    if i < pos.size:
        p = pos[i]
        if p >= 0:
            cuda.atomic.add(out, p, v[flat_to_offset(i, shape, vs)])


@cuda.jit
def _put_kernel(out, pos, v, shape, vs):
    i = cuda.grid(1)
    if i < pos.size:
        p = pos[i]
        if p >= 0:
            out[p] = v[flat_to_offset(i, shape, vs)]


_ARANGES = collections.OrderedDict()  # (dtype, shape) -> device arange; the latest 64


def _uploaded(array):
    """A device copy of a host int array. An arange in any shape (a loop's ``range(n)``,
    ``gather``'s grids, the same every step) is uploaded once and kept; others each time."""
    array = np.ascontiguousarray(array)
    if not np.array_equal(array.reshape(-1), np.arange(array.size)):
        return from_numpy(array)
    key = (array.dtype.str, array.shape)
    hit = _ARANGES.pop(key, None)
    _ARANGES[key] = hit if hit is not None else from_numpy(array)
    if len(_ARANGES) > 64:
        _ARANGES.popitem(last=False)
    return _ARANGES[key]


def _is_array(part):
    return is_device_array(part) or isinstance(part, (np.ndarray, list, range))


def _device_plan(shape, index):
    """For an index holding an int array, on the device or the host: (view index,
    [(array, axis)...], p) where the view index (slices and ints) gives ``v``, each array
    addresses ``axis`` of the input, and B's axes go at position p of the result; None when the
    host path must take it (no array, a None or a 0-d mask among them)."""
    parts = index if isinstance(index, tuple) else (index,)
    if not any(_is_array(part) for part in parts):
        return None
    expanded = []
    for part in parts:
        if isinstance(part, (list, range)):
            part = np.asarray(part) if len(part) else np.zeros(0, np.int64)
        if is_device_array(part) and part.dtype == np.bool_:
            part = to_numpy(part)  # the one sync: a mask's result size (module docstring)
        if isinstance(part, np.ndarray) and part.dtype == np.bool_:
            if not part.ndim:
                return None
            expanded.extend(np.nonzero(part))
        elif part is None:
            return None
        else:
            expanded.append(part)
    ellipses = [i for i, part in enumerate(expanded) if part is Ellipsis]
    if len(ellipses) > 1:
        return None
    if ellipses:
        at = ellipses[0]
        fill_in = [slice(None)] * (len(shape) - len(expanded) + 1)
        expanded = expanded[:at] + fill_in + expanded[at + 1 :]
    if len(expanded) > len(shape):
        return None
    expanded += [slice(None)] * (len(shape) - len(expanded))
    view_index, arrays, advanced = [], [], []
    for axis, (part, size) in enumerate(zip(expanded, shape, strict=True)):
        if isinstance(part, slice):
            if part.step is not None and part.step < 0:
                return None
            view_index.append(part)
        elif isinstance(part, (int, np.integer)):
            if not -size <= part < size:
                return None  # (the host path raises NumPy's error)
            view_index.append(int(part))
            advanced.append(axis)
        else:
            if not is_device_array(part):
                part = np.asarray(part)
                if part.dtype.kind not in "iu":
                    return None
            elif part.dtype.kind not in "iu":
                return None
            view_index.append(slice(None))
            arrays.append((part, axis))
            advanced.append(axis)
    adjacent = advanced == list(range(advanced[0], advanced[-1] + 1))
    p = sum(isinstance(part, slice) for part in expanded[: advanced[0]]) if adjacent else 0
    return tuple(view_index), arrays, p


def _device_positions(v, arrays, p, view_axes, code):
    """(positions (int64, on the device), result shape) of the advanced ``arrays`` in view ``v``:
    see the module docstring. ``view_axes[axis]``: the axis of ``v`` that input axis is."""
    item = v.dtype.itemsize
    v_strides = [s // item for s in v.strides]
    array_axes = {view_axes[axis] for _, axis in arrays}
    rest = [j for j in range(len(v.shape)) if j not in array_axes]
    sizes = [int(v.shape[j]) for j in rest]
    steps = [v_strides[j] for j in rest]
    B = np.broadcast_shapes(*(tuple(a.shape) for a, _ in arrays))
    out_shape = tuple(sizes[:p]) + B + tuple(sizes[p:])
    n = math.prod(out_shape)
    pos = empty((n,), np.int64)
    if not n:
        return pos, out_shape
    shape = out_shape or (1,)
    base = tuple(steps[:p]) + (0,) * len(B) + tuple(steps[p:]) or (0,)
    before, after = (0,) * p, (0,) * (len(sizes) - p)
    for k, (array, axis) in enumerate(arrays):
        device = array if is_device_array(array) else _uploaded(array)
        if tuple(device.shape) != B:  # (the usual one index array needs no broadcast view)
            device = broadcast_to(device, B)
        storage, _, b_strides = strided(device)
        idx_strides = before + (tuple(b_strides) if B else ()) + after or (0,)
        j = view_axes[axis]
        launch(
            _positions_kernel,
            *launch_1d(n),
            pos,
            shape,
            base,
            storage,
            idx_strides,
            int(v.shape[j]),
            v_strides[j],
            axis,
            k == 0,
            code,
            kernel_errors(),
        )
    return pos, out_shape


def _plan_view(a, plan):
    """(v, view_axes) for a plan: the view of ``a`` its basic parts select, and for every axis
    of ``a`` that an array addresses, the axis of ``v`` it became (ints remove their axis)."""
    view_index, arrays, _ = plan
    whole = all(type(part) is slice and part == slice(None) for part in view_index)
    v = a if whole else getitem(a, view_index)
    view_axes, j = {}, 0
    for axis, part in enumerate(view_index):
        if isinstance(part, slice):
            view_axes[axis] = j
            j += 1
    return v, view_axes


def _fill_value(dtype):
    """What gather writes where the index was out of range: nan, or 0 for ints and bools."""
    dtype = np.dtype(dtype)
    return dtype.type(np.nan if dtype.kind in "fc" else 0)


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
    plan = _device_plan(tuple(a.shape), index)
    if plan is not None:
        v, view_axes = _plan_view(a, plan)
        pos, shape = _device_positions(v, plan[1], plan[2], view_axes, GATHER)
        out = empty(shape, a.dtype)
        if out.size:
            x, _, _ = strided(v)
            launch(_take_kernel, *launch_1d(out.size), flat(out), x, pos, _fill_value(a.dtype))
        return out
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
    out = empty(shape, values.dtype)
    fill(out, 0)
    plan = _device_plan(shape, index)
    if plan is not None:
        _device_put(out, plan, values, _put_add_kernel, SCATTER_ADD)
        return out
    pos = positions(shape, index)
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
    plan = _device_plan(tuple(a.shape), index)
    if plan is not None:
        if not is_device_array(values):
            values = from_numpy(np.asarray(values, a.dtype))
        _device_put(a, plan, values, _put_kernel, SETITEM)
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


def _device_put(a, plan, values, kernel, code):
    """a[index] += values (scatter_add) or = values (setitem), with device-side positions."""
    v, view_axes = _plan_view(a, plan)
    pos, shape = _device_positions(v, plan[1], plan[2], view_axes, code)
    if pos.size:
        storage, _, _ = strided(v)
        if tuple(values.shape) != shape:
            values = broadcast_to(values, shape)
        vals, vshape, vs = strided(values)
        launch(kernel, *launch_1d(pos.size), storage, pos, vals, vshape, vs)
