"""Losses, layers and functional misuse: clear errors instead of plausible wrong numbers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.errors import InputTypeError, InputValueError
from scalargrad.nn import functional as F

bce_losses = st.sampled_from([
    ("binary_cross_entropy", F.binary_cross_entropy, sg.nn.BCELoss()),
    ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits,
     sg.nn.BCEWithLogitsLoss()),
])
outside = st.one_of(st.floats(-1e6, -1e-3), st.floats(1.001, 1e6))


@given(bce_losses, st.integers(1, 6), outside, st.data())
def test_bce_targets_outside_0_1_are_refused(loss, n, bad, data):
    name, fn, module = loss
    p = sg.tensor(np.full(n, 0.4), dtype=sg.float64)
    y = np.full(n, 1.0)
    y[data.draw(st.integers(0, n - 1))] = bad
    for call in (lambda: fn(p, sg.tensor(y, dtype=sg.float64)), lambda: module(p, y)):
        with pytest.raises(InputValueError, match=f"{name}: targets must be probabilities in") as e:
            call()
        assert "(y + 1) / 2" in str(e.value)
        assert isinstance(e.value, RuntimeError) and isinstance(e.value, ValueError)


@given(bce_losses)
def test_bce_minus_one_one_labels_name_the_fix(loss):
    name, fn, _ = loss
    p = sg.tensor([0.3, 0.7])
    with pytest.raises(ValueError, match=r"range over \[-1, 1\]; for labels in \{-1, 1\} use"):
        fn(p, sg.tensor([-1.0, 1.0]))
    with pytest.raises(ValueError, match=r"range over \[1, 2\]"):
        fn(p, sg.tensor([1, 2]))  # class labels 1/2 as ints


def test_bce_weighted_paths_check_targets_too():
    p = sg.tensor([0.3, 0.7])
    with pytest.raises(ValueError, match="targets must be probabilities"):
        F.binary_cross_entropy(p, sg.tensor([2.0, 0.0]), weight=sg.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="targets must be probabilities"):
        F.binary_cross_entropy_with_logits(p, sg.tensor([2.0, 0.0]), pos_weight=sg.tensor([2.0]))


@given(st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_bce_soft_targets_in_0_1_are_accepted(ts):
    p = sg.tensor([0.5] * len(ts))
    assert np.isfinite(F.binary_cross_entropy(p, sg.tensor(ts)).item())
    assert np.isfinite(F.binary_cross_entropy_with_logits(p, sg.tensor(ts)).item())


@pytest.mark.parametrize("nouts", [3, 3.0])
def test_mlp_nouts_must_be_a_list(nouts):
    with pytest.raises(TypeError, match=r"nouts must be a list of layer sizes.*MLP\(2, \[3"):
        sg.nn.MLP(2, nouts)


@given(st.sampled_from(["int64", "bool"]), st.floats(0.01, 0.99))
def test_dropout_of_integers_is_refused_in_training(dtype, p):
    x = sg.tensor([1, 0, 1], dtype=dtype)
    with pytest.raises(InputTypeError, match=f"dropout: input must be a float tensor, got "
        f"scalargrad.{dtype}"):
        F.dropout(x, p)
    assert F.dropout(x, p, training=False) is x  # evaluation leaves any tensor alone (PyTorch too)


@pytest.mark.parametrize(
    "name, call",
    [
        ("relu", lambda: F.relu([1.0])),
        ("sigmoid", lambda: F.sigmoid([1.0])),
        ("tanh", lambda: F.tanh([1.0])),
        ("softplus", lambda: F.softplus([1.0], beta=2)),
        ("softmax", lambda: F.softmax([1.0])),
        ("log_softmax", lambda: F.log_softmax([1.0])),
        ("linear", lambda: F.linear([1.0], sg.ones(1, 1))),
        ("mse_loss", lambda: F.mse_loss([1.0], sg.tensor([1.0]))),
        ("dropout", lambda: F.dropout([1.0])),
    ],
)
def test_lists_where_tensors_belong_name_the_function_and_the_fix(name, call):
    with pytest.raises(TypeError, match=rf"{name}: input must be a Tensor, got list; wrap it with "
                                        r"sg\.tensor"):
        call()


def test_a_model_called_on_a_list_says_so():
    with pytest.raises(TypeError, match="linear: input must be a Tensor, got list"):
        sg.nn.Linear(2, 1)([1.0, 2.0])


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = sg.nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"cannot assign Tensor as parameter 'weight' of Linear"):
        layer.weight = sg.randn(1, 2)
    assert len(list(layer.parameters())) == 2  # still registered
    layer.weight = sg.nn.Parameter(sg.randn(1, 2))
    assert len(list(layer.parameters())) == 2


def test_a_target_being_differentiated_is_not_range_checked():
    # a gradient check steps a target at 0 or 1 by +-eps; labels never require grad
    y = sg.tensor([1.0 + 1e-6, -1e-6], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(sg.tensor([0.3, -0.2]), y)
    loss.backward()
    assert y.grad is not None


@given(st.integers(1, 4), st.integers(2, 4), st.booleans())
def test_nll_loss_refuses_logits_and_probabilities(n, c, probabilities):
    z = sg.randn(n, c).abs() + 1.0  # raw scores, all positive
    x = z.softmax(1) if probabilities else z
    words = r"nll_loss: input must be log-probabilities.*log_softmax"
    with pytest.raises(InputValueError, match=words):
        F.nll_loss(x, sg.zeros(n, dtype=sg.int64))
    assert np.isfinite(F.nll_loss(z.log_softmax(1), sg.zeros(n, dtype=sg.int64)).item())


@given(st.integers(1, 4), st.integers(2, 4))
def test_one_hot_cross_entropy_targets_point_to_argmax(n, c):
    one_hot = sg.tensor(np.eye(c)[np.arange(n) % c])
    with pytest.raises(TypeError, match=r"one-hot .* target\.argmax\(1\)"):
        F.cross_entropy(sg.randn(n, c), one_hot)
