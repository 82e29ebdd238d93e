"""Loss modules: ``criterion = MSELoss(); loss = criterion(prediction, target)``.

Each holds its options (``reduction``: "mean" (default) | "sum" | "none", ``beta`` for
SmoothL1Loss, ``weight``, ``ignore_index`` and ``label_smoothing`` for the class losses) and
calls the function of the same name in ``sg.nn.functional``, where the math,
the gradients and the shape rules are written down. Input first, target second, as PyTorch.
PyTorch's legacy ``size_average=`` / ``reduce=`` arguments are accepted (with PyTorch's
deprecation warning) and turned into ``reduction``. They print as PyTorch's: ``MSELoss()``.

    MSELoss            (x - y)^2                            regression
    L1Loss             |x - y|                              regression, robust to outliers
    SmoothL1Loss       quadratic near 0, linear far out     regression
    BCELoss            -(y ln p + (1-y) ln(1-p))            p = probabilities in [0, 1]
    BCEWithLogitsLoss  BCE of sigmoid(z), stable            z = raw scores
    CrossEntropyLoss   -log softmax(z)_y                    z (n, c) logits, y (n,) int64 classes
    NLLLoss            -a_y                                 a (n, c) log-probabilities
"""

from scalargrad.nn import functional as F
from scalargrad.nn import loss_options
from scalargrad.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction="mean", *, size_average=None, reduce=None):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._legacy_reduction(size_average, reduce)
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction



class MSELoss(_Loss):
    """Mean squared error (``F.mse_loss``)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (``F.l1_loss``)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Huber-like loss with threshold ``beta`` (``F.smooth_l1_loss``)."""

    def __init__(self, reduction="mean", beta=1.0, **legacy):
        super().__init__(reduction, **legacy)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = float(beta)

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)



class _WeightedLoss(_Loss):
    """A loss whose first option is a ``weight``, as PyTorch's (reduction comes after it)."""

    def __init__(self, weight=None, reduction="mean", **legacy):
        super().__init__(reduction, **legacy)
        if isinstance(weight, str):
            raise TypeError(
                f"{type(self).__name__}: the first argument is the weight, as in PyTorch; "
                f"pass reduction={weight!r} as a keyword"
            )
        self.weight = weight



class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities (``F.binary_cross_entropy``), optional ``weight``."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of logits, stable (``F.binary_cross_entropy_with_logits``), with
    PyTorch's ``weight`` and ``pos_weight``."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None, **legacy):
        super().__init__(weight, reduction, **legacy)
        self.pos_weight = pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )



class _ClassLoss(_WeightedLoss):
    """Options of the class-index losses: ``weight`` (c,), ``ignore_index``, ``reduction``."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", **legacy):
        super().__init__(weight, reduction, **legacy)
        self.ignore_index = ignore_index



class CrossEntropyLoss(_ClassLoss):
    """Softmax + negative log-likelihood of logits at int64 class targets (``F.cross_entropy``),
    with PyTorch's ``weight``, ``ignore_index`` and ``label_smoothing``."""

    def __init__(
        self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0, **legacy
    ):
        super().__init__(weight, ignore_index, reduction, **legacy)
        loss_options.check_options(type(self).__name__, ignore_index, label_smoothing)
        self.label_smoothing = float(label_smoothing)

    def forward(self, input, target):
        return F.cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )



class NLLLoss(_ClassLoss):
    """Negative log-likelihood of log-probabilities at int64 class targets (``F.nll_loss``)."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)
