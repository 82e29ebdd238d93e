"""Making tensors: from data (``tensor``, ``from_numpy``), filled (``zeros ones full eye``), ranges
(``arange linspace``) and random (``rand randn randint``, seeded by ``manual_seed``).

dtype inference follows PyTorch: Python floats -> the default dtype (float32), ints -> int64,
bools -> bool, a NumPy array keeps its dtype; ``dtype=`` overrides it. ``tensor`` always copies
its data; ``from_numpy`` and ``as_tensor`` share a NumPy array's memory on the CPU (changing one
changes the other).
"""

import numpy as np

from scalargrad import dtypes
from scalargrad.errors import InputTypeError, InputValueError
from scalargrad.matrix.backends import get_backend
from scalargrad.matrix.host_arrays import (  # noqa: F401 - manual_seed, generator: sg's names
    check_exact,
    generator,
    has_huge_int,
    host_array,
    manual_seed,
    sizes,
)
from scalargrad.matrix.tensor import Tensor


def _finish(array, dtype, requires_grad, device, op):
    """Wrap a host numpy array (already of ``dtype``) as a tensor on ``device``."""
    backend = get_backend(device)
    t = Tensor._wrap(backend.from_numpy(array), backend)
    if requires_grad:
        if not dtypes.is_floating(dtype):
            raise RuntimeError(
                f"{op}: only floating point tensors can require gradients, but dtype is {dtype}; "
                "use float data (1.0 instead of 1) or dtype=sg.float32"
            )
        t._requires_grad = True
    return t


def _size_keyword(op, size, kwargs):
    """``size`` given as PyTorch also allows, by keyword: ``randn(size=(2, 3))``."""
    extra = dict(kwargs)
    if "size" in extra:
        if size:
            raise TypeError(f"{op}(): got sizes both positionally and as size=")
        size = (extra.pop("size"),)
    if extra:
        raise TypeError(f"{op}() got an unexpected keyword argument {next(iter(extra))!r}")
    return size


def tensor(data, dtype=None, requires_grad=False, device="cpu"):
    """A new tensor holding a copy of ``data`` (a number, nested lists, a numpy array or a
    tensor)."""
    array = host_array("tensor", data, dtype)
    return _finish(array, array.dtype, requires_grad, device, "tensor")


def from_numpy(array):
    """A CPU tensor over ``array``'s memory (no copy for float32/float64/int64/bool arrays)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtype = dtypes.as_dtype(array.dtype)
    if array.dtype != dtype:
        check_exact("from_numpy", array, dtype)
        array = array.astype(dtype)
    backend = get_backend("cpu")
    return Tensor._wrap(backend.from_numpy(array), backend)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, copying only when needed: a tensor of the right dtype and device is
    returned as is, a NumPy array on the CPU is shared (as ``from_numpy``), anything else copied."""
    dtype = dtypes.as_dtype(dtype)
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and str(device or "cpu") == "cpu" and data.dtype.kind in "biuf":
        if dtype is None or dtype == data.dtype:
            if dtypes.as_dtype(data.dtype) == data.dtype:
                return from_numpy(data)
    return tensor(data, dtype=dtype, device=device or "cpu")


def is_tensor(obj):
    """True for a scalargrad Tensor (and Parameter)."""
    return isinstance(obj, Tensor)


def numel(t):
    """The number of elements of tensor ``t``."""
    return t.numel()


def full(size, fill_value, dtype=None, requires_grad=False, device="cpu"):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if not isinstance(size, (int, np.integer, tuple, list)):
        raise ValueError(f"full: size must be an int or a tuple of ints, got {size!r}")
    size = sizes("full", (size,) if isinstance(size, (int, np.integer)) else (tuple(size),))
    value = np.asarray(fill_value)
    if value.ndim != 0 or value.dtype == object:
        raise (InputValueError if has_huge_int([fill_value]) else TypeError)(
            f"full: fill_value must be one number that fits the dtype, got {fill_value!r}"
        )
    if dtype is None:
        dtype = dtypes.infer_dtype(value)
    dtype = dtypes.as_dtype(dtype)
    check_exact("full", value, dtype)
    return _finish(np.full(size, value, dtype), dtype, requires_grad, device, "full")


def zeros(*size, dtype=None, requires_grad=False, device="cpu", **kwargs):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; float32 unless dtype is given."""
    size = _size_keyword("zeros", size, kwargs)
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    return _finish(np.zeros(sizes("zeros", size), dtype), dtype, requires_grad, device, "zeros")


def ones(*size, dtype=None, requires_grad=False, device="cpu", **kwargs):
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``; float32 unless dtype is given."""
    size = _size_keyword("ones", size, kwargs)
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    return _finish(np.ones(sizes("ones", size), dtype), dtype, requires_grad, device, "ones")


def empty(*size, dtype=None, requires_grad=False, device="cpu", **kwargs):
    """A tensor of ``size`` whose values you will overwrite (zeros here; PyTorch leaves them
    uninitialized)."""
    size = _size_keyword("empty", size, kwargs)
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    """``fill_value`` everywhere, in t's shape (and dtype and device, unless given)."""
    return full(
        t.shape,
        fill_value,
        dtype=dtype or t.dtype,
        requires_grad=requires_grad,
        device=device or t.device,
    )


