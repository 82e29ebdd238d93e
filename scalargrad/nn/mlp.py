"""``MLP(nin, nouts)``: a multi-layer perceptron, the matrix twin of ``scalargrad.scalar.nn.MLP``.

``MLP(2, [16, 16, 1])`` is Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1): the activation
goes between layers and the last layer is linear (micrograd's MLP). In matrix form each hidden
layer computes H = phi(X W^T + b) for a whole batch X of shape (n, nin) at once.

The Linear layers are ``self.layers`` (a ModuleList), so ``state_dict()`` has the keys
``layers.{i}.weight`` (out x in) and ``layers.{i}.bias`` (out,) as NumPy arrays: exactly the scalar
engine's keys and shapes. A model trained on one engine loads into the other::

    small = scalargrad.scalar.nn.MLP(2, [4, 1])
    big = sg.nn.MLP(2, [4, 1], dtype=sg.float64)
    big.load_state_dict(small.state_dict())      # same function, now on matrices

With ReLU (the default) each hidden layer relu(x W^T + b) is one graph node
(``functions/fused.py: LinearReLU``, named ``ReluBackward0``, its inputs x, W and b), not an
``AddmmBackward0`` node followed by a ``ReluBackward0`` one: the same values and gradients
(tests/nn/test_nn_mlp_fused.py checks them against the two-node path), with one node and two
passes over the layer's activations fewer per step. Only ``MLP`` does this, inside its own
forward; a ``Sequential(Linear, ReLU, ...)`` runs each module as written.
"""

from scalargrad.nn import functional as F
from scalargrad.nn.activations import ReLU
from scalargrad.nn.activations import activation as make_activation
from scalargrad.nn.containers import ModuleList
from scalargrad.nn.linear import Linear
from scalargrad.nn.module import Module


def _check_size(name, n):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"MLP: {name} must be a positive int, got {n!r}")


class MLP(Module):
    """``MLP(nin, nouts, activation="relu", device="cpu", dtype=None)``.

    ``activation`` is "relu", "tanh", "sigmoid", "softplus", "silu", "gelu" or None (linear), as
    the scalar engine (the op registry's activations: ``scalargrad/primitives.py``).
    Input (n, nin) or (nin,) -> output (n, nouts[-1]) or (nouts[-1],).
    """

    def __init__(self, nin, nouts, activation="relu", device="cpu", dtype=None):
        super().__init__()
        _check_size("nin", nin)
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
            _check_size("each layer size in nouts", n)
        sizes = [nin] + nouts
        self.layers = ModuleList(
            Linear(sizes[i], sizes[i + 1], device=device, dtype=dtype) for i in range(len(nouts))
        )
        self.activation = make_activation(activation)

    def forward(self, x):
        layers = self.layers._modules
        last = len(layers) - 1
        fuse = type(self.activation) is ReLU
        for i, layer in enumerate(layers.values()):
            if i == last:
                x = layer(x)
            elif fuse and type(layer) is Linear:  # relu(x W^T + b) as one node: see the docstring
                params = layer._parameters
                x = F._linear_relu(x, params["weight"], params["bias"])
            else:
                x = self.activation(layer(x))
        return x
