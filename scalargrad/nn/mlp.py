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
"""

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
        for i, layer in enumerate(layers.values()):
            x = layer(x)
            if i != last:
                x = self.activation(x)
        return x
