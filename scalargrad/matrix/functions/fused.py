"""Fused Functions for the layers and losses of ``sg.nn``: one graph node each, one backend kernel
each way, so a training step spends its time in kernels, not in Python.

Each could be written from smaller ops (``x @ w.T + b`` is a matmul, a transpose and an add;
cross-entropy is log_softmax, a gather and a mean); the tests check each against that composite
and against central differences. ``reduction`` is applied inside the node:

* ``"none"``: the per-element (per-row) losses, same shape as the input (rows);
* ``"sum"``: their sum, a 0-d array; the gradient reaching each term is the incoming one;
* ``"mean"``: the sum times 1/N (N terms); the gradient reaching each term is the incoming one / N.

Shapes of the gradients are stated in each class and derived on the docs page named by its
``derivation`` attribute.
"""

import math

import numpy as np

from scalargrad.matrix.autograd_function import Function

REDUCTIONS = ("none", "mean", "sum")


def _scale(be, a, factor):
    """``a * factor`` for a backend array and a Python float, in a's dtype.

    Only ever called on 0-d arrays (a total, or the gradient of one). A CPU array is a NumPy array,
    and one NumPy multiply of a single number costs far less than launching a parallel kernel."""
    if isinstance(a, np.ndarray):
        return np.asarray(a * a.dtype.type(factor), dtype=a.dtype)
    return be.binary("mul", a, be.broadcast_to(be.full((), factor, a.dtype), a.shape))


def reduce_loss(be, terms, reduction):
    """Apply ``reduction`` to an array of loss terms (the forward half)."""
    if reduction == "none":
        return terms
    n = int(np.prod(terms.shape))
    total = (
        be.copy(terms)
        if terms.ndim == 0
        else be.reduce("sum", terms, tuple(range(terms.ndim)), False)
    )
    if reduction == "sum":
        return total
    return _scale(be, total, 1.0 / n if n else math.nan)


def expand_loss_grad(be, grad, shape, reduction):
    """The gradient reaching each loss term, from the gradient of the reduced loss (backward)."""
    if reduction == "none":
        return grad
    if reduction == "mean":
        n = int(np.prod(shape))
        grad = _scale(be, grad, 1.0 / n if n else math.nan)
    return be.broadcast_to(grad, tuple(shape))


