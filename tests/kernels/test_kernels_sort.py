"""The CPU sort kernels (cpu_sort.py) against the NumPy reference: every dtype and layout, ties
and NaNs, ascending and descending; put_along_axis (the backward) against numpy's."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kernel_cases import ALL_DTYPES, FLOATS, assert_same, cpu, layouts, make, reference, shapes

seeds = st.integers(0, 2**32 - 1)


def with_ties_and_nans(a, rng, layout):
    """Rounded floats (many ties) with some NaNs and infinities, in the same kind of memory
    layout as ``a`` (ints and bools tie already: returned as they are)."""
    if a.dtype.kind != "f":
        return a
    a = np.round(np.array(a))
    if a.size:
        flat = a.reshape(-1)
        flat[rng.random(flat.size) < 0.2] = np.nan
        flat[rng.random(flat.size) < 0.1] = np.inf
        flat[rng.random(flat.size) < 0.1] = -np.inf
    if layout == "transposed":
        return np.asfortranarray(a)
    if layout == "sliced" and a.ndim:
        base = np.zeros(tuple(2 * n + 1 for n in a.shape), a.dtype)
        view = base[tuple(slice(1, 1 + 2 * n, 2) for n in a.shape)]
        view[...] = a
        return view
    if layout == "reversed" and a.ndim:
        return np.ascontiguousarray(a[::-1])[::-1]
    return a


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@given(shape=shapes(min_dims=1), layout=layouts, seed=seeds, descending=st.booleans(),
       data=st.data())
def test_sort_matches_reference(dtype, shape, layout, seed, descending, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    a = make(shape, dtype, layout, seed)
    a = with_ties_and_nans(a, np.random.default_rng(seed), layout)
    values, indices = cpu.sort(a, axis, descending)
    ref_values, ref_indices = reference.sort(a, axis, descending)
    assert_same(indices, ref_indices)
    assert_same(values, ref_values)
    assert values.flags.c_contiguous and indices.flags.c_contiguous


@pytest.mark.parametrize("descending", [False, True])
def test_sort_long_rows(descending):
    # rows longer than a few merge passes, with odd lengths (a run left over at the end)
    a = np.round(np.random.default_rng(1).normal(size=(3, 1001)) * 10)
    a[0, ::7] = np.nan
    for axis in (0, 1):
        got, ref = cpu.sort(a, axis, descending), reference.sort(a, axis, descending)
        assert_same(got[1], ref[1])
        assert_same(got[0], ref[0])


def test_sort_order_written_out():
    # NaN largest, -0.0 == 0.0 (a tie: index order), infinities in place
    a = np.array([0.0, np.nan, -np.inf, -0.0, 1.0, np.nan, np.inf])
    _, up = cpu.sort(a, 0, False)
    _, down = cpu.sort(a, 0, True)
    assert up.tolist() == [2, 0, 3, 4, 6, 1, 5]
    assert down.tolist() == [1, 5, 6, 4, 0, 3, 2]


@pytest.mark.parametrize("dtype", FLOATS)
@given(shape=shapes(min_dims=1, min_side=1), layout=layouts, seed=seeds, data=st.data())
def test_put_along_axis_matches_reference(dtype, shape, layout, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    rng = np.random.default_rng(seed)
    # distinct indices along the axis (a sort's first k), in a drawn layout
    order = np.argsort(rng.random(shape), axis=axis)
    indices = np.take(order, np.arange(k), axis=axis)
    values = make(indices.shape, dtype, layout, seed)
    assert_same(
        cpu.put_along_axis(shape, indices, values, axis),
        reference.put_along_axis(shape, indices, values, axis),
    )
