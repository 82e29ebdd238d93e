"""``LazyLinear(out_features)``: a Linear layer whose ``in_features`` is read from its first input,
as PyTorch's (d2l builds its models this way: ``nn.LazyLinear(10)``).

Until the first call the weight has shape (out_features, 0). The first forward sets
``in_features = x.shape[-1]``, gives the weight and bias fresh values in place (the Parameter
objects stay the same, so an optimizer made before already holds them) and turns the layer into a
plain ``Linear``, as ``torch.nn.LazyLinear`` does.
"""

from scalargrad import dtypes
from scalargrad.matrix.creation import zeros
from scalargrad.nn.linear import Linear
from scalargrad.nn.module import Module, Parameter


class LazyLinear(Linear):
    """``LazyLinear(out_features, bias=True, device="cpu", dtype=None)``: ``in_features`` comes
    from the first input."""

    def __init__(self, out_features, bias=True, device="cpu", dtype=None):
        Module.__init__(self)
        if isinstance(out_features, bool) or not isinstance(out_features, int) or out_features < 1:
            raise ValueError(
                f"LazyLinear: out_features must be a positive int, got {out_features!r}"
            )
        dtype = dtypes.as_dtype(dtype) or dtypes.default_float()
        self.in_features = 0
        self.out_features = out_features
        self.weight = Parameter(zeros(out_features, 0, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        w = self.weight
        self.in_features = x.shape[-1]
        w.data = zeros(self.out_features, self.in_features, dtype=w.dtype, device=w.device)
        self.reset_parameters()
        self.__class__ = Linear  # from now on an ordinary Linear layer
        return Linear.forward(self, x)