class Linear(Function):
    """``y = x W^T + b`` for x (n, in), W (out, in), b (out,) or None; y is (n, out).

    Backward, with G = dL/dy (n, out):  dL/dx = G W (n, in);  dL/dW = G^T x (out, in);
    dL/db = sum of G over the batch (out,).
    """

    derivation = "linear"

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return ctx.backend.linear(x, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        dx = be.matmul(grad, weight) if need_x else None
        dw = be.matmul(be.permute(grad, (1, 0)), x) if need_w else None
        db = be.reduce("sum", grad, (0,), False) if need_b else None
        return dx, dw, db


class LinearReLU(Function):
    """``y = relu(x W^T + b)``, a hidden layer of ``nn.MLP``, as one node: x (n, in), W (out, in),
    b (out,); y is (n, out). It computes what ``F.relu(F.linear(x, W, b))`` does, with one node
    and two kernel passes (bias + relu; relu' + bias gradient) less.

    Backward, with G = dL/dy: dL/dz = G * relu'(z) (z = x W^T + b; relu'(z) = 1 where z > 0,
    read off y: y > 0 exactly there), then as Linear: dL/dx = (dL/dz) W;  dL/dW = (dL/dz)^T x;
    dL/db = sum of dL/dz over the batch. The output is relu's, so the node carries relu's
    PyTorch name. A backend without ``linear_relu`` (CUDA) computes the same with its linear,
    unary and reduce kernels.
    """

    torch_name = "ReluBackward0"
    derivation = "linear"

    @staticmethod
    def forward(ctx, x, weight, bias):
        be = ctx.backend
        fused_kernel = getattr(be, "linear_relu", None)
        if fused_kernel is not None:
            y = fused_kernel(x, weight, bias)
        else:
            y = be.unary("relu", be.linear(x, weight, bias))
        ctx.save_for_backward(x, weight, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        x, weight, y = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        fused_kernel = getattr(be, "relu_bias_backward", None)
        if fused_kernel is not None:
            gz, db = fused_kernel(y, grad)
        else:
            gz = be.unary_backward("relu", y, y, grad)
            db = be.reduce("sum", gz, (0,), False)
        dx = be.matmul(gz, weight) if need_x else None
        dw = be.matmul(be.permute(gz, (1, 0)), x) if need_w else None
        return dx, dw, (db if need_b else None)


class CrossEntropy(Function):
    """Softmax + negative log-likelihood in one node: logits z (n, c), int64 targets y (n,).

    Row loss: l_i = logsumexp(z_i) - z_{i, y_i}. Backward: dl_i/dz_i = softmax(z_i) - onehot(y_i),
    so dL/dz (n, c) = (P - Y) scaled per row by the incoming gradient (1/n for "mean").
    The targets get no gradient.
    """

    torch_name = "NllLossBackward0"

    derivation = "cross_entropy"

    @staticmethod
    def forward(ctx, logits, targets, reduction, ignore_index=None):
        """``ignore_index``: None when no target can equal it (checked on the host, CPU); an int on
        the GPU, whose kernel gives rows with that target loss 0 and gradient 0 and counts the
        others for the mean, so that the targets never travel to the host."""
        be = ctx.backend
        ctx.ignore_index = ignore_index
        ctx.reduction = reduction
        if ignore_index is None:
            rows, probs = be.cross_entropy(logits, targets)
            ctx.save_for_backward(probs, targets)
            return reduce_loss(be, rows, reduction)
        rows, probs, counted = be.cross_entropy(logits, targets, ignore_index)
        if reduction != "mean":
            ctx.save_for_backward(probs, targets)
            return reduce_loss(be, rows, reduction)
        # mean over the counted rows: sum(rows) / sum(counted), both on the device
        count = be.reduce("sum", counted, (0,), False)
        ctx.save_for_backward(probs, targets, count)
        return be.binary("div", reduce_loss(be, rows, "sum"), count)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        probs, targets = ctx.saved_tensors[:2]
        if not ctx.needs_input_grad[0]:
            return None, None, None, None
        n = probs.shape[0]
        if ctx.ignore_index is None:
            grad_rows = expand_loss_grad(be, grad, (n,), ctx.reduction)
            return be.cross_entropy_backward(probs, targets, grad_rows), None, None, None
        if ctx.reduction == "mean":
            grad_rows = be.broadcast_to(be.binary("div", grad, ctx.saved_tensors[2]), (n,))
        else:
            grad_rows = expand_loss_grad(be, grad, (n,), ctx.reduction)
        dz = be.cross_entropy_backward(probs, targets, grad_rows, ctx.ignore_index)
        return dz, None, None, None


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities a (n, c) at int64 targets y (n,).

    Row loss: l_i = -a_{i, y_i}. Backward: dL/da (n, c) is zero except -g_i at (i, y_i), g_i the
    gradient reaching row i. The targets get no gradient.
    """

    torch_name = "NllLossBackward0"

    derivation = "cross_entropy"

    @staticmethod
    def forward(ctx, logp, targets, reduction):
        be = ctx.backend
        n, c = logp.shape
        rows = be.from_numpy(np.arange(n, dtype=np.int64))
        ctx.save_for_backward(rows, targets)
        ctx.shape = (n, c)
        ctx.reduction = reduction
        picked = be.unary("neg", be.gather(logp, (rows, targets)))
        return reduce_loss(be, picked, reduction)

    @staticmethod
    def backward(ctx, grad):
        be = ctx.backend
        rows, targets = ctx.saved_tensors
        if not ctx.needs_input_grad[0]:
            return None, None, None
        grad_rows = be.copy(expand_loss_grad(be, grad, (ctx.shape[0],), ctx.reduction))
        return be.scatter_add(ctx.shape, (rows, targets), be.unary("neg", grad_rows)), None, None


class _PointwiseLoss:
    """A loss made of one term per element, l(p, t), then reduced (mixed into the classes below).

    p and t have the same shape. Backward: dL/dp = g * l'(p, t) element-wise (calculus.<op>_deriv),
    same shape as p, g the gradient reaching each term. For the target: dL/dt = -dL/dp for the
    difference losses (MSE, L1, smooth L1), -g p for BCE with logits; BCE on probabilities has
    none (as PyTorch). Call as ``MSELoss.apply(p, t, beta, reduction)`` (beta: smooth L1 only).
    """

    op = None

    @classmethod
    def forward(cls, ctx, p, t, beta, reduction):
        be = ctx.backend
        ctx.save_for_backward(p, t)
        ctx.beta, ctx.reduction = beta, reduction
        return reduce_loss(be, be.pointwise_loss(cls.op, p, t, beta), reduction)

    @classmethod
    def backward(cls, ctx, grad):
        be = ctx.backend
        p, t = ctx.saved_tensors
        need_p, need_t = ctx.needs_input_grad[:2]
        if need_t and cls.op == "binary_cross_entropy":
            raise RuntimeError(
                "binary_cross_entropy: the derivative for 'target' is not implemented (as "
                "PyTorch); "
                "detach the target or use binary_cross_entropy_with_logits"
            )
        g = expand_loss_grad(be, grad, p.shape, ctx.reduction)
        dp = be.pointwise_loss_backward(cls.op, p, t, g, ctx.beta) if (need_p or need_t) else None
        dt = None
        if need_t:
            if cls.op == "bce_with_logits":
                dt = be.binary("mul", be.unary("neg", p), be.copy(g))
            else:
                dt = be.unary("neg", dp)
        return (dp if need_p else None), dt, None, None


class MSELoss(_PointwiseLoss, Function):
    """Terms (p - t)^2; dL/dp = 2 (p - t) g, shape of p."""

    torch_name = "MseLossBackward0"

    derivation = "mse"
    op = "squared_error"


class L1Loss(_PointwiseLoss, Function):
    """Terms |p - t|; dL/dp = sign(p - t) g (0 at p = t), shape of p."""

    derivation = "l1"
    op = "absolute_error"


class SmoothL1Loss(_PointwiseLoss, Function):
    """Terms 0.5 d^2/beta for |d| < beta, else |d| - beta/2 (d = p - t);
    dL/dp = g d/beta inside, g sign(d) outside."""

    derivation = "smooth_l1"
    op = "smooth_l1"


class BinaryCrossEntropy(_PointwiseLoss, Function):
    """Terms -(t ln p + (1 - t) ln(1 - p)), logs clamped at -100;
    dL/dp = g (p - t) / (p (1 - p))."""

    derivation = "bce"
    op = "binary_cross_entropy"


class BinaryCrossEntropyWithLogits(_PointwiseLoss, Function):
    """Terms max(z, 0) - z t + ln(1 + e^-|z|); dL/dz = g (sigmoid(z) - t), dL/dt = -g z."""

    derivation = "bce_with_logits"
    op = "bce_with_logits"


POINTWISE = {
    cls.op: cls
    for cls in (MSELoss, L1Loss, SmoothL1Loss, BinaryCrossEntropy, BinaryCrossEntropyWithLogits)
}
