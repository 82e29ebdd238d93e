"""Weight initialisation (``torch.nn.init``'s names): fill a tensor in place with random numbers
drawn from the global generator that ``sg.manual_seed`` seeds.

Why the scale matters: a layer with ``fan_in`` inputs sums ``fan_in`` products, so weights of a
fixed scale make activations grow or shrink layer after layer. Kaiming (He) init keeps the
variance of ReLU layers' outputs steady: std = gain / sqrt(fan_in), with gain sqrt(2) for ReLU.
Xavier (Glorot) init balances forward and backward: std = gain sqrt(2 / (fan_in + fan_out)).

``nn.Linear`` uses ``kaiming_uniform_(weight, a=sqrt(5))``, PyTorch's default, which works out to
U(-1/sqrt(fan_in), 1/sqrt(fan_in)); its bias is drawn from the same interval.
"""

import math

import numpy as np

from scalargrad.errors import InputTypeError
from scalargrad.matrix import creation
from scalargrad.nn.module import _assign


def _rng():
    """The global NumPy generator behind ``sg.manual_seed``."""
    return creation.generator()


def _fill(tensor, values, random=True):
    """Copy NumPy ``values`` into ``tensor`` in place (no graph is recorded). Random values go
    only into float tensors: an integer tensor would silently truncate them (PyTorch raises too)."""
    if random and np.dtype(tensor.dtype).kind != "f":
        raise InputTypeError(
            f"init: random values need a floating point tensor, got {tensor.dtype} of shape "
            f"{tuple(tensor.shape)} (they would be truncated to integers); use .float() first"
        )

    _assign(tensor, np.asarray(values))
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations' variance steady through ``nonlinearity`` (as PyTorch):
    linear/sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + a^2)), slope a = param."""
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight: for a (out, in) Linear weight, (in, out)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"init: fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng().uniform(a, b, size=tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    return _fill(tensor, _rng().normal(mean, std, size=tensor.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, np.full(tensor.shape, val), random=False)


def zeros_(tensor):
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with 1."""
    return constant_(tensor, 1.0)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init, uniform: U(-bound, bound), bound = gain sqrt(3 / fan),
    gain = calculate_gain(nonlinearity, a)."""
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init, normal: N(0, std^2), std = gain / sqrt(fan)."""
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)))


def xavier_uniform_(tensor, gain=1.0):
    """Glorot init, uniform: U(-bound, bound), bound = gain sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot init, normal: N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
