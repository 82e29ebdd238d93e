"""``Dropout(p)``: randomly silence units while training, so no unit can rely on any one other.

In training mode each element is zeroed with probability ``p`` and the survivors are scaled by
1/(1 - p) ("inverted" dropout), so every element's expected value is unchanged; in evaluation
mode (``model.eval()``) the layer passes its input through, and nothing needs rescaling at test
time. Backward multiplies the gradient by the same mask: dL/dx = mask/(1 - p) * G.
"""

import numbers

from scalargrad.nn import functional as F
from scalargrad.nn.module import Module


class Dropout(Module):
    """Zero elements with probability ``p`` in training mode (scaling the rest by 1/(1-p))."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if inplace:
            raise NotImplementedError("Dropout: inplace=True is not supported by scalargrad")
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability p must be between 0 and 1, got {p!r}")
        self.p = float(p)

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace=False"
