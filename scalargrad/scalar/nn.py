"""Neural-network building blocks over Values: Module, Neuron, Linear, MLP and activations.

A neuron computes ``act(b + sum_i w_i x_i)``: one fused ``Value.dot`` node, then the activation.
``Linear(in_features, out_features)`` is ``out_features`` neurons without activation, so its
weight matrix is ``out x in`` (row j = neuron j's weights), as ``torch.nn.Linear``. ``MLP`` stacks
Linear layers with an activation between them and a linear last layer (micrograd's MLP).

``state_dict()`` gives numpy arrays under the same keys as the matrix engine's MLP
(``layers.{i}.weight`` of shape (out, in), ``layers.{i}.bias`` of shape (out,)), so a model can be
moved between the engines.
"""

import math
import random
from collections.abc import Mapping

import numpy as np

from scalargrad import primitives
from scalargrad.scalar.value import Value


def _make_rng(rng):
    """``None`` -> Python's global ``random`` module; an int -> a seeded ``random.Random``."""
    if rng is None:
        return random
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    if hasattr(rng, "uniform"):
        return rng
    raise TypeError(f"rng: expected None, an int seed or a random.Random, got {type(rng).__name__}")



def _check_inputs(name, x):
    """A layer of the scalar engine takes a list of numbers or Values (one per input)."""
    if not isinstance(x, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list of numbers or Values (one per input), got "
            f"{type(x).__name__}; for one input write [x]"
        )

class Module:
    """Base class: a module owns Values (its parameters) and possibly sub-modules.

    Subclasses implement ``forward`` and ``_named_matrices`` (their own parameters as named
    nested lists of Values, e.g. ``{"weight": [[...], ...], "bias": [...]}``) and/or list
    sub-modules in ``_children``.
    """

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _named_matrices(self):
        return {}

    def _children(self):
        return {}

    def named_tensors(self, prefix=""):
        """Yield ``(name, nested list of Values)`` for each weight/bias, in parameter order."""
        for name, matrix in self._named_matrices().items():
            yield prefix + name, matrix
        for child_name, child in self._children().items():
            yield from child.named_tensors(f"{prefix}{child_name}.")

    def named_parameters(self, prefix=""):
        """Yield ``(name, Value)`` for every parameter, e.g. ``("layers.0.weight[3, 1]", w)``."""
        for name, matrix in self.named_tensors(prefix):
            for index, value in _flatten(matrix):
                yield f"{name}[{', '.join(map(str, index))}]", value

    def parameters(self):
        """All parameters (Values) as a list."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self):
        """Set every parameter's grad to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self):
        """``{name: numpy float64 array}`` of the parameters' data (copies)."""
        return {
            name: np.array(_data(matrix), dtype=np.float64) for name, matrix in self.named_tensors()
        }

    def load_state_dict(self, state_dict):
        """Copy arrays (or nested lists) into the parameters; keys and shapes must match exactly."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                "load_state_dict: expected a dict {name: array} (what state_dict() returns), got "
                f"{type(state_dict).__name__}"
            )
        own = dict(self.named_tensors())
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: keys do not match: missing {missing}, unexpected {unexpected}"
            )
        for name, matrix in own.items():
            try:
                array = np.asarray(state_dict[name], dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"load_state_dict: {name!r} must hold numbers, got {state_dict[name]!r}"
                ) from None
            shape = np.shape(_data(matrix))
            if array.shape != shape:
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {shape} here "
                    f"but {tuple(array.shape)} in the state_dict"
                )
            for index, value in _flatten(matrix):
                value.data = float(array[index])


def _flatten(matrix, index=()):
    """Yield ``(index tuple, Value)`` for a Value or nested lists of Values, row-major."""
    if isinstance(matrix, Value):
        yield index, matrix
        return
    for i, item in enumerate(matrix):
        yield from _flatten(item, index + (i,))


def _data(matrix):
    if isinstance(matrix, Value):
        return matrix.data
    return [_data(item) for item in matrix]


# ---------------------------------------------------------------- activations


class _Activation(Module):
    """Applies a unary primitive (a Value method) to one Value or elementwise to a list of
    Values."""

    method = ""

    def __init__(self, method=None):
        if method is not None:
            self.method = method

    def forward(self, x):
        if isinstance(x, Value):
            return getattr(x, self.method)()
        return [getattr(v, self.method)() for v in x]

    @property
    def layer_name(self):
        """PyTorch's name for this layer: the class name, or for the generic layer the op
        registry's (``"SiLU"``)."""
        if type(self) is _Activation:
            return primitives.get(self.method).activation
        return type(self).__name__

    def __repr__(self):
        return f"{self.layer_name}()"


class ReLU(_Activation):
    """max(x, 0)."""

    method = "relu"


class Tanh(_Activation):
    """tanh(x)."""

    method = "tanh"


class Sigmoid(_Activation):
    """1 / (1 + e^-x)."""

    method = "sigmoid"


class Softplus(_Activation):
    """ln(1 + e^x)."""

    method = "softplus"


