"""``sg.nn.functional`` (import as ``F``): the layers and losses of ``sg.nn`` as plain functions.

Activations are the Tensor methods (``F.relu(x) == x.relu()``). ``linear`` and the losses are one
fused graph node each (``scalargrad/matrix/functions/fused.py``), so a training step costs one
kernel per layer and per loss, each way. Losses follow PyTorch: ``input`` first, ``target``
second, ``reduction`` one of "mean" (default), "sum", "none".

Shapes::

    linear(x, W, b)                  x (..., in), W (out, in), b (out,)  ->  (..., out)
    mse_loss / l1_loss / smooth_l1_loss / binary_cross_entropy(_with_logits)(input, target)
                                     input and target of one shape; "none" keeps that shape
    cross_entropy(logits, target)    logits (n, c) floats, target (n,) int64 classes; "none": (n,)
                                     (weight (c,), ignore_index, label_smoothing as PyTorch's)
    nll_loss(log_probs, target)      the same shapes, with log-probabilities (log_softmax output)
"""

import numbers
import warnings

import numpy as np

from scalargrad.errors import InputTypeError, InputValueError
from scalargrad.matrix import creation
from scalargrad.matrix.autograd_function import named
from scalargrad.matrix.creation import from_numpy, tensor
from scalargrad.matrix.functions import elementwise, fused
from scalargrad.matrix.tensor import Tensor
from scalargrad.nn import loss_options
from scalargrad.nn.init import _rng

# ---------------------------------------------------------------- checks shared by the functions


def _check_tensor(name, x, what="input"):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{name}: {what} must be a Tensor, got {type(x).__name__}; wrap it with sg.tensor(...)"
        )


def _check_float(name, x, what="input"):
    _check_tensor(name, x, what)
    if x.dtype.kind != "f":
        raise TypeError(
            f"{name}: {what} must be a float tensor (float32 or float64), got {x.dtype} of shape "
            f"{tuple(x.shape)}"
        )


def _check_reduction(name, reduction):
    if reduction not in fused.REDUCTIONS:
        raise ValueError(
            f"{name}: reduction must be one of 'mean', 'sum', 'none', got {reduction!r}"
        )


def _as_target(name, target, like):
    """``target`` as a Tensor of ``like``'s dtype and device (ints and bools are converted)."""
    if not isinstance(target, Tensor):
        return tensor(np.asarray(target), dtype=like.dtype, device=like.device)
    if target.device != like.device:
        raise RuntimeError(f"{name}: input is on {like.device} but target is on {target.device}")
    if target.dtype != like.dtype:
        if target.dtype.kind == "f":
            raise TypeError(
                f"{name}: input is {like.dtype} but target is {target.dtype}; convert one of them "
                "(.float() or .double())"
            )
        target = target.to(like.dtype)  # integer / bool labels as numbers of the input's dtype
    return target


def _same_shape(name, input, target):
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} must "
            "be the same (reshape one of them, e.g. target.reshape(input.shape) or "
            "input.squeeze(-1))"
        )


def _class_range(target):
    """(min, max) of an int64 target tensor, remembered on the tensor until it changes.

    On a GPU, reading the range back to the host waits for all queued work; a training loop that
    reuses one target tensor pays that once instead of every step. In-place changes bump the
    tensor's version counter (``_vc``), which makes the remembered range stale."""
    if target.device == "cpu":
        return _min_max(target)
    memo = target.__dict__.get("_class_range")
    if memo is not None and memo[0] is target._vc and memo[1] == target._vc[0]:
        return memo[2]
    lo_hi = _min_max(target)
    target.__dict__["_class_range"] = (target._vc, target._vc[0], lo_hi)
    return lo_hi


def _min_max(x):
    """(min, max) of a tensor's values as Python floats (nan if it has any nan)."""
    a = x._array
    if x.device == "cpu":
        a = np.asarray(a)
        return float(a.min()), float(a.max())
    be = x._backend
    axes = tuple(range(a.ndim))
    lo = be.to_numpy(be.reduce("min", a, axes, False))
    hi = be.to_numpy(be.reduce("max", a, axes, False))
    return float(lo), float(hi)


# ---------------------------------------------------------------- layers


