"""Indexing: basic (views) and advanced (gather / scatter-add) with gradients; __setitem__."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matrix_gradients import check_gradients

import scalargrad as sg
from scalargrad.testing.tensors import arrays, index_arrays, layouts, shapes


@st.composite
def basic_indices(draw, shape):
    index = []
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "none"] if size else ["slice"]))
        if kind == "int":
            index.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = draw(st.one_of(st.none(), st.integers(1, 2)))
            index.append(slice(start, stop, step))
        else:
            index.append(None)
            index.append(slice(None))
    return tuple(index)


@given(st.data())
def test_basic_indexing(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, max_side=3))))
    index = data.draw(basic_indices(a.shape))
    y = check_gradients(lambda x: x[index], a)
    np.testing.assert_array_equal(y.detach().numpy(), a[index])


@given(st.data())
def test_advanced_indexing_repeats_add_up(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, max_side=3))))
    rows = data.draw(index_arrays(a.shape[0]))
    y = check_gradients(lambda x: x[rows], a)
    np.testing.assert_array_equal(y.detach().numpy(), a[rows])
    mask = data.draw(arrays(a.shape, bool))
    y = check_gradients(lambda x: x[sg.from_numpy(mask)], a)
    np.testing.assert_array_equal(y.detach().numpy(), a[mask])


@given(st.data())
def test_index_select_is_numpy_take_and_its_gradient_adds_up_repeats(data):
    a = data.draw(layouts(arrays(shapes(min_dims=1, max_dims=3, max_side=3))))
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    size = a.shape[dim]
    picks = data.draw(st.lists(st.integers(0, size - 1), max_size=5) if size else st.just([]))
    index = sg.tensor(picks, dtype=sg.int64)
    y = check_gradients(lambda x: sg.index_select(x, dim, index), a)
    np.testing.assert_array_equal(y.detach().numpy(), np.take(a, picks, axis=dim))
    assert y.grad_fn is None or y.grad_fn.name() == "IndexSelectBackward0"


def test_index_select_rejects_what_pytorch_rejects():
    x = sg.zeros(2, 3)
    # PyTorch: "index out of range in self" for -1 and 3; we name the op, index and size
    for bad in ([3], [-1]):
        with pytest.raises(IndexError, match=f"index_select: index {bad[0]} out of range"):
            x.index_select(1, sg.tensor(bad))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, sg.tensor([[0]]))
    with pytest.raises(TypeError, match="index_select: index must be an integer tensor"):
        x.index_select(0, sg.tensor([0.0]))
    with pytest.raises(TypeError, match="index_select: index must be an integer tensor"):
        x.index_select(0, [0])


def test_pick_one_per_row_like_cross_entropy():
    y_hat = sg.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], requires_grad=True)
    y = sg.tensor([1, 0, 0])
    picked = y_hat[range(3), y]
    assert picked.tolist() == pytest.approx([0.9, 0.8, 0.3])
    (-picked.log()).mean().backward()
    expected = np.zeros((3, 2))
    expected[[0, 1, 2], [1, 0, 0]] = -1 / (3 * np.array([0.9, 0.8, 0.3]))
    np.testing.assert_allclose(y_hat.grad.numpy(), expected, rtol=1e-6)


def test_repeated_index_gradient():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 1.0]


def test_basic_index_is_a_view():
    x = sg.zeros(3, 4)
    row = x[1]
    row += 5
    assert x[1].tolist() == [5.0] * 4
    picked = x[[1]]
    picked += 1  # advanced indexing copies
    assert x[1].tolist() == [5.0] * 4


def test_setitem_in_place():
    x = sg.zeros(2, 3)
    ident = id(x)
    x[:] = 1.0
    x[0, 1] = 7
    x[1] = sg.tensor([4.0, 5.0, 6.0])
    x[x > 5] = 0.0
    assert id(x) == ident
    assert x.tolist() == [[1.0, 0.0, 1.0], [4.0, 5.0, 0.0]]
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[0] = sg.tensor([1.0, 2.0])


def test_setitem_gradients_flow_to_value_and_old_tensor():
    w = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = sg.tensor(10.0, requires_grad=True)
    h = w * 2
    h[1] = v * 3
    (h * sg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert h.tolist() == [2.0, 30.0, 6.0]
    assert w.grad.tolist() == [2.0, 0.0, 6.0]
    assert v.grad.item() == 6.0


def test_index_errors():
    x = sg.zeros(2, 3)
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        x[2]
    with pytest.raises(IndexError):
        x[:, [0, 3]]
    with pytest.raises(IndexError):
        x[sg.tensor([0.5])]
    with pytest.raises(IndexError):
        x[sg.tensor([True, False, True])]


def test_element_of_a_vector_is_a_0d_view():
    x = sg.zeros(3)
    v = x[1]
    assert v.shape == ()
    v += 5
    x[2] += 1
    assert x.tolist() == [0.0, 5.0, 1.0]
