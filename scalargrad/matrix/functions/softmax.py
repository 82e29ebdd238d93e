"""softmax, log_softmax and logsumexp along one axis, stable for logits of any size.

softmax(x)_i = e^{x_i} / sum_j e^{x_j} turns a row of scores (logits) into probabilities; the
backend subtracts the row's max first, which changes nothing mathematically and keeps e^x from
overflowing. logsumexp(x) = ln sum_j e^{x_j} is a smooth max; log_softmax(x) = x - logsumexp(x).
"""

from scalargrad.matrix.autograd_function import Function
from scalargrad.matrix.functions.reductions import keep_shape
from scalargrad.matrix.shape_rules import normalize_dim


class Softmax(Function):
    """y = softmax(x) along ``axis``; dL/dx = y * (G - sum(G * y, axis)), same shape as x."""

    derivation = "softmax"

    @staticmethod
    def forward(ctx, a, axis):
        y = ctx.backend.softmax(a, axis)
        ctx.axis = axis
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return ctx.backend.softmax_backward(y, grad, ctx.axis), None


class LogSoftmax(Function):
    """y = x - logsumexp(x) along ``axis``; dL/dx = G - softmax(x) * sum(G, axis) (softmax =
    e^y)."""

    derivation = "log_softmax"

    @staticmethod
    def forward(ctx, a, axis):
        y = ctx.backend.log_softmax(a, axis)
        ctx.axis = axis
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return ctx.backend.log_softmax_backward(y, grad, ctx.axis), None


class LogSumExp(Function):
    """y = ln sum_j e^{x_j} along ``axis``; dL/dx = G * softmax(x) (G broadcast along the axis)."""

    torch_name = "LogsumexpBackward0"

    derivation = "logsumexp"

    @staticmethod
    def forward(ctx, a, axis, keepdim):
        ctx.axis = axis
        ctx.save_for_backward(a)
        return ctx.backend.logsumexp(a, axis, keepdim)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        (a,) = ctx.saved_tensors
        kshape = keep_shape(a.shape, (ctx.axis,))
        g = be.broadcast_to(be.reshape(grad, kshape), a.shape)
        return be.binary("mul", g, be.softmax(a, ctx.axis)), None, None


def _prepare(op, x, dim):
    if x._array.dtype.kind != "f":
        raise RuntimeError(
            f"{op}: expected a floating point tensor, got {x._array.dtype}; call .float() first"
        )
    axis = normalize_dim(op, dim, x.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    return x, axis


def _squeeze0(y, was_scalar):
    return y.reshape(()) if was_scalar else y


def softmax(x, dim=-1):
    """Probabilities along ``dim``: e^x / sum(e^x); every slice along dim sums to 1."""
    x1, axis = _prepare("softmax", x, dim)
    return _squeeze0(Softmax.apply(x1, axis), x.ndim == 0)


def log_softmax(x, dim=-1):
    """log(softmax(x)) along ``dim``, computed stably (no log of a tiny probability)."""
    x1, axis = _prepare("log_softmax", x, dim)
    return _squeeze0(LogSoftmax.apply(x1, axis), x.ndim == 0)


def logsumexp(x, dim, keepdim=False):
    """ln sum e^x along ``dim``: a smooth maximum, computed stably."""
    x1, axis = _prepare("logsumexp", x, dim)
    y = LogSumExp.apply(x1, axis, keepdim)
    return _squeeze0(y, x.ndim == 0)
