"""Loss modules: ``criterion = MSELoss(); loss = criterion(prediction, target)``.

Each holds its options (``reduction``: "mean" (default) | "sum" | "none", and ``beta`` for
SmoothL1Loss) and calls the function of the same name in ``sg.nn.functional``, where the math,
the gradients and the shape rules are written down. Input first, target second, as PyTorch.

    MSELoss            (x - y)^2                            regression
    L1Loss             |x - y|                              regression, robust to outliers
    SmoothL1Loss       quadratic near 0, linear far out     regression
    BCELoss            -(y ln p + (1-y) ln(1-p))            p = probabilities in [0, 1]
    BCEWithLogitsLoss  BCE of sigmoid(z), stable            z = raw scores
    CrossEntropyLoss   -log softmax(z)_y                    z (n, c) logits, y (n,) int64 classes
    NLLLoss            -a_y                                 a (n, c) log-probabilities
"""

from scalargrad.nn import functional as F
from scalargrad.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


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

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = float(beta)

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self):
        return f"reduction={self.reduction!r}, beta={self.beta}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (``F.binary_cross_entropy``)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, stable (``F.binary_cross_entropy_with_logits``)."""

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax + negative log-likelihood of logits at int64 class targets (``F.cross_entropy``)."""

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities at int64 class targets (``F.nll_loss``)."""

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction)
