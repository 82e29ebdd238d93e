"""Activation modules, Flatten, Identity and Dropout: values, gradients, train/eval behaviour."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nn_testing import arrays, assert_gradcheck, const, leaf

import scalargrad as sg
from scalargrad import nn
from scalargrad.nn import functional as F

shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


def softplus_np(x, beta=1.0):
    return np.logaddexp(0.0, beta * x) / beta


def softmax_np(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Softplus(), softplus_np),
    (nn.Softplus(beta=2.0), lambda x: softplus_np(x, 2.0)),
    (nn.Identity(), lambda x: x),
]


@given(case=st.sampled_from(CASES), data=st.data(), shape=shapes)
def test_smooth_activations(case, data, shape):
    module, reference = case
    x = data.draw(arrays(shape))
    np.testing.assert_allclose(module(const(x)).numpy(), reference(x), rtol=1e-12, atol=1e-12)
    assert_gradcheck(lambda a: module(a), [leaf(x)])


@given(st.data(), shapes)
def test_relu(data, shape):
    x = data.draw(arrays(shape))
    x[np.abs(x) < 1e-3] = 0.5  # central differences straddle the kink at 0
    np.testing.assert_array_equal(nn.ReLU()(const(x)).numpy(), np.maximum(x, 0))
    assert_gradcheck(lambda a: F.relu(a), [leaf(x)])


@given(st.data(), st.integers(1, 3), st.integers(1, 4))
def test_softmax_and_log_softmax(data, n, c):
    x = data.draw(arrays((n, c)))
    for dim in (0, 1, -1):
        np.testing.assert_allclose(
            nn.Softmax(dim)(const(x)).numpy(), softmax_np(x, dim), rtol=1e-12, atol=1e-14
        )
        np.testing.assert_allclose(
            nn.LogSoftmax(dim)(const(x)).numpy(), np.log(softmax_np(x, dim)), rtol=1e-10, atol=1e-12
        )
    assert_gradcheck(lambda a: F.softmax(a, dim=1), [leaf(x)])
    assert_gradcheck(lambda a: F.log_softmax(a, dim=0), [leaf(x)])


@given(st.data(), st.lists(st.integers(1, 3), min_size=2, max_size=4).map(tuple))
def test_flatten_values_and_gradient(data, shape):
    x = data.draw(arrays(shape))
    start = data.draw(st.integers(0, len(shape) - 1))
    out = nn.Flatten(start)(const(x))
    assert out.shape == shape[:start] + (int(np.prod(shape[start:])),)
    np.testing.assert_array_equal(out.numpy(), x.reshape(out.shape))
    assert_gradcheck(lambda a: nn.Flatten(start)(a), [leaf(x)])


def test_flatten():
    x = sg.arange(24).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0)(x).shape == (24,)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4)


def test_dropout_train_and_eval():
    sg.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = sg.ones(400, 50, dtype=sg.float64)
    y = drop(x).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75)  # inverted dropout scaling
    assert abs(kept.mean() - 0.75) < 0.01
    assert abs(y.mean() - 1.0) < 0.02  # expected value unchanged
    drop.eval()
    assert drop(x) is x
    assert repr(drop) == "Dropout(p=0.25, inplace=False)"


def test_dropout_gradient_uses_the_same_mask():
    sg.manual_seed(1)
    x = leaf(np.random.default_rng(0).normal(size=(5, 6)))
    y = F.dropout(x, 0.5, training=True)
    y.sum().backward()
    mask = (y.detach().numpy() != 0) * 2.0
    np.testing.assert_allclose(x.grad.numpy(), mask)


def test_dropout_edge_probabilities_and_errors():
    x = sg.ones(3, 3)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0.0)
    with pytest.raises(ValueError, match="between 0 and 1, got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_dropout_follows_model_eval():
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    model.eval()
    x = sg.randn(2, 4)
    np.testing.assert_array_equal(model(x).detach().numpy(), model[0](x).detach().numpy())
