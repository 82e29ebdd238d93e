"""In-place ops keep identity; autograd refuses them where PyTorch does."""

import numpy as np
import pytest

import scalargrad as sg


def test_inplace_ops_keep_identity():
    x = sg.tensor([1.0, 2.0, 3.0])
    ident = id(x)
    x += 1
    x -= sg.tensor([1.0, 1.0, 1.0])
    x *= 2
    x /= 4
    x.add_(1).sub_(0.5).mul_(2).div_(2)
    assert id(x) == ident
    np.testing.assert_allclose(x.numpy(), [1.0, 1.5, 2.0])
    x.clamp_(1.2, 1.8)
    assert x.tolist() == pytest.approx([1.2, 1.5, 1.8])
    x.fill_(3)
    assert x.tolist() == [3.0] * 3
    x.zero_()
    assert x.tolist() == [0.0] * 3
    x.copy_(sg.tensor([4.0, 5.0, 6.0]))
    assert x.tolist() == [4.0, 5.0, 6.0]
    x += sg.tensor([[1.0, 1.0, 1.0]]).squeeze(0)
    assert id(x) == ident


def test_inplace_dtype_and_shape_rules():
    i = sg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i += 0.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        i /= 2
    f = sg.tensor([1.0, 2.0])
    f += sg.tensor([1, 1])
    assert f.dtype == sg.float32
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        f += sg.ones(2, 2)


def test_sgd_update_through_data_keeps_identity():
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    before = id(w)
    w.data -= 0.1 * w.grad
    assert id(w) == before and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6])
    with sg.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [0.6, 1.2])


def test_inplace_on_leaf_requiring_grad_is_refused():
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 5.0
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        w[0].mul_(2)
    with sg.no_grad():
        w.zero_()
    assert w.tolist() == [0.0, 0.0]


def test_inplace_on_saved_tensor_is_detected_at_backward():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    z = y.sum() * 1.0
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (y * z).sum().backward()
    a = sg.tensor([1.0, 2.0])  # not requiring grad, but saved by mul for w's gradient
    w = sg.tensor([3.0, 4.0], requires_grad=True)
    loss = (a * w).sum()
    a.mul_(10)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        loss.backward()


def test_inplace_on_non_leaf_is_recorded():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2  # mul by a constant: its backward does not need h's value
    h += x  # h = 3x
    h *= h  # h = 9x^2
    h.sum().backward()
    assert x.grad.tolist() == [18.0, 36.0]
    assert h.grad_fn.name() == "MulBackward0"


def test_expanded_tensor_cannot_be_written():
    x = sg.zeros(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="clone"):
        x += 1


def test_inplace_through_an_indexed_view_is_recorded_on_its_base():
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    h[0] += 10
    h[1:].mul_(3)
    assert h.tolist() == [12.0, 12.0, 18.0]
    (h * sg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [2.0, 12.0, 18.0]


def test_setitem_and_fill_through_a_view_of_a_graph_tensor():
    x = sg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = x * 1.0
    h[0][1] = 7.0
    h[1].zero_()
    assert h.tolist() == [[1.0, 7.0], [0.0, 0.0]]
    h.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0], [0.0, 0.0]]
    with pytest.raises(RuntimeError, match="not supported"):
        h.reshape(4).add_(1)
