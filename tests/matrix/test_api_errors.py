"""A broad table of bad calls across the public API: each raises the expected exception type
with a message that names the function and the offending value (no AttributeError from deep
inside, no numba traceback, no NumPy message without context)."""

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.data import (
    DataLoader,
    Subset,
    TensorDataset,
    random_split,
    toy_datasets,
    train_test_split,
)
from scalargrad.nn import functional as F
from scalargrad.scalar import losses

t = sg.zeros(2, 3)

CASES = [
    # constructors
    (lambda: sg.zeros(-1), ValueError, "zeros: sizes must be non-negative ints"),
    (lambda: sg.ones("a"), ValueError, "ones: sizes must be non-negative ints"),
    (lambda: sg.arange(0, 10, 0), ValueError, "arange: step must be nonzero"),
    (lambda: sg.tensor([[1, 2], [3]]), ValueError, "rows of nested lists must all have the same"),
    (lambda: sg.tensor("abc"), TypeError, "tensor: cannot make a tensor from data"),
    (lambda: sg.tensor([1], dtype="int7"), TypeError, "dtype: 'int7' is not a dtype"),
    (lambda: sg.tensor([1.0], device="gpu"), ValueError, "unknown device 'gpu'"),
    (lambda: sg.tensor([1], requires_grad=True), RuntimeError, "only floating point tensors"),
    (lambda: sg.tensor([np.inf], dtype=sg.int64), RuntimeError, "value inf cannot be converted"),
    # ops
    (lambda: t + sg.zeros(3, 2), RuntimeError, "add: shapes (2, 3) and (3, 2) cannot be broadcast"),
    (lambda: t @ t, RuntimeError, "matmul: shapes (2, 3) and (2, 3) cannot be multiplied"),
    (lambda: t @ 2, TypeError, "matmul: both operands must be Tensors"),
    (lambda: t + [1.0], TypeError, "add: expected a Tensor or a number, got list"),
    (lambda: t.sum(5), IndexError, "sum: Dimension out of range"),
    (lambda: t.reshape(4), RuntimeError, "reshape: shape (4,) is invalid for input of size 6"),
    (lambda: t.t().view(6), RuntimeError, "view size is not compatible"),
    (lambda: t[5], IndexError, "index 5 is out of bounds"),
    (lambda: t[1.5], IndexError, "valid indices (got float)"),
    (lambda: sg.cat([]), ValueError, "cat: expected a non-empty list"),
    (lambda: sg.stack(t), TypeError, "stack: expected a list or tuple of Tensors"),
    (lambda: t.item(), RuntimeError, "item(): a Tensor with 6 elements"),
    (lambda: sg.tensor([1, 2]).mean(), RuntimeError, "mean(): could not infer output dtype"),
    (lambda: sg.tensor([3]) ** -1, RuntimeError, "pow: Integers to negative integer powers"),
    (lambda: t.softmax(dim=3), IndexError, "softmax: Dimension out of range"),
    (lambda: (t * 2).backward(), RuntimeError, "does not require grad"),
    # layers and losses
    (lambda: sg.nn.Linear(0, 1), ValueError, "Linear: in_features must be a positive int"),
    (lambda: sg.nn.Linear(3, 1)(sg.zeros(2, 2)), ValueError, "linear: input of shape (2, 2)"),
    (lambda: sg.nn.Linear(2, 1)(sg.tensor([[1, 2]])), TypeError, "linear: input is "
        "scalargrad.int64"),
    (lambda: sg.nn.Sequential(sg.nn.Linear(2, 1), 3), TypeError, "Sequential: expected a Module"),
    (lambda: sg.nn.MLP(2, [1], activation="gelu2"), ValueError, "unknown activation 'gelu2'"),
    (lambda: F.mse_loss(t, t, reduction="avg"), ValueError, "mse_loss: reduction must be one of"),
    (lambda: F.cross_entropy(t, sg.tensor([0.0, 1.0])), TypeError, "cross_entropy: target must"),
    (lambda: F.cross_entropy(t, sg.tensor([0, 3])), IndexError, "cross_entropy: target 3 is out"),
    (lambda: F.binary_cross_entropy(t - 1, t), ValueError, "binary_cross_entropy: all elements"),
    (lambda: sg.nn.Dropout(p=2), ValueError, "Dropout: probability p must be between 0 and 1"),
    (lambda: sg.nn.init.kaiming_uniform_(sg.zeros(3)), ValueError, "fan in and fan out"),
    # optimizers
    (lambda: sg.optim.SGD([sg.zeros(1, requires_grad=True)], lr=-1), ValueError, "SGD: invalid"),
    (lambda: sg.optim.Adam([sg.zeros(1, requires_grad=True)], betas=(1.5, 0.9)), ValueError,
     "Adam: invalid beta parameter at index 0"),
    # data
    (lambda: TensorDataset(sg.zeros(3, 2), sg.zeros(4)), ValueError, "TensorDataset: all tensors"),
    (lambda: TensorDataset(sg.zeros(3))[5], IndexError, "TensorDataset: index 5 is out of range"),
    (lambda: DataLoader([1, 2], batch_size=0), ValueError, "DataLoader: batch_size must be"),
    (lambda: DataLoader(5), TypeError, "DataLoader: dataset must support len() and indexing"),
    (lambda: list(DataLoader([np.zeros(2), np.zeros(3)], batch_size=2)), ValueError,
     "DataLoader: cannot stack samples of different shapes"),
    (lambda: random_split(list(range(10)), [3, 3]), ValueError, "random_split: lengths [3, 3]"),
    (lambda: Subset(list(range(3)), [5]), IndexError, "Subset: index 5 is out of range"),
    (lambda: toy_datasets.make_moons(-1), ValueError, "make_moons: n_samples must be >= 1, got -1"),
    (lambda: toy_datasets.make_blobs(10, centers=0), ValueError,
     "make_blobs: centers must be an int"),
    (lambda: train_test_split(np.zeros(3), test_size=1.5), ValueError,
     "train_test_split: test_size as a fraction must be in (0, 1), got 1.5"),
    (lambda: toy_datasets.load("nope"), ValueError, "load: unknown data set name 'nope'"),
    # scalar engine, gradcheck
    (lambda: Value("a"), TypeError, "Value: expected a Value or a real number, got str"),
    (lambda: Value(1.0) + [1], TypeError, "add: expected a Value or a real number, got list"),
    (lambda: losses.mse_loss([1.0], [1.0]), TypeError,
     "mse_loss: prediction 0 must be a Value, got float"),
    (lambda: losses.cross_entropy([[Value(1.0)]], [1.0]), TypeError, "cross_entropy: target 0"),
    (lambda: sg.gradcheck(lambda x: x, []), ValueError, "gradcheck: got no inputs"),
    (lambda: sg.gradcheck(lambda x: x, [Value(1.0), sg.zeros(1)]), TypeError,
     "gradcheck: inputs must be all Values or all Tensors"),
    (lambda: sg.gradcheck(lambda x: x, [sg.zeros(1, requires_grad=True)]), ValueError,
     "gradcheck: input 0 must be float64"),
]


@pytest.mark.parametrize("call, kind, words", CASES, ids=[c[2][:40] for c in CASES])
def test_bad_call_raises_a_clear_error(call, kind, words):
    with pytest.raises(kind) as info:
        call()
    assert words in str(info.value)
    assert type(info.value).__name__ not in ("AttributeError", "KeyError", "ZeroDivisionError")
    assert "numba" not in str(info.value).lower()
