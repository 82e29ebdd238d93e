"""Shared hypothesis strategies for the kernel tests: shapes, dtypes and memory layouts.

Arrays are drawn as (shape, layout, seed) and built with numpy's generator, which is much faster
than drawing every element through hypothesis. Layouts cover what the Tensor layer passes in:
contiguous, transposed (permuted), sliced with a step, reversed (negative strides) and broadcast
(0 strides from ``broadcast_to``).
"""

import numpy as np
from hypothesis import strategies as st

from scalargrad.matrix.backends import cpu, reference

FLOATS = (np.float32, np.float64)
ALL_DTYPES = (np.float32, np.float64, np.int64, np.bool_)
LAYOUTS = ("contiguous", "transposed", "sliced", "reversed", "broadcast")

__all__ = ["cpu", "reference", "shapes", "layouts", "make", "assert_same", "FLOATS", "ALL_DTYPES"]


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=5):
    """Shapes including empty (0) and size-1 dims."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(
        tuple
    )


layouts = st.sampled_from(LAYOUTS)


def values(rng, shape, dtype, low=-3.0, high=3.0):
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.dtype(dtype).kind == "i":
        return np.asarray(rng.integers(-5, 6, size=shape), np.int64)
    return np.asarray(rng.uniform(low, high, size=shape), dtype)


def make(shape, dtype, layout, seed, low=-3.0, high=3.0):
    """An array of ``shape`` whose memory layout is ``layout``."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    nd = len(shape)
    if layout == "transposed" and nd >= 2:
        perm = tuple(rng.permutation(nd))
        base = values(rng, tuple(shape[p] for p in perm), dtype, low, high)
        return np.transpose(base, tuple(np.argsort(perm)))
    if layout == "sliced" and nd >= 1:
        base = values(rng, tuple(2 * n + 1 for n in shape), dtype, low, high)
        return base[tuple(slice(1, 1 + 2 * n, 2) for n in shape)]
    if layout == "reversed" and nd >= 1:
        return values(rng, shape, dtype, low, high)[::-1]
    if layout == "broadcast" and nd >= 1:
        keep = rng.random(nd) < 0.5
        base_shape = tuple(n if k else 1 for n, k in zip(shape, keep, strict=True))
        base = values(rng, base_shape, dtype, low, high)
        return np.broadcast_to(base, shape)
    return values(rng, shape, dtype, low, high)


def assert_same(ours, ref, rtol=None, atol=None):
    """Same shape, same dtype, C-contiguous, and values equal up to rounding (NaN where NaN)."""
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    if ours.dtype.kind == "f":
        if rtol is None:
            rtol = 2e-5 if ours.dtype == np.float32 else 1e-10
        if atol is None:
            atol = 1e-5 if ours.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(ours, ref)
