"""Activation layers: element-wise non-linearities (and softmax along an axis) as Modules.

Without a non-linearity between them, stacked Linear layers collapse into one linear map
(W2 (W1 x) = (W2 W1) x); these are what let an MLP bend its decision boundary. Each is the
Tensor method of the same name (one graph node; derivative from ``scalargrad/calculus.py``):

    ReLU      max(x, 0)                 1 for x > 0, else 0
    Sigmoid   1 / (1 + e^-x)            s (1 - s)
    Tanh      tanh x                    1 - tanh^2 x
    Softplus  ln(1 + e^(beta x)) / beta sigmoid(beta x)
    SiLU      x sigmoid(x)              s (1 + x (1 - s))
    GELU      x Phi(x)                  Phi(x) + x phi(x)
    Softmax   e^x_i / sum_j e^x_j       along ``dim``;  LogSoftmax: x_i - logsumexp(x)
"""

from scalargrad import primitives
from scalargrad.nn import functional as F
from scalargrad.nn.module import Module


class ReLU(Module):
    """max(x, 0) element-wise."""

    def forward(self, x):
        return x.relu()


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope * x`` (``F.leaky_relu``)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        if inplace:
            raise NotImplementedError("LeakyReLU: inplace=True is not supported by scalargrad")
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + e^-x) element-wise (stable for any x)."""

    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    """tanh x element-wise."""

    def forward(self, x):
        return x.tanh()


class Softplus(Module):
    """ln(1 + e^(beta x)) / beta element-wise: a smooth ReLU."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return F.softplus(x, self.beta)

    def extra_repr(self):
        return f"beta={self.beta}"


class SiLU(Module):
    """x sigmoid(x) element-wise (swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        if inplace:
            raise NotImplementedError("SiLU: inplace=True is not supported by scalargrad")

    def forward(self, x):
        return F.silu(x)


class GELU(Module):
    """x Phi(x) element-wise, Phi the standard normal CDF (``approximate="tanh"``: its tanh
    approximation)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax along ``dim`` (default the last axis): rows of a (batch, classes) tensor sum to 1."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.softmax(self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably as x - logsumexp(x)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.log_softmax(self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` into one: (n, c, h, w) -> (n, c*h*w) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


# the activation layers, by PyTorch's class name (the registry's ``Primitive.activation``)
_LAYERS = {cls.__name__: cls for cls in (ReLU, Tanh, Sigmoid, Softplus, SiLU, GELU)}

# name -> layer: every activation primitive of the op registry, and no activation at all
ACTIVATIONS = {
    **{prim.name: _LAYERS[prim.activation] for prim in primitives.ACTIVATIONS},
    None: Identity,
    "linear": Identity,
    "identity": Identity,
}


def activation(name):
    """A new activation Module from its name: "relu", "tanh", "sigmoid", "softplus", "silu",
    "gelu", or None (no activation)."""
    if isinstance(name, Module):
        return name
    if name not in ACTIVATIONS:
        choices = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"activation: unknown activation {name!r}; use one of {choices}")
    return ACTIVATIONS[name]()
