"""Reductions: ops that combine the elements along some axes into one (sum, mean, var, prod,
max, ...).

``dim`` is an int, a tuple of ints, or None (every axis); ``keepdim=True`` keeps each reduced axis
with size 1, so the result still broadcasts against the input (``x - x.mean(1, keepdim=True)``).
Every gradient below has the *input's* shape: G, the gradient of the output, is first given back
its reduced axes (size 1) and then broadcast along them.
"""

import math
import warnings
from collections import namedtuple

import numpy as np

from scalargrad import dtypes
from scalargrad.matrix.autograd_function import Function, named
from scalargrad.matrix.functions.elementwise import scalar_array, unary, zeros_like_array
from scalargrad.matrix.shape_rules import normalize_dim, normalize_dims


class return_types:  # noqa: N801 - PyTorch's name (torch.return_types.max)
    """Named results of ``max(dim)`` / ``min(dim)`` / ``sort`` / ``topk``:
    ``values, indices = x.max(dim=1)``."""

    class max(namedtuple("max", ["values", "indices"])):  # noqa: A001
        __slots__ = ()

        def __repr__(self):
            return _return_repr("max", self)

    class min(namedtuple("min", ["values", "indices"])):  # noqa: A001
        __slots__ = ()

        def __repr__(self):
            return _return_repr("min", self)

    class sort(namedtuple("sort", ["values", "indices"])):
        __slots__ = ()

        def __repr__(self):
            return _return_repr("sort", self)

    class topk(namedtuple("topk", ["values", "indices"])):
        __slots__ = ()

        def __repr__(self):
            return _return_repr("topk", self)


def _return_repr(op, result):
    """PyTorch's ``torch.return_types.max(\nvalues=...,\nindices=...)``."""
    return f"scalargrad.return_types.{op}(\nvalues={result.values!r},\nindices={result.indices!r})"


