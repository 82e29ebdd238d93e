"""Sorting on the GPU: ``sort`` (values and indices along one axis) and ``put_along_axis``, its
backward. Everything stays on the device: no host round trip.

The order is ``sort_order.precedes`` (NaN largest, ties by index: PyTorch's ``stable=True``),
compiled as a device function, the same function the CPU merge sort calls.

**Rank sort, one thread per element.** The axis is seen as rows (``cuda_reduce.rows``: strided
views read in place, no copy). Thread (r, i) reads x = row r's element i, counts the elements j
of its row that precede it,

    rank(i) = #{ j : precedes(x_j, j, x_i, i) },

and writes values[r, rank] = x_i, indices[r, rank] = i. Because ``precedes`` breaks every tie by
index, the ranks of a row are exactly 0, 1, ..., N-1 (a permutation): every output element is
written once, by one thread, with no atomics and no barrier, and the sort is stable. The cost is
N comparisons per thread, O(N^2) work per row (O(N) time with N threads busy): simple, and fast
for the short rows of top-k accuracy or nearest neighbours (N up to a few thousand); a bitonic or
radix sort would be the next step for very long rows.

``put_along_axis``: one thread per gradient element g[r, j] writes out[r, indices[r, j]]; the
indices of a row are distinct (a permutation, or its first k for topk), so again no atomics.
"""

import functools

from numba import cuda

from scalargrad.matrix.backends import sort_order
from scalargrad.matrix.backends.cuda_memory import empty, flat_to_offset, full, launch, launch_1d
from scalargrad.matrix.backends.cuda_reduce import rows

_precedes = cuda.jit(device=True)(sort_order.precedes)


@functools.cache
def _rank_kernel(descending):
    @cuda.jit
    def kernel(values, vstr, vk, indices, istr, ik, x, oshape, xstr, xk, n, total):
        t = cuda.grid(1)
        if t < total:
            r = t // n
            i = t % n
            xb = flat_to_offset(r, oshape, xstr)
            xi = x[xb + i * xk]
            rank = 0
            for j in range(n):
                if _precedes(x[xb + j * xk], j, xi, i, descending):
                    rank += 1
            values[flat_to_offset(r, oshape, vstr) + rank * vk] = xi
            indices[flat_to_offset(r, oshape, istr) + rank * ik] = i

    return kernel


@cuda.jit
def _put_kernel(out, ostr, ok, indices, istr, ik, g, oshape, gstr, gk, k, total):
    t = cuda.grid(1)
    if t < total:
        r = t // k
        j = t % k
        pos = indices[flat_to_offset(r, oshape, istr) + j * ik]
        value = g[flat_to_offset(r, oshape, gstr) + j * gk]
        out[flat_to_offset(r, oshape, ostr) + pos * ok] = value


def sort(a, axis, descending):
    """(values, indices) of ``a`` sorted along ``axis``; indices int64; stable, NaN largest."""
    axis = int(axis)
    values = empty(a.shape, a.dtype)
    indices = empty(a.shape, "int64")
    if a.size:
        x, oshape, xstr, _, (xk,), m, n = rows(a, (axis,))
        vd, _, vstr, _, (vk,), _, _ = rows(values, (axis,))
        idd, _, istr, _, (ik,), _, _ = rows(indices, (axis,))
        blocks, threads = launch_1d(m * n)
        launch(_rank_kernel(bool(descending)), blocks, threads,
               vd, vstr, vk, idd, istr, ik, x, oshape, xstr, xk, n, m * n)
    return values, indices


def put_along_axis(shape, indices, values, axis):
    """zeros(shape) with out[..., indices[..., j, ...], ...] = values[..., j, ...] along ``axis``
    (indices distinct along the axis). The backward of sort and topk."""
    axis = int(axis)
    out = full(tuple(shape), 0, values.dtype)
    if values.size:
        od, oshape, ostr, _, (ok,), m, _ = rows(out, (axis,))
        idd, _, istr, _, (ik,), _, k = rows(indices, (axis,))
        gd, _, gstr, _, (gk,), _, _ = rows(values, (axis,))
        blocks, threads = launch_1d(m * k)
        launch(_put_kernel, blocks, threads, od, ostr, ok, idd, istr, ik, gd, oshape, gstr, gk,
               k, m * k)
    return out
