"""Shape ops: values vs NumPy, views share memory, gradients vs central differences, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matrix_gradients import check_gradients

import scalargrad as sg
from scalargrad.testing.tensors import arrays, layouts, shapes

SMALL = shapes(max_dims=3, max_side=3)


@given(st.data())
def test_reshape_with_inferred_axis(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))))
    shape = (-1,) + a.shape[1:]
    y = check_gradients(lambda x: x.reshape(*shape), a)
    np.testing.assert_array_equal(y.detach().numpy(), a.reshape(shape))
    try:  # view never copies: it works exactly where NumPy can reshape without a copy
        flat = np.reshape(a, a.size, copy=False)
    except ValueError:
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            sg.from_numpy(a).view(a.size)
    else:
        np.testing.assert_array_equal(sg.from_numpy(a).view(a.size).numpy(), flat)


@given(st.data())
def test_permute_transpose(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, max_side=3))))
    perm = data.draw(st.permutations(range(a.ndim)))
    y = check_gradients(lambda x: x.permute(*perm), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.transpose(a, perm))
    d0, d1 = data.draw(st.integers(0, a.ndim - 1)), data.draw(st.integers(0, a.ndim - 1))
    y = check_gradients(lambda x: x.transpose(d0, d1) * 1.0, a)
    np.testing.assert_array_equal(y.detach().numpy(), np.swapaxes(a, d0, d1))
    np.testing.assert_array_equal(sg.from_numpy(a).T.numpy(), a.T)


@given(st.data())
def test_squeeze_unsqueeze_flatten(data):
    a = data.draw(layouts(arrays(SMALL)))
    np.testing.assert_array_equal(sg.from_numpy(a).squeeze().numpy(), np.squeeze(a))
    dim = data.draw(st.integers(-a.ndim - 1, a.ndim))
    y = check_gradients(lambda x: x.unsqueeze(dim), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.expand_dims(a, dim))
    check_gradients(lambda x: x.unsqueeze(0).squeeze(0), a)
    if a.ndim:
        start = data.draw(st.integers(0, a.ndim - 1))
        y = check_gradients(lambda x: x.flatten(start_dim=start), a)
        np.testing.assert_array_equal(
            y.detach().numpy(), a.reshape(a.shape[:start] + (int(np.prod(a.shape[start:])),))
        )


@given(st.data())
def test_expand(data):
    a = data.draw(arrays(shapes(max_dims=2, max_side=3)))
    target = (2,) + tuple(3 if s == 1 else s for s in a.shape)
    y = check_gradients(lambda x: x.expand(*target), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.broadcast_to(a, target))


@given(st.data())
def test_cat_and_stack(data):
    base = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    dim = data.draw(st.integers(-len(base), len(base) - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    pieces = []
    for n in sizes:
        shape = list(base)
        shape[dim] = n
        pieces.append(data.draw(layouts(arrays(tuple(shape)))))
    y = check_gradients(lambda *xs: sg.cat(list(xs), dim=dim), *pieces)
    np.testing.assert_array_equal(y.detach().numpy(), np.concatenate(pieces, axis=dim))
    same = [data.draw(arrays(base)) for _ in sizes]
    sdim = data.draw(st.integers(-len(base) - 1, len(base)))
    y = check_gradients(lambda *xs: sg.stack(xs, dim=sdim), *same)
    np.testing.assert_array_equal(y.detach().numpy(), np.stack(same, axis=sdim))


def test_stack_is_cat_of_unsqueezed():
    a, b = sg.tensor([1.0, 2.0]), sg.tensor([3.0, 4.0])
    assert (
        sg.stack([a, b], dim=1).tolist() == sg.cat([a.unsqueeze(1), b.unsqueeze(1)], dim=1).tolist()
    )
    assert sg.stack([a, b]).shape == (2, 2) and sg.cat([a, b]).shape == (4,)


def test_views_share_memory():
    x = sg.zeros(2, 3)
    for view in (
        x.reshape(6),
        x.view(3, 2),
        x.T,
        x.transpose(0, 1),
        x.unsqueeze(0),
        x[0],
        x[:, 1:],
        x.flatten(),
        x.permute(1, 0),
        x.detach(),
        x.data,
    ):
        view += 1
    assert x.sum().item() == 9 * 6 + 3 + 4  # 9 whole views, x[0] (3 elements), x[:, 1:] (4)
    y = x.clone()
    y += 100
    assert x.max().item() < 100


def test_contiguous():
    x = sg.arange(6).reshape(2, 3).T
    assert not x.is_contiguous()
    c = x.contiguous()
    assert c.is_contiguous() and c.tolist() == x.tolist()
    assert c.contiguous() is c


def test_batch_flatten():
    images = sg.zeros(5, 3, 4, 4)
    assert images.flatten(start_dim=1).shape == (5, 48)
    assert images.reshape(5, -1).shape == (5, 48)
    assert images.mT.shape == (5, 3, 4, 4)
    assert sg.zeros(1, 3, 1).squeeze().shape == (3,)
    assert sg.zeros(1, 3, 1).squeeze(0).shape == (3, 1)
    assert sg.zeros(3).unsqueeze(-1).shape == (3, 1)


def test_shape_errors():
    x = sg.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"shape \(4,\) is invalid for input of size 6"):
        x.reshape(4)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.reshape(-1, -1)
    with pytest.raises(RuntimeError, match="expanded size"):
        x.expand(2, 4)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        sg.cat([x, sg.zeros(2, 4)])
    with pytest.raises(RuntimeError, match="equal size"):
        sg.stack([x, sg.zeros(3, 2)])
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unsqueeze(3)
    with pytest.raises(RuntimeError, match="number of dims"):
        x.permute(1, 0, 2)
