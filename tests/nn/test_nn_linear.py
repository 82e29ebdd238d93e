"""nn.Linear and F.linear: values, PyTorch's init, gradients vs central differences, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, const, leaf

import scalargrad as sg
from scalargrad.nn import functional as F

dims = st.integers(1, 4)


@given(st.data(), dims, dims, dims, st.booleans())
def test_linear_matches_numpy_and_central_differences(data, n, fin, fout, bias):
    x = data.draw(arrays((n, fin)))
    w = data.draw(arrays((fout, fin)))
    b = data.draw(arrays((fout,)))
    expected = x @ w.T + (b if bias else 0.0)
    out = F.linear(const(x), const(w), const(b) if bias else None)
    assert out.shape == (n, fout)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    if bias:
        assert_gradcheck(lambda x_, w_, b_: F.linear(x_, w_, b_), [leaf(x), leaf(w), leaf(b)])
    else:
        assert_gradcheck(lambda x_, w_: F.linear(x_, w_), [leaf(x), leaf(w)])


@given(st.data(), st.lists(st.integers(1, 3), min_size=0, max_size=2), dims, dims)
def test_linear_keeps_leading_axes(data, lead, fin, fout):
    x = data.draw(arrays((*lead, fin)))
    w = data.draw(arrays((fout, fin)))
    b = data.draw(arrays((fout,)))
    out = F.linear(const(x), const(w), const(b))
    assert out.shape == (*lead, fout)
    np.testing.assert_allclose(out.numpy(), x @ w.T + b, rtol=1e-12, atol=1e-12)
    assert_gradcheck(lambda x_, w_, b_: F.linear(x_, w_, b_), [leaf(x), leaf(w), leaf(b)])


def test_fused_linear_equals_the_composite_graph():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    g = rng.normal(size=(5, 4))
    fused = [leaf(x), leaf(w), leaf(b)]
    F.linear(*fused).backward(const(g))
    comp = [leaf(x), leaf(w), leaf(b)]
    (comp[0] @ comp[1].T + comp[2]).backward(const(g))
    for a, c in zip(fused, comp, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_module_shapes_and_pytorch_init_bounds():
    sg.manual_seed(0)
    layer = sg.nn.Linear(50, 30)
    assert layer.weight.shape == (30, 50) and layer.bias.shape == (30,)
    assert layer.weight.dtype == sg.float32 and layer.weight.requires_grad
    bound = 1 / math.sqrt(50)
    w = layer.weight.detach().numpy()
    b = layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on (-bound, bound): mean near 0, variance near bound^2 / 3
    assert abs(w.mean()) < 0.1 * bound
    assert abs(w.var() - bound**2 / 3) < 0.15 * bound**2 / 3
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_init_is_reproducible_with_manual_seed():
    sg.manual_seed(123)
    a = sg.nn.Linear(3, 2).state_dict()
    sg.manual_seed(123)
    b = sg.nn.Linear(3, 2).state_dict()
    c = sg.nn.Linear(3, 2).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["weight"], c["weight"])


def test_linear_without_bias_and_float64():
    layer = sg.nn.Linear(3, 2, bias=False, dtype=sg.float64)
    assert layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.arange(6.0).reshape(2, 3)
    out = layer(const(x))
    np.testing.assert_allclose(out.detach().numpy(), x @ layer.weight.detach().numpy().T)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_backward_fills_parameter_grads():
    layer = sg.nn.Linear(3, 2, dtype=sg.float64)
    x = np.random.default_rng(0).normal(size=(4, 3))
    layer(const(x)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.ones((4, 2)).T @ x)
    np.testing.assert_allclose(layer.bias.grad.numpy(), np.full(2, 4.0))


def test_linear_errors_name_the_shapes_and_dtypes():
    layer = sg.nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(2, 3\)"):
        layer(sg.zeros(4, 5))
    with pytest.raises(TypeError, match="float64.*float32"):
        layer(sg.zeros(4, 3, dtype=sg.float64))
    with pytest.raises(ValueError, match="in_features"):
        sg.nn.Linear(0, 2)
    with pytest.raises(ValueError, match="out_features"):
        sg.nn.Linear(2, 1.5)
