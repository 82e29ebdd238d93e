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


@pytest.mark.parametrize("descending", [False, True])
def test_tensor_sort_topk_unique_on_the_device_match_the_cpu(descending):
    import scalargrad as sg

    rng = np.random.default_rng(3)
    a = np.round(rng.normal(size=(4, 7)) * 2)
    a[1, 3] = np.nan
    w = rng.normal(size=(4, 7))
    results = {}
    for device in ("cpu", "cuda"):
        x = sg.tensor(a, requires_grad=True, device=device)
        values, indices = x.sort(dim=1, descending=descending)
        top = x.topk(3, dim=0, largest=not descending)
        (values * sg.tensor(w, device=device)).sum().backward()
        top.values.sum().backward()
        assert values.device.type == indices.device.type == device
        assert top.values.grad_fn.name() == "TopkBackward0"
        u = sg.unique(x.detach(), return_inverse=True, return_counts=True)
        outputs = (values, indices, *top, x.grad, *u)
        results[device] = [t.detach().to("cpu").numpy() for t in outputs]
    for got, want in zip(results["cuda"], results["cpu"], strict=True):
        np.testing.assert_array_equal(got, want)


def test_rows_longer_than_a_block():
    # 2 x 300 elements: threads of one row spread over several blocks of the launch
    rng = np.random.default_rng(5)
    h = np.round(rng.normal(size=(2, 300)) * 5).astype(np.float32)
    h[0, ::11] = np.nan
    for descending in (False, True):
        values, indices = C.sort(C.from_numpy(h), 1, descending)
        ref_values, ref_indices = R.sort(h, 1, descending)
        assert_matches(indices, ref_indices)
        assert_matches(values, ref_values)