def empty_like(t, dtype=None, requires_grad=False, device=None):
    """``zeros_like`` (PyTorch leaves the values uninitialized)."""
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad, device=device)


def rand_like(t, dtype=None, requires_grad=False, device=None):
    """Uniform [0, 1) numbers in t's shape (and dtype and device, unless given)."""
    return rand(
        t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device or t.device
    )


def randn_like(t, dtype=None, requires_grad=False, device=None):
    """Standard normal numbers in t's shape (and dtype and device, unless given)."""
    return randn(
        t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device or t.device
    )


def normal(mean, std, size=None, dtype=None, requires_grad=False, device="cpu"):
    """Normal random numbers N(mean, std^2): ``normal(0, 1, (3, 4))`` (numbers and a size, d2l's
    synthetic data), or elementwise from tensors ``mean`` and/or ``std`` (their broadcast shape)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
        return randn(shape, dtype=like.dtype, device=like.device) * std + mean
    if size is None:
        raise TypeError("normal: give a size, e.g. normal(0.0, 1.0, (3, 4))")
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    size = sizes("normal", (tuple(size),) if isinstance(size, (tuple, list)) else (size,))
    array = generator().normal(mean, std, size).astype(dtype)
    return _finish(array, dtype, requires_grad, device, "normal")


def randperm(n, dtype=None, device="cpu"):
    """A random permutation of 0..n-1 (int64)."""
    dtype = dtypes.as_dtype(dtype) or dtypes.int64
    return _finish(generator().permutation(int(n)).astype(dtype), dtype, False, device, "randperm")


def _like(op, t):
    if not isinstance(t, Tensor):
        raise TypeError(
            f"{op}: expected a Tensor to copy the shape of, got {type(t).__name__}; for a "
            f"shape use sg.{op[:-5]}(shape)"
        )


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    """Zeros of t's shape (and dtype and device, unless given)."""
    _like("zeros_like", t)
    return zeros(
        t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device or t.device
    )


def ones_like(t, dtype=None, requires_grad=False, device=None):
    """Ones of t's shape (and dtype and device, unless given)."""
    _like("ones_like", t)
    return ones(
        t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device or t.device
    )


def eye(n, m=None, dtype=None, requires_grad=False, device="cpu"):
    """The identity matrix (n, n), or (n, m) with ones on the diagonal."""
    m = n if m is None else m
    sizes("eye", (n, m))
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    return _finish(np.eye(n, m, dtype=dtype), dtype, requires_grad, device, "eye")


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device="cpu"):
    """start, start + step, ... up to but excluding end (``arange(5)`` is 0..4, int64).

    int64 when start, end and step are all ints, else float32 (unless dtype is given).
    """
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, Tensor):
            v = v.item()
        if not isinstance(v, (int, float, np.number)) or isinstance(v, bool):
            raise TypeError(f"arange: {name} must be a number, got {type(v).__name__}")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) / step < 0:
        raise ValueError(
            f"arange: upper bound and larger bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else dtypes.default_float()
    dtype = dtypes.as_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    array = start + step * np.arange(n, dtype=np.float64 if dtype.kind == "f" else np.int64)
    return _finish(array.astype(dtype), dtype, requires_grad, device, "arange")


def linspace(start, end, steps, dtype=None, requires_grad=False, device="cpu"):
    """``steps`` evenly spaced numbers from start to end, both included (float32 by default)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    return _finish(
        np.linspace(start, end, steps).astype(dtype), dtype, requires_grad, device, "linspace"
    )


def _random_float(op, dtype):
    """rand/randn draw real numbers: an integer or bool dtype would truncate them (PyTorch
    raises too)."""
    dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
    if not dtypes.is_floating(dtype):
        raise InputTypeError(
            f"{op}: draws floating point numbers, dtype must be float32 or float64, got "
            f"{dtypes.wrap(dtype)}; "
            "for random integers use sg.randint"
        )
    return dtype


def rand(*size, dtype=None, requires_grad=False, device="cpu", **kwargs):
    """Uniform random numbers in [0, 1) (float32 by default)."""
    size = _size_keyword("rand", size, kwargs)
    dtype = _random_float("rand", dtype)
    array = generator().random(sizes("rand", size)).astype(dtype)
    return _finish(array, dtype, requires_grad, device, "rand")


def randn(*size, dtype=None, requires_grad=False, device="cpu", **kwargs):
    """Standard normal random numbers (mean 0, std 1; float32 by default)."""
    size = _size_keyword("randn", size, kwargs)
    dtype = _random_float("randn", dtype)
    array = generator().standard_normal(sizes("randn", size)).astype(dtype)
    return _finish(array, dtype, requires_grad, device, "randn")


def randint(low, high=None, size=None, dtype=None, device="cpu"):
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``; int64."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
    if high is None:
        low, high = 0, low
    for name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not isinstance(bound, (int, np.integer)):
            raise TypeError(f"randint: {name} must be an int, got {type(bound).__name__} {bound!r}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    dtype = dtypes.as_dtype(dtype) or dtypes.int64
    size = sizes("randint", (tuple(size),) if isinstance(size, (tuple, list)) else (size,))
    array = generator().integers(low, high, size).astype(dtype)
    return _finish(array, dtype, False, device, "randint")
