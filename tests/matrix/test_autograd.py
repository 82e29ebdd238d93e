"""backward(): the graph walk, accumulation, retain_graph, no_grad, detach, retain_grad, and the
errors PyTorch users expect."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.matrix.autograd_function import Function


def test_curriculum_y_2xx():
    x = sg.tensor([0.0, 1, 2, 3], requires_grad=True)
    y = 2 * x @ x
    y.backward()
    assert x.grad.tolist() == [0, 4, 8, 12]


def test_y_x_squared_at_2():
    x = sg.tensor(2.0, requires_grad=True)
    (x**2).backward()
    assert x.grad.item() == 4.0


def test_gradients_accumulate_3_6_9():
    x = sg.ones(4, requires_grad=True)
    seen = []
    for _ in range(3):
        (x * 3).sum().backward()
        seen.append(x.grad.tolist())
    assert seen == [[3] * 4, [6] * 4, [9] * 4]
    grad = x.grad
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad is grad and x.grad.tolist() == [3] * 4


def test_detach_stops_gradient():
    x = sg.tensor([0.0, 1, 2, 3], requires_grad=True)
    u = (x * x).detach()
    z = u * x
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), u.numpy())
    assert not u.requires_grad and u.is_leaf


def test_graph_attributes():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x + 1
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name() == "AddBackward0"
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    assert y.requires_grad
    assert repr(y) == "tensor([2., 3.], grad_fn=<AddBackward0>)"
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"


def test_non_scalar_backward_needs_gradient():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    y.backward(sg.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 1.0]
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(sg.tensor([1.0, 2.0, 3.0]))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        sg.tensor([1.0]).sum().backward()


def test_second_backward_needs_retain_graph():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_no_grad_records_nothing_and_backward_inside_no_grad_works():
    w = sg.tensor([1.0, 2.0], requires_grad=True)
    with sg.no_grad():
        y = w * 2
    assert not y.requires_grad and y.grad_fn is None
    loss = (w * w).sum()
    with sg.no_grad():
        loss.backward()
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6])


def test_retain_grad_on_non_leaf():
    x = sg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]
    assert h.retains_grad


def test_shared_subexpression_sums_paths():
    x = sg.tensor(3.0, requires_grad=True)
    a = x * x
    y = a + a * a  # dy/dx = 2x + 4x^3
    y.backward()
    assert x.grad.item() == 2 * 3 + 4 * 27


class _Double(Function):
    """y = 2x; dL/dx = 2G. A plain-NumPy op, so the 100k-node test measures the engine only."""

    derivation = "mul"

    @staticmethod
    def forward(ctx, a):
        return a * 2.0

    @staticmethod
    def backward(ctx, grad):
        return grad * 2.0


def test_deep_chain_has_no_recursion_limit():
    x = sg.tensor(1.0, dtype=sg.float64, requires_grad=True)
    y = x
    for _ in range(50_000):  # 100k nodes
        y = _Double.apply(y)
        y = _Half.apply(y)
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 1.0


class _Half(Function):
    derivation = "mul"

    @staticmethod
    def forward(ctx, a):
        return a * 0.5

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.5


def test_chain_of_real_ops():
    x = sg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 1001.0


def test_python_control_flow():
    x = sg.tensor(0.5, requires_grad=True)
    y = x
    while y.item() < 10:
        y = y * 2
    y.backward()
    assert x.grad.item() == 32.0  # 0.5 * 2^5 = 16 >= 10


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients"):
        sg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only floating point"):
        sg.tensor([1, 2]).requires_grad_()


def test_requires_grad_only_settable_on_leaves():
    x = sg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad = False


def test_grads_of_two_leaves_do_not_alias():
    a = sg.tensor([1.0, 2.0], requires_grad=True)
    b = sg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_nan_and_inf_propagate():
    x = sg.tensor([0.0, -1.0], requires_grad=True)
    y = x.log()
    y.sum().backward()
    assert np.isneginf(y.detach().numpy()[0]) and np.isnan(y.detach().numpy()[1])
    assert np.isinf(x.grad.numpy()[0])


def test_float32_and_float64_mix_promotes_and_grads_keep_dtype():
    a = sg.tensor([1.0, 2.0], requires_grad=True)
    b = sg.tensor([3.0, 4.0], dtype=sg.float64, requires_grad=True)
    y = a * b
    assert y.dtype == sg.float64
    y.sum().backward()
    assert a.grad.dtype == sg.float32 and b.grad.dtype == sg.float64
    assert a.grad.tolist() == [3.0, 4.0]


def test_float32_stays_float32_through_every_op():
    x = sg.tensor([[0.5, 1.5], [2.0, 3.0]], requires_grad=True)
    ops = [
        lambda t: t + 1,
        lambda t: 2 - t,
        lambda t: t * t,
        lambda t: t / 3,
        lambda t: t**2,
        lambda t: t.exp(),
        lambda t: t.log(),
        lambda t: t.tanh(),
        lambda t: t.sigmoid(),
        lambda t: t.relu(),
        lambda t: t.softplus(),
        lambda t: t.abs(),
        lambda t: t.sqrt(),
        lambda t: t.clamp(0.6, 2.5),
        lambda t: t.sum(0),
        lambda t: t.mean(),
        lambda t: t.var(1),
        lambda t: t.std(),
        lambda t: t.prod(1),
        lambda t: t.max(),
        lambda t: t.max(1).values,
        lambda t: t.cumsum(0),
        lambda t: t.norm(),
        lambda t: t.softmax(1),
        lambda t: t.log_softmax(0),
        lambda t: t.logsumexp(1),
        lambda t: t @ t,
        lambda t: t.T,
        lambda t: t[0],
        lambda t: t[[0, 0]],
        lambda t: sg.cat([t, t]),
        lambda t: sg.where(t > 1, t, 0.0),
        lambda t: t.maximum(t * 0.5),
    ]
    for op in ops:
        x.grad = None
        y = op(x)
        assert y.dtype == sg.float32, op
        y.sum().backward()
        assert x.grad.dtype == sg.float32 and x.grad.shape == (2, 2)


def test_sg_gradcheck_on_a_composite_and_functional_forms():
    import scalargrad.matrix as m

    rng = np.random.default_rng(0)
    x = sg.tensor(rng.normal(size=(3, 4)), dtype=sg.float64, requires_grad=True)
    w = sg.tensor(rng.normal(size=(4, 2)), dtype=sg.float64, requires_grad=True)
    assert sg.gradcheck(lambda a, b: m.log_softmax(m.tanh(a @ b), 1).sum(0), [x, w])
    assert m.exp(sg.tensor([0.0])).tolist() == [1.0]
    assert m.matmul(sg.eye(2), sg.ones(2)).tolist() == [1.0, 1.0]
