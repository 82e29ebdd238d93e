"""The scalar engine: every number is a ``Value`` node, so every step of backprop can be seen.

value.py   Value, the node, and its iterative backward pass
nn.py      Module, Neuron, Linear, MLP and activations over Values
losses.py  loss functions over lists of Values
"""

from scalargrad.scalar import losses, nn
from scalargrad.scalar.value import Value

__all__ = ["Value", "losses", "nn"]
