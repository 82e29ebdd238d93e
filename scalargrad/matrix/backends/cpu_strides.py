"""How the CPU kernels see a strided array: a flat buffer, element strides and a fixed rank.

A numpy view (transposed, sliced, broadcast with 0 strides) is a block of memory plus, for each
dimension, a *stride*: how many elements to skip to move one step along that dimension. The
element at index ``(i, j, k, l)`` lives at ``i*s0 + j*s1 + k*s2 + l*s3`` in the flat buffer.

Every kernel takes its inputs in this one form: a 1-D read-only buffer, a 4-tuple of strides and
a 4-tuple shape. Whatever the rank and layout of the caller's arrays, numba sees the same argument
*types*, so each kernel is compiled once per dtype instead of once per rank and layout (compiling
is the slow part of a cold start). To fit any rank into 4 dims we first *collapse* dimensions
(``strides.collapse``, the same host-side function the CUDA backend uses: size-1 dims dropped,
neighbouring dims merged where every array steps over them as over one) and pad what is left in
front with size-1 dims.

Only when more than 4 dims survive (rare: a 5-D non-contiguous view) do we copy to contiguous.
"""

import numba
import numpy as np
from numpy.lib.stride_tricks import as_strided

from scalargrad.matrix.backends import strides

RANK = 4


def collapse(shape, strides_list, rank=RANK):
    """``strides.collapse`` padded in front with size-1 dims to ``rank`` dims: (shape, [strides]),
    or None when more than ``rank`` dims survive the merge."""
    shape, strides_list = strides.collapse(shape, strides_list)
    if len(shape) > rank:
        return None
    pad = rank - len(shape)
    return (1,) * pad + shape, [(0,) * pad + ss for ss in strides_list]


def element_strides(a):
    return tuple(s // a.itemsize for s in a.strides)


def flat_buffer(a):
    """The read-only 1-D buffer that starts at ``a``'s first element and covers all of it.

    Needs non-negative strides (callers copy views with negative strides first).
    """
    if a.size == 0:
        return np.empty(0, a.dtype)
    if a.flags.c_contiguous:  # the common case, and much cheaper than as_strided
        flat = a.reshape(-1)
        flat.flags.writeable = False  # on the view only: every input has the same numba type
        return flat
    span = 1 + sum((n - 1) * s for n, s in zip(a.shape, element_strides(a), strict=True))
    return as_strided(a, shape=(span,), strides=(a.itemsize,), writeable=False)


def _positive(a):
    return a if all(s >= 0 for s in a.strides) else np.ascontiguousarray(a)


_CONTIGUOUS = (0, 0, 0, 1)


def elementwise_args(arrays, shape):
    """Flat buffers, 4-D strides and the 4-D shape for arrays that all have ``shape``."""
    if all(
        a.flags.c_contiguous and a.shape == shape for a in arrays
    ):  # fast path: one flat dim, stride 1
        size = arrays[0].size
        return [flat_buffer(a) for a in arrays], [_CONTIGUOUS] * len(arrays), (1, 1, 1, size)
    arrays = [_positive(np.asarray(a)) for a in arrays]
    dims = collapse(shape, [element_strides(a) for a in arrays])
    if dims is None:
        arrays = [np.ascontiguousarray(a) for a in arrays]
        dims = collapse(shape, [element_strides(a) for a in arrays])
    shape4, strides4 = dims
    return [flat_buffer(a) for a in arrays], strides4, shape4


def reduction_args(arrays, axes):
    """Buffers, strides and shape ``(K0, K1, R0, R1)``: kept dims first, reduced ``axes`` last.

    Both groups are collapsed to 2 dims; the kernel loops over K0*K1 outputs, each reducing R0*R1
    elements. If a group does not collapse, the arrays are copied in (kept, reduced) order.
    """
    arrays = [_positive(np.asarray(a)) for a in arrays]
    shape = arrays[0].shape
    axes = tuple(sorted(axes))
    kept = tuple(d for d in range(len(shape)) if d not in axes)
    order = kept + axes
    for _attempt in range(2):
        strides = [element_strides(a) for a in arrays]
        k = collapse([shape[d] for d in kept], [[s[d] for d in kept] for s in strides], 2)
        r = collapse([shape[d] for d in axes], [[s[d] for d in axes] for s in strides], 2)
        if k is not None and r is not None:
            break
        arrays = [np.ascontiguousarray(np.transpose(a, order)) for a in arrays]
        shape = arrays[0].shape
        kept, axes = tuple(range(len(kept))), tuple(range(len(kept), len(shape)))
    shape4 = k[0] + r[0]
    strides4 = [ks + rs for ks, rs in zip(k[1], r[1], strict=True)]
    return [flat_buffer(a) for a in arrays], strides4, shape4


# ---------------------------------------------------------------- how many threads a kernel uses

# Waking the other cores costs a few microseconds on an idle machine and far more on a busy one,
# so a job smaller than this many elements (about 30 us of work) runs on the calling thread
# alone. PyTorch uses the same grain size (at::internal::GRAIN_SIZE = 32768).
GRAIN = 32768


_THREADS = []  # (get, set) of numba's per-thread thread count, found on the first small launch


def _thread_count_functions():
    """numba's ``get_num_threads`` / ``set_num_threads`` check their argument and the pool on
    every call (~10 us a pair, ~30 us on a busy machine: a small step launches ~20 small
    kernels); the unchecked functions they call cost ~1 us. Use those where numba has them."""
    if not _THREADS:
        try:
            from numba.np.ufunc import parallel

            parallel._launch_threads()  # what the public functions check each time
            _THREADS.append((parallel._get_num_threads, parallel._set_num_threads))
        except (ImportError, AttributeError):  # another numba version: the public API
            _THREADS.append((numba.get_num_threads, numba.set_num_threads))
    return _THREADS[0]


def launch(kernel, work, *args):
    """Call a parallel ``kernel(*args)``; on one thread when ``work`` < GRAIN elements.

    (Setting the thread count inside the kernel would be cheaper, but numba cannot cache a
    kernel that does it, and a cold start recompiling everything costs far more.)"""
    if work >= GRAIN:
        return kernel(*args)
    get_threads, set_threads = _thread_count_functions()
    saved = get_threads()
    if saved == 1:
        return kernel(*args)
    set_threads(1)  # per calling thread: other threads are not affected
    try:
        return kernel(*args)
    finally:
        set_threads(saved)
