"""The dtypes tensors can hold, under PyTorch's names, and PyTorch's rules for inferring them.

A Python float becomes the *default dtype* (float32 unless ``set_default_dtype`` changed it), a
Python int int64, a bool bool: ``sg.tensor([1, 2])`` is int64, ``sg.tensor([1.0, 2])`` float32.
A NumPy array keeps its dtype: float64 stays float64 and uint8 (images) stays uint8, as in PyTorch.

Each dtype is a small object that prints as PyTorch's does (``scalargrad.float32``) and stands for
a NumPy dtype everywhere NumPy takes one (``np.zeros(3, sg.float32)``; it compares equal to
``np.float32`` and ``np.dtype("float32")``).
"""

import builtins

import numpy as np


class dtype:  # noqa: N801 - PyTorch's name: scalargrad.dtype
    """One element type: ``scalargrad.float32``. NumPy reads ``.dtype`` to use it as its own."""

    __slots__ = ("_np",)

    def __init__(self, name):
        self._np = np.dtype(name)

    @property
    def dtype(self):
        """The NumPy dtype (NumPy's protocol: ``np.dtype(sg.float32)`` is ``np.float32``)."""
        return self._np

    @property
    def is_floating_point(self):
        return self._np.kind == "f"

    @property
    def is_complex(self):
        return False

    @property
    def is_signed(self):
        return self._np.kind in "fi"

    @property
    def itemsize(self):
        return self._np.itemsize

    def __getattr__(self, name):  # kind, name, type, char, ... as NumPy's dtype
        return getattr(self._np, name)

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self._np == other._np
        if isinstance(other, str) or other is None:
            return False
        try:
            return self._np == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self._np)

    def __repr__(self):
        return f"scalargrad.{_TORCH_NAME.get(self._np.name, self._np.name)}"

    def __reduce__(self):
        return (_by_name, (self._np.name,))


_TORCH_NAME = {"bool": "bool"}

float32 = dtype("float32")
float64 = dtype("float64")
int64 = dtype("int64")
int32 = dtype("int32")
uint8 = dtype("uint8")
bool = dtype("bool")  # noqa: A001 - PyTorch's name: sg.bool
# PyTorch's aliases
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001

SUPPORTED = (float32, float64, int64, int32, uint8, bool)
FLOATING = (float32, float64)
_WRAPPED = {d._np: d for d in SUPPORTED}
_default = float32


def _by_name(name):
    return _WRAPPED[np.dtype(name)]


def wrap(np_dtype):
    """The ``scalargrad.dtype`` for a NumPy dtype (what ``Tensor.dtype`` returns)."""
    return _WRAPPED.get(np.dtype(np_dtype)) or dtype(np_dtype)


def get_default_dtype():
    """The dtype Python floats become (``scalargrad.float32`` unless set otherwise)."""
    return _default


def set_default_dtype(d):
    """Make Python floats (and ``zeros``, ``rand``, ...) float32 or float64 from now on."""
    global _default
    d = as_dtype(d)
    if d not in FLOATING:
        raise TypeError(f"set_default_dtype: only floating-point types are supported, got {d}")
    _default = wrap(d)


def default_float():
    """The default floating dtype as a NumPy dtype (for code that makes arrays)."""
    return _default._np


_NAMES = "float32, float64, int64, int32, uint8, bool"


def as_dtype(d):
    """Turn ``sg.float32``, ``np.float32``, ``"float32"`` or ``float`` into a NumPy dtype of
    SUPPORTED (``None`` stays None)."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d._np
    if d is builtins.float:
        return default_float()
    try:
        n = np.dtype(d)
    except TypeError:
        raise TypeError(f"dtype: {d!r} is not a dtype; use one of {_NAMES}") from None
    if n.kind == "f" and n not in FLOATING:
        raise TypeError(f"dtype: {n} is not supported; use float32 or float64")
    if n.kind in "iu" and n not in SUPPORTED:
        return int64._np
    if n not in SUPPORTED:
        raise TypeError(f"dtype: {n} is not supported; use one of {_NAMES}")
    return n


def infer_dtype(array):
    """The dtype data given without one gets: a NumPy array keeps its own (as PyTorch);
    Python floats -> the default dtype, ints -> int64, bools -> bool."""
    if isinstance(array, (np.ndarray, np.generic)) and array.dtype.kind in "biuf":
        return as_dtype(array.dtype)
    kind = np.asarray(array).dtype.kind
    if kind == "b":
        return bool._np
    if kind in "iu":
        return int64._np
    if kind == "f":
        return default_float()
    raise TypeError(
        f"tensor: cannot make a tensor from data of numpy dtype {np.asarray(array).dtype}; "
        "give numbers, nested lists of numbers, or a numeric numpy array"
    )


def is_floating(d):
    """True for float32 and float64, the dtypes that can require gradients."""
    return np.dtype(d) in FLOATING


# PyTorch's legacy tensor type names (``t.type()``, ``sg.FloatTensor``)
TYPE_NAMES = {
    "FloatTensor": float32,
    "DoubleTensor": float64,
    "LongTensor": int64,
    "IntTensor": int32,
    "ByteTensor": uint8,
    "BoolTensor": bool,
}
_TYPE_OF = {d: name for name, d in TYPE_NAMES.items()}


def type_name(np_dtype, on_cuda=False):
    """``"scalargrad.FloatTensor"`` for float32, ... (``"scalargrad.cuda.FloatTensor"`` on cuda)."""
    return ("scalargrad.cuda." if on_cuda else "scalargrad.") + _TYPE_OF[wrap(np_dtype)]


def dtype_of_type_name(name):
    """The dtype of a legacy type name: ``"torch.FloatTensor"`` -> float32."""
    short = name.rsplit(".", 1)[-1]
    if short not in TYPE_NAMES:
        raise ValueError(f"invalid type: {name!r}")
    return TYPE_NAMES[short]
