"""Reductions: values vs NumPy for every dim/keepdim, gradients vs central differences, the
curriculum's numbers, and the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matrix_gradients import check_gradients

import scalargrad as sg
from scalargrad.testing.tensors import arrays, dims, layouts, nonempty_shapes, shapes

SMALL = shapes(max_dims=3, max_side=3)


def np_axes(dim, ndim):
    if dim is None or ndim == 0:
        return None
    return tuple(d % ndim for d in dim) if isinstance(dim, tuple) else dim % ndim


@pytest.mark.parametrize("op", ["sum", "mean"])
@given(data=st.data())
def test_sum_mean(op, data):
    shape = data.draw(nonempty_shapes(max_dims=3, max_side=3) if op == "mean" else SMALL)
    a = data.draw(layouts(arrays(shape)))
    dim = data.draw(dims(a.ndim))
    keepdim = data.draw(st.booleans())
    fn = lambda x: getattr(x, op)(dim=dim, keepdim=keepdim)  # noqa: E731
    expected = getattr(np, op)(a, axis=np_axes(dim, a.ndim), keepdims=keepdim and a.ndim > 0)
    y = check_gradients(fn, a)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12, atol=1e-12)


@given(data=st.data())
def test_var_std(data):
    a = data.draw(layouts(arrays(nonempty_shapes(min_dims=1, max_dims=3, max_side=3))))
    dim = data.draw(dims(a.ndim))
    axes = np_axes(dim, a.ndim)
    n = a.size if axes is None else int(np.prod([a.shape[i] for i in np.atleast_1d(axes)]))
    unbiased = data.draw(st.booleans()) if n > 1 else False
    y = check_gradients(lambda x: x.var(dim=dim, unbiased=unbiased), a, atol=1e-5)
    np.testing.assert_allclose(
        y.detach().numpy(), np.var(a, axis=axes, ddof=int(unbiased)), atol=1e-12
    )
    s = sg.from_numpy(a).std(dim=dim, unbiased=unbiased)
    np.testing.assert_allclose(s.numpy(), np.std(a, axis=axes, ddof=int(unbiased)), atol=1e-12)


@pytest.mark.parametrize("op", ["var", "std"])
@given(st.floats(-100, 100), st.sampled_from([sg.float32, sg.float64]))
def test_var_of_one_element_is_nan_as_torch(op, v, dtype):
    """N - c = 0 (one element, unbiased): 0/0, so value and gradient are nan, as PyTorch (which
    warns); with correction=0 the variance of one element is 0 and so is its gradient."""
    x = sg.tensor([v], dtype=dtype, requires_grad=True)
    with np.errstate(all="ignore"):
        y = getattr(x, op)()
        y.backward()
    assert np.isnan(y.item()) and np.isnan(x.grad.item())
    x.grad = None
    x.var(correction=0).backward()
    assert x.var(correction=0).item() == 0.0 and x.grad.item() == 0.0


def test_std_is_unbiased_by_default():
    x = sg.tensor([1.0, 2.0, 3.0, 4.0])
    assert x.std().item() == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert x.var(correction=0).item() == pytest.approx(1.25)


@given(data=st.data())
def test_prod(data):
    a = data.draw(arrays(shapes(max_dims=2, max_side=3), min_value=-2, max_value=2))
    a = np.where(np.abs(a) < 0.1, 0.5, a)  # no tiny factors: the product must not underflow
    if a.size:  # exercise zeros: none, one, two of them
        flat = a.reshape(-1)
        for i in data.draw(st.lists(st.integers(0, a.size - 1), max_size=2)):
            flat[i] = 0.0
    dim = data.draw(st.one_of(st.none(), st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1)))
    y = check_gradients(lambda x: x.prod(dim=dim), a)
    np.testing.assert_allclose(
        y.detach().numpy(), np.prod(a, axis=np_axes(dim, a.ndim)), atol=1e-12
    )


def distinct(shape):
    """Arrays whose elements are all different (so max/min has one winner)."""
    n = int(np.prod(shape))
    return st.permutations(list(range(n))).map(lambda p: np.array(p, np.float64).reshape(shape) / 2)


@pytest.mark.parametrize("op", ["max", "min"])
@given(data=st.data())
def test_max_min_with_dim(op, data):
    shape = data.draw(nonempty_shapes(min_dims=1, max_dims=3, max_side=3))
    a = data.draw(layouts(distinct(shape)))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    keepdim = data.draw(st.booleans())
    values, indices = getattr(sg.from_numpy(a), op)(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(values.numpy(), getattr(np, op)(a, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(
        indices.numpy(), getattr(np, "arg" + op)(a, axis=dim, keepdims=keepdim)
    )
    assert indices.dtype == sg.int64
    check_gradients(lambda x: getattr(x, op)(dim=dim, keepdim=keepdim).values, a)
    check_gradients(lambda x: getattr(x, op)(), a)


def test_max_without_dim_shares_gradient_between_ties():
    x = sg.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


@given(data=st.data())
def test_amax(data):
    a = data.draw(distinct(data.draw(nonempty_shapes(min_dims=1, max_dims=3, max_side=3))))
    dim = data.draw(dims(a.ndim))
    y = check_gradients(lambda x: x.amax(dim=dim), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.amax(a, axis=np_axes(dim, a.ndim)))


def test_curriculum_argmax_and_max():
    x = sg.tensor([[1, 0, 0, 2], [0, 3, 3, 0], [4, 0, 0, 5]])
    assert x.argmax().item() == 11
    values, indices = x.max(dim=0)
    assert values.tolist() == [4, 3, 3, 5]
    assert indices.tolist() == [2, 1, 1, 2]
    assert x.argmax(dim=1).tolist() == [3, 1, 3]
    assert x.argmax(dim=1, keepdim=True).shape == (3, 1)
    assert x.max().item() == 5 and x.min().item() == 0
    assert x.sum().item() == 18 and x.sum(dim=0).tolist() == [5, 3, 3, 7]
    assert x.sum(dim=1, keepdim=True).shape == (3, 1)


@given(data=st.data())
def test_cumsum(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, max_side=3))))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    y = check_gradients(lambda x: x.cumsum(dim), a)
    np.testing.assert_allclose(y.detach().numpy(), np.cumsum(a, axis=dim), atol=1e-12)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, float("inf")])
@given(data=st.data())
def test_norm(p, data):
    shape = data.draw(nonempty_shapes(min_dims=1, max_dims=2, max_side=3))
    a = data.draw(distinct(shape)) + 0.25  # no zeros (|x| has a kink there), no ties for inf
    a = a * np.where(data.draw(arrays(shape, bool)), 1, -1)
    y = check_gradients(lambda x: x.norm(p=p), a)
    flat = np.abs(a.reshape(-1))
    order = 2 if p == "fro" else p
    expected = flat.max() if order == float("inf") else np.sum(flat**order) ** (1 / order)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)


def test_norm_of_zero_has_zero_gradient():
    x = sg.zeros(3, dtype=sg.float64, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_norm_with_dim_and_row_normalization():
    x = sg.tensor([[3.0, 4.0], [6.0, 8.0]])
    assert x.norm(dim=1).tolist() == [5.0, 10.0]
    rows = x / x.sum(dim=1, keepdim=True)
    np.testing.assert_allclose(rows.sum(dim=1).numpy(), [1.0, 1.0])
    assert sg.tensor([1.0, -2.0]).norm(p=1).item() == 3.0


def test_any_all():
    x = sg.tensor([[0, 1], [0, 0]])
    assert x.any().item() and not x.all().item()
    assert x.any(dim=1).tolist() == [True, False]


def test_reduction_errors():
    x = sg.ones(2, 3)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ):
        x.sum(dim=2)
    with pytest.raises(RuntimeError, match="mean"):
        sg.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="numel"):
        sg.zeros(0).max()
    with pytest.raises(IndexError, match="non-zero size"):
        sg.zeros(2, 0).max(dim=1)


def test_numpy_names_axis_and_keepdims():
    a = sg.arange(6, dtype=sg.float32).reshape(2, 3)
    assert a.sum(axis=0).tolist() == [3.0, 5.0, 7.0]
    assert a.sum(axis=1, keepdims=True).shape == (2, 1)
    assert a.sum(axis=[0, 1]).item() == 15.0
    assert a.mean(axis=0).tolist() == [1.5, 2.5, 3.5]
    assert a.cumsum(axis=0).tolist() == [[0.0, 1.0, 2.0], [3.0, 5.0, 7.0]]
    assert (a / a.sum(axis=1, keepdims=True)).sum(axis=1).tolist() == pytest.approx([1.0, 1.0])
    assert a.max(axis=1).values.tolist() == [2.0, 5.0] and a.argmax(axis=0).tolist() == [1, 1, 1]
    with pytest.raises(TypeError, match="not both"):
        a.sum(0, axis=1)
