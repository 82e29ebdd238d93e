"""MLP's hidden layers as one node, relu(x W^T + b) (functions/fused.py: LinearReLU): the same
values and gradients as the two-node path F.relu(F.linear(...)), central differences, the
backend-less fallback, graph names and edges, errors, and the in-place check."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, leaf

import scalargrad as sg
import scalargrad.nn.mlp as mlp_module
from scalargrad.matrix.backends import cpu
from scalargrad.nn import functional as F

dims = st.integers(1, 5)


def _two_nodes(x, w, b):
    return F.relu(F.linear(x, w, b))


def _grads(fn, arrays_, upstream):
    leaves = [leaf(a) for a in arrays_]
    out = fn(*leaves)
    (out * sg.tensor(upstream)).sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in leaves]


@given(st.data(), dims, dims, dims)
def test_fused_layer_equals_linear_then_relu(data, n, fin, fout):
    x, w = data.draw(arrays((n, fin))), data.draw(arrays((fout, fin)))
    b, g = data.draw(arrays((fout,))), data.draw(arrays((n, fout)))
    y1, grads1 = _grads(F._linear_relu, (x, w, b), g)
    y2, grads2 = _grads(_two_nodes, (x, w, b), g)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(y1, np.maximum(x @ w.T + b, 0.0))
    for got, expected in zip(grads1, grads2, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(st.data(), dims, dims, dims)
def test_fused_layer_central_differences(data, n, fin, fout):
    x, w, b = (
        data.draw(arrays((n, fin))),
        data.draw(arrays((fout, fin))),
        data.draw(arrays((fout,))),
    )
    assume(np.abs(x @ w.T + b).min() > 1e-3)  # away from relu's kink, where no derivative exists
    assert_gradcheck(F._linear_relu, [leaf(x), leaf(w), leaf(b)])


def _model_grads(model, x, y, fused):
    saved = mlp_module.ReLU
    if not fused:  # MLP fuses only when its activation is exactly this class
        mlp_module.ReLU = None
    try:
        for p in model.parameters():
            p.grad = None
        out = model(x)
        sg.nn.CrossEntropyLoss()(out, y).backward()
    finally:
        mlp_module.ReLU = saved
    return out.detach().numpy(), [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("dtype", [sg.float32, sg.float64])
def test_mlp_step_fused_and_unfused_agree(dtype):
    sg.manual_seed(0)
    model = sg.nn.MLP(12, [16, 8, 3], dtype=dtype)
    rng = np.random.default_rng(1)
    x = sg.tensor(rng.standard_normal((40, 12)), dtype=dtype)
    y = sg.tensor(rng.integers(0, 3, 40))
    out1, grads1 = _model_grads(model, x, y, fused=True)
    out2, grads2 = _model_grads(model, x, y, fused=False)
    np.testing.assert_array_equal(out1, out2)
    for g1, g2 in zip(grads1, grads2, strict=True):
        np.testing.assert_allclose(g1, g2, rtol=1e-6 if dtype == sg.float32 else 1e-12, atol=1e-7)


def test_mlp_hidden_layer_is_one_node_named_as_pytorch_relu():
    model = sg.nn.MLP(4, [5, 2])
    out = model(sg.ones(3, 4))
    assert out.grad_fn.name() == "AddmmBackward0"
    hidden = out.grad_fn.next_functions[0][0]
    assert hidden.name() == "ReluBackward0"
    x_edge, w_edge, b_edge = (fn for fn, _ in hidden.next_functions)
    assert x_edge is None  # the input needs no gradient: none is computed
    assert w_edge.variable is model.layers[0].weight
    assert b_edge.variable is model.layers[0].bias


def test_input_that_requires_grad_gets_its_gradient():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    g = rng.standard_normal((3, 5))
    (_, grads) = _grads(F._linear_relu, (x, w, b), g)
    mask = (x @ w.T + b) > 0
    np.testing.assert_allclose(grads[0], (g * mask) @ w, rtol=1e-12)
    np.testing.assert_allclose(grads[1], (g * mask).T @ x, rtol=1e-12)
    np.testing.assert_allclose(grads[2], (g * mask).sum(0), rtol=1e-12)


def test_nan_and_inf_as_the_two_node_path():
    """relu passes nan (and its derivative there is 1, as PyTorch's); inf * relu'(0) = nan."""
    x = np.array([[1.0, 0.0], [np.nan, 2.0]])
    w = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    b = np.array([0.0, 0.0, -1.0])
    g = np.array([[np.inf, 1.0, 2.0], [3.0, -np.inf, 4.0]])
    y1, grads1 = _grads(F._linear_relu, (x, w, b), g)
    y2, grads2 = _grads(_two_nodes, (x, w, b), g)
    np.testing.assert_array_equal(y1, y2)
    for got, expected in zip(grads1, grads2, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_backend_without_the_fused_kernels_computes_the_same(monkeypatch):
    rng = np.random.default_rng(3)
    args = rng.standard_normal((6, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    g = rng.standard_normal((6, 4))
    y1, grads1 = _grads(F._linear_relu, args, g)
    monkeypatch.delattr(cpu, "linear_relu")
    monkeypatch.delattr(cpu, "relu_bias_backward")
    y2, grads2 = _grads(F._linear_relu, args, g)
    np.testing.assert_array_equal(y1, y2)
    for got, expected in zip(grads1, grads2, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_no_bias_or_more_axes_go_through_linear_and_relu():
    w = leaf(np.ones((2, 3)))
    assert F._linear_relu(sg.ones(4, 3, dtype=sg.float64), w, None).grad_fn.next_functions[0][
        0
    ].name() == ("MmBackward0")
    out = F._linear_relu(sg.ones(5, 4, 3, dtype=sg.float64), w, leaf(np.zeros(2)))
    assert out.shape == (5, 4, 2)
    assert out.grad_fn.name() == "ReluBackward0"


def test_bad_input_gets_linears_errors():
    model = sg.nn.MLP(4, [5, 2])
    with pytest.raises(ValueError, match=r"linear: input of shape \(3, 6\) does not fit weight"):
        model(sg.ones(3, 6))
    with pytest.raises(TypeError, match="linear: input is .*float64 but the weight is .*float32"):
        model(sg.ones(3, 4, dtype=sg.float64))
    with pytest.raises(TypeError, match="linear: input must be a Tensor"):
        model(np.ones((3, 4)))


def test_changing_the_output_in_place_before_backward_is_an_error():
    w, b = leaf(np.ones((2, 3))), leaf(np.zeros(2))
    y = F._linear_relu(sg.ones(4, 3, dtype=sg.float64), w, b)
    with sg.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
