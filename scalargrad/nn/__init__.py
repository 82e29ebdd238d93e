"""``sg.nn``: layers, models and losses of the matrix engine, with PyTorch's names.

    import scalargrad as sg
    model = sg.nn.MLP(2, [16, 16, 3])  # or sg.nn.Sequential(sg.nn.Linear(2, 16), sg.nn.ReLU(), ...)
    loss = sg.nn.CrossEntropyLoss()(model(x), y)
    loss.backward()

Files, one concept each: ``module.py`` (Module, Parameter), ``linear.py``, ``activations.py``,
``containers.py`` (Sequential, ModuleList), ``dropout.py``, ``mlp.py``, ``losses.py``,
``functional.py`` (the same as functions: ``sg.nn.functional``), ``loss_options.py`` (class
weights, ignore_index, label smoothing and pos_weight of the losses), ``lazy.py`` (LazyLinear) and
``init.py``.
"""

from scalargrad.nn import functional, init
from scalargrad.nn.activations import (
    GELU,
    Flatten,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from scalargrad.nn.containers import ModuleList, Sequential
from scalargrad.nn.dropout import Dropout
from scalargrad.nn.lazy import LazyLinear
from scalargrad.nn.linear import Linear
from scalargrad.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from scalargrad.nn.mlp import MLP
from scalargrad.nn.module import Module, Parameter

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "GELU",
    "Identity",
    "L1Loss",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SiLU",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "functional",
    "init",
]
