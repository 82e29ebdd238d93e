"""sort / argsort / msort / topk / unique on the matrix engine: values and indices against NumPy,
gradients against central differences (float64, hypothesis-drawn inputs without ties), a tie
case written out, and the errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matrix_gradients import check_gradients
from test_junk_errors import assert_deliberate, junk

import scalargrad as sg


def shapes(min_side=1):
    return hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=5)


def distinct_floats(shape, seed):
    """float64 values all different (no ties), at least 0.1 apart: a step of 1e-6 keeps order."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 + rng.uniform(-1, 1)).reshape(shape)


def numpy_sort(a, axis, descending):
    """NumPy's stable order, descending as PyTorch's stable descending (ties by index)."""
    if descending:
        idx = a.shape[axis] - 1 - np.flip(np.argsort(np.flip(a, axis), axis, kind="stable"), axis)
    else:
        idx = np.argsort(a, axis, kind="stable")
    return np.take_along_axis(a, idx, axis), idx


@given(shape=shapes(min_side=0), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_sort_and_argsort_match_numpy(shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    descending = data.draw(st.booleans())
    a = np.round(np.random.default_rng(seed).normal(size=shape) * 2)  # ties
    a[np.random.default_rng(seed + 1).random(shape) < 0.2] = np.nan
    values, indices = sg.tensor(a).sort(axis, descending)
    ref_values, ref_indices = numpy_sort(a, axis, descending)
    assert indices.dtype == sg.int64 and values.dtype == sg.float64
    np.testing.assert_array_equal(indices.numpy(), ref_indices)
    np.testing.assert_array_equal(values.numpy(), ref_values)
    np.testing.assert_array_equal(
        sg.argsort(sg.tensor(a), dim=axis, descending=descending, stable=True).numpy(),
        ref_indices,
    )


@given(shape=shapes(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_topk_is_the_first_k_of_the_sort(shape, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    largest = data.draw(st.booleans())
    a = np.random.default_rng(seed).integers(-3, 4, size=shape)  # int64, many ties
    values, indices = sg.topk(sg.tensor(a), k, dim=axis, largest=largest)
    ref_values, ref_indices = numpy_sort(a, axis, largest)
    keep = np.arange(k)
    np.testing.assert_array_equal(values.numpy(), np.take(ref_values, keep, axis))
    np.testing.assert_array_equal(indices.numpy(), np.take(ref_indices, keep, axis))


def test_msort_is_sort_along_dim_0():
    a = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(sg.tensor(a).msort().numpy(), np.sort(a, axis=0))


@settings(max_examples=25, deadline=None)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_sort_gradient_matches_central_differences(shape, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    descending = data.draw(st.booleans())
    y = check_gradients(lambda x: x.sort(axis, descending).values, distinct_floats(shape, seed))
    assert y.grad_fn.name() == "SortBackward0"


@settings(max_examples=25, deadline=None)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_topk_gradient_matches_central_differences(shape, seed, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    largest = data.draw(st.booleans())
    y = check_gradients(lambda x: x.topk(k, axis, largest).values, distinct_floats(shape, seed))
    assert y.grad_fn.name() == "TopkBackward0"


def test_gradient_with_ties_goes_where_the_stable_order_put_each_value():
    # sort([1, 1, 1, 2, 1], descending=True, stable=True): indices [3, 0, 1, 2, 4] (PyTorch 2.13
    # gives the same); values.backward(w) sends w[j] to x[indices[j]]
    x = sg.tensor([1.0, 1.0, 1.0, 2.0, 1.0], requires_grad=True)
    values, indices = sg.sort(x, descending=True, stable=True)
    assert indices.tolist() == [3, 0, 1, 2, 4]
    assert values.grad_fn.name() == "SortBackward1"  # PyTorch's name when stable= is given
    values.backward(sg.tensor([10.0, 20.0, 30.0, 40.0, 50.0]))
    assert x.grad.tolist() == [20.0, 30.0, 40.0, 10.0, 50.0]


def test_topk_gradient_is_zero_where_not_kept():
    x = sg.tensor([[0.5, 3.0, -1.0, 2.0]], requires_grad=True)
    x.topk(2, dim=1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0, 1.0]]


def test_changing_the_returned_indices_does_not_change_the_gradient():
    x = sg.tensor([2.0, 0.0, 1.0], requires_grad=True)
    values, indices = x.sort()
    indices.zero_()
    values.backward(sg.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


def test_zero_dim_tensors_as_pytorch():
    x = sg.tensor(2.5, requires_grad=True)
    values, indices = x.sort()
    assert values.item() == 2.5 and indices.item() == 0 and indices.dtype == sg.int64
    assert values.grad_fn.name() == "SortBackward0"
    for k in (0, 1):
        assert x.topk(k).values.item() == 2.5
    assert x.argsort().item() == 0


def test_printed_like_torch_return_types():
    out = sg.tensor([3.0, 1.0, 2.0]).sort()
    assert repr(out) == (
        "scalargrad.return_types.sort(\nvalues=tensor([1., 2., 3.]),\nindices=tensor([1, 2, 0]))"
    )
    assert repr(sg.tensor([3.0, 1.0, 2.0]).topk(1)) == (
        "scalargrad.return_types.topk(\nvalues=tensor([3.]),\nindices=tensor([0]))"
    )


@given(shape=shapes(min_side=0), seed=st.integers(0, 2**32 - 1), nan=st.booleans())
def test_unique_matches_numpy(shape, seed, nan):
    a = np.random.default_rng(seed).integers(-3, 4, size=shape).astype(np.float64)
    if nan and a.size:
        a.reshape(-1)[::3] = np.nan
    values, inverse, counts = sg.unique(sg.tensor(a), return_inverse=True, return_counts=True)
    # PyTorch (and numpy with equal_nan=False): every NaN is a value of its own
    ref_values, ref_inverse, ref_counts = np.unique(
        a, return_inverse=True, return_counts=True, equal_nan=False
    )
    # numpy numbers the NaNs in no particular order; PyTorch (a stable sort) in index order
    nans = np.isnan(a.reshape(-1))
    ref_inverse = ref_inverse.reshape(-1)
    ref_inverse[nans] = len(ref_values) - nans.sum() + np.arange(nans.sum())
    np.testing.assert_array_equal(values.numpy(), ref_values)
    np.testing.assert_array_equal(inverse.numpy(), ref_inverse.reshape(shape))
    np.testing.assert_array_equal(counts.numpy(), ref_counts)
    assert inverse.dtype == counts.dtype == sg.int64
    assert sg.tensor(a).unique().shape == values.shape


def test_unique_of_ints_and_bools():
    assert sg.tensor([3, 1, 2, 3, 1]).unique(sorted=False).tolist() == [1, 2, 3]
    assert sg.tensor([True, False, True]).unique().tolist() == [False, True]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda x: x.topk(4), RuntimeError, ["topk", "k = 4", "(2, 3)", "0 <= k <= 3"]),
        (lambda x: x.topk(-1, dim=0), RuntimeError, ["topk", "k = -1", "0 <= k <= 2"]),
        (lambda x: x.topk(2.0), TypeError, ["topk", "k must be an int", "2.0"]),
        (lambda x: x.topk(True), TypeError, ["topk", "bool"]),
        (lambda x: x.sort(dim=2), IndexError, ["sort", "[-2, 1]", "got 2"]),
        (lambda x: sg.argsort(x, dim=-3), IndexError, ["argsort", "got -3"]),
        (lambda x: x.topk(1, dim=5), IndexError, ["topk", "got 5"]),
        (lambda x: x.sort(descending="yes"), TypeError, ["sort", "descending", "'yes'"]),
        (lambda x: x.unique(dim=0), ValueError, ["unique", "dim=0"]),
        (lambda x: sg.sort([1.0, 2.0]), TypeError, ["sort", "list"]),
    ],
)
def test_errors_name_the_op_and_the_values(call, error, words):
    x = sg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with pytest.raises(error) as info:
        call(x)
    for word in words:
        assert word in str(info.value)


SORTING = ["sort", "argsort", "msort", "topk", "unique"]


@given(st.sampled_from(SORTING), junk, st.none() | junk, st.booleans())
def test_junk_arguments_give_deliberate_errors(name, a, b, functional):
    # whatever is raised names the problem: never an AttributeError or a numba message
    x = sg.randn(2, 3)
    f = (lambda *args: getattr(sg, name)(x, *args)) if functional else getattr(x, name)
    assert_deliberate(lambda: f(a) if b is None else f(a, b))
    assert_deliberate(lambda: getattr(sg, name)(a))
