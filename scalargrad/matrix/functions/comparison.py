"""Comparisons (``== != < <= > >=``) and logic on bool masks (``~ & |``): bool tensors, no gradient.

The operands broadcast and are promoted to one dtype first (``int_tensor < 2.5`` compares as
floats), as in PyTorch. A comparison is a step function of its inputs: its derivative is 0
wherever it exists, so no graph is recorded.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.matrix.functions.elementwise import (
    _expand,
    _operands,
    from_ndarray,
    plain_array,
    zeros_like_array,
)
from scalargrad.matrix.shape_rules import broadcast_shapes
from scalargrad.matrix.tensor_core import TensorBase, result_class


def compare(op, x, y):
    """``x op y`` for op in eq ne lt le gt ge: a bool tensor of the broadcast shape, no gradient."""
    x, y = from_ndarray(x, y), from_ndarray(y, x)
    found = _operands(op, x, y)
    if found is None:
        return NotImplemented
    backend, dtype = found
    a, b = plain_array(x, dtype, backend), plain_array(y, dtype, backend)
    shape = broadcast_shapes(op, a.shape, b.shape)
    return result_class(x, y)._wrap(
        backend.binary(op, _expand(backend, a, shape), _expand(backend, b, shape)), backend
    )


def _require_bool(op, *tensors):
    for t in tensors:
        if isinstance(t, TensorBase) and t._array.dtype != dtypes.bool:
            raise TypeError(f"{op}: expected bool tensors, got {t._array.dtype}")


def logical_not(x):
    """~mask: True where ``mask`` is False (bool tensors only)."""
    _require_bool("logical_not", x)
    be = x._backend
    return x._result_type()._wrap(be.binary("eq", x._array, zeros_like_array(be, x._array)), be)


def logical(op, x, y):
    """mask & other, mask | other for bool tensors (or Python bools)."""
    if not isinstance(y, (TensorBase, bool)):
        return NotImplemented
    _require_bool(op, x, y)
    be = x._backend
    a = x._array
    b = plain_array(y, dtypes.bool, be)
    shape = broadcast_shapes(op, a.shape, b.shape)
    a, b = _expand(be, a, shape), _expand(be, b, shape)
    if op == "and":
        return x._result_type()._wrap(be.where(a, b, zeros_like_array(be, b)), be)
    return x._result_type()._wrap(be.where(a, a, b), be)


def equal(x, y):
    """True if ``x`` and ``y`` have the same shape and the same elements (a Python bool)."""
    if x.shape != y.shape:
        return False
    return bool(compare("eq", x, y).all().item())


def allclose(x, y, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if |x - y| <= atol + rtol |y| everywhere (broadcasting), as ``numpy.allclose``."""
    a = np.asarray(x.detach().cpu().numpy() if isinstance(x, TensorBase) else x)
    b = np.asarray(y.detach().cpu().numpy() if isinstance(y, TensorBase) else y)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
