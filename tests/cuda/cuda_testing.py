"""Helpers for the CUDA tests: arrays in every memory layout, and comparisons with the oracle.

``arrays(shape, dtype)`` draws a device array together with the NumPy array holding the same
numbers in the same layout: C-contiguous, transposed (a permute view), sliced with a step (a
getitem view) or broadcast (0 strides). So every kernel is tested on views as well, and the views
themselves are tested by every kernel test. The oracle is ``backends/reference.py``.
"""

import numpy as np
from hypothesis import strategies as st

from scalargrad.matrix.backends import cuda as C
from scalargrad.matrix.backends import reference as R  # noqa: F401 (re-exported for the tests)

LAYOUTS = ("contiguous", "transposed", "sliced", "broadcast")


def shapes(min_dims=1, max_dims=3, max_side=7):
    """Small, ragged shapes (size-1 dims included)."""
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def values(rng, shape, dtype, low=-3.0, high=3.0):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind == "i":
        return rng.integers(int(low) - 2, int(high) + 3, shape).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


@st.composite
def arrays(draw, shape, dtype=np.float64, low=-3.0, high=3.0, layouts=LAYOUTS):
    """(device array, host array) with equal numbers, in a drawn memory layout."""
    layout = draw(st.sampled_from(layouts))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return make(layout, rng, shape, dtype, low, high)


def make(layout, rng, shape, dtype=np.float64, low=-3.0, high=3.0):
    shape = tuple(shape)
    if layout == "transposed" and len(shape) > 1:
        axes = tuple(reversed(range(len(shape))))
        base = values(rng, shape[::-1], dtype, low, high)
        return C.permute(C.from_numpy(base), axes), base.transpose(axes)
    if layout == "sliced":
        base = values(rng, tuple(2 * n + 1 for n in shape), dtype, low, high)
        index = tuple(slice(1, None, 2) for _ in shape)
        return C.getitem(C.from_numpy(base), index), base[index]
    if layout == "broadcast" and len(shape) > 0:
        small = values(
            rng, tuple(1 if i % 2 == 0 else n for i, n in enumerate(shape)), dtype, low, high
        )
        return C.broadcast_to(C.from_numpy(small), shape), np.broadcast_to(small, shape)
    base = values(rng, shape, dtype, low, high)
    return C.from_numpy(base), base


def tolerance(dtype):
    return (
        dict(rtol=2e-5, atol=1e-6)
        if np.dtype(dtype) == np.float32
        else dict(rtol=1e-10, atol=1e-12)
    )


def assert_matches(device, expected, dtype=None, terms=1, magnitude=1.0):
    """The device array copied back equals ``expected``: same shape, same dtype, same numbers
    (nan where expected has nan).

    A sum of ``terms`` numbers of size up to ``magnitude`` added in another order (a tree on
    the GPU, pairwise in NumPy) may differ by about terms * magnitude * eps even where the
    result is near 0, so the absolute tolerance grows with them."""
    got = C.to_numpy(device)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if got.dtype.kind == "f":
        tol = tolerance(dtype or got.dtype)
        eps = np.finfo(dtype or got.dtype).eps
        tol["atol"] = max(tol["atol"], 8 * eps * terms * float(magnitude))
        np.testing.assert_allclose(got, expected, equal_nan=True, **tol)
    else:
        np.testing.assert_array_equal(got, expected)
