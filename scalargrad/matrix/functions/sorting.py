"""Sorting: ``sort``, ``argsort``, ``msort``, ``topk`` (their values carry a gradient) and
``unique`` (no gradient).

Sorting along a dim reorders each row: values[j] = x[indices[j]], where ``indices`` is a
permutation of the row's positions (topk keeps its first k). Each output value is a *copy* of one
input element, so the gradient of a value goes back to the place it was copied from and nowhere
else:

    dL/dx[indices[j]] = dL/dvalues[j]        (0 at positions topk did not keep)

The order is PyTorch's ``stable=True`` order on both backends: ascending (or descending), NaN
counts as the largest value, and equal values keep their order in the input (lower index
first). ``stable=False`` gets the same order (PyTorch leaves the order of ties unspecified then).
Docs: derivations/sort.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.matrix.autograd_function import Function, named
from scalargrad.matrix.functions.reductions import return_types
from scalargrad.matrix.functions.shape import clone
from scalargrad.matrix.shape_rules import normalize_dim


class Sort(Function):
    """values = x reordered along ``axis``: values[j] = x[indices[j]] (the backend sorted them);
    dL/dx[indices[j]] = G[j], a gradient of x's shape (put_along_axis)."""

    derivation = "sort"

    @staticmethod
    def forward(ctx, a, values, indices, axis):
        ctx.shape, ctx.indices, ctx.axis = a.shape, indices, axis
        return values

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        return be.put_along_axis(ctx.shape, ctx.indices, grad, ctx.axis), None, None, None


class Topk(Sort):
    """The first k values of the sorted row; dL/dx[indices[j]] = G[j] for j < k, 0 at the
    positions not kept."""


def _flag(op, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def _sorted_arrays(op, x, dim, descending):
    """(axis, values, indices) of x sorted along ``dim`` (x has at least one dim)."""
    axis = normalize_dim(op, dim, x.ndim)
    values, indices = x._backend.sort(x._array, axis, descending)
    return axis, values, indices


def _kept(x, indices):
    """The indices backward will use: a copy of those handed to the user when x requires grad,
    so that changing the returned indices in place cannot misroute the gradient."""
    return x._backend.copy(indices) if x._requires_grad else indices


def _zero_index(x):
    return x._result_type()._wrap(x._backend.full((), 0, dtypes.int64), x._backend)


def sort(x, dim=-1, descending=False, stable=None):
    """(values, indices) with each row along ``dim`` in ascending (descending) order; indices
    int64, ``x.gather(dim, indices) == values``. NaN is the largest; ties keep index order.
    (Given ``stable``, the node is named ``SortBackward1``, PyTorch's name for that overload.)"""
    descending = _flag("sort", "descending", descending)
    name = "SortBackward0" if stable is None else "SortBackward1"
    if stable is not None:
        _flag("sort", "stable", stable)
    if x.ndim == 0:
        normalize_dim("sort", dim, 0)
        return return_types.sort(named(clone(x), name), _zero_index(x))
    axis, values, indices = _sorted_arrays("sort", x, dim, descending)
    out = named(Sort.apply(x, values, _kept(x, indices), axis), name)
    return return_types.sort(out, x._result_type()._wrap(indices, x._backend))


def argsort(x, dim=-1, descending=False, stable=None):
    """The indices that sort ``x`` along ``dim``: ``sort(x, ...).indices`` (int64, no gradient)."""
    descending = _flag("argsort", "descending", descending)
    if stable is not None:
        _flag("argsort", "stable", stable)
    if x.ndim == 0:
        normalize_dim("argsort", dim, 0)
        return _zero_index(x)
    _, _, indices = _sorted_arrays("argsort", x, dim, descending)
    return x._result_type()._wrap(indices, x._backend)


def msort(x):
    """``sort(x, dim=0).values``: x sorted along its first dim."""
    return sort(x, 0).values


def topk(x, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - PyTorch's name
    """(values, indices) of the k largest (``largest=False``: smallest) elements along ``dim``,
    largest first (``sorted=False`` gives them in that order too). NaN counts as the largest;
    of equal values the lower index comes first."""
    largest = _flag("topk", "largest", largest)
    _flag("topk", "sorted", sorted)
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk: k must be an int, got {type(k).__name__} {k!r}")
    k = int(k)
    axis = normalize_dim("topk", dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(
            f"topk: selected index k out of range: k = {k}, but dim {dim} of a tensor of shape "
            f"{tuple(x.shape)} has {n} element(s) (need 0 <= k <= {n})"
        )
    be = x._backend
    if x.ndim == 0:  # as PyTorch: the element itself, for k = 0 and k = 1
        return return_types.topk(named(clone(x), "TopkBackward0"), _zero_index(x))
    values, indices = be.sort(x._array, axis, largest)
    keep = tuple(slice(0, k) if d == axis else slice(None) for d in range(x.ndim))
    values, indices = be.copy(be.getitem(values, keep)), be.copy(be.getitem(indices, keep))
    out = Topk.apply(x, values, _kept(x, indices), axis)
    return return_types.topk(out, x._result_type()._wrap(indices, be))


def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct elements of the flattened ``x`` in ascending order (``sorted=False`` too);
    with ``return_inverse``, also where each element of x went (x == output[inverse], x's
    shape); with ``return_counts``, how often each one occurs. No gradient; every NaN is
    distinct, as in PyTorch.

    How: sort the flattened x (on its device) and mark each sorted element that differs from
    the one before it: the start of a group of equal values. The marks go to the host (the number
    of groups decides the output's size; PyTorch synchronizes here too), where the counts
    (distances between starts) and the group numbers (a running sum of the marks) are found;
    the first element of each group (a gather) and each element's group number, sent back to
    the element's place in x (put_along_axis), are computed on the device.
    """
    for name, flag in (("sorted", sorted), ("return_inverse", return_inverse),
                       ("return_counts", return_counts)):
        _flag("unique", name, flag)
    if dim is not None:
        raise ValueError(
            f"unique: dim={dim!r} is not supported (only the flattened input, dim=None); "
            "for the unique rows of a 2-D tensor use numpy.unique(x.numpy(), axis=0)"
        )
    be = x._backend
    wrap = x._result_type()._wrap
    n = x.numel()
    values, order = be.sort(be.reshape(x._array, (n,)), 0, False)
    if n:
        starts = be.binary("ne", be.getitem(values, (slice(1, None),)),
                           be.getitem(values, (slice(0, -1),)))
        first = np.concatenate(([0], 1 + np.flatnonzero(be.to_numpy(starts))))
    else:
        first = np.zeros(0, np.int64)
    out = [wrap(be.gather(values, (first,)), be)]
    if return_inverse:
        if n:
            marks = np.zeros(n, np.int64)
            marks[first[1:]] = 1  # 1 where a new group begins: the running sum numbers groups
            group = be.from_numpy(np.cumsum(marks))
            inverse = be.put_along_axis((n,), order, group, 0)
        else:
            inverse = be.full((0,), 0, dtypes.int64)
        out.append(wrap(be.reshape(inverse, tuple(x.shape)), be))
    if return_counts:
        counts = np.diff(np.append(first, n)).astype(np.int64)
        out.append(wrap(be.from_numpy(counts), be))
    return out[0] if len(out) == 1 else tuple(out)

