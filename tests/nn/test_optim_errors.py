"""Optimizer misuse: each mistake raises (or warns) with a message that names the fix."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value
from scalargrad.matrix.backends import reference
from scalargrad.optim import SGD, Adam

optimizers = st.sampled_from([SGD, Adam])
sizes = st.integers(1, 5)


@given(optimizers, sizes, st.floats(0.001, 10.0))
def test_non_leaf_tensor_is_refused_with_the_usual_cause(optimizer, n, scale):
    w = sg.randn(n, requires_grad=True) * scale  # the classic mistake: a product, not a leaf
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor") as info:
        optimizer([w], lr=0.1)
    message = str(info.value)
    assert "MulBackward" in message and f"({n},)" in message
    assert "requires_grad_()" in message and "sg.randn(3, requires_grad=True) * 0.01" in message


def test_non_leaf_value_is_refused():
    w = Value(0.5) * 2.0
    with pytest.raises(ValueError, match="non-leaf Value.*'\\*'"):
        SGD([w], lr=0.1)


def test_the_suggested_fix_trains():
    w = (sg.randn(3) * 0.01).requires_grad_()
    opt = SGD([w], lr=0.5)
    before = w.detach().numpy().copy()
    (w * w).sum().backward()
    opt.step()
    assert np.allclose(w.detach().numpy(), before - 0.5 * 2 * before)


@given(optimizers, st.sampled_from([[1, 2], [True, False]]))
def test_integer_tensor_parameter_is_refused(optimizer, data):
    t = sg.tensor(data)
    with pytest.raises(TypeError, match=f"parameter 0 has dtype {t.dtype}.*floating point"):
        optimizer([t], lr=0.1)


@given(optimizers, st.sampled_from([1.0, 3, "w", None]))
def test_non_parameters_fail_at_construction(optimizer, item):
    with pytest.raises(TypeError, match=f"only optimize Tensors or Values.*{type(item).__name__}"):
        optimizer([sg.zeros(2, requires_grad=True), item], lr=0.1)


@given(optimizers)
def test_duplicate_parameters_warn_and_update_once(optimizer):
    w = sg.zeros(3, requires_grad=True)
    with pytest.warns(UserWarning, match="more than once; it is kept once"):
        opt = optimizer([w, w], lr=1.0)
    assert len(opt.param_groups[0]["params"]) == 1
    if optimizer is SGD:
        w.grad = sg.ones(3)
        opt.step()
        assert np.array_equal(w.detach().numpy(), [-1.0, -1.0, -1.0])  # once, not twice


def test_parameter_in_two_groups_is_an_error():
    w = sg.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [w]}, {"params": [w], "lr": 0.5}], lr=0.1)


def test_group_without_params_and_set_of_params():
    with pytest.raises(ValueError, match="'params' key"):
        SGD([{"lr": 0.1}], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        SGD([{"params": {sg.zeros(1, requires_grad=True)}}], lr=0.1)


class Param:
    """A parameter following only the contract optim.py is written against (``_array``,
    ``_backend``, ``grad``, ``shape``, ``dtype``): its ``.grad`` can be anything."""

    def __init__(self, n):
        self._array = np.zeros(n)
        self._backend = reference
        self.grad = None
        self.shape, self.dtype = self._array.shape, self._array.dtype


class Grad:
    def __init__(self, array):
        self._array = array


@given(sizes, sizes.filter(lambda m: m > 1))
def test_gradient_of_the_wrong_shape_is_an_error_at_step(n, m):
    w = sg.zeros(n, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"gradient of size '\[{n}, {m}\]' to a tensor of size"):
        w.grad = sg.ones(n, m)  # a Tensor refuses it on assignment, as PyTorch's
    p = Param(n)
    opt = SGD([p], lr=0.1)
    p.grad = Grad(np.ones((n, m)))
    with pytest.raises(RuntimeError, match=rf"shape \({n},\).*\.grad of shape \({n}, {m}\)"):
        opt.step()
    assert np.array_equal(p._array, np.zeros(n))


def test_gradient_of_another_dtype_or_kind_is_an_error_at_step():
    p = Param(2)
    opt = Adam([p])
    p.grad = Grad(np.ones(2, dtype=np.float32))
    with pytest.raises(RuntimeError, match="float32.*must match its parameter"):
        opt.step()
    p.grad = [1.0, 1.0]
    with pytest.raises(TypeError, match=r"\.grad must be a Tensor or None, got list"):
        opt.step()


@pytest.mark.parametrize("key", ["lr", "momentum", "weight_decay"])
def test_hyperparameters_must_be_numbers(key):
    kwargs = {"lr": 0.1, key: "0.1"}
    with pytest.raises(TypeError, match=f"SGD: {key} must be a number, got str"):
        SGD([sg.zeros(1, requires_grad=True)], **kwargs)


def test_adam_betas_must_be_a_pair_of_numbers():
    w = sg.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="betas must be a pair"):
        Adam([w], betas=0.9)
    with pytest.raises(TypeError, match="beta1 must be a number"):
        Adam([w], betas=("0.9", 0.999))


def test_valid_construction_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGD([sg.zeros(2, requires_grad=True), Value(1.0)], lr=0.1, momentum=0.9)


def test_a_model_instead_of_its_parameters():
    with pytest.raises(TypeError, match=r"got the model Linear itself; pass model\.parameters\(\)"):
        SGD(sg.nn.Linear(2, 1), lr=0.1)
    with pytest.raises(TypeError, match=r"got a single Tensor; wrap it in a list"):
        SGD(sg.zeros(2, requires_grad=True), lr=0.1)
