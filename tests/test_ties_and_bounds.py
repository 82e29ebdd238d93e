"""Ties, kinks and bounds: the points the property tests step around on purpose (a central
difference is meaningless there), checked against the values PyTorch gives, written down here so
that CI needs no PyTorch. Also two stack bugs that only show on a second backward or step.

PyTorch's values (torch 2.x, ``tools/autograd/derivatives.yaml``):

* ``torch.maximum(x, y)`` / ``torch.minimum(x, y)`` at x == y: dL/dx = dL/dy = G / 2.
* ``x.clamp(min=lo, max=hi)`` with number bounds: dL/dx = G where lo <= x <= hi, so G *at* a bound.
* ``relu`` at 0: 0;  ``abs`` at 0: 0;  ``l1_loss`` at p == t: 0;  ``smooth_l1_loss`` at
  |p - t| == beta: sign(p - t) (both pieces agree there).
"""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import calculus
from scalargrad.matrix.backends import cpu


@pytest.mark.parametrize("v", [-2.0, 0.0, 3.5])
def test_maximum_and_minimum_split_the_gradient_at_a_tie(v):
    for f in (calculus.maximum_dx, calculus.maximum_dy, calculus.minimum_dx, calculus.minimum_dy):
        assert f(v, v) == 0.5, f.__name__


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (2.0, 1.0), (-1.0, -1.5)])
def test_maximum_and_minimum_off_a_tie(x, y):
    assert calculus.maximum_dx(x, y) == (1.0 if x > y else 0.0)
    assert calculus.maximum_dy(x, y) == (1.0 if y > x else 0.0)
    assert calculus.minimum_dx(x, y) == (1.0 if x < y else 0.0)
    assert calculus.minimum_dy(x, y) == (1.0 if y < x else 0.0)


def test_kinks_at_zero():
    assert calculus.relu_deriv(0.0, 0.0) == 0.0
    assert calculus.abs_deriv(0.0, 0.0) == 0.0
    assert calculus.absolute_error_deriv(1.5, 1.5) == 0.0
    for d in (0.5, -0.5):  # |p - t| == beta: the quadratic and the linear piece agree
        assert calculus.smooth_l1_deriv(1.0 + d, 1.0, 0.5) == np.sign(d)
        assert calculus.smooth_l1_deriv(1.0 + d, 1.0, 0.5) == d / 0.5


@pytest.mark.parametrize("device", ["cpu"])
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_tensor_maximum_minimum_at_ties(device, op):
    x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    y = sg.tensor([1.0, 5.0, 0.0], requires_grad=True, device=device)
    getattr(sg, op)(x, y).sum().backward()
    big = op == "maximum"
    # element 0 is a tie (1/2 each, as PyTorch); elements 1 and 2 go wholly to one side
    np.testing.assert_array_equal(x.grad.numpy(), [0.5, 0.0 if big else 1.0, 1.0 if big else 0.0])
    np.testing.assert_array_equal(y.grad.numpy(), [0.5, 1.0 if big else 0.0, 0.0 if big else 1.0])


def test_clamp_with_number_bounds_passes_the_gradient_at_the_bounds():
    x = sg.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    (x.clamp(0.0, 1.0) * sg.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 3.0, 4.0, 0.0])
    for lo, hi, expected in ((0.5, None, [0, 0, 1, 1, 1]), (None, 0.5, [1, 1, 1, 0, 0])):
        x.grad = None
        x.clamp(lo, hi).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_one_gradient_array_reaching_two_leaves_is_not_shared():
    """``add``'s backward hands the same (fresh) array to x and y. If both took it as their
    ``.grad`` without a copy, the second backward would add into it twice: 3 G each, not 2 G."""
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = sg.tensor([3.0, 4.0], requires_grad=True)
    for _ in range(2):
        ((x + y) * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(y.grad.numpy(), [4.0, 4.0])
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())


def test_a_fresh_gradient_becomes_the_grad_without_a_copy(monkeypatch):
    """A gradient a kernel just made is nobody else's: it becomes ``.grad`` as it is."""
    copies = []
    original = cpu.copy
    monkeypatch.setattr(cpu, "copy", lambda a: copies.append(a.shape) or original(a))
    w = sg.tensor(np.ones((4, 3)), requires_grad=True)
    x = sg.tensor(np.arange(8.0).reshape(2, 4))
    (x @ w).sum().backward()  # dL/dw = x^T G: a new array from the matmul kernel
    assert copies == []
    np.testing.assert_array_equal(w.grad.numpy(), np.tile(x.numpy().sum(0)[:, None], (1, 3)))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_makes_its_buffers_once(momentum):
    """``state.setdefault(key, backend.full(...))`` would build a buffer every step: the momentum
    buffer is made once (a copy of the first gradient, as PyTorch) and momentum 0 keeps none."""
    w = sg.tensor(np.ones((2, 3)), requires_grad=True)
    b = sg.tensor(np.ones(3), requires_grad=True)
    opt = sg.optim.SGD([w, b], lr=0.1, momentum=momentum)
    buffers = []
    for _ in range(3):
        opt.zero_grad()
        ((sg.tensor(np.ones((4, 2))) @ w) + b).sum().backward()
        opt.step()
        buffers.append([opt.state[p].get("momentum_buffer") for p in (w, b)])
    if momentum:
        assert all(buf is not None for buf in buffers[0])
        assert all(later[i] is buffers[0][i] for later in buffers for i in range(2))
    else:
        assert buffers == [[None, None]] * 3
    expected = 1.0 - 0.1 * 4 * (1 + 1.9 + 2.71) if momentum else 1.0 - 0.1 * 4 * 3
    np.testing.assert_allclose(w.detach().numpy(), np.full((2, 3), expected))