def keep_shape(shape, axes):
    """``shape`` with every axis in ``axes`` set to 1 (what keepdim=True gives)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def dropped_shape(shape, axes):
    """``shape`` without the reduced ``axes`` (a reduction's result when keepdim is False)."""
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def count(shape, axes):
    """How many elements are reduced into each output element."""
    n = 1
    for i in axes:
        n *= shape[i]
    return n


def reduce_array(be, op, a, axes, keepdim):
    """The backend's reduce, also for a 0-d array (which is its own sum, max, ...)."""
    if a.ndim == 0:
        return be.copy(a)
    return be.reduce(op, a, axes, keepdim)


def spread(be, grad, in_shape, axes):
    """G (the reduced shape, with or without keepdim) broadcast back to ``in_shape`` (a view)."""
    kshape = keep_shape(in_shape, axes)
    if grad.shape != kshape:
        grad = be.reshape(grad, kshape)
    return be.broadcast_to(grad, in_shape)


def _scale(be, a, factor):
    """a * factor for a Python float, in a's dtype."""
    return be.binary("mul", a, be.broadcast_to(scalar_array(be, factor, a.dtype), a.shape))


# ---------------------------------------------------------------- Functions


class Sum(Function):
    """y = sum of x over ``axes``; dL/dx = G broadcast back to x.shape (every x_i gets its
    sum's G)."""

    derivation = "sum"

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.in_shape, ctx.axes = a.shape, axes
        return reduce_array(ctx.backend, "sum", a, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return spread(ctx.backend, grad, ctx.in_shape, ctx.axes), None, None


class Mean(Function):
    """y = (1/N) sum of x over ``axes`` (N elements per output); dL/dx = G/N broadcast to
    x.shape."""

    derivation = "mean"

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        be = ctx.backend
        ctx.in_shape, ctx.axes = a.shape, axes
        n = count(a.shape, axes)
        ctx.n = n
        total = reduce_array(be, "sum", a, axes, keepdim)
        return _scale(be, total, 1.0 / n if n else math.nan)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        g = _scale(be, grad, 1.0 / ctx.n if ctx.n else math.nan)
        return spread(be, g, ctx.in_shape, ctx.axes), None, None


class Var(Function):
    """y = sum((x - mean)^2) / (N - correction) over ``axes`` (correction=1: the unbiased estimate).

    dL/dx = G * 2 (x - mean) / (N - correction), broadcast to x.shape (the mean's own dependence
    on x drops out because sum(x - mean) = 0).
    """

    derivation = "var"

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim):
        be = ctx.backend
        n = count(a.shape, axes)
        divisor = max(0.0, n - correction)
        ctx.in_shape, ctx.axes, ctx.divisor = a.shape, axes, divisor
        mean = _scale(be, reduce_array(be, "sum", a, axes, True), 1.0 / n if n else math.nan)
        centered = be.binary("sub", a, be.broadcast_to(mean, a.shape))
        ctx.save_for_backward(a, mean)
        squares = reduce_array(be, "sum", be.binary("mul", centered, centered), axes, keepdim)
        return _scale(be, squares, 1.0 / divisor if divisor else math.inf)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, mean = ctx.saved_tensors
        centered = be.binary("sub", a, be.broadcast_to(mean, a.shape))
        factor = 2.0 / ctx.divisor if ctx.divisor else math.inf
        return (
            be.binary("mul", spread(be, _scale(be, grad, factor), a.shape, ctx.axes), centered),
            None,
            None,
            None,
        )


class Prod(Function):
    """y = product of x over ``axes``; dL/dx_i = G * (product of the other elements).

    Computed without dividing by x_i, so zeros are exact: with no zero in a slice it is y / x_i;
    with exactly one zero only that element gets G * (product of the rest); with two or more,
    every gradient is 0.
    """

    derivation = "prod"

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        ctx.in_shape, ctx.axes = a.shape, axes
        ctx.save_for_backward(a)
        return reduce_array(ctx.backend, "prod", a, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        (a,) = ctx.saved_tensors
        axes, shape = ctx.axes, a.shape
        if a.ndim == 0:
            return be.copy(grad), None, None
        zero = zeros_like_array(be, a)
        one = be.broadcast_to(scalar_array(be, 1, a.dtype), shape)
        is_zero = be.binary("eq", a, zero)
        nonzero = be.where(is_zero, one, a)
        p = be.broadcast_to(be.reduce("prod", nonzero, axes, True), shape)
        zeros = be.reduce("sum", be.astype(is_zero, dtypes.int64), axes, True)
        zeros = be.broadcast_to(zeros, shape)
        int_zero = be.broadcast_to(scalar_array(be, 0, dtypes.int64), shape)
        int_one = be.broadcast_to(scalar_array(be, 1, dtypes.int64), shape)
        none_zero = be.binary("eq", zeros, int_zero)
        only_this = be.where(
            is_zero, be.binary("eq", zeros, int_one), be.binary("ne", zeros, zeros)
        )
        others = be.where(none_zero, be.binary("div", p, nonzero), be.where(only_this, p, zero))
        return be.binary("mul", spread(be, grad, shape, axes), others), None, None


class Amax(Function):
    """y = max (or min) of x over ``axes``; the gradient is shared equally by the elements equal to
    the extreme: dL/dx_i = G / (number of ties) where x_i = y, else 0 (a nan extreme: shared by
    the nan elements, as PyTorch's max())."""

    derivation = "max"

    @staticmethod
    def forward(ctx, a, op, axes, keepdim):
        be = ctx.backend
        y = reduce_array(be, op, a, axes, True)
        ctx.in_shape, ctx.axes = a.shape, axes
        ctx.save_for_backward(a, y)
        return y if keepdim else be.reshape(y, dropped_shape(a.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, y = ctx.saved_tensors
        shape = a.shape
        if a.ndim == 0:
            return be.copy(grad), None, None, None
        y_b = be.broadcast_to(y, shape)
        # the elements equal to the extreme; where it is nan, the nan elements (as PyTorch's max())
        mask = be.where(be.binary("ne", y_b, y_b), be.binary("ne", a, a), be.binary("eq", a, y_b))
        ties = be.astype(be.reduce("sum", be.astype(mask, dtypes.int64), ctx.axes, True), a.dtype)
        g = be.binary("div", be.reshape(grad, y.shape), ties)
        return be.where(mask, be.broadcast_to(g, shape), zeros_like_array(be, a)), None, None, None


class MaxDim(Function):
    """values = max (or min) of x along one axis, at ``indices``; dL/dx = G at those indices, 0
    elsewhere."""

    derivation = "max"

    @staticmethod
    def forward(ctx, a, op, axis, indices_kept, keepdim):
        be = ctx.backend
        ctx.in_shape, ctx.axis, ctx.indices = a.shape, axis, indices_kept
        return be.reduce(op, a, (axis,), keepdim)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        shape, axis = ctx.in_shape, ctx.axis
        positions = np.arange(shape[axis], dtype=np.int64).reshape(
            tuple(shape[axis] if i == axis else 1 for i in range(len(shape)))
        )
        positions = be.broadcast_to(be.from_numpy(positions), shape)
        chosen = be.binary("eq", positions, be.broadcast_to(ctx.indices, shape))
        g = spread(be, grad, shape, (axis,))
        return be.where(chosen, g, zeros_like_array(be, g)), None, None, None, None


class Cumsum(Function):
    """y_k = x_1 + ... + x_k along ``axis``; dL/dx_k = G_k + ... + G_n (a reversed cumulative sum),
    computed as sum(G) - cumsum(G) + G."""

    derivation = "cumsum"

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return ctx.backend.cumsum(a, axis)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        axis = ctx.axis
        total = be.broadcast_to(be.reduce("sum", grad, (axis,), True), grad.shape)
        return be.binary("add", be.binary("sub", total, be.cumsum(grad, axis)), grad), None


class Norm(Function):
    """y = sqrt(sum of x^2 over ``axes``) (the L2 / Frobenius norm); dL/dx = G x / y (0 where y
    = 0)."""

    torch_name = "LinalgVectorNormBackward0"

    derivation = "norm"

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        be = ctx.backend
        y = be.unary("sqrt", reduce_array(be, "sum", be.binary("mul", a, a), axes, True))
        ctx.axes = axes
        ctx.save_for_backward(a, y)
        return y if keepdim else be.reshape(y, dropped_shape(a.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, y = ctx.saved_tensors
        zero = zeros_like_array(be, y)
        q = be.binary("div", be.reshape(grad, y.shape), y)
        q = be.where(be.binary("eq", y, zero), zero, q)
        return be.binary("mul", be.broadcast_to(q, a.shape), a), None, None


class NormP(Function):
    """y = (sum of |x|^p over ``axes``)^(1/p) for any p > 0 other than 1, 2 and inf;
    dL/dx = G sign(x) |x|^(p-1) / y^(p-1), as PyTorch: 0 where x = 0 (for p < 1 the true slope
    there is infinite) and 0 everywhere where y = 0."""

    torch_name = "LinalgVectorNormBackward0"

    derivation = "norm"

    @staticmethod
    def forward(ctx, a, p, axes, keepdim):
        be = ctx.backend
        power = be.binary("pow", be.unary("abs", a), scalar_array(be, p, a.dtype, a.shape))
        total = reduce_array(be, "sum", power, axes, True)
        y = be.binary("pow", total, scalar_array(be, 1.0 / p, a.dtype, total.shape))
        ctx.p, ctx.axes = p, axes
        ctx.save_for_backward(a, y)
        return y if keepdim else be.reshape(y, dropped_shape(a.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        a, y = ctx.saved_tensors
        p = ctx.p
        zero_a, zero_y = zeros_like_array(be, a), zeros_like_array(be, y)

        def full(value, array):
            return scalar_array(be, value, array.dtype, array.shape)

        # sign(x) |x|^(p-1), and 0 at x = 0 (where |x|^(p-1) is inf for p < 1)
        sign = be.where(be.binary("lt", a, zero_a), full(-1.0, a), full(1.0, a))
        along = be.binary("mul", sign, be.binary("pow", be.unary("abs", a), full(p - 1.0, a)))
        along = be.where(be.binary("eq", a, zero_a), zero_a, along)
        g = be.reshape(grad, y.shape)
        if p < 1.0:  # G y^(1-p): finite at y = 0
            scale = be.binary("mul", g, be.binary("pow", y, full(1.0 - p, y)))
        else:  # G / y^(p-1), and 0 where y = 0
            scale = be.binary("div", g, be.binary("pow", y, full(p - 1.0, y)))
            scale = be.where(be.binary("eq", y, zero_y), zero_y, scale)
        return be.binary("mul", along, be.broadcast_to(scale, a.shape)), None, None, None


# ---------------------------------------------------------------- the functions Tensor calls


def _float_only(op, x):
    if x._array.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be a floating point dtype, "
            f"got {x._array.dtype}; call .float() first"
        )


def _nonempty(op, x, axes):
    if any(x.shape[i] == 0 for i in axes):
        raise IndexError(
            f"{op}(): cannot reduce over an axis of size 0 (shape {tuple(x.shape)}, dim {axes}): "
            "the result has no value"
        )


def sum(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """Sum over ``dim`` (all axes if None). Bools count as 0/1 (int64)."""
    axes = normalize_dims("sum", dim, x.ndim)
    if x._array.dtype.kind in "bu" or x._array.dtype == dtypes.int32:  # as PyTorch: int64 sums
        x = x._result_type()._wrap(x._backend.astype(x._array, dtypes.int64), x._backend)
    return named(Sum.apply(x, axes, keepdim), "SumBackward0" if dim is None else "SumBackward1")


def mean(x, dim=None, keepdim=False):
    """Arithmetic mean over ``dim`` (float tensors only, as in PyTorch)."""
    _float_only("mean", x)
    out = Mean.apply(x, normalize_dims("mean", dim, x.ndim), keepdim)
    return named(out, "MeanBackward0" if dim is None else "MeanBackward1")


def var(x, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance over ``dim``: divides by N - 1 (unbiased, the default) or by N (unbiased=False)."""
    _float_only("var", x)
    if correction is None:
        correction = 0 if unbiased is False else 1
    elif unbiased is not None:
        raise TypeError("var: give either unbiased= or correction=, not both")
    axes = normalize_dims("var", dim, x.ndim)
    n = 1
    for axis in axes:
        n *= x.shape[axis]
    if n - correction <= 0 and x.numel():
        warnings.warn(
            f"var/std: degrees of freedom is <= 0: {n} element(s) per result with correction="
            f"{correction:g} (N - 1 for the unbiased estimate) divides by {n - correction:g}, "
            "so the result is nan or inf; use unbiased=False (correction=0) for one element",
            RuntimeWarning,
            stacklevel=3,
        )
    return Var.apply(x, axes, float(correction), keepdim)


def prod(x, dim=None, keepdim=False):
    """Product over ``dim`` (one int or None, as in PyTorch)."""
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod: dim must be one int or None")
    if x._array.dtype.kind in "bu" or x._array.dtype == dtypes.int32:  # as PyTorch: int64 sums
        x = x._result_type()._wrap(x._backend.astype(x._array, dtypes.int64), x._backend)
    return Prod.apply(x, normalize_dims("prod", dim, x.ndim), keepdim)


def amax_amin(op, x, dim=None, keepdim=False):
    """The largest (op="max") or smallest element over ``dim``; ties share the gradient."""
    name = "a" + op
    axes = normalize_dims(name, dim, x.ndim)
    _nonempty(name, x, axes)
    return named(Amax.apply(x, op, axes, keepdim), f"A{op}Backward0")


def max_min(op, x, dim=None, keepdim=False):
    """``x.max()``: the largest element (a 0-d tensor). ``x.max(dim)``: (values, indices) along
    dim."""
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return named(Amax.apply(x, op, tuple(range(x.ndim)), False), f"{op.title()}Backward1")
    axis = normalize_dim(op, dim, x.ndim)
    be = x._backend
    if x.ndim == 0:
        values = Amax.apply(x, op, (), keepdim)
        index = x._result_type()._wrap(be.full((), 0, dtypes.int64), be)
        return getattr(return_types, op)(values, index)
    if x.shape[axis] == 0:
        raise IndexError(
            f"{op}(): Expected reduction dim {axis} to have non-zero size (shape {tuple(x.shape)})."
        )
    indices = be.arg_reduce("arg" + op, x._array, axis)
    kept = be.reshape(indices, keep_shape(x.shape, (axis,)))
    values = named(MaxDim.apply(x, op, axis, kept, keepdim), f"{op.title()}Backward0")
    index = x._result_type()._wrap(kept if keepdim else indices, be)
    return getattr(return_types, op)(values, index)


def arg_reduce(op, x, dim=None, keepdim=False):
    """Index of the largest (argmax) / smallest (argmin) element: over the flattened tensor when
    dim is None, else along ``dim``. The first one of a tie; int64; no gradient."""
    be = x._backend
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = be.arg_reduce(op, x._array, None)
        if keepdim:
            out = be.reshape(out, (1,) * x.ndim)
        return x._result_type()._wrap(out, be)
    axis = normalize_dim(op, dim, x.ndim)
    if x.ndim == 0:
        return x._result_type()._wrap(be.full((), 0, dtypes.int64), be)
    if x.shape[axis] == 0:
        raise IndexError(
            f"{op}(): Expected reduction dim {axis} to have non-zero size (shape {tuple(x.shape)})."
        )
    out = be.arg_reduce(op, x._array, axis)
    if keepdim:
        out = be.reshape(out, keep_shape(x.shape, (axis,)))
    return x._result_type()._wrap(out, be)


def cumsum(x, dim):
    """Running sums along ``dim``: cumsum([1, 2, 3]) = [1, 3, 6]."""
    axis = normalize_dim("cumsum", dim, x.ndim)
    if x._array.dtype.kind in "bu" or x._array.dtype == dtypes.int32:  # as PyTorch: int64 sums
        x = x._result_type()._wrap(x._backend.astype(x._array, dtypes.int64), x._backend)
    if x.ndim == 0:
        return Sum.apply(x, (), False)
    return Cumsum.apply(x, axis)


def norm(x, p="fro", dim=None, keepdim=False):
    """The p-norm over ``dim`` (all axes if None): p=2 or "fro" (sqrt of the sum of squares),
    p=1 (sum of |x|), p=inf (max |x|), or any other p > 0: (sum |x|^p)^(1/p)."""
    _float_only("norm", x)
    axes = normalize_dims("norm", dim, x.ndim)
    if p in ("fro", 2, 2.0):
        return Norm.apply(x, axes, keepdim)
    if isinstance(p, str) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: p must be 'fro' or a number (1, 2, inf, ...), got {p!r}")
    if p == 1:
        return Sum.apply(unary("abs", x), axes, keepdim)
    if p == math.inf:
        return Amax.apply(unary("abs", x), "max", axes, keepdim)
    if p <= 0:
        raise ValueError(f"norm: p must be positive, got {p}")
    return NormP.apply(x, float(p), axes, keepdim)


def any_all(op, x, dim=None, keepdim=False):
    """True if any (all) element along ``dim`` is non-zero: a bool tensor, no gradient."""
    be = x._backend
    a = x._array
    if a.dtype != dtypes.bool:
        a = be.binary("ne", a, zeros_like_array(be, a))
    axes = normalize_dims(op, dim, x.ndim)
    if a.ndim and count(a.shape, axes) == 0:  # any() of nothing is False, all() of nothing True
        shape = (
            keep_shape(a.shape, axes)
            if keepdim
            else dropped_shape(a.shape, axes)
        )
        return x._result_type()._wrap(be.full(shape, op == "all", dtypes.bool), be)
    out = reduce_array(be, "max" if op == "any" else "min", a, axes, keepdim)
    return x._result_type()._wrap(out, be)
