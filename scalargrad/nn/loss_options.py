"""Loss weights as PyTorch has them: cross-entropy and NLL with ``weight``, ``ignore_index`` and
``label_smoothing``; binary cross-entropy with ``weight`` and (of logits) ``pos_weight``.

Without them the losses are one fused node (``functional.cross_entropy``); with them they are
composed of ordinary tensor ops, so autograd, both devices and the gradients come for free.
With log-probabilities a = log_softmax(z) (n, c), targets y (n,), class weights w (c,) (all ones
if not given), v_i = 0 for a row whose target is ``ignore_index`` and 1 otherwise, and the
smoothing eps:

    l_i = v_i [ (1 - eps) w_{y_i} (-a_{i, y_i})  +  (eps / c) sum_j w_j (-a_{ij}) ]

"sum" is sum_i l_i, "none" the rows l_i, and "mean" divides the sum by sum_i v_i w_{y_i}, the
total weight of the rows that count (PyTorch's weighted mean; nan when every row is ignored).
For cross-entropy, dL/dz_i = v_i (sum_j q_ij w_j) softmax(z_i) - v_i (q_i * w) with the smoothed
target q_i = (1 - eps) onehot(y_i) + eps / c: autograd derives it through log_softmax.
Binary cross-entropy of logits z with targets y, ``pos_weight`` p and ``weight`` w (both
broadcast to z's shape) has the terms w [p y softplus(-z) + (1 - y) softplus(z)]: -ln sigmoid(z) =
softplus(-z) and -ln(1 - sigmoid(z)) = softplus(z), so p > 1 weighs the positives more.
Docs: derivations/cross_entropy, derivations/bce_with_logits.
"""

import numpy as np

from scalargrad.matrix.creation import arange, tensor
from scalargrad.matrix.tensor import Tensor


def check_options(name, ignore_index, label_smoothing):
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{name}: ignore_index must be an int, got {ignore_index!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")


def weight_tensor(name, weight, input, what="weight"):
    """``weight`` as a tensor of the input's float dtype and device."""
    if isinstance(weight, str):
        raise TypeError(
            f"{name}: the argument after target is the {what}, as in PyTorch; pass "
            f"reduction={weight!r} as a keyword"
        )
    if not isinstance(weight, Tensor):
        weight = tensor(np.asarray(weight), dtype=input.dtype, device=input.device)
    if weight.device != input.device:
        raise RuntimeError(f"{name}: input is on {input.device} but {what} is on {weight.device}")
    if weight.dtype != input.dtype:
        raise TypeError(
            f"{name}: {what} must have the input's dtype {input.dtype}, got {weight.dtype}"
        )
    return weight


def broadcast_weight_tensor(name, weight, input, what="weight"):
    """``weight`` as a tensor that broadcasts to the input's shape (one factor per term)."""
    weight = weight_tensor(name, weight, input, what)
    try:
        fits = np.broadcast_shapes(weight.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{name}: {what} of shape {tuple(weight.shape)} does not broadcast to the input's "
            f"shape "
            f"{tuple(input.shape)}"
        )
    return weight


def class_weight_tensor(name, weight, input):
    """``weight`` as a (c,) tensor of the input's float dtype and device."""
    c = input.shape[1]
    weight = weight_tensor(name, weight, input, "class weight")
    if weight.shape != (c,):
        raise ValueError(
            f"{name}: weight must have one entry per class, shape ({c},), got shape "
            f"{tuple(weight.shape)}"
        )
    return weight


def ignored_rows(name, target, c, ignore_index, dtype):
    """Check that every target other than ``ignore_index`` is a class in [0, c) (on the host).

    Returns (targets with the ignored ones replaced by class 0, v (n,): 0.0 where ignored, else
    1.0, of the loss's float ``dtype``), both on the target's device."""
    t = target.to("cpu").numpy()
    counted = t != ignore_index
    bad = t[counted & ((t < 0) | (t >= c))]
    if bad.size:
        raise IndexError(
            f"{name}: target {int(bad[0])} is out of bounds: class indices must be in [0, {c}) "
            f"for {c} classes (or equal ignore_index={ignore_index})"
        )
    safe_target = tensor(np.where(counted, t, 0), device=target.device)
    return safe_target, tensor(counted, dtype=dtype, device=target.device)


def weighted_class_loss(log_probs, target, ignored, weight, reduction, label_smoothing):
    """The loss above from log-probabilities a (n, c) and targets (n,); ``ignored`` is None when
    every row counts, else ``ignored_rows``'s (targets, v); ``weight`` None for all ones."""
    n, c = log_probs.shape
    safe_target, v = (target, None) if ignored is None else ignored
    picked = log_probs[arange(n, device=log_probs.device), safe_target]  # a_{i, y_i}
    row_weight = v if weight is None else weight[safe_target] * (1.0 if v is None else v)
    rows = -picked if row_weight is None else -(picked * row_weight)
    if label_smoothing:
        spread = log_probs if weight is None else log_probs * weight
        smooth = -spread.sum(1) if v is None else -spread.sum(1) * v
        rows = (1.0 - label_smoothing) * rows + (label_smoothing / c) * smooth
    if reduction != "mean" or row_weight is None:
        return reduce_terms(rows, reduction)
    return rows.sum() / row_weight.sum()  # the weighted mean


def reduce_terms(terms, reduction):
    return {"none": lambda t: t, "sum": lambda t: t.sum(), "mean": lambda t: t.mean()}[reduction](
        terms
    )


def weighted_bce_with_logits(logits, target, weight, pos_weight, reduction):
    """Terms w [p y softplus(-z) + (1 - y) softplus(z)] (p, w: None for all ones), reduced."""
    positive, negative = (-logits).softplus(), logits.softplus()  # -ln sigmoid(z), -ln(1 - ..)
    if pos_weight is not None:
        positive = positive * pos_weight
    terms = target * positive + (1.0 - target) * negative
    return reduce_terms(terms if weight is None else terms * weight, reduction)