def _check_linear(name, input, weight, bias):
    """The checks of ``linear``: Tensors, input (..., in) against weight (out, in), one dtype, bias
    (out,). Reads the arrays' shapes directly: it runs for every layer of every step."""
    _check_tensor(name, input)
    _check_tensor(name, weight, "weight")
    if bias is not None:
        _check_tensor(name, bias, "bias")
    shape, wshape = input._array.shape, weight._array.shape
    if len(wshape) != 2 or not shape or shape[-1] != wshape[1]:
        raise ValueError(
            f"{name}: input of shape {tuple(shape)} does not fit weight of shape "
            f"{tuple(wshape)} "
            "(input's last axis must be in_features = "
            f"{wshape[1] if len(wshape) == 2 else '?'})"
        )
    if input._array.dtype != weight._array.dtype:
        raise TypeError(
            f"{name}: input is {input.dtype} but the weight is {weight.dtype}; convert the input "
            f"(.to({weight.dtype})) or the layer (.to(dtype=...))"
        )
    if bias is not None and bias._array.shape != (wshape[0],):
        raise ValueError(
            f"{name}: bias of shape {tuple(bias.shape)} does not fit weight of shape "
            f"{tuple(wshape)}"
        )


def linear(input, weight, bias=None):
    """``y = x W^T + b``: x (..., in), W (out, in), b (out,) or None -> y (..., out).

    Gradients: dL/dx = G W, dL/dW = G^T x (summed over every leading axis), dL/db = sum of G,
    with G = dL/dy. Docs: derivations/linear.
    """
    _check_linear("linear", input, weight, bias)
    shape = input._array.shape
    if len(shape) == 2:  # PyTorch's node: addmm (x @ W^T + b), or mm without a bias
        return named(
            fused.Linear.apply(input, weight, bias),
            "MmBackward0" if bias is None else "AddmmBackward0",
        )
    flat = input.reshape(-1, shape[-1]) if len(shape) != 1 else input.reshape(1, shape[0])
    out = fused.Linear.apply(flat, weight, bias)
    return out.reshape(*shape[:-1], weight.shape[0])


def _linear_relu(input, weight, bias):
    """``relu(linear(input, weight, bias))``, the same values and gradients, as one graph node
    (``fused.LinearReLU``, named ``ReluBackward0``) for a batch (n, in) with a bias; any other
    input goes through ``linear`` and ``relu``. Used by ``nn.MLP`` for its hidden layers."""
    _check_linear("linear", input, weight, bias)
    if bias is None or len(input._array.shape) != 2:
        return relu(linear(input, weight, bias))
    return fused.LinearReLU.apply(input, weight, bias)


# ---------------------------------------------------------------- activations


def relu(input):
    """max(x, 0) element-wise; derivative 1 where x > 0, else 0. Docs: derivations/relu."""
    _check_tensor("relu", input)
    return input.relu()


def leaky_relu(input, negative_slope=0.01):
    """x where x > 0, else negative_slope * x; derivative 1 or negative_slope (a where of two
    branches, so autograd takes it from where and mul)."""
    out = input.where(input > 0, input * negative_slope)
    return named(out, "LeakyReluBackward0")


def sigmoid(input):
    """1 / (1 + e^-x) element-wise; derivative s (1 - s). Docs: derivations/sigmoid."""
    _check_tensor("sigmoid", input)
    return input.sigmoid()


def tanh(input):
    """tanh x element-wise; derivative 1 - tanh^2 x. Docs: derivations/tanh."""
    _check_tensor("tanh", input)
    return input.tanh()


def silu(input, inplace=False):
    """SiLU (swish): x sigmoid(x) element-wise; derivative s (1 + x (1 - s)), s = sigmoid(x).

    Docs: derivations/silu."""
    _check_tensor("silu", input)
    if inplace:
        raise NotImplementedError("silu: inplace=True is not supported by scalargrad")
    return elementwise.unary("silu", input)


def gelu(input, approximate="none"):
    """GELU: x Phi(x) element-wise, Phi the standard normal CDF; derivative Phi(x) + x phi(x).
    ``approximate="tanh"``: x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2, as PyTorch.

    Docs: derivations/gelu."""
    _check_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return elementwise.unary("gelu" if approximate == "none" else "gelu_tanh", input)


