"""PyTorch's legacy typed constructors, which older course code still uses.

``sg.FloatTensor([1, 2])`` is a float32 tensor of those numbers, ``sg.LongTensor(2, 3)`` a (2, 3)
int64 tensor (PyTorch leaves it uninitialized; here it is zeros). ``t.type()`` names the type
(``"scalargrad.FloatTensor"``) and ``isinstance(t, sg.FloatTensor)`` checks the dtype.
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.matrix.creation import tensor, zeros
from scalargrad.matrix.tensor import Tensor


class _LegacyType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._array.dtype == cls.dtype


def _make(name, dtype):
    def __new__(cls, *args, device="cpu"):
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            return tensor(args[0], dtype=dtype, device=device)
        return zeros(*args, dtype=dtype, device=device)

    doc = f"``{name}(data)`` or ``{name}(*sizes)``: a {dtype!r} tensor (PyTorch's legacy type)."
    return _LegacyType(
        name, (), {"__new__": __new__, "dtype": dtype, "__doc__": doc, "__module__": "scalargrad"}
    )


FloatTensor = _make("FloatTensor", dtypes.float32)
DoubleTensor = _make("DoubleTensor", dtypes.float64)
LongTensor = _make("LongTensor", dtypes.int64)
IntTensor = _make("IntTensor", dtypes.int32)
ByteTensor = _make("ByteTensor", dtypes.uint8)
BoolTensor = _make("BoolTensor", dtypes.bool)
