"""The CUDA sort kernels (cuda_sort.py: one thread per element computes its rank) against the
NumPy reference: every dtype and layout, ties (ints, bools, rounded floats), NaNs and infinities,
ascending and descending; put_along_axis (the backward) against numpy's."""

import numpy as np
import pytest
from cuda_testing import C, R, arrays, assert_matches, shapes
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
@settings(max_examples=8)
@given(data=st.data())
def test_sort_matches_reference(dtype, data):
    shape = data.draw(shapes())
    a, ha = data.draw(arrays(shape, dtype))
    axis = data.draw(st.integers(0, len(shape) - 1))
    descending = data.draw(st.booleans())
    values, indices = C.sort(a, axis, descending)
    ref_values, ref_indices = R.sort(ha, axis, descending)
    assert_matches(indices, ref_indices)
    assert_matches(values, ref_values)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_ties_nans_and_a_transposed_view(descending):
    rng = np.random.default_rng(0)
    h = np.round(rng.normal(size=(9, 6)) * 2)
    h[rng.random(h.shape) < 0.2] = np.nan
    h[0, 0], h[1, 1], h[2, 2] = np.inf, -np.inf, -0.0
    view = C.permute(C.from_numpy(h), (1, 0))  # (6, 9), strided
    for axis in (0, 1):
        values, indices = C.sort(view, axis, descending)
        ref_values, ref_indices = R.sort(h.T, axis, descending)
        assert_matches(indices, ref_indices)
        assert_matches(values, ref_values)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=8)
@given(data=st.data())
def test_put_along_axis_matches_reference(dtype, data):
    shape = data.draw(shapes())
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    order = np.argsort(rng.random(shape), axis=axis)
    indices = np.ascontiguousarray(np.take(order, np.arange(k), axis=axis))
    g, hg = data.draw(arrays(indices.shape, dtype)) if k else (C.from_numpy(
        np.zeros(indices.shape, dtype)), np.zeros(indices.shape, dtype))
    got = C.put_along_axis(shape, C.from_numpy(indices), g, axis)
    assert_matches(got, R.put_along_axis(shape, indices, hg, axis))