class Identity(_Activation):
    """x (no activation)."""

    def forward(self, x):
        return x


def _layer(name):
    """The activation layer of registry primitive ``name``: its class here, if it has one (ReLU,
    Tanh, ...), else the generic layer applying ``Value.<name>``."""
    for cls in (ReLU, Tanh, Sigmoid, Softplus):
        if cls.method == name:
            return cls
    return lambda: _Activation(name)


# name -> layer factory: every activation primitive of the op registry, and no activation at all
# (the same names as sg.nn.activation's table)
ACTIVATIONS = {
    **{prim.name: _layer(prim.name) for prim in primitives.ACTIVATIONS},
    None: Identity,
    "linear": Identity,
    "identity": Identity,
}


def _activation(name):
    if name not in ACTIVATIONS:
        choices = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"activation: unknown activation {name!r}; use one of {choices}")
    return ACTIVATIONS[name]()


def _layer_name(layer):
    return getattr(layer, "layer_name", type(layer).__name__)


def _check_size(name, n):
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")


# ---------------------------------------------------------------- layers


class Neuron(Module):
    """``act(b + sum_i w_i x_i)`` with w, b ~ uniform(-1/sqrt(nin), 1/sqrt(nin)) (PyTorch's init).

    ``activation`` is "relu", "tanh", "sigmoid", "softplus", "silu", "gelu" or None (linear).
    """

    def __init__(self, nin, activation="relu", rng=None):
        _check_size("Neuron: nin", nin)
        rng = _make_rng(rng)
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(rng.uniform(-bound, bound))
        self.activation = _activation(activation)

    def forward(self, x):
        _check_inputs("Neuron", x)
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        return self.activation(Value.dot(self.w, x, self.b))

    def _named_matrices(self):
        return {"weight": self.w, "bias": self.b}

    def __repr__(self):
        return f"Neuron({len(self.w)}, activation={_layer_name(self.activation)})"


class Linear(Module):
    """``y_j = b_j + sum_i W_ji x_i`` for j < out_features: a list of ``out_features`` Values.

    Always returns a list, even of one Value. ``weight`` is out x in, as ``torch.nn.Linear``.
    """

    def __init__(self, in_features, out_features, rng=None):
        _check_size("Linear: in_features", in_features)
        _check_size("Linear: out_features", out_features)
        rng = _make_rng(rng)
        self.in_features = in_features
        self.out_features = out_features
        self.neurons = [Neuron(in_features, activation=None, rng=rng) for _ in range(out_features)]

    def forward(self, x):
        _check_inputs("Linear", x)
        if len(x) != self.in_features:
            raise ValueError(f"Linear: expected {self.in_features} inputs, got {len(x)}")
        return [Value.dot(n.w, x, n.b) for n in self.neurons]

    @property
    def weight(self):
        """The out x in weight matrix as nested lists of Values."""
        return [n.w for n in self.neurons]

    @property
    def bias(self):
        """The out bias Values."""
        return [n.b for n in self.neurons]

    def parameters(self):
        """Neuron by neuron: w_0..., b_0, w_1..., b_1, ... (micrograd's order)."""
        return [p for n in self.neurons for p in n.w + [n.b]]

    def named_parameters(self, prefix=""):
        """Neuron by neuron, like ``parameters()``: ``weight[j, i]`` then ``bias[j]``."""
        for j, n in enumerate(self.neurons):
            for i, w in enumerate(n.w):
                yield f"{prefix}weight[{j}, {i}]", w
            yield f"{prefix}bias[{j}]", n.b

    def _named_matrices(self):
        return {"weight": self.weight, "bias": self.bias}

    def __repr__(self):
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is Linear(2,16), act, Linear(16,16), act,
    Linear(16,1). The activation goes between layers; the last layer is linear.

    Calling it on a list of ``nin`` numbers or Values returns a list of ``nouts[-1]`` Values.
    ``layers`` holds the Linear layers only (state_dict keys ``layers.{i}.weight/bias``).
    """

    def __init__(self, nin, nouts, activation="relu", rng=None):
        _check_size("MLP: nin", nin)
        if isinstance(nouts, (int, float)) or not hasattr(nouts, "__iter__"):
            raise TypeError(
                f"MLP: nouts must be a list of layer sizes, got {type(nouts).__name__} {nouts!r}; "
                f"MLP({nin!r}, [{nouts!r}]) is one layer of {nouts!r} outputs, MLP(2, [16, 16, 1]) "
                "two hidden layers of 16 and one output"
            )
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size, got []")
        for n in nouts:
            _check_size("MLP: each layer size in nouts", n)
        rng = _make_rng(rng)
        sizes = [nin] + nouts
        self.layers = [Linear(sizes[i], sizes[i + 1], rng=rng) for i in range(len(nouts))]
        self.activation = _activation(activation)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)

    def _children(self):
        return {f"layers.{i}": layer for i, layer in enumerate(self.layers)}

    def named_parameters(self, prefix=""):
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}layers.{i}.")

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"MLP([{inner}], activation={_layer_name(self.activation)})"
