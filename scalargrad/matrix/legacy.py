"""PyTorch's legacy typed constructors, which older course code still uses.

``sg.FloatTensor([1, 2])`` is a float32 tensor of those numbers, ``sg.LongTensor(2, 3)`` a (2, 3)
int64 tensor (PyTorch leaves it uninitialized; here it is zeros). ``t.type()`` names the type
(``"scalargrad.FloatTensor"``) and ``isinstance(t, sg.FloatTensor)`` checks the dtype.
"""

import numpy as np

from scalargrad import dtypes

_TYPES = {
    "FloatTensor": dtypes.float32,
    "DoubleTensor": dtypes.float64,
    "LongTensor": dtypes.int64,
    "IntTensor": dtypes.int32,
    "ByteTensor": dtypes.uint8,
    "BoolTensor": dtypes.bool,
}
_NAMES = {d: name for name, d in _TYPES.items()}


def type_name(t):
    """``"scalargrad.FloatTensor"`` for a float32 tensor, ... (``scalargrad.cuda.`` on cuda)."""
    where = "scalargrad.cuda." if t.device == "cuda" else "scalargrad."
    return where + _NAMES[dtypes.wrap(t._array.dtype)]


def dtype_of_name(name):
    """The dtype of a legacy type name: ``"torch.FloatTensor"`` -> float32."""
    short = name.rsplit(".", 1)[-1]
    if short not in _TYPES:
        raise ValueError(f"invalid type: {name!r}")
    return _TYPES[short]


class _LegacyType(type):
    def __instancecheck__(cls, obj):
        from scalargrad.matrix.tensor import Tensor

        return isinstance(obj, Tensor) and obj._array.dtype == cls.dtype


def _make(name, dtype):
    def __new__(cls, *args, device="cpu"):
        from scalargrad.matrix.creation import tensor, zeros

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