def softplus(input, beta=1.0):
    """ln(1 + e^(beta x)) / beta element-wise, a smooth ReLU; derivative sigmoid(beta x).

    Docs: derivations/softplus."""
    _check_tensor("softplus", input)
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or beta == 0:
        raise ValueError(f"softplus: beta must be a non-zero number, got {beta!r}")
    if beta == 1:
        return input.softplus()
    return (input * beta).softplus() / beta


def softmax(input, dim=-1):
    """e^x_i / sum_j e^x_j along ``dim`` (stable: the max is subtracted first).

    Docs: derivations/softmax."""
    _check_tensor("softmax", input)
    return input.softmax(dim)


def log_softmax(input, dim=-1):
    """x_i - logsumexp(x) along ``dim``; stable for any magnitude. Docs: derivations/softmax."""
    _check_tensor("log_softmax", input)
    return input.log_softmax(dim)


def dropout(input, p=0.5, training=True):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the rest
    by 1/(1 - p), so the expected value is unchanged and evaluation needs no rescaling.
    dL/dx = mask / (1 - p) * G. Outside training (or p = 0) the input is returned as it is.
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p!r}")
    _check_tensor("dropout", input)
    if training and input.dtype.kind != "f":
        raise InputTypeError(
            f"dropout: input must be a float tensor, got {input.dtype} of shape "
            f"{tuple(input.shape)} "
            "(the kept elements are scaled by 1/(1 - p)); call .float() first"
        )
    if not training or p == 0.0:
        return input

    if p == 1.0:
        return input * 0.0
    keep = _rng().random(input.shape) >= p
    mask = from_numpy((keep / (1.0 - p)).astype(input.dtype))
    if input.device != "cpu":
        mask = mask.to(input.device)
    return input * mask


# ---------------------------------------------------------------- regression losses


def _probability_targets(name, target):
    """Binary cross-entropy targets must be probabilities: every y in [0, 1]. Labels are checked;
    a target that requires grad is being differentiated (a gradient check steps it by +-eps), so
    it is left alone."""
    if not target.numel() or target.requires_grad:
        return
    lo, hi = _class_range(target)
    if not (0.0 <= lo and hi <= 1.0):
        raise InputValueError(
            f"{name}: targets must be probabilities in [0, 1], but they range over "
            f"[{lo:g}, {hi:g}]; for labels in {{-1, 1}} use (y + 1) / 2, for labels in {{1, 2}} "
            "use y - 1 (or CrossEntropyLoss for class indices)"
        )


def _pointwise(name, op, input, target, reduction, beta=0.0):
    _check_float(name, input)
    _check_reduction(name, reduction)
    target = _as_target(name, target, input)
    _same_shape(name, input, target)
    if op in ("binary_cross_entropy", "bce_with_logits"):
        _probability_targets(name, target)
    out = fused.POINTWISE[op].apply(input, target, beta, reduction)
    if op == "absolute_error":  # PyTorch's l1_loss is |p - t| then the reduction
        return named(
            out, {"mean": "MeanBackward0", "sum": "SumBackward0"}.get(reduction, "AbsBackward0")
        )
    return out


