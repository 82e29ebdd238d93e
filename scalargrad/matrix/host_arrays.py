"""Host (NumPy) arrays from Python data, and the global random generator: what making a tensor
needs below the ``Tensor`` class (``sg.tensor``, ``Tensor(data)``, ``x.new_tensor``,
``x[i] = data``).

``host_array`` follows PyTorch's dtype inference: Python floats -> the default dtype (float32),
ints -> int64, bools -> bool, a NumPy array keeps its dtype; ``dtype=`` overrides it. It always
copies, and refuses a conversion to an integer dtype that would change a value.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.errors import InputValueError
from scalargrad.matrix.tensor_core import TensorBase

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed the global random generator (rand, randn, randint, uniform_, normal_, ...)."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator():
    """The global ``numpy.random.Generator`` behind every random op."""
    return _generator


def host_array(op, data, dtype=None):
    """A new C-contiguous NumPy array holding a copy of ``data`` (a number, nested lists, a NumPy
    array or a tensor), of ``dtype`` (inferred from the data when None)."""
    dtype = dtypes.as_dtype(dtype)
    if isinstance(data, TensorBase):
        array = data._backend.to_numpy(data._array)
    else:
        try:
            array = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"{op}: cannot make a tensor from {type(data).__name__} data: {e} "
                "(rows of nested lists must all have the same length)"
            ) from None
        if array.dtype == object and has_huge_int(data):
            raise InputValueError(
                f"{op}: a Python int in the data is too large for int64 "
                "(whole numbers in [-2**63, 2**63 - 1])"
            )
        if array.dtype == object:
            raise TypeError(
                f"{op}: data must be numbers or (nested) lists of numbers of one shape; got "
                f"{type(data).__name__} holding objects"
            )
    if dtype is None:
        dtype = dtypes.infer_dtype(data) if not isinstance(data, TensorBase) else array.dtype
    check_exact(op, array, dtype)
    return np.array(array, dtype=dtype, order="C", copy=True)


def has_huge_int(data):
    """True if nested lists ``data`` hold a Python int outside int64 (NumPy then makes objects)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, int) and not -(2**63) <= item < 2**63:
            return True
    return False


def check_exact(op, array, dtype):
    """Refuse a conversion to an integer dtype that would change a value (PyTorch's
    RuntimeError): nan, inf or a number beyond the dtype's range would otherwise wrap around."""
    target = np.dtype(dtype)
    if target.kind not in "iu" or array.dtype.kind not in "fiu" or not array.size:
        return
    limits = np.iinfo(target)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array >= limits.max + 1.0) | (array < float(limits.min))
    else:
        bad = (array > limits.max) | (array < limits.min)
    if bad.any():
        value = array[bad].flat[0].item()
        raise InputValueError(
            f"{op}: value {value!r} cannot be converted to type {target} without overflow "
            f"({target} holds whole numbers in {_span(target, limits)}; "
            f"the data is {array.dtype})"
        )


def _span(target, limits):
    """An integer dtype's range as a reader takes it in: [-2**63, 2**63 - 1] for int64."""
    if target == np.int64:
        return "[-2**63, 2**63 - 1]"
    return f"[{limits.min}, {limits.max}]"


def sizes(op, size):
    """The sizes of a new tensor, given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"{op}: sizes must be non-negative ints, got {size}")
    return tuple(int(s) for s in size)
