"""Type promotion: the dtype of an op's result, and the check that its operands are tensors or
numbers.

Type promotion follows PyTorch. Each operand has a *category*: bool < integer < floating.

* The result has the highest category among the operands.
* Within a category, tensors with at least one dimension decide (float32 + float64 -> float64);
  a 0-d tensor or a Python number only decides when its category is higher than theirs.
* A Python float that raises the category gives float32 (the default dtype), a Python int int64:
  ``int64 tensor + 2.5 -> float32``, ``float64 tensor + 2.5 -> float64``, ``float32 tensor + 1
  -> float32``.
* True division and math functions (exp, sqrt, ...) of integers give float32.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.matrix.tensor_core import TensorBase


def refuse_sequence(op, *operands):
    """A list or tuple where a Tensor belongs is a TypeError naming the op and the fix (and a
    number in a matrix product too: that is ``*``)."""
    for x in operands:
        if op == "matmul" and is_number(x):
            raise TypeError(
                f"matmul: both operands must be Tensors, got {type(x).__name__} {x!r}; "
                "to multiply by a number use *"
            )
        if isinstance(x, (list, tuple)):
            raise TypeError(
                f"{op}: expected a Tensor or a number, got {type(x).__name__}; wrap it with "
                f"sg.tensor(...) first, e.g. sg.tensor({_short(x)})"
            )


def _short(x):
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


_CATEGORY = {
    dtypes.bool: 0,
    dtypes.uint8: 1,
    dtypes.int32: 1,
    dtypes.int64: 1,
    dtypes.float32: 2,
    dtypes.float64: 2,
}


def category(dtype):
    """0 for bool, 1 for the integers, 2 for float32/float64."""
    return _CATEGORY[dtype]


def promote_types(a, b):
    """The dtype both ``a`` and ``b`` convert to without losing their category."""
    if a is b or a == b:
        return a
    ca, cb = _CATEGORY[a], _CATEGORY[b]
    if ca != cb:
        return a if ca > cb else b
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(value):
    """The dtype PyTorch gives a Python (or NumPy) number: bool, int64 or float32."""
    if isinstance(value, (bool, np.bool_)):
        return dtypes.bool
    if isinstance(value, (int, np.integer)):
        return dtypes.int64
    if isinstance(value, (float, np.floating)):
        return dtypes.default_float()
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def is_number(value):
    """True for Python/NumPy bools, ints and floats (the scalars ops accept next to tensors)."""
    return isinstance(value, (int, float, np.number, np.bool_))


def result_type(*operands):
    """PyTorch's result dtype for an op on ``operands`` (Tensors and Python numbers)."""
    dim = zero = number = None
    for x in operands:
        if isinstance(x, TensorBase):
            d = x._array.dtype
            if x._array.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(x)
            number = d if number is None else promote_types(number, d)
    result = dim
    for candidate in (zero, number):
        if candidate is not None and (result is None or _CATEGORY[candidate] > _CATEGORY[result]):
            result = candidate
    return result


def to_float(dtype):
    """float32 for bool/int64 (what exp, sqrt and true division of integers give); floats
    unchanged."""
    return dtype if _CATEGORY[dtype] == 2 else dtypes.default_float()
