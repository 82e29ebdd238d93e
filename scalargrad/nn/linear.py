"""``Linear``: a fully connected layer, ``y = x W^T + b``.

``weight`` is ``out_features x in_features`` (row j holds neuron j's weights, as ``torch.nn.Linear``
and the scalar engine's ``Linear``), ``bias`` has ``out_features`` entries. A batch x of shape
(n, in) gives y of shape (n, out); any leading axes are kept: (..., in) -> (..., out).

Backward (G = dL/dy, shape (n, out)):  dL/dx = G W  (n, in),  dL/dW = G^T x  (out, in),
dL/db = column sums of G  (out,). Forward and backward are one fused node
(``scalargrad/matrix/functions/fused.py``); docs: derivations/linear.

Initialisation is PyTorch's: W and b ~ U(-1/sqrt(in), 1/sqrt(in)) from the global generator, so
``sg.manual_seed(0)`` makes it repeatable.
"""

import math

from scalargrad import dtypes
from scalargrad.matrix.creation import zeros
from scalargrad.nn import functional as F
from scalargrad.nn import init
from scalargrad.nn.module import Module, Parameter


def _check_features(name, n):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"Linear: {name} must be a positive int, got {n!r}")


class Linear(Module):
    """``Linear(in_features, out_features, bias=True, device="cpu", dtype=sg.float32)``."""

    def __init__(self, in_features, out_features, bias=True, device="cpu", dtype=None):
        super().__init__()
        _check_features("in_features", in_features)
        _check_features("out_features", out_features)
        dtype = dtypes.as_dtype(dtype) or dtypes.float32
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Fresh weights: kaiming_uniform_(W, a=sqrt 5) = U(-1/sqrt(in), 1/sqrt(in)); b the same."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        params = self._parameters  # one dict lookup instead of two attribute misses
        return F.linear(x, params["weight"], params["bias"])

    def extra_repr(self):
        has_bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={has_bias}"
