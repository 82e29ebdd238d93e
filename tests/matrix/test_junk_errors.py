"""Junk arguments (None, strings, lists, dicts, numbers where tensors belong, ...) given to the
public functions and Tensor methods: whatever is raised must be a deliberate error, never an
AttributeError from inside, a NumPy/numba message, or a NotImplemented handed back."""

import warnings

import matplotlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import data, viz
from scalargrad.nn import functional as F
from scalargrad.scalar import losses
from scalargrad.scalar import nn as snn

matplotlib.use("Agg")

junk = st.sampled_from([None, "a", [1.0], 1.5, -1, 0, {}, (), object()]) | st.builds(
    lambda: sg.tensor([1, 2])
)

RAW_TYPES = ("AttributeError", "KeyError", "ZeroDivisionError", "UnboundLocalError", "NameError",
             "AssertionError", "UFuncTypeError", "TypingError")
RAW_WORDS = ("numba", "ufunc", "object has no attribute", "not subscriptable", "unhashable",
             "object is not iterable", "unsupported operand", "not supported between",
             "has no len()")


def assert_deliberate(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except Exception as e:  # noqa: BLE001 - the point is to look at whatever is raised
        message = str(e)
        deliberate_key_error = isinstance(e, KeyError) and "keys do not match" in message
        assert deliberate_key_error or type(e).__name__ not in RAW_TYPES, (
            f"{type(e).__name__}: {message}"
        )
        assert not any(w in message for w in RAW_WORDS), f"{type(e).__name__}: {message}"
    else:
        assert result is not NotImplemented


TOP = ["zeros_like", "ones_like", "exp", "log", "sum", "mean", "relu", "sigmoid", "tanh", "softmax",
       "sqrt", "abs", "clamp", "maximum", "minimum", "matmul", "cat", "stack", "tensor", "zeros",
       "full", "randint", "from_numpy"]
FUNCTIONAL = ["relu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax", "dropout", "linear",
              "mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy",
              "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"]
METHODS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "lt", "matmul", "dot",
           "mm", "mv", "sum", "mean", "reshape", "view", "transpose", "permute", "unsqueeze",
           "squeeze", "expand", "clamp", "softmax", "to", "add_", "mul_", "fill_", "copy_"]


@given(st.sampled_from(TOP), junk, st.none() | junk)
def test_top_level_functions(name, a, b):
    f = getattr(sg, name)
    assert_deliberate(lambda: f(a) if b is None else f(a, b))


@given(st.sampled_from(FUNCTIONAL), junk, st.booleans())
def test_functional(name, a, tensor_first):
    f = getattr(F, name)
    x = sg.rand(2, 3)
    assert_deliberate(lambda: f(x, a) if tensor_first else f(a, x))


@given(st.sampled_from(METHODS), junk, st.none() | junk)
def test_tensor_methods(name, a, b):
    x = sg.randn(2, 3)
    f = getattr(x.clone() if name.endswith("_") else x, name)
    assert_deliberate(lambda: f(a) if b is None else f(a, b))


JUNK = [None, "a", [1.0], 1.5, -1, 0, {}, (), object(), "tensor"]

MAKERS = [
    lambda j: sg.nn.Linear(j, 2), lambda j: sg.nn.MLP(2, j), lambda j: sg.nn.Dropout(j),
    lambda j: sg.nn.ModuleList(j), lambda j: sg.nn.Sequential(j), lambda j: sg.nn.MSELoss(j),
    lambda j: sg.optim.SGD(j, lr=0.1), lambda j: sg.optim.Adam(j),
    lambda j: sg.optim.SGD([sg.zeros(1, requires_grad=True)], lr=j),
    lambda j: data.DataLoader(j), lambda j: data.DataLoader([1, 2], batch_size=j),
    lambda j: data.TensorDataset(j), lambda j: data.Subset(j, [0]), lambda j: data.Subset([1], j),
    lambda j: data.random_split(j, [1]), lambda j: data.random_split([1, 2], j),
    lambda j: data.ConcatDataset(j), lambda j: viz.to_dot(j), lambda j: viz.plot_curves(j),
    lambda j: viz.confusion_matrix(j, j), lambda j: sg.gradcheck(j, [sg.Value(1.0)]),
    lambda j: sg.gradcheck(lambda x: x, j), lambda j: sg.Value(j),
    lambda j: sg.Value(2.0) ** j, lambda j: sg.Value.dot(j, j), lambda j: losses.mse_loss(j, j),
    lambda j: losses.binary_cross_entropy(j, [1.0]), lambda j: losses.hinge([sg.Value(1.0)], j),
    lambda j: losses.cross_entropy(j, [0]),
    lambda j: losses.smooth_l1_loss([sg.Value(1.0)], [1.0], j),
    lambda j: snn.MLP(1, [1])(j), lambda j: snn.Linear(1, 1)(j), lambda j: snn.MLP(j, [1]),
    lambda j: snn.MLP(1, [1]).load_state_dict(j), lambda j: sg.nn.Linear(1, 1).load_state_dict(j),
    lambda j: sg.optim.SGD([sg.Value(1.0)], lr=0.1).load_state_dict(j),
]


@pytest.mark.parametrize("j", JUNK, ids=repr)
@pytest.mark.parametrize("make", MAKERS)
def test_constructors_and_helpers(make, j):
    """Every maker with every junk value (a small finite set: all pairs, not a sample)."""
    j = sg.tensor([1, 2]) if j == "tensor" else j
    assert_deliberate(lambda: make(j))
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("name", ["add", "eq", "matmul", "add_"])
def test_a_named_method_never_returns_not_implemented(name):
    with pytest.raises(TypeError, match=f"{name}: expected a Tensor or a number"):
        getattr(sg.zeros(2), name)("a")
