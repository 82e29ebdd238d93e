"""The dtypes tensors can hold, under PyTorch's names, and PyTorch's rules for inferring them.

A Python float (or any float array) becomes float32, a Python int becomes int64, a bool stays bool:
``sg.tensor([1, 2])`` is int64 and ``sg.tensor([1.0, 2])`` is float32. float64 works end to end
when asked for (``dtype=sg.float64``), which is what gradient checks use.
"""

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name: sg.bool
# PyTorch's aliases
float = float32  # noqa: A001
double = float64
long = int64

SUPPORTED = (float32, float64, int64, bool)
FLOATING = (float32, float64)


def as_dtype(dtype):
    """Turn ``sg.float32``, ``np.float32``, ``"float32"`` or ``float`` into one of SUPPORTED."""
    if dtype is None:
        return None
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype: {dtype!r} is not a dtype; use one of float32, float64, int64, bool"
        ) from None
    if d == np.float16 or d.kind == "f" and d not in FLOATING:
        raise TypeError(f"dtype: {d} is not supported; use float32 or float64")
    if d.kind in "iu":
        return int64
    if d not in SUPPORTED:
        raise TypeError(f"dtype: {d} is not supported; use one of float32, float64, int64, bool")
    return d


def infer_dtype(array):
    """PyTorch's default for data given without a dtype: floats -> float32, ints -> int64."""
    kind = np.asarray(array).dtype.kind
    if kind == "b":
        return bool
    if kind in "iu":
        return int64
    if kind == "f":
        return float32
    raise TypeError(
        f"tensor: cannot make a tensor from data of numpy dtype {np.asarray(array).dtype}; "
        "give numbers, nested lists of numbers, or a numeric numpy array"
    )


def is_floating(dtype):
    """True for float32 and float64, the dtypes that can require gradients."""
    return np.dtype(dtype) in FLOATING
