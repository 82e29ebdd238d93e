"""Loss functions over lists of Values (predictions) and targets (numbers).

Each loss makes one node per sample (its term l(p_i, t_i), with local derivative dl/dp_i from
``scalargrad.calculus``) and one reduction node:

    reduction="mean":  L = (sum_i l_i) * (1/n),   dL/dl_i = 1/n
    reduction="sum":   L = sum_i l_i,             dL/dl_i = 1
    reduction="none":  the list of terms

Targets are constants: numbers, or Values whose ``data`` is used (no gradient flows into them).

The names are ``torch.nn.functional``'s (``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
``binary_cross_entropy``, ``binary_cross_entropy_with_logits``, ``cross_entropy``), as the matrix
engine's; ``hinge`` is micrograd's SVM loss. The short names of earlier lessons (``mse``, ``l1``,
``smooth_l1``, ``bce``, ``bce_with_logits``) remain as aliases at the end of this file.
"""

import math
import numbers

from scalargrad import calculus
from scalargrad.errors import InputValueError
from scalargrad.scalar.value import Value

REDUCTIONS = ("mean", "sum", "none")


def _check(name, predictions, targets, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    predictions = _as_list(name, "predictions", predictions)
    targets = _as_list(name, "targets", targets)
    if len(predictions) != len(targets):
        raise ValueError(
            f"{name}: got {len(predictions)} predictions and {len(targets)} targets; "
            "they must match"
        )
    if not predictions:
        raise ValueError(f"{name}: got no predictions")
    for i, p in enumerate(predictions):
        if not isinstance(p, Value):
            raise TypeError(
                f"{name}: prediction {i} must be a Value, got {type(p).__name__} ({p!r})"
            )
    return predictions, [_target(name, i, t) for i, t in enumerate(targets)]


def _as_list(name, what, xs):
    if isinstance(xs, (str, bytes, dict)) or not hasattr(xs, "__iter__"):
        raise TypeError(
            f"{name}: {what} must be a list (one per sample), got {type(xs).__name__} {xs!r}"
        )
    return list(xs)


def _target(name, i, t):
    if isinstance(t, Value):
        return t.data
    try:
        return float(t)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}: target {i} must be a number, got {type(t).__name__} ({t!r})"
        ) from None


def _reduce(name, terms, reduction):
    """The mean or sum of the terms as one node, or the terms themselves."""
    if reduction == "none":
        return terms
    total = 0.0
    for term in terms:
        total += term.data
    scale = 1.0 / len(terms) if reduction == "mean" else 1.0
    return Value._make(total * scale, name, tuple(terms), (scale,) * len(terms))


def _probability_targets(name, targets):
    """Binary cross-entropy targets must be probabilities: every t in [0, 1]."""
    for i, t in enumerate(targets):
        if not 0.0 <= t <= 1.0:
            raise InputValueError(
                f"{name}: target {i} is {t!r}, but targets must be probabilities in [0, 1]; "
                "for labels in {-1, 1} use (y + 1) / 2, for labels in {1, 2} use y - 1"
            )


def _pointwise(name, f, f_deriv, predictions, targets, reduction, *extra):
    predictions, targets = _check(name, predictions, targets, reduction)
    if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        _probability_targets(name, targets)
    terms = [
        Value._make(f(p.data, t, *extra), name, (p,), (f_deriv(p.data, t, *extra),))
        for p, t in zip(predictions, targets, strict=True)
    ]
    return _reduce(name, terms, reduction)


def mse_loss(predictions, targets, reduction="mean"):
    """Mean squared error: mean_i (p_i - t_i)^2; dL/dp_i = 2 (p_i - t_i) / n."""
    return _pointwise(
        "mse_loss",
        calculus.squared_error,
        calculus.squared_error_deriv,
        predictions,
        targets,
        reduction,
    )


def l1_loss(predictions, targets, reduction="mean"):
    """Mean absolute error: mean_i |p_i - t_i|; dL/dp_i = sign(p_i - t_i) / n."""
    return _pointwise(
        "l1_loss",
        calculus.absolute_error,
        calculus.absolute_error_deriv,
        predictions,
        targets,
        reduction,
    )


def smooth_l1_loss(predictions, targets, reduction="mean", beta=1.0):
    """Huber-like loss: 0.5 d^2/beta where |d| < beta, else |d| - 0.5 beta (d = p - t)."""
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not beta >= 0.0:
        raise ValueError(f"smooth_l1_loss: beta must be a number >= 0, got {beta!r}")
    return _pointwise(
        "smooth_l1_loss",
        calculus.smooth_l1,
        calculus.smooth_l1_deriv,
        predictions,
        targets,
        reduction,
        float(beta),
    )