def one_hot(tensor, num_classes=-1):
    """Class indices (int64, any shape) as one-hot rows: shape + (num_classes,), int64, as PyTorch.
    ``num_classes=-1`` takes the largest index + 1."""
    if not isinstance(tensor, Tensor) or tensor.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor (an integer tensor)")
    labels = tensor.detach().cpu().numpy().astype(np.int64)
    n = int(labels.max()) + 1 if num_classes == -1 and labels.size else int(num_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise RuntimeError(
            f"one_hot: Class values must be in [0, {n}), got {labels.min()}..{labels.max()}"
        )
    out = (labels[..., None] == np.arange(n)).astype(np.int64)

    return creation.tensor(out, device=tensor.device)


def _legacy_reduction(size_average, reduce):
    """PyTorch's old ``size_average`` / ``reduce`` flags as a ``reduction`` (with its warning):
    both True (or None) -> "mean", reduce alone -> "sum", reduce=False -> "none"."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        stacklevel=3,
    )
    return reduction


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: terms (x - y)^2; d/dx = 2 (x - y) (divided by N for "mean").

    Docs: derivations/mse."""
    return _pointwise("mse_loss", "squared_error", input, target, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: terms |x - y|; d/dx = sign(x - y), 0 at x = y. Docs: derivations/l1."""
    return _pointwise("l1_loss", "absolute_error", input, target, reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """Huber-like: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = x - y); beta = 0 is L1.

    d/dx = d / beta inside, sign(d) outside. Docs: derivations/smooth_l1."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    return _pointwise("smooth_l1_loss", "smooth_l1", input, target, reduction, float(beta))


# ---------------------------------------------------------------- binary classification


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """BCE of probabilities p in [0, 1]: terms -(y ln p + (1 - y) ln(1 - p)), each log clamped at
    -100 (as PyTorch); d/dp = (p - y) / (p (1 - p)). ``weight`` (broadcast to p's shape) scales
    each term before the reduction, as in PyTorch. Docs: derivations/bce.

    Raises ValueError if any p is outside [0, 1] (pass logits to binary_cross_entropy_with_logits).
    """
    name = "binary_cross_entropy"
    _check_float(name, input)
    if input.numel():
        lo, hi = _min_max(input)
        if not (0.0 <= lo and hi <= 1.0):
            raise ValueError(
                f"{name}: all elements of input should be between 0 and 1 (probabilities), but "
                "they "
                f"range over [{lo:g}, {hi:g}]; for raw scores (logits) use "
                "binary_cross_entropy_with_logits"
            )
    if weight is None:
        return _pointwise(name, "binary_cross_entropy", input, target, reduction)
    _check_reduction(name, reduction)
    weight = loss_options.broadcast_weight_tensor(name, weight, input)
    terms = _pointwise(name, "binary_cross_entropy", input, target, "none")
    return loss_options.reduce_terms(terms * weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """BCE of sigmoid(z) against y, stable for any z: terms max(z, 0) - z y + ln(1 + e^-|z|);
    d/dz = sigmoid(z) - y. ``weight`` scales each term and ``pos_weight`` (per class, the last
    axis) the positive part, as in PyTorch (``scalargrad/nn/loss_options.py``).
    Docs: derivations/bce_with_logits."""
    name = "binary_cross_entropy_with_logits"
    if weight is None and pos_weight is None:
        return _pointwise(name, "bce_with_logits", input, target, reduction)
    _check_float(name, input)
    _check_reduction(name, reduction)
    target = _as_target(name, target, input)
    _same_shape(name, input, target)
    _probability_targets(name, target)
    if weight is not None:
        weight = loss_options.broadcast_weight_tensor(name, weight, input)
    if pos_weight is not None:
        pos_weight = loss_options.broadcast_weight_tensor(name, pos_weight, input, "pos_weight")
    return loss_options.weighted_bce_with_logits(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------- multi-class classification


def _class_targets(name, input, target, ignore_index=-100, check_values=True):
    """Check (n, c) input and (n,) int64 targets in [0, c) (or ``ignore_index``); 1-d input (c,)
    with a 0-d target is one sample. Returns (input 2-d, target 1-d, unbatched?, ignored), where
    ignored is None when no target can be ``ignore_index``, else ``loss_options.ignored_rows``.
    ``check_values=False``: shapes and dtypes only (the caller's kernel checks the values)."""
    _check_float(name, input)
    if not isinstance(target, Tensor):
        target = tensor(target, device=input.device)
    if target.dtype.kind != "i":
        if target.shape == input.shape and input.ndim == 2:
            hint = "; for one-hot (or probability) rows use the class indices target.argmax(1)"
        elif target.dtype.kind == "f":
            hint = "; for labels stored as floats use target.long()"
        else:
            hint = ""
        raise TypeError(
            f"{name}: target must hold class indices as int64, got {target.dtype} of shape "
            f"{tuple(target.shape)}{hint}"
        )
    if target.device != input.device:
        raise RuntimeError(f"{name}: input is on {input.device} but target is on {target.device}")
    unbatched = input.ndim == 1
    if unbatched:
        if target.ndim != 0:
            raise ValueError(
                f"{name}: for 1-d input of shape {tuple(input.shape)} (one sample) the target must "
                f"be "
                "0-d, "
                f"got shape {tuple(target.shape)}"
            )
        input, target = input.reshape(1, -1), target.reshape(1)
    elif input.ndim != 2:
        raise ValueError(
            f"{name}: input must be (batch, classes) or (classes,), got shape "
            f"{tuple(input.shape)}; "
            "flatten extra axes first"
        )
    n, c = input.shape
    if target.shape != (n,):
        raise ValueError(
            f"{name}: input of shape {tuple(input.shape)} needs a target of shape ({n},), one "
            f"class index "
            f"per row; got target shape {tuple(target.shape)}"
        )
    if c == 0:
        raise ValueError(f"{name}: input of shape {tuple(input.shape)} has no classes")
    ignored = None
    if n and check_values:
        lo, hi = _class_range(target)
        if lo <= ignore_index <= hi:  # some rows may be ignored: check the others one by one
            ignored = loss_options.ignored_rows(name, target, c, ignore_index, input.dtype)
        elif lo < 0 or hi >= c:
            bad = int(lo) if lo < 0 else int(hi)
            raise IndexError(
                f"{name}: target {bad} is out of bounds: class indices must be in [0, {c}) for "
                f"{c} classes"
            )
    return input, target, unbatched, ignored


def _class_loss(name, input, target, weight, ignore_index, reduction, label_smoothing, logits):
    """cross_entropy (logits=True) or nll_loss: fused without options, else composed."""
    _check_reduction(name, reduction)
    loss_options.check_options(name, ignore_index, label_smoothing)
    _check_float(name, input)  # before input.device below: junk input gets this clear error
    # On the GPU the fused cross-entropy checks the targets itself and handles ignored rows (no
    # read of the targets back to the host, which would wait for the GPU at every batch); an
    # out-of-range target raises at the next read of a result (see cuda_memory.kernel_errors).
    on_device = logits and weight is None and not label_smoothing and input.device == "cuda"
    input2, target, unbatched, ignored = _class_targets(
        name, input, target, ignore_index, check_values=not on_device
    )
    if on_device:
        out = fused.CrossEntropy.apply(input2, target, reduction, int(ignore_index))
    elif weight is None and not label_smoothing and ignored is None:
        fused_loss = fused.CrossEntropy if logits else fused.NLLLoss
        out = fused_loss.apply(input2, target, reduction)
    else:
        if weight is not None:
            weight = loss_options.class_weight_tensor(name, weight, input2)
        log_probs = input2.log_softmax(1) if logits else input2
        out = loss_options.weighted_class_loss(
            log_probs, target, ignored, weight, reduction, label_smoothing
        )
    return out.reshape(()) if unbatched and reduction == "none" else out


def cross_entropy(
    input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Softmax cross-entropy of logits (n, c) at int64 class targets (n,), fused: row losses
    logsumexp(z_i) - z_{i, y_i}; d/dz_i = softmax(z_i) - onehot(y_i) (divided by n for "mean").

    PyTorch's options: ``weight`` (c,) scales each class's rows (a weighted mean for "mean"),
    rows whose target is ``ignore_index`` count for nothing, and ``label_smoothing`` eps trains
    against (1 - eps) onehot(y) + eps / c (formulas in ``scalargrad/nn/loss_options.py``).
    Docs: derivations/cross_entropy."""
    return _class_loss(
        "cross_entropy", input, target, weight, ignore_index, reduction, label_smoothing, True
    )


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities (n, c) at int64 class targets (n,): row losses
    -a_{i, y_i}; d/da is -1 at (i, y_i) and 0 elsewhere (divided by n for "mean").
    ``nll_loss(log_softmax(z, 1), y) == cross_entropy(z, y)``; ``weight`` and ``ignore_index`` as
    in ``cross_entropy``. Docs: derivations/cross_entropy.

    Log-probabilities are <= 0: on the CPU an input with an element above 1e-3 (raw logits, or
    probabilities from softmax) is refused (on a GPU the check would wait for the device)."""
    if isinstance(input, Tensor) and input.device == "cpu" and input.numel():
        _check_float("nll_loss", input)
        lo, hi = _min_max(input)
        if hi > 1e-3:  # a little above 0 is rounding (or a gradient check's step)
            raise InputValueError(
                f"nll_loss: input must be log-probabilities (all <= 0), but its largest element "
                f"is {hi:g}; pass log_softmax(z, dim=1), or give the raw scores z to "
                "cross_entropy, which applies log_softmax itself"
            )
    return _class_loss("nll_loss", input, target, weight, ignore_index, reduction, 0.0, False)
