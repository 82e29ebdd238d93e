"""The matrix engine: ``Tensor``, its differentiable ops, and the backends that compute them.

``import scalargrad as sg`` gives the public names (``sg.tensor``, ``sg.zeros``, ``sg.cat``, ...);
this package also offers PyTorch's functional forms of the Tensor methods (``exp(x)``,
``matmul(a, b)``, ``softmax(x, dim)``, ...).
"""

from scalargrad import _FUNCTIONAL  # the names, listed once in scalargrad/__init__.py
from scalargrad.matrix.creation import (  # noqa: F401
    arange,
    eye,
    from_numpy,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from scalargrad.matrix.functions.joining import cat, stack, where  # noqa: F401
from scalargrad.matrix.tensor import Tensor  # noqa: F401


def _method(name):
    def f(x, *args, **kwargs):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{name}: input must be a Tensor, got {type(x).__name__}; wrap it with "
                "sg.tensor(...)"
            )
        return getattr(x, name)(*args, **kwargs)

    f.__name__ = name
    f.__doc__ = f"``{name}(x, ...)`` is ``x.{name}(...)``: see ``Tensor.{name}``."
    return f


for _name in _FUNCTIONAL:
    globals()[_name] = _method(_name)
del _name