def binary_cross_entropy(probabilities, targets, reduction="mean"):
    """Binary cross-entropy on probabilities p in [0, 1]: -(t ln p + (1 - t) ln(1 - p)).

    dL/dp = (p - t) / (p (1 - p)) per term. Logs are clamped at -100 as PyTorch; for raw scores
    use the stable ``binary_cross_entropy_with_logits``.
    """
    name = "binary_cross_entropy"
    probabilities = _as_list(name, "probabilities", probabilities)
    for i, p in enumerate(probabilities):
        if isinstance(p, Value) and not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"{name}: prediction {i} must be a probability in [0, 1], got {p.data!r}"
            )
    return _pointwise(
        name,
        calculus.binary_cross_entropy,
        calculus.binary_cross_entropy_deriv,
        probabilities,
        targets,
        reduction,
    )


def binary_cross_entropy_with_logits(logits, targets, reduction="mean"):
    """BCE of sigmoid(z) against t, stable for any z: max(z, 0) - z t + ln(1 + e^-|z|).

    dL/dz = sigmoid(z) - t per term.
    """
    return _pointwise(
        "binary_cross_entropy_with_logits",
        calculus.bce_with_logits,
        calculus.bce_with_logits_deriv,
        logits,
        targets,
        reduction,
    )


def hinge(scores, targets, reduction="mean"):
    """Max-margin (SVM) loss for labels t in {-1, +1}: relu(1 - t s), micrograd's
    ``(1 + -t*s).relu()``; dL/ds = -t where 1 - t s > 0, else 0."""
    scores, targets = _check("hinge", scores, targets, reduction)
    for i, t in enumerate(targets):
        if t not in (-1.0, 1.0):
            raise InputValueError(
                f"hinge: target {i} is {t!r}, but hinge targets are labels in {{-1, +1}}; for "
                "labels in {0, 1} use 2 * y - 1"
            )
    terms = []
    for s, t in zip(scores, targets, strict=True):
        margin = s.data * -t + 1.0
        terms.append(
            Value._make(
                calculus.relu(margin), "hinge", (s,), (calculus.relu_deriv(margin, 0.0) * -t,)
            )
        )
    return _reduce("hinge", terms, reduction)


def cross_entropy(logits, targets, reduction="mean"):
    """Softmax cross-entropy of rows of logits against integer class targets.

    For a row z with target class k: l = logsumexp(z) - z_k, computed stably as
    m + ln(sum_j e^(z_j - m)) with m = max z. dl/dz_j = softmax(z)_j - [j == k].
    ``logits`` is a list of rows (lists of Values); ``targets`` a list of ints.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    rows = [_as_list("cross_entropy", "each row of logits", row)
            for row in _as_list("cross_entropy", "logits", logits)]
    targets = _as_list("cross_entropy", "targets", targets)
    if len(rows) != len(targets):
        raise ValueError(
            f"cross_entropy: got {len(rows)} rows of logits and {len(targets)} targets"
        )
    if not rows:
        raise ValueError("cross_entropy: got no rows of logits")
    terms = []
    for i, (row, k) in enumerate(zip(rows, targets, strict=True)):
        if not row or not all(isinstance(z, Value) for z in row):
            raise TypeError(f"cross_entropy: row {i} of logits must be a non-empty list of Values")
        if len(row) != len(rows[0]):
            raise ValueError(
                f"cross_entropy: row {i} of logits has {len(row)} classes but row 0 has "
                f"{len(rows[0])}; every row scores the same classes"
            )
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(
                f"cross_entropy: target {i} must be an int class index, "
                f"got {type(k).__name__} ({k!r})"
            )
        k = int(k)
        if not 0 <= k < len(row):
            raise ValueError(
                f"cross_entropy: target {i} is {k}, outside the {len(row)} classes [0, {len(row)})"
            )
        data = [z.data for z in row]
        m = max(data)
        exps = [math.exp(z - m) for z in data]
        total = sum(exps)
        loss = m + math.log(total) - data[k]
        local = [e / total for e in exps]
        local[k] -= 1.0
        terms.append(Value._make(loss, "cross_entropy", tuple(row), tuple(local)))
    return _reduce("cross_entropy", terms, reduction)


# The short names of earlier lessons (and micrograd), kept as aliases of PyTorch's names.
mse = mse_loss
l1 = l1_loss
smooth_l1 = smooth_l1_loss
bce = binary_cross_entropy
bce_with_logits = binary_cross_entropy_with_logits
